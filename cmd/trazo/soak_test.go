package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tailBuffer keeps the last max bytes written to it (the server's logs
// during a soak, which would otherwise grow without bound).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b[max(0, len(t.b)-t.max):])
}

// soakDuration is the length of the soak's load: TRAZO_SOAK (a Go
// duration, e.g. 30m) or 40 s (10 s with -short). TRAZO_SOAK_HEAPPROFILE,
// when set, is a file to write a heap profile to at the end.
func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("TRAZO_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("TRAZO_SOAK=%q is not a positive duration such as 30m", s)
		}
		return d
	}
	if testing.Short() {
		return 10 * time.Second
	}
	return 40 * time.Second
}

// soakStats counts a soak's requests by kind and keeps the first
// unexpected answers.
type soakStats struct {
	mu       sync.Mutex
	ok       map[string]int
	expected int // expected 4xx
	failures []string
}

func (s *soakStats) add(kind string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if len(s.failures) < 10 {
			s.failures = append(s.failures, fmt.Sprintf("%s: %v", kind, err))
		} else {
			s.failures[9] = fmt.Sprintf("… and more; last %s: %v", kind, err)
		}
		return
	}
	s.ok[kind]++
}

func (s *soakStats) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.expected
	for _, v := range s.ok {
		n += v
	}
	return n
}

// memSample is the process's state at one moment (the server runs in
// this process: run("serve") on 127.0.0.1:0).
type memSample struct {
	at         time.Duration // into the load
	heapInuse  uint64        // runtime.MemStats.HeapInuse after a GC
	badger     uint64        // heap in use allocated by Badger and Ristretto, and the log's row cache
	rowCache   uint64        // of badger, the row cache's share
	other      uint64        // heap in use allocated by everything else
	goroutines int
}

// sampleMem collects garbage and measures the heap: in all, and split by
// who allocated it, from the heap profile (runtime.MemProfile, scaled as
// pprof scales it). Badger's share is its memtables, caches and, while it
// flushes a memtable, a table builder that holds several times the
// memtable's size for seconds; Badger bounds it, and it swings by hundreds
// of MiB from one second to the next. The ledger's row cache (bounded by
// tlog.Memory.RowCacheSize, and filling slowly as rows are read) is
// counted with it. The rest is Trazo's, the HTTP stack's and the
// runtime's: where a leak would show.
func sampleMem() memSample {
	runtime.GC()
	runtime.GC() // the heap profile is as of the last completed cycle
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memSample{heapInuse: ms.HeapInuse, goroutines: runtime.NumGoroutine()}
	var recs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, false)
	for {
		recs = make([]runtime.MemProfileRecord, n+64)
		var ok bool
		if n, ok = runtime.MemProfile(recs, false); ok {
			recs = recs[:n]
			break
		}
	}
	rate := float64(runtime.MemProfileRate)
	for _, r := range recs {
		b, objs := r.InUseBytes(), r.InUseObjects()
		if b <= 0 || objs <= 0 {
			continue
		}
		v := uint64(float64(b) / (1 - math.Exp(-float64(b)/float64(objs)/rate)))
		switch {
		case allocatedBy(r.Stack(), rowCacheFuncs):
			m.rowCache += v
			m.badger += v
		case allocatedBy(r.Stack(), "github.com/dgraph-io/"):
			m.badger += v
		default:
			m.other += v
		}
	}
	return m
}

// rowCacheFuncs is the prefix of the row cache's methods' names: the soak
// fails if no heap is ever attributed to it (the cache moved or was
// renamed, and its growth would count as a leak).
const rowCacheFuncs = "github.com/trazo-ledger/trazo/ledger/tlog.(*rowCache)"

// allocatedBy reports whether a function of the package path prefix is
// on the allocation stack.
func allocatedBy(stk []uintptr, prefix string) bool {
	frames := runtime.CallersFrames(stk)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, prefix) {
			return true
		}
		if !more {
			return false
		}
	}
}

// leastOther returns the least non-Badger heap of the samples taken in
// [from, to), and how many there were.
func leastOther(samples []memSample, from, to time.Duration) (uint64, int) {
	least, n := uint64(math.MaxUint64), 0
	for _, s := range samples {
		if s.at >= from && s.at < to {
			least, n = min(least, s.other), n+1
		}
	}
	return least, n
}

