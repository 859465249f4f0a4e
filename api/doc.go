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
// Domain handlers (employers.go, workers.go, movements.go, audit.go) are
// mounted with domain((*Server).handleX) in routes.go; while
// Config.Domain is nil they, and the one route still marked todo (the
// circular report), answer 501 after every check above. Each decodes
// (decodeBody, domain.go: decodeJSON's rules, plus the Idempotency-Key and the
// SHA-256 of the request's method, path and body, handed to the domain
// with mobility.WithIdempotency), calls the domain with the caller as a
// mobility.Actor, and answers; writeError maps the domain's refusals
// through the error table (errors.go): *mobility.ValidationError 422 with
// its code and field (400 when the field is a query parameter),
// *mobility.Error 404/409/403 with its code, ledger.ErrStorage 503, and
// anything unknown a logged, generic 500. The domain stores an
// idempotent request's answer in the same ledger transaction as its
// entry; a replay is answered the same status and body, with
// Idempotent-Replayed: true. openapi.json documents every route and
// answer, and tests hold it to the routes and to served answers.
//
// The dashboard (ui.go) is the one exception to the JSON API: GET /ui and
// /ui/* serve the files of ui/ (embedded), public because they hold no
// data, with a Content-Security-Policy of the server's own origin; the
// page calls /v1 with the token its user pastes. They are not in
// openapi.json. Config.DemoTokens, set by "serve --demo" only, lets the
// page offer the demo tokens.
//
// The package takes narrow interfaces (Log, TokenVerifier,
// EmployerDirectory, EntryOwnerFunc, Domain), never a Badger handle;
// DomainEmployers and DomainEntryOwner derive the directory and the
// entry-owner check from the Domain; cmd/trazo wires them to the ledger.
package api
