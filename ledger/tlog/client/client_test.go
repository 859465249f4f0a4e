package client

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
	"golang.org/x/mod/sumdb/note"
)

const (
	testOrigin = "trazo.test/log"
	testToken  = "inspector-token"
)

// openLog opens a log in dir with n entries named prefix-<index> appended.
func openLog(t *testing.T, dir, prefix string, n int) *tlog.Log {
	t.Helper()
	l, err := tlog.Open(dir, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	appendN(t, l, prefix, n)
	return l
}

func appendN(t *testing.T, l *tlog.Log, prefix string, n int) {
	t.Helper()
	fns := make([]tlog.AppendFunc, n)
	for i := range fns {
		fns[i] = func(_ *tlog.Tx, index uint64, _ time.Time) ([]byte, error) {
			return fmt.Appendf(nil, "%s-%d", prefix, index), nil
		}
	}
	_, errs, err := l.AppendBatch(t.Context(), fns)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// serve serves l's key, checkpoint, entries (with the test token only) and
// consistency proofs in the API's formats.
func serve(t *testing.T, l *tlog.Log) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/log/key", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, l.VerifierKey()+"\n")
	})
	mux.HandleFunc("GET /v1/log/checkpoint", func(w http.ResponseWriter, _ *http.Request) {
		cp, _ := l.LatestCheckpoint()
		w.Write(cp)
	})
	mux.HandleFunc("GET /v1/log/entries", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"unauthenticated","message":"a bearer token is required"}}`)
			return
		}
		start, _ := strconv.ParseUint(r.URL.Query().Get("start"), 10, 64)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		leaves, err := l.Entries(start, min(limit, EntriesPage))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page := struct {
			Entries []Entry `json:"entries"`
		}{Entries: []Entry{}}
		for i, leaf := range leaves {
			page.Entries = append(page.Entries, Entry{Index: start + uint64(i), Leaf: leaf})
		}
		json.NewEncoder(w).Encode(page)
	})
	mux.HandleFunc("GET /v1/log/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		from, _ := strconv.ParseUint(r.URL.Query().Get("from"), 10, 64)
		to, _ := strconv.ParseUint(r.URL.Query().Get("to"), 10, 64)
		hashes, err := l.ConsistencyProof(from, to)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"from": from, "to": to, "hashes": append([][]byte{}, hashes...)})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, srv *httptest.Server) *Client {
	t.Helper()
	c, err := New(srv.URL+"/", testToken, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// config returns a Config keeping its state in path and counting the keys
// trusted on first use.
func config(path, key string, tofu *int) Config {
	return Config{
		Key:             key,
		StatePath:       func(string) (string, error) { return path, nil },
		TrustOnFirstUse: func(string) { *tofu++ },
	}
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, "a", 1003) // more than one page of entries
	srv := serve(t, l)
	c := newClient(t, srv)
	state := filepath.Join(t.TempDir(), "sub", "mirror.state")

	// First run: the server's key is trusted on first use.
	var tofu int
	res, err := c.Verify(t.Context(), config(state, "", &tofu))
	if err != nil {
		t.Fatalf("first verify: %v", err)
	}
	if res.Checkpoint.Size != 1003 || res.Previous != nil || tofu != 1 || res.Origin != testOrigin || res.Key != l.VerifierKey() {
		t.Errorf("first verify: %+v, trusted on first use %d times", res, tofu)
	}
	st, err := LoadState(state)
	if err != nil || st == nil {
		t.Fatalf("state after the first verify: %+v, %v", st, err)
	}
	if st.Origin != testOrigin || st.Key != l.VerifierKey() || st.URL != srv.URL || !strings.Contains(st.Checkpoint, "\n1003\n") {
		t.Errorf("state %+v", st)
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("state file mode: %v, %v", fi, err)
	}

	// A wrong key fails, whatever the state says.
	_, wrongKey, err := note.GenerateKey(rand.Reader, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(t.Context(), config(filepath.Join(t.TempDir(), "s"), wrongKey, &tofu)); err == nil || !strings.Contains(err.Error(), "serves the verifier key") {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := c.Verify(t.Context(), config(state, wrongKey, &tofu)); err == nil || !strings.Contains(err.Error(), "a log keeps its key") {
		t.Errorf("wrong key against the state: %v", err)
	}

	// The log grows; the next run checks a consistency proof, with the key
	// given, and trusts nothing on first use.
	appendN(t, l, "b", 57)
	tofu = 0
	res, err = c.Verify(t.Context(), config(state, l.VerifierKey(), &tofu))
	if err != nil {
		t.Fatalf("second verify: %v", err)
	}
	if res.Checkpoint.Size != 1060 || res.Previous == nil || res.Previous.Size != 1003 || res.ConsistencyHashes == 0 || tofu != 0 {
		t.Errorf("second verify: %+v, trusted on first use %d times", res, tofu)
	}

	// A state file whose checkpoint was edited is refused.
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.state")
	edited := strings.Replace(string(b), `\n1060\n`, `\n1061\n`, 1)
	if edited == string(b) {
		t.Fatalf("state file has no size line to edit:\n%s", b)
	}
	if err := os.WriteFile(tampered, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(t.Context(), config(tampered, "", &tofu)); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("tampered state: %v", err)
	}

	// A server that rewrote history: another log with the same key, more
	// entries, none of them the same.
	forked := t.TempDir()
	for _, name := range []string{"log.key", "log.pub"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(forked, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fork := newClient(t, serve(t, openLog(t, forked, "f", 1100)))
	if _, err := fork.Verify(t.Context(), config(state, l.VerifierKey(), &tofu)); !errors.Is(err, ErrRewritten) || !strings.HasPrefix(err.Error(), "HISTORY REWRITTEN") {
		t.Errorf("forked log: %v", err)
	}

	// And a state taken from the fork, against the real log: it shrank.
	forkState := filepath.Join(t.TempDir(), "fork.state")
	if _, err := fork.Verify(t.Context(), config(forkState, l.VerifierKey(), &tofu)); err != nil {
		t.Fatalf("verify the fork alone: %v", err)
	}
	if _, err := c.Verify(t.Context(), config(forkState, l.VerifierKey(), &tofu)); !errors.Is(err, ErrRewritten) || !strings.Contains(err.Error(), "shrank") {
		t.Errorf("shrunk log: %v", err)
	}

	// An origin other than the log's is refused.
	cfg := config(filepath.Join(t.TempDir(), "o"), "", &tofu)
	cfg.Origin = "other.example/log"
	if _, err := c.Verify(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("other origin: %v", err)
	}
}

func TestEntriesNeedToken(t *testing.T) {
	srv := serve(t, openLog(t, t.TempDir(), "a", 3))
	c, err := New(srv.URL, "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Entries(t.Context(), 0, 3)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "(unauthenticated)") {
		t.Errorf("entries without a token: %v", err)
	}
	entries, err := newClient(t, srv).Entries(t.Context(), 1, 5)
	if err != nil || len(entries) != 2 || entries[0].Index != 1 || string(entries[1].Leaf) != "a-2" {
		t.Errorf("entries from 1: %+v, %v", entries, err)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want error
	}{
		{"http://127.0.0.1:8080", nil},
		{"https://trazo.example/", nil},
		{"127.0.0.1:8080", ErrURL},
		{"ftp://trazo.example", ErrURL},
		{"http://", ErrURL},
		{"http://%zz", ErrURL},
	} {
		t.Run(tc.url, func(t *testing.T) {
			c, err := New(tc.url, "t", nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("New(%q): %v, want %v", tc.url, err, tc.want)
			}
			if err == nil && strings.HasSuffix(c.BaseURL(), "/") {
				t.Errorf("base URL %q keeps its trailing slash", c.BaseURL())
			}
		})
	}
}

func TestState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b.state")
	if st, err := LoadState(path); st != nil || err != nil {
		t.Fatalf("no state file: %+v, %v", st, err)
	}
	want := State{Origin: testOrigin, Key: "k", URL: "http://x", Checkpoint: "cp", VerifiedAt: time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)}
	for range 2 { // create, then replace
		if err := SaveState(path, want); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadState(path)
	if err != nil || got == nil || *got != want {
		t.Fatalf("LoadState: %+v, %v, want %+v", got, err, want)
	}
	if names, _ := os.ReadDir(filepath.Dir(path)); len(names) != 1 {
		t.Errorf("files beside the state: %v", names)
	}
	if err := os.WriteFile(path, []byte(`{"origin":"o"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(path); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged state: %v", err)
	}
	p, err := DefaultStatePath(testOrigin, func(string) string { return "/home/x" })
	if err != nil || !strings.HasPrefix(p, "/home/x/.trazo/verify-") || !strings.HasSuffix(p, ".state") {
		t.Errorf("DefaultStatePath: %q, %v", p, err)
	}
}