// TestSoakMixedLoad runs "trazo serve" in this process and sends it a
// mixed load from 8 keep-alive clients for soakDuration (40 s; TRAZO_SOAK
// for more, scripts/soak.sh): crossings with Idempotency-Keys (some
// replayed), small batches (some client_refs replayed), employers' history
// reads, log entries, inclusion and consistency proofs, checkpoints, and
// requests that must be refused (404, 422, 401). It asserts that no
// request failed other than the expected 4xx, that the goroutine count
// comes back near where it started once the clients' idle connections are
// closed, that the heap in use (after a GC) outside Badger's own
// allocations at the end of the load is not much above what it was a third
// of the way in (the least sample over a tenth of the load at each point;
// see sampleMem), and that the log verifies offline afterwards.
func TestSoakMixedLoad(t *testing.T) {
	d := soakDuration(t)
	const clients = 8
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout, logs := &lockedBuffer{}, &tailBuffer{max: 16 << 10}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, noEnv, nil, stdout, logs)
	}()
	var base string
	for base == "" {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			base = "http://" + m[1]
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	stopped := false
	stopServer := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("serve: %v\n%s", err, logs.String())
			}
		}
	}
	defer stopServer()

	c := newAPIClient(base, clients)
	pop := seedPopulation(t, c, dir, 32)
	tk := pop.tokens
	// Fresh workers every 5 s (registered below, while the clients run)
	// keep worker rows, which grow with every crossing, at a realistic
	// size in a long soak.
	var poolMu sync.Mutex
	pool := append([]string(nil), pop.workers...)
	worker := func(r *rand.Rand) string {
		poolMu.Lock()
		defer poolMu.Unlock()
		return pool[len(pool)-1-r.IntN(min(len(pool), 64))]
	}
	c.close()
	start := sampleMem()

	stats := &soakStats{ok: map[string]int{}}
	var seq atomic.Uint64
	// The heap is sampled through the load (sampleMem); the two points
	// compared are each the least non-Badger heap of the samples over a
	// tenth of the load: from a third of the way, and the last tenth with
	// the sample taken after it. A leak raises the least sample too.
	var heapMu sync.Mutex
	var heapSamples []memSample
	sampled := make(chan struct{})
	begin := time.Now()
	deadline := begin.Add(d)
	var wg sync.WaitGroup
	go func() {
		defer close(sampled)
		step := max(d/60, 500*time.Millisecond)
		for {
			select {
			case <-time.After(step):
			case <-ctx.Done():
				return
			}
			at := time.Since(begin)
			if at >= d {
				return
			}
			m := sampleMem()
			m.at = at
			heapMu.Lock()
			heapSamples = append(heapSamples, m)
			heapMu.Unlock()
		}
	}()
	for g := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			var myKeys []string // Idempotency-Keys this client used, to replay
			var myBodies []string
			for i := 0; i < 10_000_000 && time.Now().Before(deadline); i++ {
				n := seq.Add(1)
				switch op := r.IntN(20); {
				case op < 8: // a crossing, with an Idempotency-Key
					body := fmt.Sprintf(`{"worker_id":%q,"direction":"%s","occurred_at":%q,"post":"%s"}`,
						worker(r), []string{"entry", "exit"}[n%2], time.Now().UTC().Add(-time.Hour).Format(time.RFC3339Nano), borderPost)
					key := fmt.Sprintf("soak-%d", n)
					stats.add("crossing", expectStatus(c, 201, "POST", "/v1/crossings", tk["border"], body, key, false))
					if len(myKeys) < 1000 {
						myKeys, myBodies = append(myKeys, key), append(myBodies, body)
					}
				case op < 9 && len(myKeys) > 0: // replay a crossing
					k := r.IntN(len(myKeys))
					stats.add("crossing replayed", expectStatus(c, 201, "POST", "/v1/crossings", tk["border"], myBodies[k], myKeys[k], true))
				case op < 10: // a small batch, half of whose client_refs were sent before
					var b strings.Builder
					b.WriteString(`{"crossings":[`)
					for k := range 20 {
						if k > 0 {
							b.WriteByte(',')
						}
						ref := fmt.Sprintf("soak-%d-%d", n, k)
						if k%2 == 1 && n > 100 {
							ref = fmt.Sprintf("soak-%d-%d", n-uint64(r.IntN(50)), k-1)
						}
						fmt.Fprintf(&b, `{"worker_id":%q,"direction":"entry","occurred_at":"2026-01-02T03:04:05Z","client_ref":%q}`, worker(r), ref)
					}
					b.WriteString(`]}`)
					stats.add("batch", expectStatus(c, 200, "POST", "/v1/crossings/batch", tk["border"], b.String(), "", false))
				case op < 13:
					stats.add("history", expectStatus(c, 200, "GET", "/v1/workers/"+worker(r)+"/history", tk["employer"], "", "", false))
				case op < 15:
					size := max(1, logSizeOf(c))
					stats.add("entries", expectStatus(c, 200, "GET", fmt.Sprintf("/v1/log/entries?start=%d&limit=100", r.Uint64N(size)), tk["inspector"], "", "", false))
				case op < 16:
					size := max(2, logSizeOf(c))
					stats.add("inclusion proof", expectStatus(c, 200, "GET", fmt.Sprintf("/v1/log/proof/inclusion?index=%d", r.Uint64N(size-1)), tk["inspector"], "", "", false))
					stats.add("consistency proof", expectStatus(c, 200, "GET", fmt.Sprintf("/v1/log/proof/consistency?from=%d&to=%d", 1+r.Uint64N(size-1), size), "", "", "", false))
				case op < 18:
					stats.add("checkpoint", expectStatus(c, 200, "GET", "/v1/log/checkpoint", "", "", "", false))
				default: // refusals the server must answer as such
					for _, x := range []struct {
						code                      int
						method, path, token, body string
					}{
						{404, "GET", "/v1/workers/wkr_01ZZZZZZZZZZZZZZZZZZZZZZZZ/history", tk["employer"], ""},
						{422, "POST", "/v1/crossings", tk["border"], fmt.Sprintf(`{"worker_id":%q,"direction":"sideways","occurred_at":"2026-01-02T03:04:05Z"}`, worker(r))},
						{401, "GET", "/v1/log/entries", "not-a-token", ""},
					} {
						if err := expectStatus(c, x.code, x.method, x.path, x.token, x.body, "", false); err != nil {
							stats.add("refusal", err)
						} else {
							stats.mu.Lock()
							stats.expected++
							stats.mu.Unlock()
						}
					}
				}
			}
		})
	}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		time.Sleep(min(left, 5*time.Second))
		if time.Until(deadline) > time.Second {
			pop.addWorkers(t, c, 16)
			poolMu.Lock()
			pool = append(pool, pop.workers...)
			poolMu.Unlock()
		}
	}
	wg.Wait()
	elapsed := time.Since(begin)
	<-sampled
	if len(stats.failures) > 0 {
		t.Fatalf("%d requests failed:\n%s", len(stats.failures), strings.Join(stats.failures, "\n"))
	}
	size := logSizeOf(c)

	// Every connection closed, the server's goroutines go back to where
	// they were (polled: connection goroutines end as they read EOF).
	c.close()
	var end memSample
	for wait := time.Now().Add(10 * time.Second); ; {
		end = sampleMem()
		if end.goroutines <= start.goroutines+5 || time.Now().After(wait) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := os.Getenv("TRAZO_SOAK_HEAPPROFILE"); p != "" {
		writeHeapProfile(t, p)
	}
	t.Logf("%s: %d requests (%.0f/s), %d expected refusals; by kind %v; log size %d",
		elapsed.Round(time.Second), stats.total(), float64(stats.total())/elapsed.Seconds(), stats.expected, stats.ok, size)
	t.Logf("goroutines %d at the start, %d at the end", start.goroutines, end.goroutines)
	if end.goroutines > start.goroutines+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d at the start, %d at the end\n%s", start.goroutines, end.goroutines, buf[:runtime.Stack(buf, true)])
	}
	// Generous (1.25 × + 8 MiB), yet a leak of ~500 bytes a request
	// exceeds it in 40 s (tens of thousands of requests), and of a few
	// dozen bytes in a 30-minute soak.
	third, thirdN := leastOther(heapSamples, d/3, d/3+d/10)
	last, lastN := leastOther(heapSamples, d-d/10, d)
	last = min(last, end.other)
	var peak, badgerMin, badgerMax uint64 = 0, math.MaxUint64, 0
	for _, s := range append(heapSamples, end) {
		peak = max(peak, s.heapInuse)
		badgerMin, badgerMax = min(badgerMin, s.badger), max(badgerMax, s.badger)
	}
	t.Logf("heap in use (after a GC) outside Badger and the row cache: %.1f MiB at the start; least of %d samples from a third of the way %.1f MiB, of %d in the last tenth and after it %.1f MiB",
		mib(start.other), thirdN, mib(third), lastN+1, mib(last))
	t.Logf("heap in use in all: %.1f MiB at the start, %.1f MiB at the end, at most %.1f MiB; Badger's share between %.1f and %.1f MiB",
		mib(start.heapInuse), mib(end.heapInuse), mib(peak), mib(badgerMin), mib(badgerMax))
	var timeline strings.Builder
	for _, s := range heapSamples {
		fmt.Fprintf(&timeline, " %s:%.0f/%.0f", s.at.Round(time.Second), mib(s.badger), mib(s.other))
	}
	t.Logf("heap by sample (time: MiB allocated by Badger / by the rest):%s", timeline.String())
	if thirdN == 0 {
		t.Errorf("no heap sample a third of the way in")
	} else if limit := third + third/4 + 8<<20; last > limit {
		t.Errorf("heap in use outside Badger and the row cache grew from %.1f MiB (a third of the way) to %.1f MiB (the end), over %.1f MiB",
			mib(third), mib(last), mib(limit))
	}
	var rowCacheSeen bool
	for _, s := range append(heapSamples, end) {
		rowCacheSeen = rowCacheSeen || s.rowCache > 0
	}
	if !rowCacheSeen {
		t.Errorf("no heap sample was attributed to the row cache (%s): was it moved or renamed?", rowCacheFuncs)
	}
	for _, kind := range []string{"crossing", "crossing replayed", "batch", "history", "entries", "inclusion proof", "consistency proof", "checkpoint"} {
		if stats.ok[kind] == 0 {
			t.Errorf("no %s request succeeded", kind)
		}
	}
	if stats.expected == 0 {
		t.Errorf("no refusal was tried")
	}
	if os.Getenv("TRAZO_SOAK") != "" {
		// In a long soak (scripts/soak.sh): Badger keeps up to 8 sets of
		// table-builder buffers while writes go on, and gives back one every
		// 2 s in which no table was built (docs/OPERATIONS.md, "Memory").
		// Once the load has stopped, its share must fall to about its
		// memtables, caches and the row cache (~180 MiB by their settings).
		stopped := time.Now()
		limit := max(badgerMax/4, 256<<20)
		idle := sampleMem()
		for idle.badger > limit && time.Since(stopped) < time.Minute {
			time.Sleep(2 * time.Second)
			idle = sampleMem()
		}
		t.Logf("idle: Badger's share %.1f MiB %s after the load (at most %.1f MiB under it)", mib(idle.badger), time.Since(stopped).Round(time.Second), mib(badgerMax))
		if idle.badger > limit {
			t.Errorf("Badger's share still %.1f MiB a minute after the load stopped, over %.1f MiB (at most %.1f MiB under it)", mib(idle.badger), mib(limit), mib(badgerMax))
		}
	}

	stopServer()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"verify", "--data-dir", dir}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("trazo verify after the soak: %v", err)
	}
	if want := fmt.Sprintf("ok: %d entries", size); !strings.HasPrefix(out.String(), want) {
		t.Errorf("verify says %q, want %q", out.String(), want)
	}
}

