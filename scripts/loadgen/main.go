// Command loadgen measures a real "trazo serve" process over HTTP on
// 127.0.0.1: durable appends (POST /v1/crossings) at several numbers of
// concurrent keep-alive clients against an authenticated cheap read at the
// same concurrency (GET /v1/employers/{id} as the ministry: token check,
// one store read, JSON), batched ingestion (POST /v1/crossings/batch of
// 1,000), an employer's worker-history reads alone and under an append
// load, the server's peak resident memory, and the time a restart takes
// until /readyz answers 200. It prints a summary table and which of the
// targets of issue 7 are met.
//
//	go build -o /tmp/trazo ./cmd/trazo
//	go run ./scripts/loadgen -trazo /tmp/trazo              # 10 s a measurement
//	go run ./scripts/loadgen -trazo /tmp/trazo -short       # 2 s a measurement
//
// scripts/bench.sh does both steps. It sends traffic to 127.0.0.1 only,
// and every load is bounded in time and in requests.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("loadgen: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// run measures, and returns an error if the server could not be run or a
// request failed; it always stops the server and removes its temporary
// directory.
func run() error {
	bin := flag.String("trazo", "", "trazo binary to run (go build -o /tmp/trazo ./cmd/trazo)")
	dir := flag.String("dir", "", "data directory, new or empty (default: a new temporary one, removed afterwards)")
	short := flag.Bool("short", false, "short run: 2 s a measurement, 3,000 load workers, 50 read workers (unless set)")
	dur := flag.Duration("duration", 10*time.Second, "length of each measurement")
	roundLen := flag.Duration("round", time.Second, "length of one round of the interleaved ledger, baseline and append measurements")
	levels := flag.String("clients", "1,25,64", "numbers of concurrent clients for appends and the baseline")
	batchLevels := flag.String("batch-clients", "1,4", "numbers of concurrent clients sending batches of 1,000")
	readers := flag.Int("readers", 8, "concurrent history readers")
	underLoad := flag.Int("read-load-clients", 25, "appending clients while the history is read under load")
	nLoad := flag.Int("workers", 20000, "workers the appended crossings are spread over")
	nRead := flag.Int("read-workers", 200, "workers with a realistic history to read")
	only := flag.String("only", "", "comma-separated phases to run (ledger, baseline, append, idem, batch, history, restart); default all")
	flag.Parse()
	if *bin == "" {
		return fmt.Errorf("-trazo is required (go build -o /tmp/trazo ./cmd/trazo)")
	}
	if *short {
		if !isSet("duration") {
			*dur = 2 * time.Second
		}
		if !isSet("workers") {
			*nLoad = 3000
		}
		if !isSet("read-workers") {
			*nRead = 50
		}
	}
	phase := func(name string) bool { return *only == "" || strings.Contains(","+*only+",", ","+name+",") }
	levelList, err := ints(*levels)
	if err != nil {
		return err
	}
	batchList, err := ints(*batchLevels)
	if err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "trazo-loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *dir == "" {
		*dir = tmp + "/data"
	}
	logFile, err := os.Create(tmp + "/serve.log")
	if err != nil {
		return err
	}
	defer logFile.Close()

	fmt.Printf("machine: %d CPUs, %s, load average at start %s\n", runtime.NumCPU(), runtime.Version(), loadavg())
	fmt.Printf("settings: %s a measurement, clients %s, batch clients %s, %d load workers, %d read workers\n\n",
		*dur, *levels, *batchLevels, *nLoad, *nRead)

	srv, err := startServer(*bin, *dir, "127.0.0.1:0", logFile)
	if err != nil {
		return err
	}
	defer srv.kill()
	// Interrupted: stop the server and clean up all the same.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		srv.kill()
		os.RemoveAll(tmp)
		os.Exit(130)
	}()
	fail := func(err error) error {
		srv.kill()
		return fmt.Errorf("%w\nserver log (end): %s", err, tail(logFile.Name()))
	}
	mint := func(role, org, sub string) (string, error) { return token(*bin, *dir, role, org, sub) }
	tk := &tokens{}
	for _, x := range []struct {
		p               *string
		role, org, user string
	}{{&tk.ministry, "ministry", "DGME", "ministry.loadgen"}, {&tk.border, "border", "PASO-CANOAS", "officer.loadgen"}, {&tk.inspector, "inspector", "MTSS", "inspector.loadgen"}} {
		if *x.p, err = mint(x.role, x.org, x.user); err != nil {
			return fail(err)
		}
	}
	c := newClient(srv.url(), 128)
	seedStart := time.Now()
	pop, err := seed(c, tk, mint, *nLoad, *nRead, 32)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("seeded %d load workers and %d read workers (%d entries) in %s\n\n", *nLoad, *nRead, logSize(c), time.Since(seedStart).Round(time.Millisecond))

	var results []result
	add := func(r result) {
		results = append(results, r)
		fmt.Println(r.line())
	}
	var ctr atomic.Uint64 // spreads crossings over the load workers, alternating entry and exit
	crossing := func(ref string) []byte {
		n := ctr.Add(1) - 1
		w := pop.load[n%uint64(len(pop.load))]
		dirn := "entry"
		if (n/uint64(len(pop.load)))%2 == 1 {
			dirn = "exit"
		}
		at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		if ref != "" {
			return fmt.Appendf(nil, `{"worker_id":%q,"direction":%q,"occurred_at":%q,"post":"PASO-CANOAS","client_ref":%q}`, w, dirn, at, ref)
		}
		return fmt.Appendf(nil, `{"worker_id":%q,"direction":%q,"occurred_at":%q,"post":"PASO-CANOAS"}`, w, dirn, at)
	}
	appendOp := func(idem bool) op {
		return func(g, i int) (int, error) {
			key := ""
			if idem {
				key = "lg-" + strconv.Itoa(g) + "-" + strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
			}
			code, b, err := c.do("POST", "/v1/crossings", tk.border, crossing(""), key)
			if err != nil {
				return 0, err
			}
			if code != 201 {
				return 0, fmt.Errorf("POST /v1/crossings = %d: %.200s", code, b)
			}
			return 1, nil
		}
	}
	baselineOp := func(g, i int) (int, error) {
		code, b, err := c.do("GET", "/v1/employers/"+pop.employer, tk.ministry, nil, "")
		if err != nil {
			return 0, err
		}
		if code != 200 {
			return 0, fmt.Errorf("GET /v1/employers/{id} = %d: %.200s", code, b)
		}
		return 1, nil
	}
	historyOp := func(g, i int) (int, error) {
		w := pop.read[(g*7919+i)%len(pop.read)]
		code, b, err := c.do("GET", "/v1/workers/"+w+"/history", tk.employer, nil, "")
		if err != nil {
			return 0, err
		}
		if code != 200 {
			return 0, fmt.Errorf("GET /v1/workers/{id}/history = %d: %.200s", code, b)
		}
		return 1, nil
	}
	var batchNo atomic.Uint64
	batchOp := func(g, i int) (int, error) {
		var body bytes.Buffer
		body.WriteString(`{"crossings":[`)
		bn := batchNo.Add(1)
		for k := range 1000 {
			if k > 0 {
				body.WriteByte(',')
			}
			body.Write(crossing(fmt.Sprintf("lg-%d-%d", bn, k)))
		}
		body.WriteString(`]}`)
		code, b, err := c.do("POST", "/v1/crossings/batch", tk.border, body.Bytes(), "")
		if err != nil {
			return 0, err
		}
		if code != 200 {
			return 0, fmt.Errorf("POST /v1/crossings/batch = %d: %.200s", code, b)
		}
		if n := bytes.Count(b, []byte(`"status":"created"`)); n != 1000 {
			return n, fmt.Errorf("batch: %d of 1000 created: %.300s", n, b)
		}
		return 1000, nil
	}

	var appendAt, baseAt = map[int]result{}, map[int]result{}
	// At each number of clients, the reference ledger, the baseline and
	// the appends are measured in interleaved rounds, so that they share
	// the machine's noise (other work, the disk's fsync latency).
	ledgerAt := map[int]result{}
	rounds := max(1, int(*dur / *roundLen))
	for _, n := range levelList {
		var ref *refLedger
		if phase("ledger") {
			if ref, err = openRefLedger(tmp + "/ledger"); err != nil {
				return fail(err)
			}
		}
		if phase("baseline") {
			warm(c, n, baselineOp)
		}
		var lr, br, ar result
		for range rounds {
			if ref != nil {
				lr = merge(lr, ref.measure(n, *dur/time.Duration(rounds)))
			}
			if phase("baseline") {
				br = merge(br, measure(srv, c, "authenticated GET /v1/employers/{id} (baseline)", n, *dur/time.Duration(rounds), baselineOp))
			}
			if phase("append") {
				ar = merge(ar, measure(srv, c, "POST /v1/crossings", n, *dur/time.Duration(rounds), appendOp(false)))
			}
		}
		if ref != nil {
			if err := ref.close(); err != nil {
				return fail(err)
			}
			add(lr)
			ledgerAt[n] = lr
		}
		if phase("baseline") {
			add(br)
			baseAt[n] = br
		}
		if phase("append") {
			add(ar)
			appendAt[n] = ar
		}
	}
	if phase("idem") {
		add(measure(srv, c, "POST /v1/crossings with Idempotency-Key", 25, *dur, appendOp(true)))
	}
	var bestBatch float64
	var bestRaw float64
	if phase("batch") {
		// Interleaved with raw Badger writing the same bytes in
		// transactions of 1,000, so that both share the machine's noise.
		raw, err := openRawBadger(tmp + "/raw")
		if err != nil {
			return fail(err)
		}
		for _, n := range batchList {
			var rr, br result
			for range rounds {
				rr = merge(rr, raw.measureBatches(n, *dur/time.Duration(rounds)))
				br = merge(br, measure(srv, c, "POST /v1/crossings/batch (1,000 each; rate in entries)", n, *dur/time.Duration(rounds), batchOp))
			}
			add(rr)
			add(br)
			if br.rate() > bestBatch {
				bestBatch, bestRaw = br.rate(), rr.rate()
			}
		}
		if err := raw.close(); err != nil {
			return fail(err)
		}
	}
	var histLoaded result
	if phase("history") {
		warm(c, *readers, historyOp)
		add(measure(srv, c, "GET /v1/workers/{id}/history as employer, idle", *readers, *dur, historyOp))
		var appends result
		done := make(chan struct{})
		go func() {
			appends = runLoad("POST /v1/crossings during the reads", *underLoad, *dur, appendOp(false))
			close(done)
		}()
		histLoaded = measure(srv, c, fmt.Sprintf("GET /v1/workers/{id}/history as employer, %d clients appending", *underLoad), *readers, *dur, historyOp)
		<-done
		// The server's CPU and commits in that time were the appends' too.
		appends.commits, appends.commitEnts, appends.commitSecs = histLoaded.commits, histLoaded.commitEnts, histLoaded.commitSecs
		histLoaded.serverCPU, histLoaded.selfCPU, histLoaded.commits = 0, 0, 0
		add(histLoaded)
		add(appends)
	}
	hwm, err := procStatusKB(srv.pid(), "VmHWM")
	if err != nil {
		return fail(err)
	}
	// Resident memory now, split: anonymous (heap, memtables) and
	// file-backed (Badger's memory-mapped tables, page cache the kernel
	// can reclaim).
	anonKB, _ := procStatusKB(srv.pid(), "RssAnon")
	fileKB, _ := procStatusKB(srv.pid(), "RssFile")
	size := logSize(c)
	c.hc.CloseIdleConnections()
	var shutdown, ready time.Duration
	if phase("restart") {
		if shutdown, ready, err = srv.restart(); err != nil {
			return fail(err)
		}
	}
	if _, err := srv.stop(); err != nil {
		return fail(err)
	}
	st, _ := logFile.Stat()

	fmt.Printf("\n## Summary (%s a measurement; %d CPUs shared by the server and this load generator)\n\n", *dur, runtime.NumCPU())
	fmt.Println("| measurement | clients | rate /s | p50 | p99 | server CPU µs/unit | loadgen CPU share | entries/commit | Badger commit mean | server RSS (Go heap) after | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	errs := 0
	for _, r := range results {
		fmt.Println(r.row())
		errs += r.errors
	}
	fmt.Printf("\nlog size at the end: %d entries; server peak RSS (VmHWM): %.0f MiB (now %.0f MiB anonymous, %.0f MiB file-backed); access log written: %.0f MiB\n", size, float64(hwm)/1024, float64(anonKB)/1024, float64(fileKB)/1024, float64(st.Size())/(1<<20))
	if phase("restart") {
		fmt.Printf("restart at %d entries: SIGTERM to exit %s; start to /readyz 200 %s\n", size, shutdown.Round(time.Millisecond), ready.Round(time.Millisecond))
	}

	fmt.Printf("\n## Targets (issue 7)\n\n")
	target := func(name string, ok bool, got string) {
		verdict := "MET"
		if !ok {
			verdict = "NOT MET"
		}
		fmt.Printf("- %-44s %-8s %s\n", name, verdict, got)
	}
	ofLedger := func(n int, r result) string {
		if l, ok := ledgerAt[n]; ok && l.units > 0 {
			return fmt.Sprintf(" (%.0f%% of ledger.Append alone in this run, %.0f/s)", 100*r.rate()/l.rate(), l.rate())
		}
		return ""
	}
	if r, ok := appendAt[1]; ok {
		target("1 sequential client >= 3,000 appends/s", r.rate() >= 3000, fmt.Sprintf("%.0f/s", r.rate())+ofLedger(1, r))
	}
	if r, ok := appendAt[25]; ok {
		target("25 clients >= 19,000 appends/s", r.rate() >= 19000, fmt.Sprintf("%.0f/s", r.rate())+ofLedger(25, r))
	}
	if r, ok := appendAt[64]; ok && baseAt[64].units > 0 {
		b := baseAt[64]
		target("64 clients >= 50% of the no-op handler", r.rate() >= 0.5*b.rate(), fmt.Sprintf("%.0f/s = %.0f%% of %.0f/s", r.rate(), 100*r.rate()/b.rate(), b.rate())+ofLedger(64, r))
	}
	if phase("batch") {
		target("batch >= 100,000 entries/s", bestBatch >= 100000, fmt.Sprintf("%.0f entries/s (best; raw Badger in the same rounds %.0f, ratio %.0f%%)", bestBatch, bestRaw, 100*bestBatch/max(bestRaw, 1)))
	}
	if phase("history") {
		target("history p99 < 5 ms (under load)", histLoaded.pct(0.99) < 5*time.Millisecond, fmt.Sprintf("p99 %s", fmtDur(histLoaded.pct(0.99))))
	}
	if errs > 0 {
		return fmt.Errorf("%d requests failed", errs)
	}
	return nil
}

