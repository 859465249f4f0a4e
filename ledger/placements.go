package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// PlacementRequest is the body of a placement start.
type PlacementRequest struct {
	WorkerID        string `json:"worker_id"`
	StartDate       string `json:"start_date"`
	ExpectedEndDate string `json:"expected_end_date"`
	Occupation      string `json:"occupation"` // ISCO-08 unit group
	Sector          string `json:"sector"`     // ISIC Rev.4 section or class
	Region          string `json:"region"`     // ISO 3166-2, of the host country
}

// PlacementResult answers a placement start. Warnings name findings the
// placement shows at once (minor_in_placement, placement_while_absent).
type PlacementResult struct {
	PlacementID string `json:"placement_id"`
	Receipt
	Warnings []string `json:"warnings"`
}

// EndPlacementRequest is the body of a placement end.
type EndPlacementRequest struct {
	EndDate string `json:"end_date"`
	Reason  string `json:"reason"` // completed, resigned, dismissed, abandoned, no_show, transferred, other
}

// StartPlacement starts a placement of a worker at the calling employer,
// which may see the worker from then on. Any existing worker id may be
// placed. It returns ErrNotFound for an unknown worker, a
// *ValidationError for an invalid field (invalid_date, invalid_period
// when expected_end_date is before start_date, invalid_occupation,
// invalid_sector, invalid_region), for a suspended employer
// (employer_suspended), a worker with no permit valid on the start date
// (no_valid_permit) or an erased worker (worker_erased), and ErrForbidden
// for other roles or an unregistered employer org.
func (s *Service) StartPlacement(ctx context.Context, a Actor, req PlacementRequest) (PlacementResult, error) {
	if err := allow(a, RoleEmployer); err != nil {
		return PlacementResult{}, err
	}
	if err := s.checkEmployerActor(a); err != nil {
		return PlacementResult{}, err
	}
	if res, ok, err := replay[PlacementResult](ctx, s, a); ok || err != nil {
		return res, err
	}
	d, err := s.placementData(req)
	if err != nil {
		return PlacementResult{}, err
	}
	if !validID(workerIDPrefix, req.WorkerID) {
		return PlacementResult{}, notFound("worker")
	}
	p, err := s.personal(req.WorkerID)
	if errors.Is(err, errKeyGone) {
		return PlacementResult{}, invalid(CodeWorkerErased, "worker_id", "the worker was erased")
	}
	if err != nil {
		return PlacementResult{}, err
	}
	if age, ok := ageOn(p.DateOfBirth, d.StartDate); ok {
		d.AgeAtStart = &age
	}
	id, err := s.newID(placementIDPrefix)
	if err != nil {
		return PlacementResult{}, err
	}
	today := dateOf(s.now())
	var warnings []string
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		var err error
		if warnings, err = checkPlacementStart(tx, a.Org, req.WorkerID, &d, today); err != nil {
			return nil, err
		}
		data, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		return &Entry{Type: TypePlacementStarted, Actor: a, WorkerID: req.WorkerID, EmployerID: a.Org, PlacementID: id, Data: data}, nil
	}), func(rc tlog.Receipt) PlacementResult {
		if warnings == nil {
			warnings = []string{}
		}
		return PlacementResult{PlacementID: id, Receipt: receiptOf(rc), Warnings: warnings}
	})
}

// placementData validates the fields of a placement start request and
// returns the entry's data: a *ValidationError for an invalid date,
// period, occupation, sector or region.
func (s *Service) placementData(req PlacementRequest) (PlacementStartedData, error) {
	var d PlacementStartedData
	var err error
	if _, err = parseDate("start_date", req.StartDate); err != nil {
		return d, err
	}
	if _, err = parseDate("expected_end_date", req.ExpectedEndDate); err != nil {
		return d, err
	}
	if req.ExpectedEndDate < req.StartDate {
		return d, invalid(CodeInvalidPeriod, "expected_end_date", "expected_end_date is before start_date")
	}
	d.StartDate, d.ExpectedEndDate = req.StartDate, req.ExpectedEndDate
	if d.Occupation, err = occupation("occupation", req.Occupation); err != nil {
		return d, err
	}
	if d.Sector, err = sector("sector", req.Sector); err != nil {
		return d, err
	}
	if d.Region, err = region("region", req.Region, s.cfg.Country); err != nil {
		return d, err
	}
	return d, nil
}

