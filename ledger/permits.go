package ledger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// PermitRequest is the body of a permit issue.
type PermitRequest struct {
	WorkerID  string `json:"worker_id"`
	Type      string `json:"type"` // seasonal_work or cross_border_card
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

// PermitResult answers a permit issue.
type PermitResult struct {
	PermitID string `json:"permit_id"`
	Receipt
}

// IssuePermit issues a permit to a worker (ministry, border). It returns
// a *ValidationError for an invalid field (invalid_permit_type,
// invalid_date, invalid_period when valid_to is before valid_from) or an
// erased worker (worker_erased), ErrNotFound for an unknown worker,
// ErrForbidden for other roles.
func (s *Service) IssuePermit(ctx context.Context, a Actor, req PermitRequest) (PermitResult, error) {
	if err := allow(a, RoleMinistry, RoleBorder); err != nil {
		return PermitResult{}, err
	}
	if res, ok, err := replay[PermitResult](ctx, s, a); ok || err != nil {
		return res, err
	}
	var d PermitIssuedData
	var err error
	if d.Type, err = oneOf(CodeInvalidPermitType, "type", req.Type, permitTypes...); err != nil {
		return PermitResult{}, err
	}
	if _, err = parseDate("valid_from", req.ValidFrom); err != nil {
		return PermitResult{}, err
	}
	if _, err = parseDate("valid_to", req.ValidTo); err != nil {
		return PermitResult{}, err
	}
	if req.ValidTo < req.ValidFrom {
		return PermitResult{}, invalid(CodeInvalidPeriod, "valid_to", "valid_to is before valid_from")
	}
	d.ValidFrom, d.ValidTo = req.ValidFrom, req.ValidTo
	if !validID(workerIDPrefix, req.WorkerID) {
		return PermitResult{}, notFound("worker")
	}
	id, err := s.newID(permitIDPrefix)
	if err != nil {
		return PermitResult{}, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return PermitResult{}, err
	}
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		if _, err := liveWorker(tx, req.WorkerID); err != nil {
			return nil, err
		}
		return &Entry{Type: TypePermitIssued, Actor: a, WorkerID: req.WorkerID, PermitID: id, Data: data}, nil
	}), func(rc tlog.Receipt) PermitResult {
		return PermitResult{PermitID: id, Receipt: receiptOf(rc)}
	})
}

// liveWorker reads a worker row inside the writer: ErrNotFound if absent,
// a *ValidationError worker_erased if erased.
func liveWorker(tx *tlog.Tx, id string) (*workerRow, error) {
	var w workerRow
	found, err := getRow(tx, workerKey(id), &w)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("worker")
	}
	if w.Erased {
		return nil, invalid(CodeWorkerErased, "worker_id", "the worker was erased")
	}
	return &w, nil
}

// RevokePermit revokes a permit (ministry only): from the day of the
// revocation (UTC) it is no longer valid. It returns ErrNotFound for an
// unknown permit, ErrConflict (permit_already_revoked), a
// *ValidationError without a reason, ErrForbidden for other roles.
func (s *Service) RevokePermit(ctx context.Context, a Actor, id string, req ReasonRequest) (Receipt, error) {
	return s.reasoned(ctx, a, permitIDPrefix, "permit", id, req, func(tx *tlog.Tx, data json.RawMessage) (*Entry, error) {
		workerID, err := getString(tx, permitKey(id))
		if err != nil {
			return nil, err
		}
		if workerID == "" {
			return nil, notFound("permit")
		}
		var w workerRow
		if _, err := getRow(tx, workerKey(workerID), &w); err != nil {
			return nil, err
		}
		p := w.permit(id)
		if p == nil {
			return nil, notFound("permit")
		}
		if p.Revoked != "" {
			return nil, conflict(CodeAlreadyRevoked, "the permit is already revoked")
		}
		return &Entry{Type: TypePermitRevoked, Actor: a, WorkerID: workerID, PermitID: id, Data: data}, nil
	})
}
