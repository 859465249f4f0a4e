package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// crashEpoch is the occurred_at of crossing request 0; request seq
// happened seq seconds later. The time is how a log entry names the
// request that appended it, so that the test can tell whether a request,
// and so its Idempotency-Key, made more than one entry.
var crashEpoch = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// crashRequest is one POST /v1/crossings of the crash test.
type crashRequest struct {
	seq  uint64
	key  string // Idempotency-Key, unique per request
	body string
}

func newCrashRequest(seq uint64, workers []string) crashRequest {
	dir := "entry"
	if seq%2 == 1 {
		dir = "exit"
	}
	return crashRequest{
		seq: seq,
		key: fmt.Sprintf("crash-%d", seq),
		body: fmt.Sprintf(`{"worker_id":%q,"direction":%q,"occurred_at":%q,"post":"%s"}`,
			workers[seq%uint64(len(workers))], dir, crashEpoch.Add(time.Duration(seq)*time.Second).Format(time.RFC3339), borderPost),
	}
}

// crossingSeq returns the request that appended a crossing entry of the
// test (false for any other entry).
func crossingSeq(t *testing.T, leaf []byte) (uint64, bool) {
	t.Helper()
	e, err := ledger.DecodeEntry(leaf)
	if err != nil {
		t.Fatalf("decode entry: %v", err)
	}
	if e.Type != ledger.TypeCrossingRecorded {
		return 0, false
	}
	var d ledger.CrossingData
	if err := e.DecodeData(&d); err != nil {
		t.Fatalf("decode crossing %d: %v", e.Index, err)
	}
	at, err := time.Parse(time.RFC3339, d.OccurredAt)
	if err != nil {
		t.Fatalf("crossing %d: occurred_at %q: %v", e.Index, d.OccurredAt, err)
	}
	return uint64(at.Sub(crashEpoch) / time.Second), true
}

