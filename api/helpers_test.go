package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/report"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

const testOrigin = "trazo.test.local/log"

// lockedBuffer is an io.Writer safe for the server's goroutines and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// employers is a fake EmployerDirectory: emp_A is active, emp_B
// suspended, every other id unknown.
type employers map[string]string

func (e employers) EmployerRegistered(_ context.Context, id string) (bool, error) {
	return e[id] != "", nil
}

var testEmployers = employers{"emp_A": "active", "emp_B": "suspended"}

// evenEntriesOfA is a fake EntryOwnerFunc: emp_A owns the even indexes.
func evenEntriesOfA(_ context.Context, employerID string, index uint64) (bool, error) {
	return employerID == "emp_A" && index%2 == 0, nil
}

// env is a Server on a real ledger in a temp dir, behind a real HTTP
// server on 127.0.0.1, with a token issuer for its verifier's key.
type env struct {
	t       testing.TB
	dir     string
	log     *tlog.Log
	svc     *ledger.Service // the domain, in a domain env
	key     ed25519.PrivateKey
	issuer  *auth.Issuer
	srv     *Server
	metrics *Metrics
	logs    *lockedBuffer
	url     string
	http    *http.Server
	ts      *httptest.Server
}

// newEnv starts an env whose Config is the test default (employer
// directory and entry owner fakes, logs captured, no domain) changed by
// opts, with entries appended to its log first.
func newEnv(tb testing.TB, entries int, opts ...func(*Config)) *env {
	tb.Helper()
	return openEnv(tb, envSpec{entries: entries}, opts...)
}

// domainNow is the clock of the domain in a domain env.
var domainNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// newDomainEnv starts an env on the real mobility service (host country
// CRI, its clock at domainNow), with the directory and entry owner that
// ask it, as cmd/trazo wires them.
func newDomainEnv(tb testing.TB, opts ...func(*Config)) *env {
	tb.Helper()
	return openEnv(tb, envSpec{domain: true}, opts...)
}

// envSpec says how openEnv builds an env.
type envSpec struct {
	dir     string             // data directory; default a new temp dir
	key     ed25519.PrivateKey // token key; default a new one
	entries int                // raw leaves appended first (not in a domain env)
	domain  bool               // the real mobility service as Domain
	// diskReserve is the log's Options.DiskReserve: math.MaxInt64 makes
	// every append fail as a full disk does.
	diskReserve int64
}

func openEnv(tb testing.TB, spec envSpec, opts ...func(*Config)) *env {
	tb.Helper()
	if spec.dir == "" {
		spec.dir = tb.TempDir()
	}
	e := &env{t: tb, dir: spec.dir, logs: &lockedBuffer{}, metrics: NewMetrics()}
	l, err := tlog.Open(spec.dir, tlog.Options{Origin: testOrigin, OnCommit: e.metrics.ObserveCommit, DiskReserve: spec.diskReserve})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	e.log = l
	for i := range spec.entries {
		e.appendLeaf(fmt.Sprintf(`{"i":%d}`, i))
	}
	e.key = spec.key
	if e.key == nil {
		if _, e.key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			tb.Fatal(err)
		}
	}
	if e.issuer, err = auth.NewIssuer(e.key, testAuth()); err != nil {
		tb.Fatal(err)
	}
	v, err := auth.NewVerifier(e.key.Public().(ed25519.PublicKey), testAuth())
	if err != nil {
		tb.Fatal(err)
	}
	cfg := Config{
		Verifier:   v,
		Logger:     slog.New(slog.NewJSONHandler(e.logs, nil)),
		Metrics:    e.metrics,
		Employers:  testEmployers,
		EntryOwner: evenEntriesOfA,
	}
	if spec.domain {
		e.svc, err = ledger.New(l, ledger.Config{Country: "CRI", Now: func() time.Time { return domainNow }})
		if err != nil {
			tb.Fatal(err)
		}
		cfg.Domain, cfg.Employers, cfg.EntryOwner = e.svc, DomainEmployers(e.svc.GetEmployer), DomainEntryOwner(e.svc.LogEntry)
		cfg.Reports = report.New(e.svc, report.Options{})
	}
	for _, o := range opts {
		o(&cfg)
	}
	if e.srv, err = New(cfg, l); err != nil {
		tb.Fatal(err)
	}
	return e
}

