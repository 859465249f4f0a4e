// Package api is Trazo's HTTP surface: a gin router whose every route has
// an explicit role policy (routes.go), one adapter that turns a route into
// a call of the domain (adapter.go), and one error table mapping errors to
// status codes and the JSON error body {"error":{"code","message","field"}}
// (errors.go).
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
//     limit (429), an allowed role (403, the roles being the domain's
//     ledger.Role) and, for routes scoped to an employer, that employer
//     (404); then only the route's declared query parameters, each once
//     (400), and an Idempotency-Key the domain accepts
//     (ledger.CheckIdempotencyKey), given once (400);
//   - the handler, which reads a JSON body only through decodeJSON
//     (input.go: 415, 413 and the strict 400s).
//
// # Domain routes
//
// An operation of the domain is written once: its rules in a method of
// *ledger.Service, its route, policy and answer on one line of routes.go,
// its schema in openapi.json (a test holds routes and document together).
// A line names the method as a method expression, e.g.
//
//	{"POST", "/v1/permits", roles(ministry, border), nil, post((*ledger.Service).IssuePermit, created)},
//
// and the shape (post, postAt, get, getAt, getOne) says where its request
// comes from: the JSON body (decodeBody: decodeJSON's rules, plus the
// Idempotency-Key and the SHA-256 of the request's method, path and body,
// handed to the domain with ledger.WithIdempotency), the path's :id or
// :index (an :index that is not a number is 404), or the query string (a
// binder: listQuery, readQuery, historyQuery, findingsQuery). The adapter
// calls the method with the caller as a ledger.Actor and answers with the
// route's reply: ok (200), created (201), or a reply of its own where the
// answer depends on the result (createdEmployer and createdWorker add a
// Location; a worker whose document is known, or a crossing whose
// client_ref was recorded, is 200 and appended nothing; batchAnswered
// gives each crossing of a batch its status or error body). An answer
// that the domain replayed under an Idempotency-Key has the same status
// and body as the first, with Idempotent-Replayed: true.
//
// The domain decides its rules: who may read or change what (refusals are
// *ledger.Error 403/404/409), what a valid request is
// (*ledger.ValidationError 422 with its code and field), that an
// inspector gives a purpose to read personal data, and how every list
// pages (ledger.ListRequest: a limit of 1 to ledger.MaxLimit, default
// ledger.DefaultLimit, and an opaque cursor; a page carries next_cursor,
// absent at the end). A GET's request is its query string, so a domain
// refusal of it is a malformed query: 400 with the domain's code and
// field (queryError). Storage failures are 503; anything unknown is a
// logged, generic 500.
//
// While Config.Domain is nil (a server of the log alone, in tests), the
// domain routes are mounted and answer 501 not_implemented after guard
// and, for a POST, the checks that hold for any JSON body.
//
// # Other routes
//
// The log's routes (log.go) read the log directly; the circular report
// (reports.go) asks the report engine (Config.Reports; 501 while nil).
// The dashboard (ui.go) is the one exception to the JSON API: GET /ui and
// /ui/* serve the files of ui/ (embedded), public because they hold no
// data, with a Content-Security-Policy of the server's own origin; the
// page calls /v1 with the token its user pastes. They are not in
// openapi.json. Config.DemoTokens, set by "serve --demo" only, lets the
// page offer the demo tokens.
//
// The package takes the domain as *ledger.Service and otherwise narrow
// interfaces (Log, TokenVerifier, EmployerDirectory, EntryOwnerFunc,
// Reports), never a Badger handle; DomainEmployers and DomainEntryOwner
// derive the directory (with an LRU of registered employers) and the
// entry-owner check from the domain's GetEmployer and LogEntry; cmd/trazo
// wires them to the ledger.
package api