// writeHeapProfile writes a heap profile of this process (the server's
// heap, with the clients') to path, for "go tool pprof".
func writeHeapProfile(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
	t.Logf("heap profile written to %s", path)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// expectStatus sends a request and returns an error unless it answers
// want (and, for a replay, is marked Idempotent-Replayed).
func expectStatus(c *apiClient, want int, method, path, token, body, key string, replay bool) error {
	code, hdr, b, err := c.do(method, path, token, body, key)
	if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("%s %s = %d, want %d: %.300s", method, path, code, want, b)
	}
	if replay && hdr.Get("Idempotent-Replayed") != "true" {
		return fmt.Errorf("%s %s with a used Idempotency-Key was not a replay", method, path)
	}
	if want < 300 && strings.HasPrefix(hdr.Get("Content-Type"), "application/json") && !json.Valid(b) {
		return fmt.Errorf("%s %s: invalid JSON %.100s", method, path, b)
	}
	return nil
}

// logSizeOf returns the log's size from the public checkpoint (0 if it
// cannot be read).
func logSizeOf(c *apiClient) uint64 {
	code, _, b, err := c.do("GET", "/v1/log/checkpoint", "", "", "")
	if err != nil || code != 200 {
		return 0
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) < 2 {
		return 0
	}
	var n uint64
	fmt.Sscan(lines[1], &n)
	return n
}
