package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
)

// TestEveryMountedRouteHasAPolicy fails when a route is mounted on the gin
// engine by any other way than routeTable, or routeTable has a route that
// is not mounted, or a policy is empty or names an unknown role.
func TestEveryMountedRouteHasAPolicy(t *testing.T) {
	e := newEnv(t, 0)
	table := map[string]route{}
	for _, r := range e.srv.routeTable() {
		k := r.method + " " + r.path
		if _, dup := table[k]; dup {
			t.Errorf("%s listed twice in routeTable", k)
		}
		table[k] = r
		if !r.policy.Public && len(r.policy.Roles) == 0 {
			t.Errorf("%s is neither public nor open to any role", k)
		}
		for _, role := range r.policy.Roles {
			if !slices.Contains(ledger.Roles(), role) {
				t.Errorf("%s names unknown role %q", k, role)
			}
		}
		if r.policy.Public && (len(r.policy.Roles) > 0 || r.policy.EmployerParam != "") {
			t.Errorf("%s is public but also names roles", k)
		}
		if p := r.policy.EmployerParam; p != "" && !strings.Contains(r.path, ":"+p) {
			t.Errorf("%s: EmployerParam %q is not a path parameter", k, p)
		}
	}
	mounted := map[string]bool{}
	for _, ri := range e.srv.Routes() {
		k := ri.Method + " " + ri.Path
		mounted[k] = true
		if _, ok := table[k]; !ok {
			t.Errorf("%s is mounted but has no policy in routes.go", k)
		}
	}
	for k := range table {
		if !mounted[k] {
			t.Errorf("%s is in routeTable but not mounted", k)
		}
	}
}

// matrix is the role × route table of docs/API.md, written out independently of
// routes.go, on a domain env seeded with the scenario (scenario_test.go):
// the status for no token, then employer A, border, inspector and
// ministry tokens. Placeholders ({wkr}, …; {role} makes each role's body
// its own) are the scenario's ids. Rows run in order; a POST's body is
// valid, so that an allowed role gets the documented success.
var matrix = []struct {
	method, path, body             string
	none, emp, border, insp, minis int
}{
	{"GET", "/healthz", "", 200, 200, 200, 200, 200},
	{"GET", "/readyz", "", 200, 200, 200, 200, 200},
	{"GET", "/metrics", "", 200, 200, 200, 200, 200},
	{"GET", "/v1/openapi.json", "", 200, 200, 200, 200, 200},
	{"GET", "/ui", "", 200, 200, 200, 200, 200},
	{"GET", "/ui/app.js", "", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/checkpoint", "", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/key", "", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/proof/consistency?from=1", "", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/entries", "", 401, 403, 403, 200, 403},
	{"GET", "/v1/log/proof/inclusion?index=0", "", 401, 200, 403, 200, 403}, // A's registration names A

	{"POST", "/v1/employers", `{"legal_name":"Finca {role}","tax_id":"M-{role}","country":"CRI","sector":"A","region":"CR-A"}`, 401, 403, 403, 403, 201},
	{"GET", "/v1/employers", "", 401, 403, 403, 200, 200},
	{"GET", "/v1/employers/{empA}", "", 401, 200, 403, 200, 200},
	{"POST", "/v1/employers/{empC}/suspend", `{"reason":"matrix"}`, 401, 403, 403, 403, 200},
	{"GET", "/v1/employers/{empA}/workers", "", 401, 200, 403, 200, 403},

	{"POST", "/v1/workers", `{"given_names":"Rosa","family_names":"Matriz","date_of_birth":"1990-01-01","sex":"F","nationality":"NIC","document":{"type":"passport","number":"M{role}","issuing_country":"NIC"}}`, 401, 201, 201, 403, 403},
	{"GET", "/v1/workers/{wkr}?purpose=matrix", "", 401, 200, 200, 200, 403},
	{"GET", "/v1/workers/{wkr}/history?purpose=matrix", "", 401, 200, 403, 200, 403},
	{"GET", "/v1/workers/{wkr}/access", "", 401, 403, 403, 200, 200},
	{"POST", "/v1/workers/{wkrErase}/erase", `{"reason":"matrix"}`, 401, 403, 403, 403, 200},

	{"POST", "/v1/permits", `{"worker_id":"{wkr}","type":"seasonal_work","valid_from":"2026-10-01","valid_to":"2026-12-31"}`, 401, 403, 201, 403, 201},
	{"POST", "/v1/permits/{prmRevoke}/revoke", `{"reason":"matrix"}`, 401, 403, 403, 403, 200},
	{"POST", "/v1/crossings", `{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T08:00:00Z"}`, 401, 403, 201, 403, 403},
	{"POST", "/v1/crossings/batch", `{"crossings":[{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-02T08:30:00Z","client_ref":"m-{role}"}]}`, 401, 403, 200, 403, 403},
	{"POST", "/v1/placements", `{"worker_id":"{wkr}","start_date":"2026-03-02","expected_end_date":"2026-09-30","occupation":"9211","sector":"A","region":"CR-A"}`, 401, 201, 403, 403, 403},
	{"POST", "/v1/placements/{plcA}/end", `{"end_date":"2026-03-02","reason":"completed"}`, 401, 200, 403, 403, 403},
	// Entry 0 is the ministry's: its own org and inspectors may correct
	// it; the border is refused; employer A is not told it exists.
	{"POST", "/v1/entries/0/corrections", `{"reason":"typo","changes":{"legal_name":"Finca A S.A."}}`, 401, 404, 403, 201, 201},
	{"GET", "/v1/findings", "", 401, 200, 403, 200, 403},

	{"GET", "/v1/reports/circular?from=2026-01-01&to=2026-12-31&group_by=nationality", "", 401, 403, 403, 200, 200},
}

