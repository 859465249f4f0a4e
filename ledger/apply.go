package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// apply updates the projections for one entry. It is the single source of
// truth of the projections: live appends call it on the entry they just
// encoded, Rebuild on every entry of the log, in order. It reads and
// writes only through tx, and uses no clock: every time comes from the
// entry.
func (s *Service) apply(tx setter, e *Entry) error {
	var err error
	switch e.Type {
	case TypeEmployerRegistered:
		err = s.applyEmployerRegistered(tx, e)
	case TypeEmployerSuspended:
		err = applyEmployerSuspended(tx, e)
	case TypeWorkerRegistered:
		err = s.applyWorkerRegistered(tx, e)
	case TypePermitIssued:
		err = applyPermitIssued(tx, e)
	case TypePermitRevoked:
		err = applyPermitRevoked(tx, e)
	case TypeCrossingRecorded:
		err = applyCrossingRecorded(tx, e)
	case TypePlacementStarted:
		err = applyPlacementStarted(tx, e)
	case TypePlacementEnded:
		err = applyPlacementEnded(tx, e)
	case TypeEntryCorrected:
		err = s.applyCorrection(tx, e)
	case TypeWorkerErased:
		err = applyWorkerErased(tx, e)
	case TypeAccessRecorded:
		err = updateWorker(tx, e, func(*workerRow) error { return nil })
	default:
		err = fmt.Errorf("unknown entry type %q", e.Type)
	}
	if err == nil && e.Index == 0 {
		// The first entry of every log marks the store as keeping facts
		// rows (Rebuild replays it too), so that ScanFacts can tell a
		// store written before they existed.
		err = tx.Set(factsMetaKey, []byte{factsVersion})
	}
	if err != nil {
		return fmt.Errorf("apply %s entry %d: %w", e.Type, e.Index, err)
	}
	return nil
}

func applyEmployerSuspended(tx setter, e *Entry) error {
	return updateEmployer(tx, e.EmployerID, func(r *employerRow) error {
		var d ReasonData
		if err := e.DecodeData(&d); err != nil {
			return err
		}
		r.Suspended, r.SuspendIndex, r.SuspendReason = true, e.Index, d.Reason
		return nil
	})
}

func applyPermitIssued(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		var d PermitIssuedData
		if err := e.DecodeData(&d); err != nil {
			return err
		}
		w.Permits = append(w.Permits, permitRow{ID: e.PermitID, Index: e.Index, Type: d.Type, From: d.ValidFrom, To: d.ValidTo})
		return tx.Set(permitKey(e.PermitID), []byte(e.WorkerID))
	})
}

func applyPermitRevoked(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		p := w.permit(e.PermitID)
		if p == nil {
			return fmt.Errorf("permit %s of %s missing", e.PermitID, e.WorkerID)
		}
		p.Revoked, p.RevokedIndex = dateOf(e.RecordedAt), e.Index
		return nil
	})
}

func applyCrossingRecorded(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		c, d, err := crossingOf(e)
		if err != nil {
			return err
		}
		w.Crossings = append(w.Crossings, c)
		sortCrossings(w.Crossings)
		if d.ClientRef != "" {
			return tx.Set(refKey(e.Actor.Org, d.ClientRef), binary.BigEndian.AppendUint64(nil, e.Index))
		}
		return nil
	})
}

func applyPlacementStarted(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		var d PlacementStartedData
		if err := e.DecodeData(&d); err != nil {
			return err
		}
		w.Placements = append(w.Placements, placementRow{
			ID: e.PlacementID, Index: e.Index, Employer: e.EmployerID,
			Start: d.StartDate, ExpectedEnd: d.ExpectedEndDate,
			Occupation: d.Occupation, Sector: d.Sector, Region: d.Region, Age: d.AgeAtStart,
		})
		if err := tx.Set(placementKey(e.PlacementID), []byte(e.WorkerID+" "+e.EmployerID)); err != nil {
			return err
		}
		return linkEmployer(tx, e.EmployerID, e.WorkerID, 'p')
	})
}

func applyPlacementEnded(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		var d PlacementEndedData
		if err := e.DecodeData(&d); err != nil {
			return err
		}
		p := w.placement(e.PlacementID)
		if p == nil {
			return fmt.Errorf("placement %s of %s missing", e.PlacementID, e.WorkerID)
		}
		p.End, p.EndReason, p.EndIndex = d.EndDate, d.Reason, e.Index
		return nil
	})
}

// applyWorkerErased marks the worker erased and deletes its document index
// and its data key.
func applyWorkerErased(tx setter, e *Entry) error {
	return updateWorker(tx, e, func(w *workerRow) error {
		w.Erased, w.ErasedIndex = true, e.Index
		h, err := tx.Get(docOfKey(e.WorkerID))
		if err == nil {
			if err := tx.Delete(docKey(h)); err != nil {
				return err
			}
			if err := tx.Delete(docOfKey(e.WorkerID)); err != nil {
				return err
			}
		} else if !errors.Is(err, tlog.ErrNotFound) {
			return err
		}
		return tx.Delete(keyKey(e.WorkerID))
	})
}

