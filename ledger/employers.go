package ledger

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// EmployerRequest is the body of an employer registration.
type EmployerRequest struct {
	LegalName string `json:"legal_name"`
	TaxID     string `json:"tax_id"`
	Country   string `json:"country"`
	Sector    string `json:"sector"`
	Region    string `json:"region"`
}

// EmployerResult answers an employer registration.
type EmployerResult struct {
	EmployerID string `json:"employer_id"`
	Receipt
}

// Employer is the view of an employer.
type Employer struct {
	EmployerID string `json:"employer_id"`
	LegalName  string `json:"legal_name"`
	TaxID      string `json:"tax_id"`
	Country    string `json:"country"`
	Sector     string `json:"sector"`
	Region     string `json:"region"`
	Status     string `json:"status"` // active or suspended
	Index      uint64 `json:"index"`  // of employer.registered
}

// ReasonRequest is the body of a suspension, revocation or erasure.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// EmployerPage is one page of employers, in registration order.
type EmployerPage struct {
	Employers  []Employer `json:"employers"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// taxID normalises a tax id: upper case, without spaces, hyphens and dots.
func taxID(field, v string) (string, error) {
	v = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/', '\t':
			return -1
		}
		return unicode.ToUpper(r)
	}, v)
	return text(field, v, true, maxShort)
}

// RegisterEmployer registers an employer (ministry only). It returns a
// *ValidationError for a missing or invalid field (invalid_country,
// invalid_sector, invalid_region: the region must be a subdivision of the
// employer's country), ErrConflict (employer_exists) if an employer with
// the same country and tax id exists, ErrForbidden for other roles.
func (s *Service) RegisterEmployer(ctx context.Context, a Actor, req EmployerRequest) (EmployerResult, error) {
	if err := allow(a, RoleMinistry); err != nil {
		return EmployerResult{}, err
	}
	if res, ok, err := replay[EmployerResult](ctx, s, a); ok || err != nil {
		return res, err
	}
	var d EmployerRegisteredData
	var err error
	if d.LegalName, err = text("legal_name", req.LegalName, true, maxName); err != nil {
		return EmployerResult{}, err
	}
	if d.TaxID, err = taxID("tax_id", req.TaxID); err != nil {
		return EmployerResult{}, err
	}
	if d.Country, err = country("country", req.Country); err != nil {
		return EmployerResult{}, err
	}
	if d.Sector, err = sector("sector", req.Sector); err != nil {
		return EmployerResult{}, err
	}
	if d.Region, err = region("region", req.Region, d.Country); err != nil {
		return EmployerResult{}, err
	}
	id, err := s.newID(employerIDPrefix)
	if err != nil {
		return EmployerResult{}, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return EmployerResult{}, err
	}
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		if other, err := getString(tx, taxKey(d.Country, d.TaxID)); err != nil {
			return nil, err
		} else if other != "" {
			return nil, conflict(CodeEmployerExists, "an employer with this tax id is already registered in %s", d.Country)
		}
		return &Entry{Type: TypeEmployerRegistered, Actor: a, EmployerID: id, Data: data}, nil
	}), func(rc tlog.Receipt) EmployerResult {
		return EmployerResult{EmployerID: id, Receipt: receiptOf(rc)}
	})
}

// SuspendEmployer suspends an employer (ministry only): it can start no
// placement afterwards. It returns ErrNotFound for an unknown employer,
// ErrConflict (employer_already_suspended), a *ValidationError if the
// reason is missing, ErrForbidden for other roles.
func (s *Service) SuspendEmployer(ctx context.Context, a Actor, id string, req ReasonRequest) (Receipt, error) {
	return s.reasoned(ctx, a, employerIDPrefix, "employer", id, req, func(tx *tlog.Tx, data json.RawMessage) (*Entry, error) {
		var r employerRow
		found, err := getRow(tx, employerKey(id), &r)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, notFound("employer")
		}
		if r.Suspended {
			return nil, conflict(CodeAlreadySuspended, "the employer is already suspended")
		}
		return &Entry{Type: TypeEmployerSuspended, Actor: a, EmployerID: id, Data: data}, nil
	})
}

// reasoned is the shape shared by the ministry's reasoned operations
// (suspending an employer, revoking a permit, erasing a worker): the role
// check, the answer of an idempotent replay, the required reason, the id's
// form (a malformed id of the given prefix is ErrNotFound for what), then
// one append whose entry build decides from the rows, given the reason
// encoded as the entry's data.
func (s *Service) reasoned(ctx context.Context, a Actor, prefix, what, id string, req ReasonRequest, build func(tx *tlog.Tx, data json.RawMessage) (*Entry, error)) (Receipt, error) {
	if err := allow(a, RoleMinistry); err != nil {
		return Receipt{}, err
	}
	if res, ok, err := replay[Receipt](ctx, s, a); ok || err != nil {
		return res, err
	}
	reason, err := text("reason", req.Reason, true, maxText)
	if err != nil {
		return Receipt{}, err
	}
	if !validID(prefix, id) {
		return Receipt{}, notFound(what)
	}
	data, err := json.Marshal(ReasonData{Reason: reason})
	if err != nil {
		return Receipt{}, err
	}
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		return build(tx, data)
	}), receiptOf)
}

func (r *employerRow) view() Employer {
	status := "active"
	if r.Suspended {
		status = "suspended"
	}
	return Employer{EmployerID: r.ID, LegalName: r.LegalName, TaxID: r.TaxID, Country: r.Country,
		Sector: r.Sector, Region: r.Region, Status: status, Index: r.Index}
}

// GetEmployer returns an employer. Ministries and inspectors see any;
// an employer only itself (any other id is ErrNotFound); other roles get
// ErrForbidden.
func (s *Service) GetEmployer(ctx context.Context, a Actor, id string) (Employer, error) {
	switch a.Role {
	case RoleMinistry, RoleInspector:
	case RoleEmployer:
		if err := s.checkEmployerActor(a); err != nil {
			return Employer{}, err
		}
		if id != a.Org {
			return Employer{}, notFound("employer")
		}
	default:
		return Employer{}, roleNotAllowed(a)
	}
	if !validID(employerIDPrefix, id) {
		return Employer{}, notFound("employer")
	}
	var r employerRow
	var found bool
	err := s.log.View(func(rd *tlog.Reader) (err error) {
		found, err = getRow(rd, employerKey(id), &r)
		return err
	})
	if err != nil {
		return Employer{}, err
	}
	if !found {
		return Employer{}, notFound("employer")
	}
	return r.view(), nil
}

// ListEmployers returns a page of employers in registration order
// (ministries and inspectors). It returns a *ValidationError
// (invalid_cursor) for a cursor it did not issue, ErrForbidden for other
// roles.
func (s *Service) ListEmployers(ctx context.Context, a Actor, req ListRequest) (EmployerPage, error) {
	if err := allow(a, RoleMinistry, RoleInspector); err != nil {
		return EmployerPage{}, err
	}
	var start []byte
	if req.Cursor != "" {
		if !validID(employerIDPrefix, req.Cursor) {
			return EmployerPage{}, invalid(CodeInvalidCursor, "cursor", "cursor is not valid")
		}
		start = append(employerKey(req.Cursor), 0) // strictly after the cursor
	}
	limit := req.limit()
	page := EmployerPage{Employers: []Employer{}}
	err := s.log.View(func(r *tlog.Reader) error {
		return r.Scan(employerPrefix, start, func(k, v []byte) error {
			if len(page.Employers) == limit {
				page.NextCursor = page.Employers[limit-1].EmployerID
				return tlog.ErrStopScan
			}
			var e employerRow
			if err := unmarshalRow(k, v, &e); err != nil {
				return err
			}
			page.Employers = append(page.Employers, e.view())
			return ctx.Err()
		})
	})
	if err != nil {
		return EmployerPage{}, err
	}
	return page, nil
}

// EmployerWorker is one worker of an employer: registered by it, placed
// by it, or both.
type EmployerWorker struct {
	WorkerID   string `json:"worker_id"`
	Registered bool   `json:"registered"`
	Placed     bool   `json:"placed"`
}

// EmployerWorkerPage is one page of an employer's workers, by worker id.
type EmployerWorkerPage struct {
	Workers    []EmployerWorker `json:"workers"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// EmployerWorkers lists the workers an employer registered or placed.
// Ministries and inspectors may ask about any employer, an employer only
// about itself (another id is ErrNotFound); other roles get ErrForbidden.
// An unknown employer is ErrNotFound; a bad cursor a *ValidationError.
func (s *Service) EmployerWorkers(ctx context.Context, a Actor, id string, req ListRequest) (EmployerWorkerPage, error) {
	if _, err := s.GetEmployer(ctx, a, id); err != nil {
		return EmployerWorkerPage{}, err
	}
	prefix := empWorkersPrefix(id)
	var start []byte
	if req.Cursor != "" {
		if !validID(workerIDPrefix, req.Cursor) {
			return EmployerWorkerPage{}, invalid(CodeInvalidCursor, "cursor", "cursor is not valid")
		}
		start = append(append(append([]byte(nil), prefix...), req.Cursor...), 0)
	}
	limit := req.limit()
	page := EmployerWorkerPage{Workers: []EmployerWorker{}}
	err := s.log.View(func(r *tlog.Reader) error {
		return r.Scan(prefix, start, func(k, v []byte) error {
			if len(page.Workers) == limit {
				page.NextCursor = page.Workers[limit-1].WorkerID
				return tlog.ErrStopScan
			}
			flags := string(v)
			page.Workers = append(page.Workers, EmployerWorker{WorkerID: string(k[len(prefix):]),
				Registered: strings.Contains(flags, "r"), Placed: strings.Contains(flags, "p")})
			return ctx.Err()
		})
	})
	if err != nil {
		return EmployerWorkerPage{}, err
	}
	return page, nil
}