// tenantCells are the cells where an employer asks for another tenant's
// resource: existence is not leaked (404). emp is the caller: A, B
// (suspended) or D (the other tenant).
var tenantCells = []struct {
	method, path, body, emp string
	want                    int
}{
	{"GET", "/v1/employers/{empD}", "", "A", 404},
	{"GET", "/v1/employers/{empA}", "", "D", 404},
	{"GET", "/v1/employers/{empA}/workers", "", "D", 404},
	{"GET", "/v1/workers/{wkrD}", "", "A", 404},
	{"GET", "/v1/workers/{wkrD}/history", "", "A", 404},
	{"GET", "/v1/workers/{wkr}", "", "D", 404},
	{"GET", "/v1/log/proof/inclusion?index={idxD}", "", "A", 404},
	{"GET", "/v1/log/proof/inclusion?index={idxD}", "", "D", 200},
	{"GET", "/v1/log/proof/inclusion?index=99999", "", "A", 404},
	{"POST", "/v1/placements/{plcD}/end", `{"end_date":"2026-03-02","reason":"completed"}`, "A", 404},
	{"POST", "/v1/entries/{idxD}/corrections", `{"reason":"typo","changes":{"region":"CR-H"}}`, "A", 404},
	{"GET", "/v1/employers/{empB}", "", "B", 200}, // a suspended employer still reads itself
	{"POST", "/v1/placements", `{"worker_id":"{wkrD}","start_date":"2026-03-02","expected_end_date":"2026-09-30","occupation":"9211","sector":"A","region":"CR-A"}`, "B", 422},
}

