package ledger

import (
	"context"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// EmployerWorkerStatus is one worker of an employer as that employer sees
// them: no personal data, presence, permits with their validity, and the
// employer's own placements only.
type EmployerWorkerStatus struct {
	WorkerID    string       `json:"worker_id"`
	Registered  bool         `json:"registered"`
	Placed      bool         `json:"placed"`
	Erased      bool         `json:"erased"`
	Sex         string       `json:"sex"`
	Nationality string       `json:"nationality"`
	BirthYear   int          `json:"birth_year"`
	Status      WorkerStatus `json:"status"`
}

// EmployerWorkerStatusPage is one page of an employer's workers, by worker
// id.
type EmployerWorkerStatusPage struct {
	EmployerID string                 `json:"employer_id"`
	Workers    []EmployerWorkerStatus `json:"workers"`
	NextCursor string                 `json:"next_cursor,omitempty"`
}

// EmployerWorkerStatuses returns a page of the workers an employer
// registered or placed (the pages of EmployerWorkers), each with the
// status that employer may see: presence, permits valid today, its own
// active placements. An employer may ask about itself only (another id is
// ErrNotFound); an inspector about any employer, seeing it as that
// employer does. Other roles get ErrForbidden; an unknown employer is
// ErrNotFound; a cursor it did not issue is a *ValidationError
// (invalid_cursor).
func (s *Service) EmployerWorkerStatuses(ctx context.Context, a Actor, id string, req ListRequest) (EmployerWorkerStatusPage, error) {
	if err := allow(a, RoleEmployer, RoleInspector); err != nil {
		return EmployerWorkerStatusPage{}, err
	}
	ids, err := s.EmployerWorkers(ctx, a, id, req)
	if err != nil {
		return EmployerWorkerStatusPage{}, err
	}
	viewer := Actor{Sub: a.Sub, Role: RoleEmployer, Org: id}
	today := dateOf(s.now())
	page := EmployerWorkerStatusPage{EmployerID: id, Workers: make([]EmployerWorkerStatus, 0, len(ids.Workers)), NextCursor: ids.NextCursor}
	err = s.log.View(func(r *tlog.Reader) error {
		for _, ew := range ids.Workers {
			var w workerRow
			found, err := getRow(r, workerKey(ew.WorkerID), &w)
			if err != nil {
				return err
			}
			if !found { // the index names only workers that exist
				continue
			}
			v := w.view(viewer, today)
			page.Workers = append(page.Workers, EmployerWorkerStatus{
				WorkerID: ew.WorkerID, Registered: ew.Registered, Placed: ew.Placed, Erased: v.Erased,
				Sex: v.Sex, Nationality: v.Nationality, BirthYear: v.BirthYear, Status: v.Status,
			})
		}
		return ctx.Err()
	})
	if err != nil {
		return EmployerWorkerStatusPage{}, err
	}
	return page, nil
}
