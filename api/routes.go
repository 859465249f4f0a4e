package api

import (
	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// Policy says who may call a route.
type Policy struct {
	// Public routes need no token.
	Public bool
	// Roles are the roles allowed when the route is not public; any other
	// role is answered 403.
	Roles []ledger.Role
	// EmployerParam, when set, names the path parameter that an employer
	// caller's org must equal (the employer itself only); another
	// employer is answered 404, so existence is not leaked.
	EmployerParam string
}

var (
	public = Policy{Public: true}

	employer  = ledger.RoleEmployer
	border    = ledger.RoleBorder
	inspector = ledger.RoleInspector
	ministry  = ledger.RoleMinistry
)

func roles(r ...ledger.Role) Policy { return Policy{Roles: r} }

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

		// The domain: each line names the operation (a method of
		// ledger.Service) and how the adapter (adapter.go) reads its
		// request and answers its result. The domain checks roles and
		// tenancy again, and decides which workers an employer sees (404
		// for the others).
		{"POST", "/v1/employers", roles(ministry), nil, post((*ledger.Service).RegisterEmployer, createdEmployer)},
		{"GET", "/v1/employers", roles(ministry, inspector), list, get((*ledger.Service).ListEmployers, listQuery)},
		{"GET", "/v1/employers/:id", Policy{Roles: []ledger.Role{ministry, inspector, employer}, EmployerParam: "id"}, nil, getOne((*ledger.Service).GetEmployer)},
		{"POST", "/v1/employers/:id/suspend", roles(ministry), nil, postAt((*ledger.Service).SuspendEmployer, ok)},
		// An extension to docs/API.md: an employer's workers with their status.
		{"GET", "/v1/employers/:id/workers", Policy{Roles: []ledger.Role{inspector, employer}, EmployerParam: "id"}, list, getAt((*ledger.Service).EmployerWorkerStatuses, listQuery)},

		{"POST", "/v1/workers", roles(employer, border), nil, post((*ledger.Service).RegisterWorker, createdWorker)},
		{"GET", "/v1/workers/:id", roles(inspector, border, employer), []string{"purpose"}, getAt((*ledger.Service).GetWorker, readQuery)},
		{"GET", "/v1/workers/:id/history", roles(inspector, employer), []string{"purpose", "proofs"}, getAt((*ledger.Service).WorkerHistory, historyQuery)},
		{"GET", "/v1/workers/:id/access", roles(inspector, ministry), list, getAt((*ledger.Service).ListWorkerAccess, listQuery)},
		{"POST", "/v1/workers/:id/erase", roles(ministry), nil, postAt((*ledger.Service).EraseWorker, ok)},

		{"POST", "/v1/permits", roles(ministry, border), nil, post((*ledger.Service).IssuePermit, created)},
		{"POST", "/v1/permits/:id/revoke", roles(ministry), nil, postAt((*ledger.Service).RevokePermit, ok)},
		{"POST", "/v1/crossings", roles(border), nil, post((*ledger.Service).RecordCrossing, createdCrossing)},
		{"POST", "/v1/crossings/batch", roles(border), nil, post((*ledger.Service).RecordCrossings, batchAnswered)},
		{"POST", "/v1/placements", roles(employer), nil, post((*ledger.Service).StartPlacement, created)},
		{"POST", "/v1/placements/:id/end", roles(employer), nil, postAt((*ledger.Service).EndPlacement, ok)},
		// Any role may correct what its org appended; the domain checks
		// the org (inspectors may correct anything).
		{"POST", "/v1/entries/:index/corrections", roles(employer, border, inspector, ministry), nil, postAt((*ledger.Service).CorrectEntry, created)},
		{"GET", "/v1/findings", roles(inspector, employer), append([]string{"type", "employer_id", "from", "to"}, list...), get((*ledger.Service).ListFindings, findingsQuery)},

		// Reports.
		{"GET", "/v1/reports/circular", roles(ministry, inspector), []string{"from", "to", "group_by", "format", "min_cell", "season_start"}, (*Server).handleReport},
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
