package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// WorkerRequest is the body of a worker registration.
type WorkerRequest struct {
	GivenNames  string          `json:"given_names"`
	FamilyNames string          `json:"family_names"`
	DateOfBirth string          `json:"date_of_birth"`
	Sex         string          `json:"sex"`
	Nationality string          `json:"nationality"`
	Document    DocumentRequest `json:"document"`
}

// DocumentRequest is a worker's travel document.
type DocumentRequest struct {
	Type           string `json:"type"`
	Number         string `json:"number"`
	IssuingCountry string `json:"issuing_country"`
}

// LogValue keeps personal data out of logs: only the clear attributes.
func (r WorkerRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("sex", r.Sex), slog.String("nationality", r.Nationality),
		slog.String("document_type", r.Document.Type), slog.String("issuing_country", r.Document.IssuingCountry))
}

// WorkerResult answers a registration. For a document already known,
// Existing is true, WorkerID is the worker's, and Receipt is nil: nothing
// was appended.
type WorkerResult struct {
	WorkerID string `json:"worker_id"`
	Existing bool   `json:"existing,omitempty"`
	*Receipt
}

// RegisterWorker registers a worker (employer, border), or finds them
// again by their document: the same issuing country and number never make
// a second worker, even when registered concurrently. Names, date of birth
// and document number enter the log only encrypted under a new data key of
// the worker. An employer that registers a worker may see them afterwards.
//
// It returns a *ValidationError for a missing or invalid field (required,
// invalid_date, date_in_future, invalid_sex, invalid_country,
// invalid_document_type, invalid_document_number, too_long, invalid_text),
// ErrForbidden for other roles or an unregistered employer org.
func (s *Service) RegisterWorker(ctx context.Context, a Actor, req WorkerRequest) (WorkerResult, error) {
	if err := allow(a, RoleEmployer, RoleBorder); err != nil {
		return WorkerResult{}, err
	}
	if a.Role == RoleEmployer {
		if err := s.checkEmployerActor(a); err != nil {
			return WorkerResult{}, err
		}
	}
	if res, ok, err := replay[WorkerResult](ctx, s, a); ok || err != nil {
		return res, err
	}
	p, d, err := s.workerData(req)
	if err != nil {
		return WorkerResult{}, err
	}
	id, err := s.newID(workerIDPrefix)
	if err != nil {
		return WorkerResult{}, err
	}
	dk, wrapped, err := s.keys.newDataKey(id)
	if err != nil {
		return WorkerResult{}, err
	}
	pii, err := dk.sealPersonal(id, p)
	if err != nil {
		return WorkerResult{}, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return WorkerResult{}, err
	}
	doc := docKey(s.keys.docHash(d.Document.IssuingCountry, p.DocumentNumber))
	existing := ""
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		other, err := getString(tx, doc)
		if err != nil {
			return nil, err
		}
		if other != "" {
			existing = other
			return nil, nil
		}
		if err := tx.Set(keyKey(id), wrapped); err != nil {
			return nil, err
		}
		return &Entry{Type: TypeWorkerRegistered, Actor: a, WorkerID: id, Data: data, PII: pii}, nil
	}), func(rc tlog.Receipt) WorkerResult {
		if !rc.Appended {
			return WorkerResult{WorkerID: existing, Existing: true}
		}
		r := receiptOf(rc)
		return WorkerResult{WorkerID: id, Receipt: &r}
	})
}

// workerData validates the fields of a worker registration and splits
// them into the worker's personal data, kept encrypted, and the entry's
// clear data. It returns a *ValidationError for a missing or invalid field.
func (s *Service) workerData(req WorkerRequest) (Personal, WorkerRegisteredData, error) {
	var p Personal
	var d WorkerRegisteredData
	var err error
	if p.GivenNames, err = text("given_names", req.GivenNames, true, maxName); err != nil {
		return p, d, err
	}
	if p.FamilyNames, err = text("family_names", req.FamilyNames, true, maxName); err != nil {
		return p, d, err
	}
	dob, err := parseDate("date_of_birth", req.DateOfBirth)
	if err != nil {
		return p, d, err
	}
	if dateOf(dob) > dateOf(s.now()) {
		return p, d, invalid(CodeDateInFuture, "date_of_birth", "date_of_birth is in the future")
	}
	p.DateOfBirth, d.BirthYear = req.DateOfBirth, dob.Year()
	if d.Sex, err = oneOf(CodeInvalidSex, "sex", req.Sex, sexes...); err != nil {
		return p, d, err
	}
	if d.Nationality, err = country("nationality", req.Nationality); err != nil {
		return p, d, err
	}
	if d.Document.Type, err = oneOf(CodeInvalidDocType, "document.type", req.Document.Type, documentTypes...); err != nil {
		return p, d, err
	}
	if p.DocumentNumber, err = documentNumber("document.number", req.Document.Number); err != nil {
		return p, d, err
	}
	if d.Document.IssuingCountry, err = country("document.issuing_country", req.Document.IssuingCountry); err != nil {
		return p, d, err
	}
	return p, d, nil
}

// readDataKey reads a worker's data key outside the writer.
func (s *Service) readDataKey(workerID string) (*dataKey, error) {
	var dk *dataKey
	err := s.log.View(func(r *tlog.Reader) (err error) {
		dk, err = s.dataKey(r, workerID)
		return err
	})
	return dk, err
}

