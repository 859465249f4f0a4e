package ledger

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// HistoryRequest qualifies a history read. Purpose is required from
// inspectors; Proofs asks for each entry's inclusion proof.
type HistoryRequest struct {
	Purpose string `json:"purpose,omitempty"`
	Proofs  bool   `json:"proofs,omitempty"`
}

// History is the entries of a worker up to a signed checkpoint.
type History struct {
	WorkerID string `json:"worker_id"`
	// Size is the tree size of Checkpoint; every entry is below it and its
	// proof is against it.
	Size       uint64         `json:"size"`
	Checkpoint string         `json:"checkpoint"`
	Entries    []HistoryEntry `json:"entries"`
	// AccessIndex is the access.recorded entry appended for an inspector.
	AccessIndex *uint64 `json:"access_index,omitempty"`
}

// HistoryEntry is one entry of a history: its decoded fields, its exact
// leaf bytes, and, on request, its inclusion proof. Personal is the
// decrypted personal data the entry carries, when the reader may see it
// and the worker is not erased.
type HistoryEntry struct {
	Index      uint64          `json:"index"`
	Type       string          `json:"type"`
	RecordedAt time.Time       `json:"recorded_at"`
	Data       json.RawMessage `json:"data"`
	Leaf       []byte          `json:"leaf"`
	Proof      [][]byte        `json:"proof,omitempty"`
	Personal   *Personal       `json:"personal,omitempty"`
}

// WorkerHistory returns the entries that name a worker, in log order, up
// to the latest checkpoint. An inspector (purpose required) sees them all,
// after an access.recorded entry is appended (included in the history);
// if that append fails, so does the read. An employer that registered or
// placed the worker sees the registration, permits, its own placements,
// corrections of those, and the erasure; not crossings, other employers'
// placements or access records. Other roles get ErrForbidden; an unknown
// worker (or one the employer may not see) ErrNotFound.
func (s *Service) WorkerHistory(ctx context.Context, a Actor, id string, req HistoryRequest) (History, error) {
	// For an inspector, the worker must exist before the read is
	// recorded; an employer's read records nothing and is checked in the
	// view below.
	purpose := req.Purpose
	var err error
	if a.Role == RoleInspector {
		_, purpose, err = s.workerFor(a, id, req.Purpose, RoleInspector, RoleEmployer)
	} else {
		err = allow(a, RoleInspector, RoleEmployer)
	}
	if err != nil {
		return History{}, err
	}
	h := History{WorkerID: id, Entries: []HistoryEntry{}}
	if a.Role == RoleInspector {
		i, err := s.recordAccess(ctx, a, id, purpose, "history")
		if err != nil {
			return History{}, err
		}
		h.AccessIndex = &i
	}
	cp, size := s.log.LatestCheckpoint()
	h.Size, h.Checkpoint = size, string(cp)
	// Everything else from one view: each view waits for the commit in
	// flight, so one per row would make a read under load wait for many.
	err = s.log.View(func(r *tlog.Reader) error {
		if _, err := s.readableWorker(r, a, id); err != nil {
			return err
		}
		indexes, err := historyIndexesIn(r, id, h.Size, "")
		if err != nil {
			return err
		}
		dk, err := s.dataKey(r, id)
		if errors.Is(err, errKeyGone) {
			dk = nil
		} else if err != nil {
			return err
		}
		leaves, _, err := r.EntriesAt(indexes, 0)
		if err != nil {
			return err
		}
		var shown []uint64
		h.Entries, shown, err = appendHistoryEntries(h.Entries, a, id, indexes, leaves, dk)
		if err != nil {
			return err
		}
		if req.Proofs && len(shown) > 0 {
			_, proofs, err := r.EntriesAt(shown, h.Size)
			if err != nil {
				return err
			}
			for n := range h.Entries {
				h.Entries[n].Proof = proofs[n]
			}
		}
		return nil
	})
	if err != nil {
		return History{}, err
	}
	return h, nil
}

// appendHistoryEntries decodes the worker's entries (leaves, at indexes)
// that a may see, with their personal data if dk is not nil, appends them
// to entries and returns it with their indexes; an error if an entry or
// its personal data cannot be read.
func appendHistoryEntries(entries []HistoryEntry, a Actor, id string, indexes []uint64, leaves [][]byte, dk *dataKey) ([]HistoryEntry, []uint64, error) {
	var shown []uint64
	for n, i := range indexes {
		leaf := leaves[n]
		e, err := DecodeEntry(leaf)
		if err != nil {
			return nil, nil, err
		}
		if a.Role == RoleEmployer && !employerMaySee(a.Org, &e) {
			continue
		}
		he := HistoryEntry{Index: i, Type: e.Type, RecordedAt: e.RecordedAt, Data: e.Data, Leaf: leaf}
		if dk != nil && len(e.PII) > 0 {
			p, err := dk.openPersonal(id, e.PII)
			if err != nil {
				return nil, nil, err
			}
			he.Personal = &p
		}
		entries = append(entries, he)
		shown = append(shown, i)
	}
	return entries, shown, nil
}

