package api

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// TestSlowlorisIsDropped opens a raw connection that sends its headers one
// byte at a time: the server drops it once ReadHeaderTimeout has passed,
// while a normal request on another connection is served.
func TestSlowlorisIsDropped(t *testing.T) {
	const timeout = 300 * time.Millisecond
	e := newEnv(t, 0).start(HTTPLimits{ReadHeaderTimeout: timeout})
	u, _ := url.Parse(e.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		for range 100 { // 5 s of trickling, far beyond the timeout
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	if resp, _ := e.get("/healthz", ""); resp.StatusCode != 200 {
		t.Errorf("normal request during slowloris: %d", resp.StatusCode)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 512))
	elapsed := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %s", elapsed)
	}
	if elapsed < timeout-50*time.Millisecond || elapsed > timeout+time.Second {
		t.Errorf("dropped after %s, want about %s", elapsed, timeout)
	}
	conn.Close()
	<-done
}

func TestRecoveryLeaksNothing(t *testing.T) {
	e := newEnv(t, 0)
	e.srv.mount(route{"GET", "/test/panic", public, nil, func(*Server) gin.HandlerFunc {
		return func(*gin.Context) { panic("secret internal state: /etc/shadow") }
	}})
	e.srv.mount(route{"GET", "/test/error", public, nil, func(*Server) gin.HandlerFunc {
		return func(c *gin.Context) { writeError(c, errors.New("badger: value log truncated at /data/000001.vlog")) }
	}})
	e.start(HTTPLimits{})
	for _, path := range []string{"/test/panic", "/test/error"} {
		resp, b := e.get(path, "")
		wantError(t, resp, b, 500, "internal", "")
		for _, leak := range []string{"secret", "shadow", "goroutine", ".go:", "badger", "vlog"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("%s: body leaks %q: %s", path, leak, b)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "panic in handler") || !strings.Contains(e.logs.String(), "unexpected error") {
		t.Errorf("panic and error not logged:\n%s", e.logs.String())
	}
	if resp, _ := e.get("/healthz", ""); resp.StatusCode != 200 {
		t.Errorf("server unhealthy after a panic: %d", resp.StatusCode)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	e := newEnv(t, 0).start(HTTPLimits{})
	resp, b := e.get("/v1/nothing", "")
	wantError(t, resp, b, 404, "not_found", "")
	resp, b = e.get("/v1/log/entries/", "")
	wantError(t, resp, b, 404, "not_found", "")
	resp, b = e.do(req{method: "DELETE", path: "/v1/log/entries"})
	wantError(t, resp, b, 405, "method_not_allowed", "")
	if resp.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	resp, _ = e.do(req{method: "OPTIONS", path: "/v1/log/entries", header: http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"GET"}}})
	if resp.StatusCode == 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS answered while off: %d %v", resp.StatusCode, resp.Header)
	}
	for _, h := range []string{"X-Content-Type-Options", "X-Request-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}

func TestCORS(t *testing.T) {
	const app = "https://app.example"
	e := newEnv(t, 1, func(c *Config) { c.CORSAllowOrigins = []string{app, "http://localhost:5173"} }).start(HTTPLimits{})
	preflight := func(origin string) *http.Response {
		resp, _ := e.do(req{method: "OPTIONS", path: "/v1/log/entries", header: http.Header{
			"Origin": {origin}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization"}}})
		return resp
	}
	resp := preflight(app)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != app ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("allowed preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials allowed")
	}
	for _, bad := range []string{"https://app.example.evil", "http://app.example", "null", "https://APP.example"} {
		if resp := preflight(bad); resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("origin %q: %d %v", bad, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	resp, _ = e.do(req{method: "GET", path: "/v1/log/entries", token: e.token(ledger.RoleInspector, "M"), header: http.Header{"Origin": {app}}})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != app || !strings.Contains(resp.Header.Get("Vary"), "Origin") {
		t.Errorf("simple request: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = e.do(req{method: "GET", path: "/healthz", header: http.Header{"Origin": {"https://evil.example"}}})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("disallowed origin got an allow header")
	}
}

func TestConfigErrors(t *testing.T) {
	e := newEnv(t, 0)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no verifier", Config{}},
		{"origin with path", Config{Verifier: e.srv.verifier, CORSAllowOrigins: []string{"https://a.example/"}}},
		{"origin wildcard", Config{Verifier: e.srv.verifier, CORSAllowOrigins: []string{"*"}}},
		{"bad proxy", Config{Verifier: e.srv.verifier, TrustedProxies: []string{"not-an-ip"}}},
	} {
		if _, err := New(tc.cfg, e.log); err == nil {
			t.Errorf("%s: New accepted it", tc.name)
		}
	}
}

// clock is a settable time source for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRateLimit(t *testing.T) {
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, 1, func(c *Config) {
		c.RateLimit, c.RateBurst, c.Now = 1, 2, clk.Now
		c.TrustedProxies = []string{"127.0.0.1"}
	}).start(HTTPLimits{})
	a := e.token(ledger.RoleInspector, "MTSS")
	b := e.token(ledger.RoleInspector, "OTHER")
	for i, want := range []int{200, 200, 429} {
		resp, body := e.get("/v1/log/entries", a)
		if resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 {
			wantError(t, resp, body, 429, "rate_limited", "")
			if resp.Header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
		}
	}
	if resp, _ := e.get("/v1/log/entries", b); resp.StatusCode != 200 {
		t.Errorf("another subject is limited too: %d", resp.StatusCode)
	}
	clk.Advance(time.Second)
	if resp, _ := e.get("/v1/log/entries", a); resp.StatusCode != 200 {
		t.Errorf("after a second: %d", resp.StatusCode)
	}

	// Public routes: per client IP, as the trusted proxy reports it.
	fwd := func(ip string) int {
		resp, _ := e.do(req{method: "GET", path: "/v1/log/checkpoint", header: http.Header{"X-Forwarded-For": {ip}}})
		return resp.StatusCode
	}
	for i, want := range []int{200, 200, 429} {
		if got := fwd("203.0.113.7"); got != want {
			t.Fatalf("ip request %d: %d, want %d", i, got, want)
		}
	}
	if got := fwd("203.0.113.8"); got != 200 {
		t.Errorf("another client IP is limited too: %d", got)
	}
	if !strings.Contains(e.logs.String(), `"client_ip":"203.0.113.8"`) {
		t.Error("trusted proxy's X-Forwarded-For not used for the client IP")
	}
}

func TestUntrustedForwardedFor(t *testing.T) {
	e := newEnv(t, 0, func(c *Config) { c.RateLimit, c.RateBurst = 1, 1 }).start(HTTPLimits{})
	codes := []int{}
	for i := range 2 {
		resp, _ := e.do(req{method: "GET", path: "/healthz", header: http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}}})
		codes = append(codes, resp.StatusCode)
	}
	if codes[1] != 429 {
		t.Errorf("X-Forwarded-For from an untrusted peer changed the client IP: %v", codes)
	}
	if strings.Contains(e.logs.String(), "198.51.100.") {
		t.Error("untrusted X-Forwarded-For logged as the client IP")
	}
}

func TestLimiterSetForgetsIdleKeys(t *testing.T) {
	clk := &clock{now: time.Unix(0, 0)}
	s := newLimiterSet(10, 10, clk.Now)
	for i := range 1000 {
		s.allow(fmt.Sprint(i))
	}
	clk.Advance(2 * time.Minute)
	s.allow("new")
	if n := s.buckets.Len(); n != 1 {
		t.Errorf("%d buckets after idling, want 1", n)
	}
	if newLimiterSet(0, 5, clk.Now) != nil {
		t.Error("rate 0 is not off")
	}
	if ok, _ := (*limiterSet)(nil).allow("x"); !ok {
		t.Error("nil set refuses")
	}
}
