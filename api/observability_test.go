package api

import (
	"bufio"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/trazo-ledger/trazo/ledger"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, 3).start(HTTPLimits{})
	tok := e.token(ledger.RoleInspector, "MTSS")
	e.get("/v1/log/entries?limit=2", tok)
	e.get("/v1/log/entries", "")
	e.get("/v1/workers/wkr_SECRET", tok)
	e.get("/no/such/path/wkr_SECRET2", "")
	e.appendLeaf(`{"late":true}`)

	resp, b := e.get("/metrics", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := string(b)
	for _, want := range []string{
		`trazo_http_requests_total{code="200",method="GET",route="/v1/log/entries"} 1`,
		`trazo_http_requests_total{code="401",method="GET",route="/v1/log/entries"} 1`,
		`trazo_http_requests_total{code="501",method="GET",route="/v1/workers/:id"} 1`,
		`trazo_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`trazo_http_request_duration_seconds_bucket{method="GET",route="/v1/log/entries",le="+Inf"} 2`,
		`trazo_auth_refusals_total{code="token_missing"} 1`,
		`trazo_ledger_size 4`,
		`trazo_ledger_commits_total 4`,
		`trazo_ledger_commit_entries_count 4`,
		`trazo_ledger_commit_duration_seconds_count 4`,
		`trazo_token_cache_misses_total 1`,
		`trazo_token_cache_hits_total 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(m, "SECRET") {
		t.Error("/metrics carries a raw URL")
	}
}

// TestAccessLog checks one JSON line per request with the request id, the
// route pattern and the caller, and never the token, the Authorization
// header or the URL's ids and query.
func TestAccessLog(t *testing.T) {
	e := newEnv(t, 2).start(HTTPLimits{})
	tok := e.token(ledger.RoleInspector, "MTSS")
	resp, _ := e.do(req{method: "GET", path: "/v1/workers/wkr_PERSONAL?purpose=case-Maria-Lopez-1985", token: tok,
		header: http.Header{"X-Request-Id": {"req-123"}}})
	if got := resp.Header.Get("X-Request-Id"); got != "req-123" {
		t.Errorf("X-Request-Id echoed %q", got)
	}
	resp, _ = e.get("/v1/log/entries?start=0", "Basic-looking-but-not "+tok)
	generated := resp.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(generated) {
		t.Errorf("generated request id %q", generated)
	}
	resp, _ = e.do(req{method: "GET", path: "/healthz", header: http.Header{"X-Request-Id": {"bad id <script>"}}})
	if got := resp.Header.Get("X-Request-Id"); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got) {
		t.Errorf("insane X-Request-Id kept: %q", got)
	}
	// An expired token, as another kind of secret in a header.
	c := goodClaims()
	c["exp"] = 1
	expired := e.sign(jwt.SigningMethodEdDSA, nil, nil, c)
	e.get("/v1/log/entries", expired)

	logs := e.logs.String()
	for _, secret := range []string{tok, "Bearer " + tok, expired, "wkr_PERSONAL", "Maria", "purpose=", "start=0"} {
		if strings.Contains(logs, secret) {
			t.Errorf("access log contains %q", secret)
		}
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if l["msg"] == "request" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 4 {
		t.Fatalf("%d access-log lines, want 4:\n%s", len(lines), logs)
	}
	first := lines[0]
	for k, want := range map[string]any{
		"request_id": "req-123", "method": "GET", "route": "/v1/workers/:id", "status": float64(501),
		"sub": "sub-inspector-MTSS", "role": "inspector", "org": "MTSS", "client_ip": "127.0.0.1",
	} {
		if first[k] != want {
			t.Errorf("access log %s = %v, want %v", k, first[k], want)
		}
	}
	if _, ok := first["duration_us"].(float64); !ok {
		t.Errorf("no duration_us: %v", first)
	}
	if lines[1]["request_id"] != generated || lines[1]["status"] != float64(401) || lines[1]["sub"] != nil {
		t.Errorf("refused request's line: %v", lines[1])
	}
}