// personal decrypts a worker's current personal data: the registration's,
// overlaid by every correction's, in log order. It returns errKeyGone for
// an erased worker.
func (s *Service) personal(workerID string) (Personal, error) {
	var w workerRow
	var dk *dataKey
	var leaves [][]byte
	err := s.log.View(func(r *tlog.Reader) error {
		found, err := getRow(r, workerKey(workerID), &w)
		if err != nil {
			return err
		}
		if !found {
			return notFound("worker")
		}
		if dk, err = s.dataKey(r, workerID); err != nil {
			return err
		}
		leaves, _, err = r.EntriesAt(w.PII, 0)
		return err
	})
	if err != nil {
		return Personal{}, err
	}
	var p Personal
	for _, leaf := range leaves {
		e, err := DecodeEntry(leaf)
		if err != nil {
			return Personal{}, err
		}
		q, err := dk.openPersonal(workerID, e.PII)
		if err != nil {
			return Personal{}, err
		}
		p = overlay(p, q)
	}
	return p, nil
}

func overlay(p, q Personal) Personal {
	if q.GivenNames != "" {
		p.GivenNames = q.GivenNames
	}
	if q.FamilyNames != "" {
		p.FamilyNames = q.FamilyNames
	}
	if q.DateOfBirth != "" {
		p.DateOfBirth = q.DateOfBirth
	}
	if q.DocumentNumber != "" {
		p.DocumentNumber = q.DocumentNumber
	}
	return p
}

// loadWorker reads a worker row outside the writer; ErrNotFound if absent.
func (s *Service) loadWorker(id string) (*workerRow, error) {
	if !validID(workerIDPrefix, id) {
		return nil, notFound("worker")
	}
	var w workerRow
	var found bool
	err := s.log.View(func(r *tlog.Reader) (err error) {
		found, err = getRow(r, workerKey(id), &w)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("worker")
	}
	return &w, nil
}

// workerFor loads a worker for a reader: it checks the role (one of
// roles), that an employer reader registered or placed the worker, and
// for an inspector that a purpose is given. Unknown workers and workers an
// employer may not see are ErrNotFound.
func (s *Service) workerFor(a Actor, id, purpose string, roles ...Role) (*workerRow, string, error) {
	if err := allow(a, roles...); err != nil {
		return nil, "", err
	}
	if a.Role == RoleInspector {
		var err error
		if purpose, err = text("purpose", purpose, true, maxText); err != nil {
			if ve := (*ValidationError)(nil); errors.As(err, &ve) && ve.Code == CodeRequired {
				ve.Code = CodePurposeRequired
			}
			return nil, "", err
		}
	}
	var w *workerRow
	err := s.log.View(func(r *tlog.Reader) (err error) {
		w, err = s.readableWorker(r, a, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return w, purpose, nil
}

// readableWorker reads, in one view, the worker row a reader asks for:
// ErrNotFound for an unknown worker or one an employer reader neither
// registered nor placed, and ErrForbidden for an employer reader whose org
// is not a registered employer.
func (s *Service) readableWorker(r *tlog.Reader, a Actor, id string) (*workerRow, error) {
	if a.Role == RoleEmployer {
		if err := employerActorIn(r, a); err != nil {
			return nil, err
		}
	}
	if !validID(workerIDPrefix, id) {
		return nil, notFound("worker")
	}
	var w workerRow
	found, err := getRow(r, workerKey(id), &w)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("worker")
	}
	if a.Role == RoleEmployer {
		v, err := getString(r, empWorkerKey(a.Org, id))
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, notFound("worker")
		}
	}
	return &w, nil
}

// recordAccess appends access.recorded for an inspector's read of a
// worker, before the read is answered.
func (s *Service) recordAccess(ctx context.Context, a Actor, workerID, purpose, view string) (uint64, error) {
	data, err := json.Marshal(AccessData{Purpose: purpose, View: view})
	if err != nil {
		return 0, err
	}
	rc, err := s.append(ctx, func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		var w workerRow
		found, err := getRow(tx, workerKey(workerID), &w)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, notFound("worker")
		}
		return &Entry{Type: TypeAccessRecorded, Actor: a, WorkerID: workerID, Data: data}, nil
	})
	if err != nil {
		return 0, err
	}
	return rc.Index, nil
}

// EraseWorker destroys a worker's data key (ministry only) and appends
// worker.erased: their names, date of birth and document number become
// unreadable in every entry, the document index forgets them (the same
// document would register a new worker), and their non-identifying
// statistics remain. It returns ErrNotFound, ErrConflict
// (worker_already_erased), a *ValidationError without a reason, or
// ErrForbidden for other roles.
func (s *Service) EraseWorker(ctx context.Context, a Actor, id string, req ReasonRequest) (Receipt, error) {
	purge := [][]byte{keyKey(id), docOfKey(id)}
	rc, err := s.reasoned(ctx, a, workerIDPrefix, "worker", id, req, func(tx *tlog.Tx, data json.RawMessage) (*Entry, error) {
		var w workerRow
		found, err := getRow(tx, workerKey(id), &w)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, notFound("worker")
		}
		if w.Erased {
			return nil, conflict(CodeAlreadyErased, "the worker is already erased")
		}
		if h, err := tx.Get(docOfKey(id)); err == nil {
			purge = append(purge, docKey(h))
		}
		return &Entry{Type: TypeWorkerErased, Actor: a, WorkerID: id, Data: data}, nil
	})
	if err != nil {
		return Receipt{}, err
	}
	if Replayed(ctx) {
		return rc, nil // purged when it was erased
	}
	// The erasure deleted these rows; purging also drops the older versions
	// Badger keeps until a compaction, so the wrapped key is gone from disk.
	if err := s.log.Purge(ctx, purge...); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "erasure appended but purge of old key versions failed; they go at the next compaction", "err", err)
	}
	return rc, nil
}