// employerMaySee reports whether an employer's view of a worker's history
// includes entry e.
func employerMaySee(org string, e *Entry) bool {
	typ := e.Type
	if typ == TypeEntryCorrected {
		var d CorrectionData
		if e.DecodeData(&d) != nil {
			return false
		}
		typ = d.Type
	}
	switch typ {
	case TypeWorkerRegistered, TypePermitIssued, TypePermitRevoked, TypeWorkerErased:
		return true
	case TypePlacementStarted, TypePlacementEnded:
		return e.EmployerID == org
	}
	return false
}

// historyIndexesIn returns the indexes below size of the entries naming a
// worker, of the given type when typ is not empty, read from the view r.
func historyIndexesIn(r *tlog.Reader, workerID string, size uint64, typ string) ([]uint64, error) {
	prefix := historyPrefixOf(workerID)
	var out []uint64
	err := r.Scan(prefix, nil, func(k, v []byte) error {
		i := binary.BigEndian.Uint64(k[len(prefix):])
		if i >= size {
			return tlog.ErrStopScan
		}
		if typ == "" || string(v) == typ {
			out = append(out, i)
		}
		return nil
	})
	return out, err
}

// AccessRecord is one recorded read of a worker's personal data.
type AccessRecord struct {
	Index      uint64    `json:"index"`
	RecordedAt time.Time `json:"recorded_at"`
	Actor      Actor     `json:"actor"`
	Purpose    string    `json:"purpose"`
	View       string    `json:"view"`
}

// WorkerAccess returns who read a worker's personal data, when and why,
// from the access.recorded entries (inspectors and ministries). It
// returns ErrNotFound for an unknown worker, ErrForbidden for other roles.
func (s *Service) WorkerAccess(ctx context.Context, a Actor, id string) ([]AccessRecord, error) {
	if err := allow(a, RoleInspector, RoleMinistry); err != nil {
		return nil, err
	}
	// The row, the index and the entries from one view (as WorkerHistory).
	size := s.log.Size() // the view sees at least this
	var indexes []uint64
	var leaves [][]byte
	err := s.log.View(func(r *tlog.Reader) error {
		if _, err := s.readableWorker(r, a, id); err != nil {
			return err
		}
		var err error
		if indexes, err = historyIndexesIn(r, id, size, TypeAccessRecorded); err != nil {
			return err
		}
		leaves, _, err = r.EntriesAt(indexes, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []AccessRecord{}
	for n, i := range indexes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := DecodeEntry(leaves[n])
		if err != nil {
			return nil, err
		}
		if e.Type != TypeAccessRecorded {
			continue
		}
		var d AccessData
		if err := e.DecodeData(&d); err != nil {
			return nil, err
		}
		out = append(out, AccessRecord{Index: i, RecordedAt: e.RecordedAt, Actor: e.Actor, Purpose: d.Purpose, View: d.View})
	}
	return out, nil
}

// LogEntry returns the entry at index and its leaf bytes if the caller
// may see it: an inspector any entry; an employer (registered) only the
// entries its org appended or that name it as employer_id, any other is
// ErrNotFound, as is an index beyond the log. Other roles get
// ErrForbidden. It is for the API's inclusion proofs of "its own entries".
func (s *Service) LogEntry(ctx context.Context, a Actor, index uint64) (Entry, []byte, error) {
	if err := allow(a, RoleInspector, RoleEmployer); err != nil {
		return Entry{}, nil, err
	}
	if a.Role == RoleEmployer {
		if err := s.checkEmployerActor(a); err != nil {
			return Entry{}, nil, err
		}
	}
	leaf, err := s.log.Entry(index)
	if errors.Is(err, tlog.ErrNotFound) {
		return Entry{}, nil, notFound("entry")
	}
	if err != nil {
		return Entry{}, nil, err
	}
	e, err := DecodeEntry(leaf)
	if err != nil {
		return Entry{}, nil, err
	}
	if a.Role == RoleEmployer && !((e.Actor.Role == RoleEmployer && e.Actor.Org == a.Org) || e.EmployerID == a.Org) {
		return Entry{}, nil, notFound("entry")
	}
	return e, leaf, ctx.Err()
}
