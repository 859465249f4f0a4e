//go:build unix

package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// benchClients is how many clients send requests at once in
// BenchmarkAuthenticatedGETOverHTTP.
const benchClients = 8

// BenchmarkAuthenticatedGETOverHTTP measures GET throughput over real HTTP
// on loopback (httptest servers, keep-alive clients, benchClients at a
// time), in one run and interleaved round by round so that the variants
// share the machine's noise:
//
//   - plain: a bare gin engine and a no-op handler (no middleware, no
//     auth), served with NewHTTPServer's settings as Trazo is;
//   - bare: the same engine behind Go's default http.Server (no read or
//     write deadlines), for reference;
//   - headers: plain, with the five headers every Trazo answer carries
//     (security headers, Cache-Control, X-Request-Id) set by the handler:
//     what writing and parsing them costs, out of noop's difference;
//   - noop: the full Trazo stack (request id, JSON access log, metrics,
//     recovery, security headers, guard with the verifier's token cache)
//     and a no-op handler;
//   - domain: the full stack and GET /v1/employers/{id} on the real
//     mobility domain and ledger.
//
// Every variant gets the same request (the bearer token included), so
// that the ratios measure what the server does with it. It reports
// requests a second and CPU microseconds a request (the process's, the
// clients' included) for each, and the ratios to plain of both (the
// target of noop/plain is at least 0.8); on a machine shared with other
// work, the CPU ratio is the steadier one.
func BenchmarkAuthenticatedGETOverHTTP(b *testing.B) {
	e := newDomainEnv(b, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	e.srv.mount(route{"GET", "/bench/noop", roles(inspector), nil, func(*Server) gin.HandlerFunc {
		return func(c *gin.Context) { c.Status(http.StatusNoContent) }
	}})
	e.start(HTTPLimits{})
	sc := e.seed()
	tok := e.token(ledger.RoleInspector, "MTSS")

	// Plain gin behind the same http.Server settings as Trazo's
	// (NewHTTPServer: read and write deadlines on every request), and
	// behind Go's defaults (no deadlines).
	gin.SetMode(gin.ReleaseMode)
	plainEngine := gin.New()
	plainEngine.GET("/bench/noop", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	plain := httptest.NewUnstartedServer(plainEngine)
	plain.Config = NewHTTPServer("", plainEngine, HTTPLimits{})
	plain.Start()
	b.Cleanup(plain.Close)
	bare := httptest.NewServer(plainEngine)
	b.Cleanup(bare.Close)
	headersEngine := gin.New()
	headersEngine.GET("/bench/noop", func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = hdrNoSniff
		h["Referrer-Policy"] = hdrNoReferrer
		h["Content-Security-Policy"] = hdrCSP
		h["Cache-Control"] = hdrNoStore
		h["X-Request-Id"] = []string{"0123456789abcdef0123456789abcdef"}
		c.Status(http.StatusNoContent)
	})
	headers := httptest.NewUnstartedServer(headersEngine)
	headers.Config = NewHTTPServer("", headersEngine, HTTPLimits{})
	headers.Start()
	b.Cleanup(headers.Close)

	type variant struct {
		name, url, tok string
		d, cpu         time.Duration
		n              int
	}
	// Every variant gets the same request, token included.
	vs := []*variant{
		{name: "plain", url: plain.URL + "/bench/noop", tok: tok},
		{name: "bare", url: bare.URL + "/bench/noop", tok: tok},
		{name: "headers", url: headers.URL + "/bench/noop", tok: tok},
		{name: "noop", url: e.url + "/bench/noop", tok: tok},
		{name: "domain", url: e.url + "/v1/employers/" + sc.empA, tok: tok},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	b.Cleanup(client.CloseIdleConnections)
	send := func(v *variant) error {
		req, _ := http.NewRequest("GET", v.url, nil)
		if v.tok != "" {
			req.Header.Set("Authorization", "Bearer "+v.tok)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return &apiError{status: resp.StatusCode, code: "unexpected", message: v.name}
		}
		return nil
	}
	for _, v := range vs { // warm up connections and the token cache
		for range benchClients {
			if err := send(v); err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
		}
	}

	const perClient = 25 // requests per client per round
	round := func(v *variant) {
		var wg sync.WaitGroup
		cpu0 := processCPU()
		start := time.Now()
		for range benchClients {
			wg.Go(func() {
				for range perClient {
					if err := send(v); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		v.d += time.Since(start)
		v.cpu += processCPU() - cpu0
		v.n += benchClients * perClient
	}
	b.ResetTimer()
	for done := 0; done < b.N; done += benchClients * perClient {
		for _, v := range vs {
			round(v)
		}
	}
	b.StopTimer()
	rate, cpu := map[string]float64{}, map[string]float64{}
	for _, v := range vs {
		rate[v.name] = float64(v.n) / v.d.Seconds()
		cpu[v.name] = float64(v.cpu.Microseconds()) / float64(v.n)
		b.ReportMetric(rate[v.name], v.name+"-req/s")
		b.ReportMetric(cpu[v.name], v.name+"-cpu-us/req")
	}
	b.ReportMetric(rate["noop"]/rate["plain"], "noop/plain")
	b.ReportMetric(rate["domain"]/rate["plain"], "domain/plain")
	b.ReportMetric(rate["noop"]/rate["bare"], "noop/bare")
	b.ReportMetric(rate["headers"]/rate["plain"], "headers/plain")
	// CPU time per request (clients and server share the process) is what
	// throughput would be on a machine of our own: on a shared one, other
	// processes' load skews wall-clock rates.
	b.ReportMetric(cpu["plain"]/cpu["noop"], "noop/plain-cpu")
	b.ReportMetric(cpu["plain"]/cpu["domain"], "domain/plain-cpu")
	b.ReportMetric(0, "ns/op") // the per-variant rates are the result
}

// processCPU returns the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
