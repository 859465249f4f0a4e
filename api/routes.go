package api

import (
	"encoding/json"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
)

// Policy says who may call a route.
type Policy struct {
	// Public routes need no token.
	Public bool
	// Roles are the roles allowed when the route is not public; any other
	// role is answered 403.
	Roles []auth.Role
	// EmployerParam, when set, names the path parameter that an employer
	// caller's org must equal (the employer itself only); another
	// employer is answered 404, so existence is not leaked.
	EmployerParam string
}

// Domain is the mobility domain that the domain routes call. It has no
// methods yet: each domain handler, as it lands, adds to Domain the
// methods it calls (the mobility service satisfies them) and replaces
// todo(…) by domain(handle…) on its line of routeTable.
type Domain interface{}

var (
	public = Policy{Public: true}

	employer  = auth.RoleEmployer
	border    = auth.RoleBorder
	inspector = auth.RoleInspector
	ministry  = auth.RoleMinistry
)

func roles(r ...auth.Role) Policy { return Policy{Roles: r} }

// route is one entry of the API surface: every route has a policy and
// declares the query parameters it accepts (any other is a 400).
type route struct {
	method, path string
	policy       Policy
	query        []string
	handler      func(s *Server) gin.HandlerFunc
}

// routeTable is the whole API surface at a glance (API.md); openapi.json
// documents the same routes, and a test holds the two together.
func (s *Server) routeTable() []route {
	list := []string{"limit", "cursor"}
	return []route{
		{"GET", "/healthz", public, nil, (*Server).handleHealthz},
		{"GET", "/readyz", public, nil, (*Server).handleReadyz},
		{"GET", "/metrics", public, nil, (*Server).handleMetrics},
		{"GET", "/v1/openapi.json", public, nil, (*Server).handleOpenAPI},

		// Log.
		{"GET", "/v1/log/checkpoint", public, []string{"size"}, (*Server).handleCheckpoint},
		{"GET", "/v1/log/key", public, nil, (*Server).handleKey},
		{"GET", "/v1/log/proof/consistency", public, []string{"from", "to"}, (*Server).handleConsistencyProof},
		{"GET", "/v1/log/entries", roles(inspector), []string{"start", "limit"}, (*Server).handleEntries},
		{"GET", "/v1/log/proof/inclusion", roles(inspector, employer), []string{"index", "size"}, (*Server).handleInclusionProof},

		// Employers.
		{"POST", "/v1/employers", roles(ministry), nil, todo},
		{"GET", "/v1/employers", roles(ministry, inspector), list, todo},
		{"GET", "/v1/employers/:id", Policy{Roles: []auth.Role{ministry, inspector, employer}, EmployerParam: "id"}, nil, todo},
		{"POST", "/v1/employers/:id/suspend", roles(ministry), nil, todo},

		// Workers. The domain decides which workers an employer sees (404
		// for the others).
		{"POST", "/v1/workers", roles(employer, border), nil, todo},
		{"GET", "/v1/workers/:id", roles(inspector, border, employer), []string{"purpose"}, todo},
		{"GET", "/v1/workers/:id/history", roles(inspector, employer), []string{"purpose", "proofs"}, todo},
		{"GET", "/v1/workers/:id/access", roles(inspector, ministry), list, todo},
		{"POST", "/v1/workers/:id/erase", roles(ministry), nil, todo},

		// Permits, crossings, placements, corrections, findings.
		{"POST", "/v1/permits", roles(ministry, border), nil, todo},
		{"POST", "/v1/permits/:id/revoke", roles(ministry), nil, todo},
		{"POST", "/v1/crossings", roles(border), nil, todo},
		{"POST", "/v1/crossings/batch", roles(border), nil, todo},
		{"POST", "/v1/placements", roles(employer), nil, todo},
		{"POST", "/v1/placements/:id/end", roles(employer), nil, todo},
		// Any role may correct what its org appended; the domain checks
		// the org (inspectors may correct anything).
		{"POST", "/v1/entries/:index/corrections", roles(employer, border, inspector, ministry), nil, todo},
		{"GET", "/v1/findings", roles(inspector, employer), append([]string{"type", "employer_id", "from", "to"}, list...), todo},

		// Reports.
		{"GET", "/v1/reports/circular", roles(ministry, inspector), []string{"from", "to", "group_by", "format", "min_cell", "season_start"}, todo},
	}
}

// todo marks a route whose domain handler does not exist yet: after the
// route's auth, role and query checks (and, for a POST, the strict JSON
// checks of decodeJSON on the body) it answers 501 not_implemented.
//
// TODO(issue 5, domain): replace each todo by domain((*Server).handleX).
func todo(s *Server) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method == "POST" {
			var body json.RawMessage
			if err := decodeJSON(c, &body); err != nil {
				writeError(c, err)
				return
			}
		}
		writeError(c, errNotImplemented)
	}
}

// domain mounts a domain handler, or todo's 501 while Config.Domain is nil.
func domain(h func(s *Server) gin.HandlerFunc) func(s *Server) gin.HandlerFunc {
	return func(s *Server) gin.HandlerFunc {
		if s.domain == nil {
			return todo(s)
		}
		return h(s)
	}
}

// routes mounts every route of routeTable behind its guard.
func (s *Server) routes() {
	for _, r := range s.routeTable() {
		s.mount(r)
	}
}

func (s *Server) mount(r route) {
	s.engine.Handle(r.method, r.path, s.guard(r), r.handler(s))
}
