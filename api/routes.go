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

// routeTable is the whole API surface at a glance (docs/API.md); openapi.json
// documents the same routes, and a test holds the two together.
func (s *Server) routeTable() []route {
	list := []string{"limit", "cursor"}
	return []route{
		{"GET", "/healthz", public, nil, (*Server).handleHealthz},
		{"GET", "/readyz", public, nil, (*Server).handleReadyz},
		{"GET", "/metrics", public, nil, (*Server).handleMetrics},
		{"GET", "/v1/openapi.json", public, nil, (*Server).handleOpenAPI},

		// The dashboard (api/ui): static files, not part of the JSON API
		// (openapi_test.go lists them as such). They are public because
		// they hold no data: the page calls /v1 with the user's token.
		{"GET", "/ui", public, nil, (*Server).handleUI},
		{"GET", "/ui/*file", public, nil, (*Server).handleUI},

		// Log.
		{"GET", "/v1/log/checkpoint", public, []string{"size"}, (*Server).handleCheckpoint},
		{"GET", "/v1/log/key", public, nil, (*Server).handleKey},
		{"GET", "/v1/log/proof/consistency", public, []string{"from", "to"}, (*Server).handleConsistencyProof},
		{"GET", "/v1/log/entries", roles(inspector), []string{"start", "limit"}, (*Server).handleEntries},
		{"GET", "/v1/log/proof/inclusion", roles(inspector, employer), []string{"index", "size"}, (*Server).handleInclusionProof},

		// Employers.
		{"POST", "/v1/employers", roles(ministry), nil, domain((*Server).handleRegisterEmployer)},
		{"GET", "/v1/employers", roles(ministry, inspector), list, domain((*Server).handleListEmployers)},
		{"GET", "/v1/employers/:id", Policy{Roles: []auth.Role{ministry, inspector, employer}, EmployerParam: "id"}, nil, domain((*Server).handleGetEmployer)},
		{"POST", "/v1/employers/:id/suspend", roles(ministry), nil, domain((*Server).handleSuspendEmployer)},
		// An extension to API.md: an employer's workers with their status.
		{"GET", "/v1/employers/:id/workers", Policy{Roles: []auth.Role{inspector, employer}, EmployerParam: "id"}, list, domain((*Server).handleEmployerWorkers)},

		// Workers. The domain decides which workers an employer sees (404
		// for the others).
		{"POST", "/v1/workers", roles(employer, border), nil, domain((*Server).handleRegisterWorker)},
		{"GET", "/v1/workers/:id", roles(inspector, border, employer), []string{"purpose"}, domain((*Server).handleGetWorker)},
		{"GET", "/v1/workers/:id/history", roles(inspector, employer), []string{"purpose", "proofs"}, domain((*Server).handleWorkerHistory)},
		{"GET", "/v1/workers/:id/access", roles(inspector, ministry), list, domain((*Server).handleWorkerAccess)},
		{"POST", "/v1/workers/:id/erase", roles(ministry), nil, domain((*Server).handleEraseWorker)},

		// Permits, crossings, placements, corrections, findings.
		{"POST", "/v1/permits", roles(ministry, border), nil, domain((*Server).handleIssuePermit)},
		{"POST", "/v1/permits/:id/revoke", roles(ministry), nil, domain((*Server).handleRevokePermit)},
		{"POST", "/v1/crossings", roles(border), nil, domain((*Server).handleRecordCrossing)},
		{"POST", "/v1/crossings/batch", roles(border), nil, domain((*Server).handleRecordCrossings)},
		{"POST", "/v1/placements", roles(employer), nil, domain((*Server).handleStartPlacement)},
		{"POST", "/v1/placements/:id/end", roles(employer), nil, domain((*Server).handleEndPlacement)},
		// Any role may correct what its org appended; the domain checks
		// the org (inspectors may correct anything).
		{"POST", "/v1/entries/:index/corrections", roles(employer, border, inspector, ministry), nil, domain((*Server).handleCorrectEntry)},
		{"GET", "/v1/findings", roles(inspector, employer), append([]string{"type", "employer_id", "from", "to"}, list...), domain((*Server).handleFindings)},

		// Reports.
		{"GET", "/v1/reports/circular", roles(ministry, inspector), []string{"from", "to", "group_by", "format", "min_cell", "season_start"}, (*Server).handleReport},
	}
}

// todo marks a route whose handler does not exist yet (the circular
// report): after the route's auth, role and query checks (and, for a
// POST, the strict JSON checks of decodeJSON on the body) it answers 501
// not_implemented.
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

// mount mounts one route, with its metrics and access-log handler. Routes
// are mounted before the server serves.
func (s *Server) mount(r route) {
	s.observers.add(newRouteObs(s.metrics, s.logger, r.method, r.path))
	s.engine.Handle(r.method, r.path, s.guard(r), r.handler(s))
}
