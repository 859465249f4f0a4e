package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
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
			if !role.Valid() {
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

// P is the status of a placeholder route (todo) for an allowed role. When
// a domain handler lands, its row's P cells become the real status.
const P = http.StatusNotImplemented

// matrix is the role × route table of API.md, written out independently of
// routes.go: the status for no token, then employer (emp_A, a registered
// employer), border, inspector and ministry tokens.
var matrix = []struct {
	method, path                   string
	none, emp, border, insp, minis int
}{
	{"GET", "/healthz", 200, 200, 200, 200, 200},
	{"GET", "/readyz", 200, 200, 200, 200, 200},
	{"GET", "/metrics", 200, 200, 200, 200, 200},
	{"GET", "/v1/openapi.json", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/checkpoint", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/key", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/proof/consistency?from=1", 200, 200, 200, 200, 200},
	{"GET", "/v1/log/entries", 401, 403, 403, 200, 403},
	{"GET", "/v1/log/proof/inclusion?index=0", 401, 200, 403, 200, 403},

	{"POST", "/v1/employers", 401, 403, 403, 403, P},
	{"GET", "/v1/employers", 401, 403, 403, P, P},
	{"GET", "/v1/employers/emp_A", 401, P, 403, P, P},
	{"POST", "/v1/employers/emp_A/suspend", 401, 403, 403, 403, P},

	{"POST", "/v1/workers", 401, P, P, 403, 403},
	{"GET", "/v1/workers/wkr_1", 401, P, P, P, 403},
	{"GET", "/v1/workers/wkr_1/history", 401, P, 403, P, 403},
	{"GET", "/v1/workers/wkr_1/access", 401, 403, 403, P, P},
	{"POST", "/v1/workers/wkr_1/erase", 401, 403, 403, 403, P},

	{"POST", "/v1/permits", 401, 403, P, 403, P},
	{"POST", "/v1/permits/prm_1/revoke", 401, 403, 403, 403, P},
	{"POST", "/v1/crossings", 401, 403, P, 403, 403},
	{"POST", "/v1/crossings/batch", 401, 403, P, 403, 403},
	{"POST", "/v1/placements", 401, P, 403, 403, 403},
	{"POST", "/v1/placements/plc_1/end", 401, P, 403, 403, 403},
	{"POST", "/v1/entries/0/corrections", 401, P, P, P, P},
	{"GET", "/v1/findings", 401, P, 403, P, 403},

	{"GET", "/v1/reports/circular", 401, 403, 403, P, P},
}

// tenantCells are the cells where an employer asks for another tenant's
// resource: existence is not leaked (404).
var tenantCells = []struct {
	method, path, org string
	want              int
}{
	{"GET", "/v1/employers/emp_B", "emp_A", 404},
	{"GET", "/v1/employers/emp_A", "emp_B", 404},
	{"GET", "/v1/log/proof/inclusion?index=1", "emp_A", 404}, // odd entries are not emp_A's
	{"GET", "/v1/log/proof/inclusion?index=0", "emp_B", 404},
	{"GET", "/v1/log/proof/inclusion?index=99", "emp_A", 404},
	{"GET", "/v1/employers/emp_B", "emp_B", P}, // a suspended employer still reads itself
}

func TestRoleMatrix(t *testing.T) {
	e := newEnv(t, 4).start(HTTPLimits{})
	tokens := []struct {
		name string
		tok  string
	}{
		{"none", ""},
		{"employer", e.token(auth.RoleEmployer, "emp_A")},
		{"border", e.token(auth.RoleBorder, "PASO-CANOAS")},
		{"inspector", e.token(auth.RoleInspector, "MTSS")},
		{"ministry", e.token(auth.RoleMinistry, "DGME")},
	}
	covered := map[string]bool{}
	for _, row := range matrix {
		pattern := patternOf(e.srv, row.method, row.path)
		covered[row.method+" "+pattern] = true
		for i, want := range []int{row.none, row.emp, row.border, row.insp, row.minis} {
			tk := tokens[i]
			t.Run(row.method+" "+row.path+" as "+tk.name, func(t *testing.T) {
				r := req{method: row.method, path: row.path, token: tk.tok}
				if row.method == "POST" {
					r.body, r.ctype = "{}", "json"
				}
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
					wantError(t, resp, b, 403, "forbidden", "")
				case P:
					wantError(t, resp, b, P, "not_implemented", "")
				}
			})
		}
	}
	for _, ri := range e.srv.Routes() {
		if !covered[ri.Method+" "+ri.Path] {
			t.Errorf("route %s %s has no row in the role matrix", ri.Method, ri.Path)
		}
	}
	for _, c := range tenantCells {
		t.Run("tenant "+c.org+" "+c.path, func(t *testing.T) {
			resp, b := e.get(c.path, e.token(auth.RoleEmployer, c.org))
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, b)
			}
			if c.want == 404 {
				wantError(t, resp, b, 404, "not_found", "-")
			}
		})
	}
	t.Run("unregistered employer", func(t *testing.T) {
		for _, path := range []string{"/v1/log/proof/inclusion?index=0", "/v1/findings", "/v1/log/entries"} {
			resp, b := e.get(path, e.token(auth.RoleEmployer, "emp_Z"))
			wantError(t, resp, b, 401, "employer_unknown", "")
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
		if !strings.HasPrefix(pattern[i], ":") && pattern[i] != segs[i] {
			return false
		}
	}
	return true
}

// TestDomainPlugsIn shows how a domain handler is mounted: domain(h) runs
// h once Config.Domain is set, and answers 501 while it is nil.
func TestDomainPlugsIn(t *testing.T) {
	handler := func(s *Server) gin.HandlerFunc {
		return func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"org": principal(c).Org}) }
	}
	for _, tc := range []struct {
		name   string
		domain Domain
		want   int
	}{
		{"nil domain", nil, P},
		{"domain set", struct{}{}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 0, func(c *Config) { c.Domain = tc.domain })
			e.srv.mount(route{"GET", "/test/domain", roles(inspector), nil, domain(handler)})
			e.start(HTTPLimits{})
			resp, b := e.get("/test/domain", e.token(auth.RoleInspector, "MTSS"))
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b)
			}
			if resp, _ := e.get("/test/domain", e.token(auth.RoleBorder, "P1")); resp.StatusCode != 403 {
				t.Errorf("border: %d, want 403 before the domain is reached", resp.StatusCode)
			}
		})
	}
}