func (s *Service) applyEmployerRegistered(tx setter, e *Entry) error {
	var d EmployerRegisteredData
	if err := e.DecodeData(&d); err != nil {
		return err
	}
	r := employerRow{ID: e.EmployerID, Index: e.Index, LegalName: d.LegalName, TaxID: d.TaxID,
		Country: d.Country, Sector: d.Sector, Region: d.Region}
	if err := putRow(tx, employerKey(e.EmployerID), r); err != nil {
		return err
	}
	return tx.Set(taxKey(d.Country, d.TaxID), []byte(e.EmployerID))
}

func (s *Service) applyWorkerRegistered(tx setter, e *Entry) error {
	var d WorkerRegisteredData
	if err := e.DecodeData(&d); err != nil {
		return err
	}
	w := workerRow{
		ID: e.WorkerID, Index: e.Index, Org: e.Actor.Org,
		Sex: d.Sex, Nationality: d.Nationality, BirthYear: d.BirthYear,
		DocType: d.Document.Type, DocCountry: d.Document.IssuingCountry,
		PII: []uint64{e.Index},
	}
	if err := putRow(tx, workerKey(e.WorkerID), &w); err != nil {
		return err
	}
	if err := putFacts(tx, &w); err != nil {
		return err
	}
	if err := tx.Set(historyKey(e.WorkerID, e.Index), []byte(e.Type)); err != nil {
		return err
	}
	if e.Actor.Role == RoleEmployer {
		if err := linkEmployer(tx, e.Actor.Org, e.WorkerID, 'r'); err != nil {
			return err
		}
	}
	// The document index needs the document number, which only the
	// worker's data key opens. An erased worker has none: its document is
	// not indexed again.
	dk, err := s.dataKey(tx, e.WorkerID)
	if errors.Is(err, errKeyGone) {
		return nil
	}
	if err != nil {
		return err
	}
	p, err := dk.openPersonal(e.WorkerID, e.PII)
	if err != nil {
		return err
	}
	h := s.keys.docHash(d.Document.IssuingCountry, p.DocumentNumber)
	if err := tx.Set(docKey(h), []byte(e.WorkerID)); err != nil {
		return err
	}
	return tx.Set(docOfKey(e.WorkerID), h)
}

// dataKey reads and unwraps a worker's data key; errKeyGone if destroyed.
func (s *Service) dataKey(g getter, workerID string) (*dataKey, error) {
	wrapped, err := g.Get(keyKey(workerID))
	if errors.Is(err, tlog.ErrNotFound) {
		return nil, errKeyGone
	}
	if err != nil {
		return nil, err
	}
	return s.keys.unwrap(workerID, wrapped)
}

// updateWorker loads the entry's worker row, lets fn change it, stores it
// and indexes the entry in the worker's history.
func updateWorker(tx setter, e *Entry, fn func(w *workerRow) error) error {
	var w workerRow
	if e.worker != nil && e.worker.ID == e.WorkerID {
		w = *e.worker
	} else {
		found, err := getRow(tx, workerKey(e.WorkerID), &w)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("worker %q missing", e.WorkerID)
		}
	}
	if err := fn(&w); err != nil {
		return err
	}
	if err := putRow(tx, workerKey(e.WorkerID), &w); err != nil {
		return err
	}
	if err := putFacts(tx, &w); err != nil {
		return err
	}
	return tx.Set(historyKey(e.WorkerID, e.Index), []byte(e.Type))
}

func updateEmployer(tx setter, id string, fn func(r *employerRow) error) error {
	var r employerRow
	found, err := getRow(tx, employerKey(id), &r)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("employer %q missing", id)
	}
	if err := fn(&r); err != nil {
		return err
	}
	return putRow(tx, employerKey(id), &r)
}

// linkEmployer records that an employer registered ('r') or placed ('p')
// a worker, which lets it see the worker.
func linkEmployer(tx setter, employerID, workerID string, how byte) error {
	k := empWorkerKey(employerID, workerID)
	cur, err := getString(tx, k)
	if err != nil {
		return err
	}
	r := strings.ContainsRune(cur, 'r') || how == 'r'
	p := strings.ContainsRune(cur, 'p') || how == 'p'
	v := ""
	if r {
		v += "r"
	}
	if p {
		v += "p"
	}
	return tx.Set(k, []byte(v))
}

func crossingOf(e *Entry) (crossingRow, CrossingData, error) {
	var d CrossingData
	if e.crossing != nil {
		d = *e.crossing
	} else if err := e.DecodeData(&d); err != nil {
		return crossingRow{}, d, err
	}
	t, err := time.Parse(time.RFC3339Nano, d.OccurredAt)
	if err != nil {
		return crossingRow{}, d, fmt.Errorf("occurred_at: %w", err)
	}
	return crossingRow{Index: e.Index, Dir: d.Direction, At: t.UnixNano(), Post: d.Post, Reason: d.Reason, Org: e.Actor.Org}, d, nil
}