// testAuth is the token settings of the tests: the domain's roles, as
// cmd/trazo configures them.
func testAuth() auth.Config {
	var roles []string
	for _, r := range ledger.Roles() {
		roles = append(roles, string(r))
	}
	return auth.Config{Roles: roles}
}

// reopen stops the env's HTTP server, closes its ledger and opens a new
// env on the same data directory and token key, as a restart would.
func (e *env) reopen(opts ...func(*Config)) *env {
	e.t.Helper()
	if e.ts != nil {
		e.ts.Close()
	}
	if err := e.log.Close(); err != nil {
		e.t.Fatal(err)
	}
	return openEnv(e.t, envSpec{dir: e.dir, key: e.key, domain: e.svc != nil}, opts...)
}

// start serves the env over real HTTP on 127.0.0.1 with the given limits.
// It is separate from newEnv so that tests can mount test routes first.
func (e *env) start(limits HTTPLimits) *env {
	e.t.Helper()
	ts := httptest.NewUnstartedServer(e.srv)
	ts.Config = NewHTTPServer("", e.srv, limits)
	ts.Start()
	e.t.Cleanup(ts.Close)
	e.url, e.http, e.ts = ts.URL, ts.Config, ts
	return e
}

func (e *env) appendLeaf(leaf string) tlog.Receipt {
	e.t.Helper()
	rc, err := e.log.Append(context.Background(), func(*tlog.Tx, uint64, time.Time) ([]byte, error) { return []byte(leaf), nil })
	if err != nil {
		e.t.Fatal(err)
	}
	return rc
}

// token issues a valid one-hour token of the env's server key.
func (e *env) token(role ledger.Role, org string) string {
	e.t.Helper()
	tok, err := e.issuer.Issue("sub-"+string(role)+"-"+org, string(role), org, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// sign signs claims with the env's key, or with key when not nil, setting
// or deleting (nil value) header fields.
func (e *env) sign(method jwt.SigningMethod, key any, hdr map[string]any, claims jwt.MapClaims) string {
	e.t.Helper()
	if key == nil {
		key = e.key
	}
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range hdr {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// goodClaims are the claims of a valid one-hour inspector token.
func goodClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": auth.DefaultIssuer, "aud": []string{auth.DefaultAudience},
		"sub": "insp-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"jti": "j1", "role": "inspector", "org": "MTSS",
	}
}

// req describes one request of a test.
type req struct {
	method, path, token string
	body                string
	ctype               string // Content-Type; "json" is application/json
	header              http.Header
}

// do sends r to the env over HTTP and returns the response and its body.
func (e *env) do(r req) (*http.Response, []byte) {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, e.url+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range r.header {
		hr.Header[k] = v
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	switch r.ctype {
	case "":
	case "json":
		hr.Header.Set("Content-Type", "application/json")
	default:
		hr.Header.Set("Content-Type", r.ctype)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// get is do for a GET with a token.
func (e *env) get(path, token string) (*http.Response, []byte) {
	e.t.Helper()
	return e.do(req{method: "GET", path: path, token: token})
}

// errorOf decodes an error body strictly: exactly {"error":{code,message,field?}}.
func errorOf(tb testing.TB, b []byte) errorDetail {
	tb.Helper()
	var eb struct {
		Error *errorDetail `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&eb); err != nil || eb.Error == nil || eb.Error.Code == "" || eb.Error.Message == "" {
		tb.Fatalf("not an error body (%v): %s", err, b)
	}
	return *eb.Error
}

// wantError asserts status and error code (and field when not "-").
func wantError(tb testing.TB, resp *http.Response, b []byte, status int, code, field string) {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, b)
	}
	got := errorOf(tb, b)
	if got.Code != code {
		tb.Errorf("code %q, want %q (%s)", got.Code, code, b)
	}
	if field != "-" && got.Field != field {
		tb.Errorf("field %q, want %q (%s)", got.Field, field, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("error Content-Type %q", ct)
	}
}
