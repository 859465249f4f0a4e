package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// This file holds what the HTTP-level reliability tests (crash_http_test.go,
// backup_http_test.go, soak_test.go) share: a real trazo process, a small
// JSON client, tokens, and the data they seed.

// trazoProc is "trazo serve" running as a real process: this test binary
// run again as main (asMainEnv), on a data directory.
type trazoProc struct {
	cmd     *exec.Cmd
	url     string // http://127.0.0.1:port
	stdout  *lockedBuffer
	logPath string // the server's stderr (JSON logs)
	done    chan struct{}
	waitErr error
}

// startTrazo starts "trazo serve --data-dir dir --addr 127.0.0.1:0" as a
// real process and returns once it has printed the address it serves on.
// The process is killed at the end of the test if still running.
func startTrazo(t *testing.T, dir string, extra ...string) *trazoProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	args := append([]string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, extra...)
	p := &trazoProc{cmd: exec.Command(exe, args...), stdout: &lockedBuffer{}, logPath: logFile.Name(), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), asMainEnv+"=1")
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	deadline := time.After(30 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(p.stdout.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("trazo serve exited before serving: %v\n%s", p.waitErr, p.logTail())
		case <-deadline:
			p.kill()
			t.Fatalf("trazo serve did not start in 30 s\n%s", p.logTail())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL (if the process still runs) and waits for it.
func (p *trazoProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and returns the process's exit error (nil for status
// 0), or an error if it has not exited within 30 s (it is then killed).
func (p *trazoProc) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(30 * time.Second):
		p.kill()
		return fmt.Errorf("still running 30 s after SIGTERM")
	}
}

// logTail returns the last lines of the server's stderr, for failures.
func (p *trazoProc) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}

// mintToken mints a token with "trazo token", which reads only the data
// directory's key file (so it works while a server runs).
func mintToken(t testing.TB, dir, role, org, sub string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"token", "--data-dir", dir, "--role", role, "--org", org, "--sub", sub, "--ttl", "2h"}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatalf("trazo token: %v %s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// apiClient speaks JSON to a server with keep-alive connections.
type apiClient struct {
	base string
	hc   *http.Client
}

func newAPIClient(base string, conns int) *apiClient {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: 30 * time.Second}
	return &apiClient{base: base, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

// close closes the client's idle connections.
func (c *apiClient) close() { c.hc.CloseIdleConnections() }

// do sends one request (a JSON body when body is not empty, an
// Idempotency-Key when key is not empty) and returns the status, the
// answer's headers and body. err is a transport error only.
func (c *apiClient) do(method, path, token, body, key string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, b, nil
}

// must sends a request that has to answer want, and decodes the answer
// into out (when not nil).
func (c *apiClient) must(t testing.TB, want int, method, path, token, body string, out any) {
	t.Helper()
	code, _, b, err := c.do(method, path, token, body, "")
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if code != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// receipt is the part of every append's answer the tests check.
type receipt struct {
	Index    uint64 `json:"index"`
	LeafHash []byte `json:"leaf_hash"`
}

// crossingLoad is clients recording crossings over HTTP, each one request
// after the other, until stopped or out of requests; it keeps the receipt
// of every 201 and the first error.
type crossingLoad struct {
	mu     sync.Mutex
	acked  []receipt
	stop   atomic.Bool
	failed atomic.Value // string
	wg     sync.WaitGroup
}

// startCrossings starts clients goroutines; request i of client g sends
// the body and Idempotency-Key (none if "") that req returns, and a client
// stops after perClient requests or at the deadline.
func startCrossings(c *apiClient, token string, clients, perClient int, deadline time.Time, req func(g, i int) (body, key string)) *crossingLoad {
	l := &crossingLoad{}
	for g := range clients {
		l.wg.Go(func() {
			for i := 0; i < perClient && !l.stop.Load() && time.Now().Before(deadline); i++ {
				body, key := req(g, i)
				code, _, b, err := c.do("POST", "/v1/crossings", token, body, key)
				var rc receipt
				if err == nil && code == 201 {
					err = json.Unmarshal(b, &rc)
				} else if err == nil {
					err = fmt.Errorf("POST /v1/crossings = %d: %s", code, b)
				}
				if err != nil {
					l.failed.CompareAndSwap(nil, err.Error())
					return
				}
				l.mu.Lock()
				l.acked = append(l.acked, rc)
				l.mu.Unlock()
			}
		})
	}
	return l
}

// receipts returns the receipts so far.
func (l *crossingLoad) receipts() []receipt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]receipt(nil), l.acked...)
}

