package api

import (
	"bytes"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// TestEmployerWorkers checks GET /v1/employers/{id}/workers: an employer
// sees its own workers with their status and no personal data, another
// employer gets 404, a ministry 403, and pages follow next_cursor.
func TestEmployerWorkers(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)

	resp, body := e.get("/v1/employers/"+sc.empA+"/workers", toks[ledger.RoleEmployer])
	page := decode[ledger.EmployerWorkerStatusPage](t, resp, body, 200)
	if page.EmployerID != sc.empA || len(page.Workers) != 1 || page.NextCursor != "" {
		t.Fatalf("A's workers: %+v", page)
	}
	w := page.Workers[0]
	if w.WorkerID != sc.wkr || !w.Registered || !w.Placed || !w.Status.Present || len(w.Status.Permits) != 2 ||
		len(w.Status.ActivePlacements) != 1 || w.Status.ActivePlacements[0].PlacementID != sc.plcA {
		t.Errorf("A's worker: %+v", w)
	}
	for _, pii := range sc.personal {
		if bytes.Contains(body, []byte(pii)) {
			t.Errorf("the list shows personal data %q", pii)
		}
	}

	resp, b := e.get("/v1/employers/"+sc.empA+"/workers", e.token(ledger.RoleEmployer, sc.empD))
	wantError(t, resp, b, 404, "not_found", "")
	resp, b = e.get("/v1/employers/"+sc.empA+"/workers", toks[ledger.RoleMinistry])
	if resp.StatusCode != 403 {
		t.Errorf("ministry: %d %s", resp.StatusCode, b)
	}
	resp, b = e.get("/v1/employers/"+sc.empA+"/workers?cursor=x", toks[ledger.RoleEmployer])
	wantError(t, resp, b, 400, ledger.CodeInvalidCursor, "cursor")

	// The other tenant has placed the scenario's border-registered worker
	// too: two workers, read a page of one at a time.
	dTok := e.token(ledger.RoleEmployer, sc.empD)
	if resp, b := e.post("/v1/permits", toks[ledger.RoleMinistry], `{"worker_id":"`+sc.wkrErase+`","type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-09-30"}`, ""); resp.StatusCode != 201 {
		t.Fatalf("permit: %d %s", resp.StatusCode, b)
	}
	if resp, b := e.post("/v1/placements", dTok, `{"worker_id":"`+sc.wkrErase+`","start_date":"2026-03-02","expected_end_date":"2026-09-30","occupation":"9211","sector":"A","region":"CR-A"}`, ""); resp.StatusCode != 201 {
		t.Fatalf("placement: %d %s", resp.StatusCode, b)
	}
	seen := map[string]bool{}
	path := "/v1/employers/" + sc.empD + "/workers?limit=1"
	for range 3 {
		resp, b := e.get(path, toks[ledger.RoleInspector])
		p := decode[ledger.EmployerWorkerStatusPage](t, resp, b, 200)
		if len(p.Workers) != 1 {
			t.Fatalf("page of %d workers, want 1", len(p.Workers))
		}
		seen[p.Workers[0].WorkerID] = true
		if p.NextCursor == "" {
			break
		}
		path = "/v1/employers/" + sc.empD + "/workers?limit=1&cursor=" + p.NextCursor
	}
	if len(seen) != 2 || !seen[sc.wkrD] || !seen[sc.wkrErase] {
		t.Errorf("D's workers page by page: %v", seen)
	}
}
