package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

var backupWrittenRE = regexp.MustCompile(`^backup written to (\S+) by the running server: (\d+) entries, root ([0-9a-f]{64})\n$`)

// TestBackupCommandWhileServing runs "trazo backup" on the data directory
// of a running "trazo serve" (a real process, which holds the directory's
// lock) while 8 clients record crossings: the backup comes from the server
// through its control socket. The backup restores ("trazo restore") and
// verifies ("trazo verify"), and holds every entry acknowledged before it
// started, with its leaf hash.
func TestBackupCommandWhileServing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	p := startTrazo(t, dir)
	c := newAPIClient(p.url, 8)
	defer c.close()
	pop := seedPopulation(t, c, dir, 8)

	load := startCrossings(c, pop.tokens["border"], 8, 1<<30, time.Now().Add(time.Minute), func(g, i int) (string, string) {
		return fmt.Sprintf(`{"worker_id":%q,"direction":"entry","occurred_at":"2025-03-01T12:00:00Z","post":"%s"}`,
			pop.workers[(g+i)%len(pop.workers)], borderPost), ""
	})
	load.waitFor(300, time.Now().Add(30*time.Second))
	before := load.receipts()

	backup := filepath.Join(t.TempDir(), "online.bak")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", backup}, noEnv, nil, &out, &errOut)
	acked := load.finish(t)
	if err != nil {
		t.Fatalf("trazo backup while serving: %v\n%s", err, errOut.String())
	}
	m := backupWrittenRE.FindStringSubmatch(out.String())
	if m == nil || m[1] != backup {
		t.Fatalf("trazo backup printed %q", out.String())
	}
	size, _ := strconv.ParseUint(m[2], 10, 64)
	for _, rc := range before {
		if rc.Index >= size {
			t.Fatalf("entry %d was acknowledged before the backup started, but the backup has %d entries", rc.Index, size)
		}
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, fi.Mode())
	}
	if !strings.Contains(readFile(t, p.logPath), `"msg":"online backup written"`) {
		t.Error("the server did not log the online backup")
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out.Reset()
	if err := run(t.Context(), []string{"restore", "--data-dir", restored, "--in", backup}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("trazo restore: %v", err)
	}
	if want := fmt.Sprintf("restored %s: %s entries, root %s\n", restored, m[2], m[3]); out.String() != want {
		t.Errorf("trazo restore printed %q, want %q", out.String(), want)
	}
	if _, err := os.Stat(filepath.Join(restored, controlSocket)); err == nil {
		t.Error("the control socket was restored with the data")
	}
	if err := run(t.Context(), []string{"verify", "--data-dir", restored}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("trazo verify on the restored directory: %v", err)
	}
	l, err := tlog.Open(restored, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	leaves, err := l.Entries(0, int(l.Size()))
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range before {
		if h := leafHash(leaves[rc.Index]); !bytes.Equal(h, rc.LeafHash) {
			t.Fatalf("restored entry %d has leaf hash %x, acknowledged %x", rc.Index, h, rc.LeafHash)
		}
	}
	t.Logf("online backup of %d entries; %d acknowledged before it started, %d in all", size, len(before), len(acked))

	// SIGTERM removes the socket; a backup then opens the directory itself.
	if err := p.stop(); err != nil {
		t.Fatalf("serve exit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, controlSocket)); err == nil {
		t.Error("the control socket is still there after the server stopped")
	}
	out.Reset()
	offline := filepath.Join(t.TempDir(), "offline.bak")
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", offline}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("trazo backup of a stopped server's directory: %v", err)
	}
	if !strings.HasPrefix(out.String(), "backup written to "+offline+": ") {
		t.Errorf("offline backup printed %q", out.String())
	}
}

// A backup of a directory held by a process without a control socket (or
// a dead one) fails with a clear error and leaves no file behind; a socket
// left by a killed server is replaced when the server starts again.
func TestBackupCommandRefusals(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	p := startTrazo(t, dir)
	p.kill() // SIGKILL: the socket file stays, the lock goes with the process
	sock := filepath.Join(dir, controlSocket)
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("no socket left by the killed server: %v", err)
	}

	// Another process holds the directory (here: this one) and does not
	// answer on the socket left there.
	l, err := tlog.Open(dir, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "refused.bak")
	err = run(t.Context(), []string{"backup", "--data-dir", dir, "--out", out}, noEnv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "no trazo server answers") {
		t.Errorf("backup of a directory held without a server: %v", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Error("a failed backup left its file")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// The server starts again over the stale socket and answers on it.
	p = startTrazo(t, dir)
	defer p.stop()
	var buf bytes.Buffer
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", out}, noEnv, nil, &buf, io.Discard); err != nil {
		t.Fatalf("backup after the restart: %v", err)
	}
	if !backupWrittenRE.MatchString(buf.String()) {
		t.Errorf("backup after the restart printed %q", buf.String())
	}
	// An existing file is not overwritten.
	err = run(t.Context(), []string{"backup", "--data-dir", dir, "--out", out}, noEnv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
}

// A data directory whose path is too long for a Unix socket (108 bytes on
// Linux) is served all the same, without online backups, and says so.
func TestServeWithoutControlSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 110))
	p := startTrazo(t, dir)
	defer p.stop()
	c := newAPIClient(p.url, 1)
	defer c.close()
	if code, _, _, err := c.do("GET", "/readyz", "", "", ""); err != nil || code != 200 {
		t.Fatalf("/readyz = %d, %v", code, err)
	}
	if !strings.Contains(readFile(t, p.logPath), "no control socket: online backups unavailable") {
		t.Errorf("the server did not say that it has no control socket:\n%s", p.logTail())
	}
	err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", filepath.Join(t.TempDir(), "x.bak")}, noEnv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no trazo server answers") {
		t.Errorf("backup without a control socket: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// receiveBackup accepts a backup only when the server's trailers say what
// it holds: an error trailer, missing trailers or a stream cut short (the
// server died) are errors.
func TestReceiveBackup(t *testing.T) {
	body := strings.Repeat("backup bytes ", 1000)
	root := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
	}{
		{"complete", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", trailerBackupSize+", "+trailerBackupRoot)
			io.WriteString(w, body)
			w.Header().Set(trailerBackupSize, "42")
			w.Header().Set(trailerBackupRoot, root)
		}, ""},
		{"error trailer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", trailerBackupError)
			io.WriteString(w, body)
			w.Header().Set(trailerBackupError, "disk on fire")
		}, "could not write the backup: disk on fire"},
		{"no trailers", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, body)
		}, "did not say what it backed up"},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", trailerBackupSize+", "+trailerBackupRoot)
			io.WriteString(w, body)
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // the chunked stream ends without its last chunk
		}, "receive backup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got bytes.Buffer
			info, err := receiveBackup(resp, &got)
			if tc.wantErr == "" {
				if err != nil || info.Size != 42 || fmt.Sprintf("%x", info.Root) != root || got.String() != body {
					t.Fatalf("complete backup: %+v, %v, %d bytes", info, err, got.Len())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
