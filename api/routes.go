package api

import "github.com/gin-gonic/gin"

// Policy says who may call a route.
type Policy struct {
	Public bool     // no token needed
	Roles  []string // roles allowed when not public
}

var public = Policy{Public: true}

// route is one entry of the API surface: every route has a policy.
type route struct {
	method, path string
	policy       Policy
	handler      func(s *Server) gin.HandlerFunc
}

// routeTable is the whole API surface at a glance.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/healthz", public, (*Server).handleHealthz},
		{"GET", "/readyz", public, (*Server).handleReadyz},
		{"GET", "/v1/log/checkpoint", public, (*Server).handleCheckpoint},
		{"GET", "/v1/log/key", public, (*Server).handleKey},
	}
}

// routes mounts every route of routeTable.
func (s *Server) routes() {
	s.engine.Use(func(c *gin.Context) { c.Set(serverKey, s); c.Next() })
	for _, r := range s.routeTable() {
		s.engine.Handle(r.method, r.path, r.handler(s))
	}
}
