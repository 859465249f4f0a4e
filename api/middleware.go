package api

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
)

// Keys of values a request carries in its gin.Context.
const (
	requestIDKey = "trazo.request_id"
	principalKey = "trazo.principal"
)

// saneRequestID reports whether a client's X-Request-Id may be kept: 1 to
// 128 characters of A-Z, a-z, 0-9 and "._:-". Anything else is replaced by
// a fresh id.
func saneRequestID(id string) bool {
	if len(id) < 1 || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// observe gives every request an id (the client's X-Request-Id when it is
// sane, else a new one), echoes it in the response, and after the request
// counts it in the metrics and writes one access-log line. The line names
// the route pattern, never the URL (whose path and query may carry ids or
// personal data), and the caller's subject, role and org, never a token.
//
// It runs on every request, so it is lean: each route's metric series and
// log handler are prepared when it is mounted (routeObs), the log record
// goes to that handler without a stack walk, the duration is integer
// microseconds (slog's JSON handler encodes floats with encoding/json),
// and headers are set without canonicalising their names again.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := s.now()
		id := c.Request.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = newRequestID()
		}
		c.Set(serverKey, s)
		c.Set(requestIDKey, id)
		c.Writer.Header()["X-Request-Id"] = []string{id}

		c.Next()

		end := s.now()
		d := end.Sub(start)
		status := c.Writer.Status()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := knownMethod(c.Request.Method)
		obs := s.observers.lookup(method, route)
		if obs == nil { // a route mounted after New by hand (tests)
			obs = newRouteObs(s.metrics, s.logger, method, route)
		}
		obs.observe(status, d)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		ctx := c.Request.Context()
		if !obs.log.Enabled(ctx, level) {
			return
		}
		// The record goes straight to the route's handler (method and
		// route already formatted): Logger.LogAttrs would walk the stack
		// for a source line that an access log never shows.
		var buf [8]slog.Attr
		attrs := append(buf[:0],
			slog.String("request_id", id),
			slog.Int("status", status),
			slog.Int64("duration_us", d.Microseconds()),
			slog.Int("bytes", max(0, c.Writer.Size())),
			slog.String("client_ip", c.ClientIP()),
		)
		if p := principal(c); p != nil {
			attrs = append(attrs, slog.String("sub", p.Subject), slog.String("role", p.Role), slog.String("org", p.Org))
		}
		rec := slog.NewRecord(end, level, "request", 0)
		rec.AddAttrs(attrs...)
		_ = obs.log.Handle(ctx, rec) // as Logger.LogAttrs: a failing log does not fail the request
	}
}

// requestIDs makes request ids: a random prefix drawn once per process,
// then a counter, in 32 hex digits. They are unique, not secret.
var requestIDs struct {
	prefix uint64
	n      atomic.Uint64
}

func init() {
	var b [8]byte
	rand.Read(b[:])
	requestIDs.prefix = binary.BigEndian.Uint64(b[:])
}

func newRequestID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], requestIDs.prefix)
	binary.BigEndian.PutUint64(b[8:], requestIDs.n.Add(1))
	return hex.EncodeToString(b[:])
}

// Values of the fixed response headers, shared by every answer (never
// modified: a later Add appends to a copy, their capacity being 1).
var (
	hdrNoSniff    = []string{"nosniff"}
	hdrNoReferrer = []string{"no-referrer"}
	hdrCSP        = []string{"default-src 'none'; frame-ancestors 'none'"}
	hdrNoStore    = []string{"no-store"}
)

// securityHeaders sets the headers every answer of a JSON API should carry.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = hdrNoSniff
		h["Referrer-Policy"] = hdrNoReferrer
		h["Content-Security-Policy"] = hdrCSP
		c.Next()
	}
}

