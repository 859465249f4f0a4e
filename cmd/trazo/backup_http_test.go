package main

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/api"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// liveServer is the API wired as "trazo serve" wires it, but in this
// process and behind httptest, so that a test can hold the *tlog.Log
// the server appends to and compare the live log with a backup of it
// entry by entry ("trazo backup" of a running server, through its control
// socket, is tested in backup_online_test.go).
type liveServer struct {
	dir  string
	log  *tlog.Log
	svc  *ledger.Service
	http *httptest.Server
	mint func(role, org, sub string) string
}

func startLiveServer(t *testing.T, dir string) *liveServer {
	t.Helper()
	l, err := tlog.Open(dir, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.LoadOrCreateKey(filepath.Join(dir, tokenKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(key.Public().(ed25519.PublicKey), authConfig())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := auth.NewIssuer(key, authConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := ledger.New(l, ledger.Config{Country: "CRI", DataDir: dir, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(api.Config{Verifier: verifier, Domain: svc, Employers: api.DomainEmployers(svc.GetEmployer), EntryOwner: api.DomainEntryOwner(svc.LogEntry)}, l)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Config = api.NewHTTPServer("", h, api.HTTPLimits{})
	ts.Start()
	s := &liveServer{dir: dir, log: l, svc: svc, http: ts}
	s.mint = func(role, org, sub string) string {
		tok, err := issuer.Issue(sub, role, org, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t.Cleanup(s.close)
	return s
}

// close stops the HTTP server and closes the log (once).
func (s *liveServer) close() {
	if s.http == nil {
		return
	}
	s.http.Close()
	s.http = nil
	s.log.Close()
}

// TestBackupWhileAppendingOverHTTP takes an online backup (tlog.Log.Backup)
// while 16 clients record crossings over HTTP, restores it into a new
// directory and checks that the restored log verifies, holds every entry
// acknowledged before the backup started (at its index, with its leaf
// hash), agrees with the live log on every entry it has, has projections
// equal to a rebuild from its own entries (the snapshot is transactional),
// and serves with the backup's keys (token key, log key, personal-data
// key).
func TestBackupWhileAppendingOverHTTP(t *testing.T) {
	const (
		clients   = 16
		perClient = 5000
	)
	live := startLiveServer(t, t.TempDir())
	c := newAPIClient(live.http.URL, clients)
	defer c.close()
	pop := seedPopulationWith(t, c, live.mint, 16)
	border := pop.tokens["border"]

	deadline := time.Now().Add(20 * time.Second)
	load := startCrossings(c, border, clients, perClient, deadline, func(g, i int) (string, string) {
		return fmt.Sprintf(`{"worker_id":%q,"direction":"entry","occurred_at":"2025-03-01T12:00:00Z","post":"%s","client_ref":"b-%d-%d"}`,
			pop.workers[(g+i)%len(pop.workers)], borderPost, g, i), fmt.Sprintf("bk-%d-%d", g, i)
	})
	// Mid-way: once a few hundred appends are acknowledged, note them all
	// and take the backup while the clients keep appending.
	load.waitFor(1000, deadline)
	before := load.receipts()
	backupPath := filepath.Join(t.TempDir(), "backup.bin")
	f, err := os.Create(backupPath)
	if err != nil {
		t.Fatal(err)
	}
	info, err := live.log.Backup(f)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatalf("online backup: %v", err)
	}
	during := len(load.receipts()) - len(before)
	time.Sleep(100 * time.Millisecond) // appends go on after the backup too
	acked := load.finish(t)
	if len(before) == 0 {
		t.Fatal("no append acknowledged before the backup")
	}
	for _, rc := range before {
		if rc.Index >= info.Size {
			t.Fatalf("entry %d was acknowledged before the backup started, but the backup guarantees only %d entries", rc.Index, info.Size)
		}
	}
	liveSize := live.log.Size()
	liveLeaves, err := live.log.Entries(0, int(liveSize))
	if err != nil {
		t.Fatal(err)
	}
	live.close()
	t.Logf("backup guarantees %d entries; %d acknowledged before it started, %d while it ran, %d in all; live log %d entries",
		info.Size, len(before), during, len(acked), liveSize)

	// Restore into a new directory.
	restored := filepath.Join(t.TempDir(), "restored")
	in, err := os.Open(backupPath)
	if err != nil {
		t.Fatal(err)
	}
	rinfo, err := tlog.Restore(restored, in, tlog.Options{Origin: testOrigin})
	in.Close()
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if rinfo.Size != info.Size || !bytes.Equal(rinfo.Root, info.Root) {
		t.Fatalf("restored %d entries root %x, backup said %d root %x", rinfo.Size, rinfo.Root, info.Size, info.Root)
	}
	l, err := tlog.Open(restored, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatalf("verify restored: %v", err)
	}
	size := l.Size()
	if size < info.Size || size > liveSize {
		t.Fatalf("restored size %d, want between %d (backup) and %d (live)", size, info.Size, liveSize)
	}
	leaves, err := l.Entries(0, int(size))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restored %d entries", size)
	for i, leaf := range leaves {
		if !bytes.Equal(leaf, liveLeaves[i]) {
			t.Fatalf("restored entry %d differs from the live log's", i)
		}
	}
	for _, rc := range before {
		if h := leafHash(leaves[rc.Index]); !bytes.Equal(h, rc.LeafHash) {
			t.Fatalf("restored entry %d has leaf hash %x, acknowledged %x", rc.Index, h, rc.LeafHash)
		}
	}
	// The snapshot is one transaction: the projections in it are exactly
	// what its own entries give.
	svc, err := ledger.New(l, ledger.Config{Country: "CRI", DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	inBackup, err := svc.ProjectionDigest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := svc.ProjectionDigest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inBackup, rebuilt) {
		t.Fatalf("restored projections differ from a rebuild of the restored log")
	}
	l.Close()

	var out bytes.Buffer
	if err := run(t.Context(), []string{"verify", "--data-dir", restored}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("trazo verify on the restored directory: %v", err)
	}
	// The restored directory serves with the backup's keys: the original
	// tokens are accepted and a worker's personal data decrypts.
	base, stopServe := startServe(t, restored)
	rc := newAPIClient(base, 1)
	defer rc.close()
	var w ledger.WorkerView
	rc.must(t, 200, "GET", "/v1/workers/"+pop.workers[0]+"?purpose=backup-test", pop.tokens["inspector"], "", &w)
	if w.Identity == nil || !strings.HasPrefix(w.Identity.GivenNames, "Ana ") {
		t.Errorf("restored worker's identity %+v", w.Identity)
	}
	if err := stopServe(); err != nil {
		t.Fatal(err)
	}
}
