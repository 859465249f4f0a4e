package api

import (
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
)

// BenchmarkAuthenticatedGET measures, in one run and interleaved so that
// they share the machine's noise, the cost of one in-process GET through:
//
//   - plain: a bare gin engine and a no-op handler (no middleware, no auth);
//   - noop: the full Trazo stack (request id, JSON access log, metrics,
//     recovery, security headers, guard with a cached token) and a no-op
//     handler;
//   - entries: the full stack and GET /v1/log/entries?limit=10 on a real
//     ledger, with the verifier's token cache;
//   - nocache: that request with the token cache off (one Ed25519
//     signature check per request).
//
// It reports each as ns/request and the ratios to plain.
func BenchmarkAuthenticatedGET(b *testing.B) {
	// The access log is encoded as in production, into io.Discard.
	e := newEnv(b, 20, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	e.srv.mount(route{"GET", "/bench/noop", roles(inspector), nil, func(*Server) gin.HandlerFunc {
		return func(c *gin.Context) { c.Status(http.StatusNoContent) }
	}})
	tok := e.token(ledger.RoleInspector, "MTSS")

	v, err := auth.NewVerifier(e.key.Public().(ed25519.PublicKey), auth.Config{CacheSize: -1, Roles: testAuth().Roles})
	if err != nil {
		b.Fatal(err)
	}
	noCache, err := New(Config{Verifier: v, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}, e.log)
	if err != nil {
		b.Fatal(err)
	}

	gin.SetMode(gin.ReleaseMode)
	plain := gin.New()
	plain.GET("/bench/noop", func(c *gin.Context) { c.Status(http.StatusNoContent) })

	type variant struct {
		name string
		h    http.Handler
		path string
		tok  string
		ns   time.Duration
	}
	vs := []*variant{
		{"plain", plain, "/bench/noop", "", 0},
		{"noop", e.srv, "/bench/noop", tok, 0},
		{"entries", e.srv, "/v1/log/entries?limit=10", tok, 0},
		{"nocache", noCache, "/v1/log/entries?limit=10", tok, 0},
	}
	reqs := make([]*http.Request, len(vs))
	for i, v := range vs {
		r := httptest.NewRequest("GET", v.path, nil)
		if v.tok != "" {
			r.Header.Set("Authorization", "Bearer "+v.tok)
		}
		reqs[i] = r
		w := httptest.NewRecorder()
		v.h.ServeHTTP(w, r)
		if w.Code >= 300 {
			b.Fatalf("%s: status %d %s", v.name, w.Code, w.Body)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	iters := 0
	for b.Loop() {
		iters++
		for i, v := range vs {
			w := httptest.NewRecorder()
			start := time.Now()
			v.h.ServeHTTP(w, reqs[i])
			v.ns += time.Since(start)
		}
	}
	b.StopTimer()
	n := float64(iters)
	for _, v := range vs {
		b.ReportMetric(float64(v.ns.Nanoseconds())/n, v.name+"-ns/req")
	}
	base := float64(vs[0].ns)
	b.ReportMetric(float64(vs[1].ns)/base, "noop/plain")
	b.ReportMetric(float64(vs[2].ns)/base, "entries/plain")
	b.ReportMetric(float64(vs[3].ns)/float64(vs[2].ns), "nocache/entries")
}