// checkPlacementStart checks, inside the writer, that the employer may
// start placement d of the worker, and returns the placement's findings,
// nil when there are none. It returns
// ErrForbidden for an unregistered employer, employer_suspended,
// no_valid_permit, or the errors of liveWorker.
func checkPlacementStart(tx *tlog.Tx, employerID, workerID string, d *PlacementStartedData, today string) ([]string, error) {
	var e employerRow
	found, err := getRow(tx, employerKey(employerID), &e)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, forbidden(CodeEmployerNotRegistered, "org %q is not a registered employer", employerID)
	}
	if e.Suspended {
		return nil, invalid(CodeEmployerSuspended, "", "the employer is suspended and may start no placement")
	}
	w, err := liveWorker(tx, workerID)
	if err != nil {
		return nil, err
	}
	if w.validPermitOn(d.StartDate) == nil {
		return nil, invalid(CodeNoValidPermit, "start_date", "the worker holds no permit valid on %s", d.StartDate)
	}
	var warnings []string
	if d.AgeAtStart != nil && *d.AgeAtStart < 18 {
		warnings = append(warnings, FindingMinorInPlacement)
	}
	if d.StartDate <= today && !w.presentOn(d.StartDate) {
		warnings = append(warnings, FindingPlacementWhileAbsent)
	}
	return warnings, nil
}

// EndPlacement ends a placement of the calling employer. A worker who
// changes employer mid-season is ended here with reason "transferred" and
// starts a placement with the new employer. It returns ErrNotFound for an
// unknown placement or another employer's, ErrConflict (placement_ended)
// if it has ended, a *ValidationError for an invalid field (invalid_date,
// invalid_end_reason, invalid_period when end_date is before the start),
// and ErrForbidden for other roles or an unregistered employer org.
func (s *Service) EndPlacement(ctx context.Context, a Actor, id string, req EndPlacementRequest) (Receipt, error) {
	if err := allow(a, RoleEmployer); err != nil {
		return Receipt{}, err
	}
	if err := s.checkEmployerActor(a); err != nil {
		return Receipt{}, err
	}
	if res, ok, err := replay[Receipt](ctx, s, a); ok || err != nil {
		return res, err
	}
	var d PlacementEndedData
	var err error
	if _, err = parseDate("end_date", req.EndDate); err != nil {
		return Receipt{}, err
	}
	d.EndDate = req.EndDate
	if d.Reason, err = oneOf(CodeInvalidEndReason, "reason", req.Reason, endReasons...); err != nil {
		return Receipt{}, err
	}
	if !validID(placementIDPrefix, id) {
		return Receipt{}, notFound("placement")
	}
	data, err := json.Marshal(d)
	if err != nil {
		return Receipt{}, err
	}
	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		ref, found, err := getPlacementRef(tx, id)
		if err != nil {
			return nil, err
		}
		if !found || ref.Employer != a.Org {
			return nil, notFound("placement")
		}
		var w workerRow
		if _, err := getRow(tx, workerKey(ref.Worker), &w); err != nil {
			return nil, err
		}
		p := w.placement(id)
		if p == nil {
			return nil, notFound("placement")
		}
		if p.ended() {
			return nil, conflict(CodePlacementEnded, "the placement has already ended")
		}
		if d.EndDate < p.Start {
			return nil, invalid(CodeInvalidPeriod, "end_date", "end_date is before the start date %s", p.Start)
		}
		return &Entry{Type: TypePlacementEnded, Actor: a, WorkerID: ref.Worker, EmployerID: a.Org, PlacementID: id, Data: data}, nil
	}), receiptOf)
}
