// Package api is Trazo's HTTP surface: a gin router whose every route has
// an explicit role policy (routes.go), handlers that decode, validate, call
// the domain and answer, and one error table mapping errors to status codes
// and the JSON error body {"error":{"code","message","field"}} (errors.go).
//
// Every request goes through, in order:
//
//   - observe (middleware.go): a request id (X-Request-Id, kept when sane,
//     else generated, always echoed), then after the request the Prometheus
//     metrics (by route pattern, never the URL) and one JSON access-log line
//     (route pattern, status, duration, caller's sub/role/org; never a
//     token, a path id or a query string);
//   - recovery (a panic is a generic 500; no stack reaches the client),
//     security headers, and CORS when Config.CORSAllowOrigins is set;
//   - guard, the route's policy: no token in the query string (401);
//     public routes are rate limited per client IP; other routes need a
//     valid bearer token in the Authorization header (401), a registered
//     employer for employer tokens (401), stay within the per-subject rate
//     limit (429), an allowed role (403) and, for routes scoped to an
//     employer, that employer (404); then only the route's declared query
//     parameters, each once (400), and a well-formed Idempotency-Key (400);
//   - the handler, which reads a JSON body only through decodeJSON
//     (input.go: 415, 413 and the strict 400s).
//
// Domain routes are listed in routes.go with todo as their handler: after
// every check above they answer 501. A domain handler is plugged in by
// writing func (s *Server) handleX() gin.HandlerFunc (calling s.domain,
// decodeJSON, principal(c), idempotencyKey(c), writeError) and replacing
// todo by domain((*Server).handleX) on its line; openapi.json already
// documents every route, and a test keeps the two in step.
//
// The package takes narrow interfaces (Log, TokenVerifier,
// EmployerDirectory, EntryOwnerFunc, Domain), never a Badger handle;
// cmd/trazo wires it to the ledger.
package api