// waitFor returns once n appends are acknowledged, a client failed, or the
// deadline passed.
func (l *crossingLoad) waitFor(n int, deadline time.Time) {
	for len(l.receipts()) < n && l.failed.Load() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// finish stops the clients, waits for them and fails the test if one
// failed. It returns every receipt.
func (l *crossingLoad) finish(t testing.TB) []receipt {
	t.Helper()
	l.stop.Store(true)
	l.wg.Wait()
	if msg := l.failed.Load(); msg != nil {
		t.Fatalf("appending client: %s", msg)
	}
	return l.receipts()
}

// leafHash is RFC 6962's leaf hash, SHA-256(0x00 || leaf), computed here
// rather than taken from the ledger package, so that the tests check the
// server's answers against the standard.
func leafHash(leaf []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(nil)
}

// logEntry is one entry of GET /v1/log/entries.
type logEntry struct {
	Index uint64 `json:"index"`
	Leaf  []byte `json:"leaf"`
}

// fetchEntries reads the log from start to its end over HTTP as an
// inspector.
func fetchEntries(t testing.TB, c *apiClient, inspector string, start uint64) []logEntry {
	t.Helper()
	var all []logEntry
	for {
		var page struct {
			Entries   []logEntry `json:"entries"`
			NextStart uint64     `json:"next_start"`
		}
		c.must(t, 200, "GET", fmt.Sprintf("/v1/log/entries?start=%d&limit=1000", start), inspector, "", &page)
		for i, e := range page.Entries {
			if e.Index != start+uint64(i) {
				t.Fatalf("log entries from %d: entry %d has index %d", start, i, e.Index)
			}
		}
		all = append(all, page.Entries...)
		if len(page.Entries) == 0 {
			return all
		}
		start = page.NextStart
	}
}

// population is what the tests seed through the API: one employer and
// workers registered by it, each with a seasonal permit, and the tokens to
// act on them. A worker's row grows with its crossings (and so does the
// cost of appending one more), so long tests register fresh workers from
// time to time (addWorkers).
type population struct {
	employer string
	workers  []string          // the workers registered last
	tokens   map[string]string // by role

	registered int // workers registered in all
}

// borderPost is the org of the border tokens.
const borderPost = "PASO-CANOAS"

// seedPopulation mints one token per role from dir's key file and
// registers an employer (ministry), n workers (by the employer, so that it
// may read their history) and a permit for each (ministry).
func seedPopulation(t testing.TB, c *apiClient, dir string, n int) *population {
	t.Helper()
	return seedPopulationWith(t, c, func(role, org, sub string) string { return mintToken(t, dir, role, org, sub) }, n)
}

// seedPopulationWith is seedPopulation with tokens from mint.
func seedPopulationWith(t testing.TB, c *apiClient, mint func(role, org, sub string) string, n int) *population {
	t.Helper()
	p := &population{tokens: map[string]string{
		"ministry":  mint("ministry", "DGME", "ministry.test"),
		"border":    mint("border", borderPost, "officer.test"),
		"inspector": mint("inspector", "MTSS", "inspector.test"),
	}}
	var emp struct {
		EmployerID string `json:"employer_id"`
	}
	c.must(t, 201, "POST", "/v1/employers", p.tokens["ministry"],
		`{"legal_name":"Finca Harness S.A.","tax_id":"3-101-424242","country":"CRI","sector":"A","region":"CR-A"}`, &emp)
	p.employer = emp.EmployerID
	p.tokens["employer"] = mint("employer", p.employer, "hr.test")
	p.addWorkers(t, c, n)
	return p
}

// addWorkers registers n more workers (by the employer), each with a
// seasonal permit, and makes them the population's workers.
func (p *population) addWorkers(t testing.TB, c *apiClient, n int) {
	t.Helper()
	p.workers = p.workers[:0:0]
	for range n {
		i := p.registered
		p.registered++
		var w struct {
			WorkerID string `json:"worker_id"`
		}
		c.must(t, 201, "POST", "/v1/workers", p.tokens["employer"], fmt.Sprintf(
			`{"given_names":"Ana %d","family_names":"Pérez","date_of_birth":"1990-01-%02d","sex":"F","nationality":"NIC","document":{"type":"passport","number":"H%08d","issuing_country":"NIC"}}`,
			i, i%28+1, i), &w)
		c.must(t, 201, "POST", "/v1/permits", p.tokens["ministry"], fmt.Sprintf(
			`{"worker_id":%q,"type":"seasonal_work","valid_from":"2020-01-01","valid_to":"2030-12-31"}`, w.WorkerID), nil)
		p.workers = append(p.workers, w.WorkerID)
	}
}