func TestRoleMatrix(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	tokens := []struct {
		name string
		tok  string
	}{
		{"none", ""},
		{"employer", toks[ledger.RoleEmployer]},
		{"border", toks[ledger.RoleBorder]},
		{"inspector", toks[ledger.RoleInspector]},
		{"ministry", toks[ledger.RoleMinistry]},
	}
	covered := map[string]bool{}
	for _, row := range matrix {
		pattern := patternOf(e.srv, row.method, sc.expand(row.path, ""))
		covered[row.method+" "+pattern] = true
		for i, want := range []int{row.none, row.emp, row.border, row.insp, row.minis} {
			tk := tokens[i]
			t.Run(row.method+" "+row.path+" as "+tk.name, func(t *testing.T) {
				r := req{method: row.method, path: sc.expand(row.path, tk.name), token: tk.tok}
				if row.method == "POST" {
					r.body, r.ctype = sc.expand(row.body, tk.name), "json"
				}
				size := e.log.Size()
				resp, b := e.do(r)
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, b)
				}
				switch want {
				case 401:
					wantError(t, resp, b, 401, auth.CodeTokenMissing, "")
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
				case 403:
					if got := errorOf(t, b).Code; got != "forbidden" && got != ledger.CodeRoleNotAllowed {
						t.Errorf("403 code %q", got)
					}
				case 404:
					wantError(t, resp, b, 404, "not_found", "")
				}
				if want >= 300 && e.log.Size() != size && !strings.Contains(row.path, "purpose=") {
					t.Errorf("a refused request appended: size %d → %d", size, e.log.Size())
				}
			})
		}
	}
	for _, ri := range e.srv.Routes() {
		if !covered[ri.Method+" "+ri.Path] {
			t.Errorf("route %s %s has no row in the role matrix", ri.Method, ri.Path)
		}
	}
	emps := map[string]string{"A": sc.empA, "B": sc.empB, "D": sc.empD}
	for _, c := range tenantCells {
		path := sc.expand(c.path, "")
		t.Run("tenant "+c.emp+" "+c.method+" "+c.path, func(t *testing.T) {
			tok := e.token(ledger.RoleEmployer, emps[c.emp])
			r := req{method: c.method, path: path, token: tok}
			if c.method == "POST" {
				r.body, r.ctype = sc.expand(c.body, ""), "json"
			}
			size := e.log.Size()
			resp, b := e.do(r)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, b)
			}
			if c.want == 404 {
				wantError(t, resp, b, 404, "not_found", "-")
				if e.log.Size() != size {
					t.Errorf("a refused request appended")
				}
			}
		})
	}
	t.Run("unregistered employer", func(t *testing.T) {
		for _, org := range []string{"emp_Z", "emp_01ARZ3NDEKTSV4RRFFQ69G5FAV"} {
			for _, path := range []string{"/v1/log/proof/inclusion?index=0", "/v1/findings", "/v1/log/entries", "/v1/employers/" + org} {
				resp, b := e.get(path, e.token(ledger.RoleEmployer, org))
				wantError(t, resp, b, 401, "employer_unknown", "")
			}
		}
	})
}

// patternOf returns the gin route pattern that serves method and path.
func patternOf(s *Server, method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	for _, ri := range s.Routes() {
		if ri.Method != method {
			continue
		}
		ps := strings.Split(ri.Path, "/")
		if len(ps) != len(segs) {
			continue
		}
		if matchSegs(ps, segs) {
			return ri.Path
		}
	}
	return "?" + path
}

func matchSegs(pattern, segs []string) bool {
	for i := range pattern {
		if strings.HasPrefix(pattern[i], "*") {
			return true
		}
		if !strings.HasPrefix(pattern[i], ":") && pattern[i] != segs[i] {
			return false
		}
	}
	return true
}

// TestNilDomain checks that while Config.Domain is nil the domain routes
// are mounted and answer 501 not_implemented after guard's checks (token,
// role, query parameters) and, for a POST, the checks that hold for any
// JSON body.
func TestNilDomain(t *testing.T) {
	e := newEnv(t, 0).start(HTTPLimits{})
	insp := e.token(ledger.RoleInspector, "MTSS")
	for _, tc := range []struct {
		r           req
		status      int
		code, field string
	}{
		{req{method: "GET", path: "/v1/workers/wkr_X?purpose=case-1", token: insp}, 501, "not_implemented", ""},
		{req{method: "GET", path: "/v1/findings", token: insp}, 501, "not_implemented", ""},
		{req{method: "POST", path: "/v1/entries/3/corrections", token: insp, ctype: "json", body: `{}`}, 501, "not_implemented", ""},
		{req{method: "GET", path: "/v1/workers/wkr_X", token: e.token(ledger.RoleBorder, "P1")}, 501, "not_implemented", ""},
		{req{method: "GET", path: "/v1/workers/wkr_X/access", token: e.token(ledger.RoleBorder, "P1")}, 403, "forbidden", ""},
		{req{method: "GET", path: "/v1/findings?sort=x", token: insp}, 400, "invalid_query", "sort"},
		{req{method: "POST", path: "/v1/entries/3/corrections", token: insp, ctype: "json", body: `{"a":1,"a":2}`}, 400, "duplicate_key", "a"},
		{req{method: "POST", path: "/v1/entries/3/corrections", token: insp, ctype: "text/plain", body: `{}`}, 415, "unsupported_media_type", ""},
	} {
		t.Run(tc.r.method+" "+tc.r.path, func(t *testing.T) {
			resp, b := e.do(tc.r)
			wantError(t, resp, b, tc.status, tc.code, tc.field)
		})
	}
}
