package ledger

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEmployerWorkerStatuses checks an employer's list of its workers:
// each with presence, permits and the employer's own active placements
// only; another employer is not told the employer exists, a ministry is
// refused, an inspector sees the employer's view; pages follow cursors.
func TestEmployerWorkerStatuses(t *testing.T) {
	e := newEnv(t)
	a, b := e.employer("A", "1"), e.employer("B", "2")
	w1 := e.worker(a, workerReq("Ana", "Ruiz", "1990-01-01", "D1"))
	w2 := e.worker(b, workerReq("Eva", "Mora", "1991-01-01", "D2"))
	w3 := e.worker(b, workerReq("Ida", "Sol", "1992-01-01", "D3"))
	e.permit(w1, "2025-01-01", "2025-12-31")
	e.permit(w2, "2024-01-01", "2024-12-31") // expired
	e.permit(w2, "2025-01-01", "2025-12-31")
	e.cross(w2, "entry", "2025-01-02T10:00:00Z")
	e.place(b, w2, "2025-01-03", "2025-06-30")       // another employer's placement: not shown to A
	pl := e.place(a, w2, "2025-01-06", "2025-06-30") // A places B's worker: now A's too

	page := must(e.svc.EmployerWorkerStatuses(e.ctx, a, a.Org, ListRequest{}))(t)
	if page.EmployerID != a.Org || page.NextCursor != "" {
		t.Errorf("page %q next %q", page.EmployerID, page.NextCursor)
	}
	got := map[string]EmployerWorkerStatus{}
	for _, w := range page.Workers {
		got[w.WorkerID] = w
	}
	if len(got) != 2 || got[w3].WorkerID != "" {
		t.Fatalf("workers %v, want %s and %s", page.Workers, w1, w2)
	}
	if w := got[w1]; !w.Registered || w.Placed || w.Status.Present || len(w.Status.Permits) != 1 || !w.Status.Permits[0].ValidToday || len(w.Status.ActivePlacements) != 0 {
		t.Errorf("registered worker: %+v", w)
	}
	w := got[w2]
	if w.Registered || !w.Placed || !w.Status.Present || w.Status.Since != "2025-01-02" || w.Status.SinceCrossing != nil {
		t.Errorf("placed worker: %+v", w)
	}
	var valid []bool
	for _, p := range w.Status.Permits {
		valid = append(valid, p.ValidToday)
	}
	if diff := cmp.Diff([]bool{false, true}, valid); diff != "" {
		t.Errorf("permit validity (-want +got)\n%s", diff)
	}
	if len(w.Status.ActivePlacements) != 1 || w.Status.ActivePlacements[0].PlacementID != pl.PlacementID {
		t.Errorf("active placements %+v, want only A's %s", w.Status.ActivePlacements, pl.PlacementID)
	}
	if w.Sex != "F" || w.Nationality != "NIC" || w.BirthYear != 1991 {
		t.Errorf("worker %+v", w)
	}

	// Inspectors see the employer's view; another employer and other roles do not.
	insp := must(e.svc.EmployerWorkerStatuses(e.ctx, inspector, a.Org, ListRequest{}))(t)
	if diff := cmp.Diff(page, insp); diff != "" {
		t.Errorf("inspector's page (-employer +inspector)\n%s", diff)
	}
	_, err := e.svc.EmployerWorkerStatuses(e.ctx, b, a.Org, ListRequest{})
	checkErr(t, err, want{CodeNotFound, ""})
	for _, actor := range []Actor{ministry, border} {
		_, err = e.svc.EmployerWorkerStatuses(e.ctx, actor, a.Org, ListRequest{})
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
	}
	_, err = e.svc.EmployerWorkerStatuses(e.ctx, inspector, "emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", ListRequest{})
	checkErr(t, err, want{CodeNotFound, ""})
	_, err = e.svc.EmployerWorkerStatuses(e.ctx, a, a.Org, ListRequest{Cursor: "nope"})
	checkErr(t, err, want{CodeInvalidCursor, "cursor"})

	// Pages of one, in worker id order, until no cursor is given.
	var ids []string
	req := ListRequest{Limit: 1}
	for range 3 {
		p := must(e.svc.EmployerWorkerStatuses(e.ctx, b, b.Org, req))(t)
		for _, w := range p.Workers {
			ids = append(ids, w.WorkerID)
		}
		if p.NextCursor == "" {
			break
		}
		req.Cursor = p.NextCursor
	}
	wantIDs := []string{w2, w3}
	slices.Sort(wantIDs)
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("B's workers page by page (-want +got)\n%s", diff)
	}
}