// cors answers browsers from the exact origins listed, and only those. It is
// mounted only when Config.CORSAllowOrigins is not empty. Tokens travel in
// the Authorization header, never in cookies, so credentials are not
// allowed.
func cors(origins []string) gin.HandlerFunc {
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[o] = true
	}
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
		if !allowed[origin] {
			if preflight {
				writeError(c, &apiError{http.StatusForbidden, "cors_origin_not_allowed", "this origin may not call the API", ""})
				return
			}
			c.Next()
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, Location, Idempotent-Replayed")
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// guard enforces a route's policy before its handler: no token in the
// query string; for a public route a per-IP rate limit; otherwise a valid
// bearer token (401), a registered employer for employer tokens (401), the
// per-subject rate limit (429), an allowed role (403) and, for routes
// scoped to an employer, the employer's own id (404); then only the query
// parameters the route declares, each at most once (400).
func (s *Server) guard(r route) gin.HandlerFunc {
	queryOK := map[string]bool{}
	for _, q := range r.query {
		queryOK[q] = true
	}
	return func(c *gin.Context) {
		raw := c.Request.URL.RawQuery
		if queryHasToken(raw) {
			s.refuse(c, errTokenInQuery)
			return
		}
		if r.policy.Public {
			if s.ipLimits != nil && !s.rateLimit(c, s.ipLimits, "ip", c.ClientIP()) {
				return
			}
		} else if !s.authorize(c, r.policy) {
			return
		}
		if err := checkQuery(raw, queryOK); err != nil {
			writeError(c, err)
			return
		}
		if c.Request.Method == http.MethodPost {
			if err := checkIdempotencyKey(c.Request.Header.Values(idempotencyHeader)); err != nil {
				writeError(c, err)
				return
			}
		}
		c.Next()
	}
}

const idempotencyHeader = "Idempotency-Key"

// checkIdempotencyKey accepts no Idempotency-Key, or one that the domain
// accepts (ledger.CheckIdempotencyKey), given once; it answers any other
// as a malformed header (400 invalid_header).
func checkIdempotencyKey(values []string) error {
	switch {
	case len(values) == 0:
		return nil
	case len(values) > 1:
		return &apiError{http.StatusBadRequest, "invalid_header", "Idempotency-Key must be given once", idempotencyHeader}
	}
	if err := ledger.CheckIdempotencyKey(values[0]); err != nil {
		msg := "Idempotency-Key is malformed"
		if ve, ok := errors.AsType[*ledger.ValidationError](err); ok {
			msg = ve.Message
		}
		return &apiError{http.StatusBadRequest, "invalid_header", msg, idempotencyHeader}
	}
	return nil
}

// idempotencyKey returns the request's Idempotency-Key ("" when absent),
// already checked by guard. The domain scopes it to the caller's org.
func idempotencyKey(c *gin.Context) string {
	return c.GetHeader(idempotencyHeader)
}

// authorize checks the caller of a non-public route and keeps its principal
// in the gin context (principal(c)). It has answered the request when it
// returns false.
func (s *Server) authorize(c *gin.Context, pol Policy) bool {
	values := c.Request.Header.Values("Authorization")
	if len(values) > 1 {
		s.refuse(c, &apiError{http.StatusUnauthorized, auth.CodeTokenMalformed, "more than one Authorization header", ""})
		return false
	}
	var hv string
	if len(values) == 1 {
		hv = values[0]
	}
	tok, err := auth.BearerToken(hv)
	if err != nil {
		s.refuse(c, err)
		return false
	}
	p, err := s.verifier.Verify(tok)
	if err != nil {
		s.refuse(c, err)
		return false
	}
	if s.subjectLimits != nil && !s.rateLimit(c, s.subjectLimits, "subject", p.Role+"\x00"+p.Org+"\x00"+p.Subject) {
		return false
	}
	ctx := c.Request.Context()
	role := ledger.Role(p.Role)
	if role == ledger.RoleEmployer && s.employers != nil {
		registered, err := s.employers.EmployerRegistered(ctx, p.Org)
		if err != nil {
			writeError(c, err)
			return false
		}
		if !registered {
			s.refuse(c, errUnknownEmp)
			return false
		}
	}
	c.Set(principalKey, p)
	c.Writer.Header()["Cache-Control"] = hdrNoStore
	if !slices.Contains(pol.Roles, role) {
		s.refuse(c, errForbidden)
		return false
	}
	if pol.EmployerParam != "" && role == ledger.RoleEmployer && c.Param(pol.EmployerParam) != p.Org {
		writeError(c, errNotFound)
		return false
	}
	return true
}

// refuse answers a refused credential or role and counts it.
func (s *Server) refuse(c *gin.Context, err error) {
	code := "unauthenticated"
	if ae, ok := errors.AsType[*apiError](err); ok {
		code = ae.code
	} else if ac, ok := auth.IsUnauthenticated(err); ok && ac != "" {
		code = ac
	}
	s.metrics.authRefused.WithLabelValues(code).Inc()
	writeError(c, err)
}

// rateLimit takes a token from key's bucket, or answers 429 with
// Retry-After and returns false.
func (s *Server) rateLimit(c *gin.Context, set *limiterSet, scope, key string) bool {
	ok, wait := set.allow(key)
	if ok {
		return true
	}
	s.metrics.rateLimited.WithLabelValues(scope).Inc()
	c.Header("Retry-After", retryAfter(wait))
	writeError(c, errRateLimited)
	return false
}

// queryHasToken reports whether the raw query carries an access_token or
// token parameter, however it is escaped.
func queryHasToken(raw string) bool {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		name, _, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if name = strings.ToLower(strings.TrimSpace(name)); name == "access_token" || name == "token" {
			return true
		}
	}
	return false
}

// checkQuery refuses a malformed query string, a parameter the route does
// not declare, and a parameter given more than once.
func checkQuery(raw string, allowed map[string]bool) error {
	if raw == "" {
		return nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return badQuery("", "the query string is malformed")
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		field := name
		if len(field) > maxFieldEcho {
			field = strings.ToValidUTF8(field[:maxFieldEcho], "") + "…"
		}
		if !allowed[name] {
			return badQuery(field, "unknown query parameter")
		}
		if len(q[name]) > 1 {
			return badQuery(field, "query parameter given more than once")
		}
	}
	return nil
}

// principal returns the verified caller of the request, or nil on public
// routes.
func principal(c *gin.Context) *auth.Principal {
	if v, ok := c.Get(principalKey); ok {
		return v.(*auth.Principal)
	}
	return nil
}

// recovery answers a panic with a generic 500 and logs it; no stack or
// panic text reaches the client.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger.ErrorContext(c.Request.Context(), "panic in handler", "panic", p, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
				if !c.Writer.Written() {
					writeError(c, errInternal)
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}
