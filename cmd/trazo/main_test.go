package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// When this variable is set the test binary runs main() instead of the
// tests, so that tests can start trazo as a real process.
const asMainEnv = "TRAZO_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
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

var servingRE = regexp.MustCompile(`on http://(\S+) `)

// startServe runs "trazo serve" in-process on 127.0.0.1:0 and returns its
// base URL and a function that stops it and returns run's error.
func startServe(t *testing.T, dataDir string, extra ...string) (string, func() error) {
	t.Helper()
	url, stop, _ := startServeLogs(t, dataDir, extra...)
	return url, stop
}

// startServeLogs is startServe that also returns the server's stderr.
func startServeLogs(t *testing.T, dataDir string, extra ...string) (string, func() error, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	args := append([]string{"serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0"}, extra...)
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, noEnv, nil, stdout, stderr) }()
	for {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			stop := sync.OnceValue(func() error { cancel(); return <-errc })
			t.Cleanup(func() { stop() })
			return "http://" + m[1], stop, stderr
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func noEnv(string) string { return "" }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeAnswersAndShutsDownCleanly(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, dir, "--country", "PAN")
	if code, body := get(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz = %d %s", code, body)
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("readyz = %d", code)
	}
	_, key := get(t, base+"/v1/log/key")
	code, cp := get(t, base+"/v1/log/checkpoint")
	if code != 200 {
		t.Fatalf("checkpoint = %d", code)
	}
	parsed, err := tlog.OpenCheckpoint([]byte(cp), "trazo.pan.local/log", strings.TrimSpace(key))
	if err != nil {
		t.Fatalf("served checkpoint does not verify with the served key: %v\n%s", err, cp)
	}
	if parsed.Size != 0 {
		t.Errorf("new log checkpoint size %d", parsed.Size)
	}
	if code, _ := get(t, base+"/v1/log/checkpoint?size=0"); code != 200 {
		t.Errorf("checkpoint?size=0 = %d", code)
	}
	for _, q := range []string{"?size=7", "?size=-1", "?size=x"} {
		code, body := get(t, base+"/v1/log/checkpoint"+q)
		if code != 404 && code != 400 || !strings.Contains(body, `"error":{"code"`) {
			t.Errorf("checkpoint%s = %d %s", q, code, body)
		}
	}
	if code, body := get(t, base+"/nope"); code != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("unknown path = %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}
	// Closed cleanly: the directory opens again at once.
	l, err := tlog.Open(dir, tlog.Options{Origin: "trazo.pan.local/log"})
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	l.Close()
}

func TestSecondServeOnSameDirFails(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir)
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, noEnv, nil, io.Discard, &stderr)
	if !errors.Is(err, tlog.ErrLocked) {
		t.Fatalf("second serve err = %v, want ErrLocked", err)
	}
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(stderr.String(), "in use by another process") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestSIGTERMShutsDownRealProcess starts trazo as a real process, sends
// SIGTERM and checks it exits 0 having closed the store.
func TestSIGTERMShutsDownRealProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(exe, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "TRAZO_DATA_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no serving line: %v\n%s", err, stderr.String())
	}
	m := servingRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("unexpected first line %q", line)
	}
	if code, _ := get(t, "http://"+m[1]+"/healthz"); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("trazo exited with %v after SIGTERM\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", stderr.String())
	}
	l, err := tlog.Open(dir, tlog.Options{Origin: "trazo.cri.local/log"})
	if err != nil {
		t.Fatalf("reopen after SIGTERM: %v", err)
	}
	l.Close()
}

func TestVerifyBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	l, err := tlog.Open(dir, tlog.Options{Origin: "trazo.cri.local/log"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		leaf := fmt.Appendf(nil, `{"i":%d}`, i)
		if _, err := l.Append(t.Context(), func(*tlog.Tx, uint64, time.Time) ([]byte, error) { return leaf, nil }); err != nil {
			t.Fatal(err)
		}
	}
	root := fmt.Sprintf("%x", l.Root())
	l.Close()

	var out bytes.Buffer
	if err := run(t.Context(), []string{"verify", "--data-dir", dir}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !strings.Contains(out.String(), "ok: 100 entries, root "+root) {
		t.Errorf("verify output %q", out.String())
	}
	backup := filepath.Join(t.TempDir(), "b.bin")
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", backup}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "r")
	out.Reset()
	if err := run(t.Context(), []string{"restore", "--data-dir", restored, "--in", backup}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	out.Reset()
	env := func(k string) string {
		if k == "TRAZO_DATA_DIR" {
			return restored
		}
		return ""
	}
	if err := run(t.Context(), []string{"verify"}, env, nil, &out, io.Discard); err != nil {
		t.Fatalf("verify restored (dir from env): %v", err)
	}
	if !strings.Contains(out.String(), "root "+root) {
		t.Errorf("restored root differs: %q", out.String())
	}
}

func TestUsageAndHelp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "no command"},
		{"unknown command", []string{"frobnicate"}, nil, 2, "unknown command"},
		{"help", []string{"help"}, nil, 0, ""},
		{"serve help", []string{"serve", "--help"}, nil, 0, ""},
		{"verify help", []string{"verify", "-h"}, nil, 0, ""},
		{"backup help", []string{"backup", "--help"}, nil, 0, ""},
		{"restore help", []string{"restore", "--help"}, nil, 0, ""},
		{"token help", []string{"token", "--help"}, nil, 0, ""},
		{"token without role", []string{"token", "--org", "MTSS", "--sub", "ana"}, nil, 2, "--role is required"},
		{"token with a bad role", []string{"token", "--role", "admin", "--org", "MTSS", "--sub", "ana"}, nil, 2, "not one of"},
		{"token without org", []string{"token", "--role", "inspector", "--sub", "ana"}, nil, 2, "--org is required"},
		{"token with a bad ttl", []string{"token", "--role", "inspector", "--org", "M", "--sub", "a", "--ttl", "-1h"}, nil, 2, "--ttl"},
		{"token with no key", []string{"token", "--data-dir", "/nonexistent/trazo", "--role", "inspector", "--org", "M", "--sub", "a"}, nil, 1, "trazo serve"},
		{"serve with a bad origin", []string{"serve", "--cors-origins", "https://a.example/path"}, nil, 2, "--cors-origins"},
		{"serve with a bad proxy", []string{"serve", "--trusted-proxies", "10.0.0.0/33"}, nil, 2, "--trusted-proxies"},
		{"serve with a negative rate", []string{"serve", "--rate-limit", "-1"}, nil, 2, "--rate-limit"},
		{"bad flag", []string{"verify", "--nope"}, nil, 2, "flag provided but not defined"},
		{"bad country", []string{"verify", "--country", "Costa Rica"}, nil, 2, "alpha-3"},
		{"bad country from env", []string{"verify"}, map[string]string{"TRAZO_COUNTRY": "cr"}, 2, "alpha-3"},
		{"bad memory limit", []string{"verify", "--memory-limit", "lots"}, nil, 2, "--memory-limit"},
		{"bad memory limit from env", []string{"verify"}, map[string]string{"TRAZO_MEMORY_LIMIT": "1.5GiB"}, 2, "--memory-limit"},
		{"backup without out", []string{"backup"}, nil, 2, "--out is required"},
		{"restore without in", []string{"restore"}, nil, 2, "--in is required"},
		{"stray argument", []string{"verify", "extra"}, nil, 2, "unexpected argument"},
		{"verify missing dir", []string{"verify", "--data-dir", "/nonexistent/trazo"}, nil, 1, "no such file"},
		{"backup missing dir", []string{"backup", "--data-dir", "/nonexistent/trazo", "--out", "/nonexistent/backup.bin"}, nil, 1, "no such file"},
		{"reindex missing dir", []string{"reindex", "--data-dir", "/nonexistent/trazo"}, nil, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := func(k string) string { return tc.env[k] }
			err := run(t.Context(), tc.args, env, nil, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != tc.code {
				t.Fatalf("exit %d, want %d (err %v)", code, tc.code, err)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.want)
			}
			if tc.code == 0 && len(tc.args) > 1 && !strings.Contains(stderr.String()+stdout.String(), "Example:") {
				t.Errorf("help has no example: %s", stderr.String())
			}
		})
	}
}
