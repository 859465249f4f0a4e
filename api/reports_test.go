package api

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// TestCircularReportOverHTTP asks the seeded scenario's report as JSON and
// CSV, checks that a ministry gets aggregates only, and that a malformed
// query is a 400 naming the parameter with nothing appended.
func TestCircularReportOverHTTP(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	e.seed()
	minis := e.token(ledger.RoleMinistry, "DGME")

	resp, body := e.get("/v1/reports/circular?from=2026-01-01&to=2026-12-31&group_by=nationality&min_cell=1", minis)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("json report: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var rep struct {
		From, To string
		GroupBy  []string         `json:"group_by"`
		Rows     []map[string]any `json:"rows"`
		Totals   map[string]any   `json:"totals"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals["workers"] != float64(2) || rep.Totals["placements_started"] != float64(2) {
		t.Errorf("totals %v, want the scenario's 2 placed workers", rep.Totals)
	}
	if len(rep.Rows) == 0 {
		t.Error("no rows by nationality")
	}
	for _, secret := range []string{"wkr_", "given_names", "document"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("a ministry's report contains %q", secret)
		}
	}

	resp, body = e.get("/v1/reports/circular?from=2026-01-01&to=2026-12-31&group_by=sex&format=csv", minis)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv report: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(records) < 2 || records[0][0] != "sex" {
		t.Errorf("csv report %q: %v", body, err)
	}

	size := e.log.Size()
	for _, tc := range []struct{ query, field string }{
		{"from=2026-01-01", "to"},
		{"from=2026-13-01&to=2026-12-31", "from"},
		{"from=2026-01-01&to=2026-12-31&group_by=colour", "group_by"},
		{"from=2026-01-01&to=2026-12-31&format=xml", "format"},
		{"from=2026-01-01&to=2026-12-31&min_cell=0", "min_cell"},
		{"from=2026-01-01&to=2026-12-31&season_start=02-30", "season_start"},
	} {
		resp, body := e.get("/v1/reports/circular?"+tc.query, minis)
		var eb errorBody
		json.Unmarshal(body, &eb)
		if resp.StatusCode != http.StatusBadRequest || eb.Error.Field != tc.field || eb.Error.Code == "" {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.query, resp.StatusCode, body, tc.field)
		}
	}
	if e.log.Size() != size {
		t.Error("refused report queries appended")
	}
}