// warm sends a few requests from n clients, so that connections are open
// and tokens cached before a measurement.
func warm(c *client, n int, fn op) {
	runLoad("warm-up", n, 200*time.Millisecond, fn)
}

func (r result) line() string {
	s := fmt.Sprintf("%-70s %3d clients: %9.0f/s  p50 %8s  p99 %8s  errors %d", r.name, r.clients, r.rate(), fmtDur(r.pct(0.5)), fmtDur(r.pct(0.99)), r.errors)
	if r.firstErr != "" {
		s += " (first: " + r.firstErr + ")"
	}
	return s
}

func (r result) row() string {
	perUnit, share, perCommit, commit, rss := "—", "—", "—", "—", "—"
	if r.rssKB > 0 {
		rss = fmt.Sprintf("%.0f MiB (%.0f)", float64(r.rssKB)/1024, r.heapInuse/(1<<20))
	}
	if r.units > 0 && r.serverCPU > 0 {
		perUnit = fmt.Sprintf("%.0f", float64(r.serverCPU.Microseconds())/float64(r.units))
	}
	if r.selfCPU > 0 {
		share = fmt.Sprintf("%.0f%%", 100*r.selfCPU.Seconds()/(r.selfCPU+r.serverCPU).Seconds())
	}
	if r.commits > 0 {
		perCommit = fmt.Sprintf("%.1f", r.commitEnts/r.commits)
		commit = fmtDur(time.Duration(r.commitSecs / r.commits * float64(time.Second)))
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d |", r.name, r.clients, thousands(r.rate()),
		fmtDur(r.pct(0.5)), fmtDur(r.pct(0.99)), perUnit, share, perCommit, commit, rss, r.errors)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
}

func thousands(f float64) string {
	s := strconv.FormatInt(int64(f+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a list of positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// logSize returns the log size from the public checkpoint.
func logSize(c *client) uint64 {
	b, err := c.expect(200, "GET", "/v1/log/checkpoint", "", nil)
	if err != nil {
		return 0
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(lines[1], 10, 64)
	return n
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