// TestCrashSafetyHTTPSIGKILL starts trazo as a real process, records
// crossings from 16 concurrent HTTP clients (each request with its own
// Idempotency-Key) and SIGKILLs the server at a random moment; then it
// starts the server again on the same directory and checks, over HTTP,
// that every acknowledged (2xx) append is in the log at its index with
// its leaf hash, that no request appended twice, and that retrying every
// unacknowledged request with its key either replays the answer of the
// entry it made before the crash or appends it once. It stops the server
// with SIGTERM and runs "trazo verify --data-dir" after every cycle.
// TRAZO_HTTP_CRASH_CYCLES sets the number of cycles (default 5;
// scripts/crash-http.sh runs 200).
func TestCrashSafetyHTTPSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash cycles start real processes; skipped with -short")
	}
	cycles := 5
	if s := os.Getenv("TRAZO_HTTP_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("TRAZO_HTTP_CRASH_CYCLES=%q is not a positive number", s)
		}
		cycles = n
	}
	const (
		clients    = 16
		perClient  = 20000 // bounds each client's requests in one cycle
		maxLoadFor = 20 * time.Second
	)
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))

	srv := startTrazo(t, dir)
	c := newAPIClient(srv.url, clients)
	pop := seedPopulation(t, c, dir, 16)
	border, inspector := pop.tokens["border"], pop.tokens["inspector"]
	c.close()

	acked := map[uint64]receipt{}     // by seq: every acknowledged append
	appended := map[uint64]receipt{}  // by seq: the entry it made
	var checked uint64                // log entries already scanned
	sent := map[uint64]crashRequest{} // every request sent, by seq
	var next atomic.Uint64            // next seq
	var totalRetried, totalReplayed int

	for cycle := range cycles {
		if srv == nil {
			srv = startTrazo(t, dir)
		}
		c := newAPIClient(srv.url, clients)
		if cycle > 0 {
			pop.addWorkers(t, c, 16)
		}
		// Load: clients send until a request fails (the kill) or the bounds.
		type outcome struct {
			req crashRequest
			rc  receipt
			ok  bool
		}
		var mu sync.Mutex
		var outcomes []outcome
		firstAck := make(chan struct{})
		var firstOnce sync.Once
		deadline := time.Now().Add(maxLoadFor)
		var wg sync.WaitGroup
		var unexpected atomic.Value
		for range clients {
			wg.Go(func() {
				for range perClient {
					if time.Now().After(deadline) {
						return
					}
					req := newCrashRequest(next.Add(1)-1, pop.workers)
					code, _, b, err := c.do("POST", "/v1/crossings", border, req.body, req.key)
					o := outcome{req: req}
					if err == nil && code != 201 {
						unexpected.Store(fmt.Sprintf("request %d answered %d: %s", req.seq, code, b))
					}
					if err == nil && code == 201 {
						if jerr := json.Unmarshal(b, &o.rc); jerr != nil {
							unexpected.Store(fmt.Sprintf("request %d: decode %s: %v", req.seq, b, jerr))
						}
						o.ok = true
					}
					mu.Lock()
					outcomes = append(outcomes, o)
					mu.Unlock()
					if !o.ok {
						return // the server is gone
					}
					firstOnce.Do(func() { close(firstAck) })
				}
			})
		}
		select {
		case <-firstAck:
		case <-time.After(maxLoadFor):
			t.Fatalf("cycle %d: no append acknowledged\n%s", cycle, srv.logTail())
		}
		time.Sleep(time.Duration(rnd.IntN(300)) * time.Millisecond)
		srv.kill()
		wg.Wait()
		c.close()
		if u := unexpected.Load(); u != nil {
			t.Fatalf("cycle %d: %s", cycle, u)
		}
		var unacked []crashRequest
		nAcked := 0
		for _, o := range outcomes {
			sent[o.req.seq] = o.req
			if !o.ok {
				unacked = append(unacked, o.req)
				continue
			}
			acked[o.req.seq] = o.rc
			nAcked++
		}

		// Restart on the same directory and check the log over HTTP.
		srv = startTrazo(t, dir)
		c = newAPIClient(srv.url, 4)
		// scan reads the log from where the last scan ended: every crossing
		// entry is one request's, no request has two, and an acknowledged
		// request's entry is at its index with its leaf hash.
		scan := func(when string) {
			t.Helper()
			for _, e := range fetchEntries(t, c, inspector, checked) {
				checked = e.Index + 1
				seq, ok := crossingSeq(t, e.Leaf)
				if !ok {
					continue
				}
				if prev, dup := appended[seq]; dup {
					t.Fatalf("cycle %d (%s): request %d (Idempotency-Key %s) appended twice: entries %d and %d",
						cycle, when, seq, sent[seq].key, prev.Index, e.Index)
				}
				if _, ok := sent[seq]; !ok {
					t.Fatalf("cycle %d (%s): entry %d is a crossing no request sent (seq %d)", cycle, when, e.Index, seq)
				}
				appended[seq] = receipt{Index: e.Index, LeafHash: leafHash(e.Leaf)}
				if rc, ok := acked[seq]; ok {
					if rc.Index != e.Index {
						t.Fatalf("cycle %d (%s): request %d was acknowledged with index %d, its entry is %d", cycle, when, seq, rc.Index, e.Index)
					}
					if h := leafHash(e.Leaf); !bytes.Equal(h, rc.LeafHash) {
						t.Fatalf("cycle %d (%s): entry %d has leaf hash %x, acknowledged %x", cycle, when, e.Index, h, rc.LeafHash)
					}
				}
			}
		}
		scan("after restart")
		for seq, rc := range acked {
			if _, ok := appended[seq]; !ok {
				t.Fatalf("cycle %d: acknowledged entry %d (request %d) lost", cycle, rc.Index, seq)
			}
		}
		// Entries acknowledged in earlier cycles are still there, unchanged
		// (a sample; verify checks that the tree still holds them all).
		n := 0
		for seq, rc := range acked {
			if n++; n > 20 {
				break
			}
			var page struct {
				Entries []logEntry `json:"entries"`
			}
			c.must(t, 200, "GET", fmt.Sprintf("/v1/log/entries?start=%d&limit=1", rc.Index), inspector, "", &page)
			if len(page.Entries) != 1 || !bytes.Equal(leafHash(page.Entries[0].Leaf), rc.LeafHash) {
				t.Fatalf("cycle %d: entry %d of request %d changed or lost", cycle, rc.Index, seq)
			}
		}

		// A sample of acknowledged requests, sent again with their keys,
		// replays their answers: the records survived the crash.
		n = 0
		for seq, rc := range acked {
			if n++; n > 10 {
				break
			}
			code, hdr, b, err := c.do("POST", "/v1/crossings", border, sent[seq].body, sent[seq].key)
			var got receipt
			if err != nil || code != 201 || hdr.Get("Idempotent-Replayed") != "true" || json.Unmarshal(b, &got) != nil ||
				got.Index != rc.Index || !bytes.Equal(got.LeafHash, rc.LeafHash) {
				t.Fatalf("cycle %d: replay of acknowledged request %d = %d %v replayed=%q %s (err %v), want index %d",
					cycle, seq, code, hdr, hdr.Get("Idempotent-Replayed"), b, err, rc.Index)
			}
		}

		// Every unacknowledged request, sent again with its key: a replay
		// of the entry it made before the crash, or one new entry.
		replayed := 0
		for _, req := range unacked {
			code, hdr, b, err := c.do("POST", "/v1/crossings", border, req.body, req.key)
			if err != nil || code != 201 {
				t.Fatalf("cycle %d: retry of request %d = %d %s (err %v)", cycle, req.seq, code, b, err)
			}
			var rc receipt
			if err := json.Unmarshal(b, &rc); err != nil {
				t.Fatalf("cycle %d: retry of request %d: %s: %v", cycle, req.seq, b, err)
			}
			before, had := appended[req.seq]
			switch isReplay := hdr.Get("Idempotent-Replayed") == "true"; {
			case had && !isReplay:
				t.Fatalf("cycle %d: request %d made entry %d before the crash, but its retry was not a replay (index %d)", cycle, req.seq, before.Index, rc.Index)
			case !had && isReplay:
				t.Fatalf("cycle %d: retry of request %d replayed index %d, but the log has no entry of it", cycle, req.seq, rc.Index)
			case had && (rc.Index != before.Index || !bytes.Equal(rc.LeafHash, before.LeafHash)):
				t.Fatalf("cycle %d: retry of request %d replayed index %d, its entry is %d", cycle, req.seq, rc.Index, before.Index)
			case isReplay:
				replayed++
			}
			acked[req.seq] = rc
		}
		scan("after retries") // checks the retries' answers against their entries
		if len(appended) != len(sent) {
			t.Fatalf("cycle %d: %d requests sent, %d in the log", cycle, len(sent), len(appended))
		}
		totalRetried += len(unacked)
		totalReplayed += replayed
		c.close()

		// Stopped cleanly, the directory verifies offline.
		if err := srv.stop(); err != nil {
			t.Fatalf("cycle %d: SIGTERM: %v\n%s", cycle, err, srv.logTail())
		}
		srv = nil
		var out bytes.Buffer
		if err := run(t.Context(), []string{"verify", "--data-dir", dir}, noEnv, nil, &out, io.Discard); err != nil {
			t.Fatalf("cycle %d: trazo verify: %v", cycle, err)
		}
		if want := fmt.Sprintf("ok: %d entries", checked); !strings.HasPrefix(out.String(), want) {
			t.Fatalf("cycle %d: verify says %q, want %q", cycle, out.String(), want)
		}
		t.Logf("cycle %d: %d acknowledged, %d unacknowledged retried (%d had been appended before the kill), log size %d, verify ok",
			cycle, nAcked, len(unacked), replayed, checked)
	}
	t.Logf("%d cycles: %d requests, each in the log once; %d retried after a kill, %d of them replayed", cycles, len(sent), totalRetried, totalReplayed)
}
