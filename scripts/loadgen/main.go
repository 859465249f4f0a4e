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

// config is what the command line asks for.
type config struct {
	bin, dir             string
	dur, roundLen        time.Duration
	levels, batchLevels  string // as given
	levelList, batchList []int
	readers, underLoad   int
	nLoad, nRead         int
	only                 string
}

// parseFlags reads the command line; an error for a missing -trazo or a
// list of clients that is not one.
func parseFlags() (*config, error) {
	var cfg config
	flag.StringVar(&cfg.bin, "trazo", "", "trazo binary to run (go build -o /tmp/trazo ./cmd/trazo)")
	flag.StringVar(&cfg.dir, "dir", "", "data directory, new or empty (default: a new temporary one, removed afterwards)")
	short := flag.Bool("short", false, "short run: 2 s a measurement, 3,000 load workers, 50 read workers (unless set)")
	flag.DurationVar(&cfg.dur, "duration", 10*time.Second, "length of each measurement")
	flag.DurationVar(&cfg.roundLen, "round", time.Second, "length of one round of the interleaved ledger, baseline and append measurements")
	flag.StringVar(&cfg.levels, "clients", "1,25,64", "numbers of concurrent clients for appends and the baseline")
	flag.StringVar(&cfg.batchLevels, "batch-clients", "1,4", "numbers of concurrent clients sending batches of 1,000")
	flag.IntVar(&cfg.readers, "readers", 8, "concurrent history readers")
	flag.IntVar(&cfg.underLoad, "read-load-clients", 25, "appending clients while the history is read under load")
	flag.IntVar(&cfg.nLoad, "workers", 20000, "workers the appended crossings are spread over")
	flag.IntVar(&cfg.nRead, "read-workers", 200, "workers with a realistic history to read")
	flag.StringVar(&cfg.only, "only", "", "comma-separated phases to run (ledger, baseline, append, idem, batch, history, restart); default all")
	flag.Parse()
	if cfg.bin == "" {
		return nil, fmt.Errorf("-trazo is required (go build -o /tmp/trazo ./cmd/trazo)")
	}
	if *short {
		if !isSet("duration") {
			cfg.dur = 2 * time.Second
		}
		if !isSet("workers") {
			cfg.nLoad = 3000
		}
		if !isSet("read-workers") {
			cfg.nRead = 50
		}
	}
	var err error
	if cfg.levelList, err = ints(cfg.levels); err != nil {
		return nil, err
	}
	if cfg.batchList, err = ints(cfg.batchLevels); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// phase reports whether the phase name is to run.
func (cfg *config) phase(name string) bool {
	return cfg.only == "" || strings.Contains(","+cfg.only+",", ","+name+",")
}

// rounds returns the number of interleaved rounds in a measurement.
func (cfg *config) rounds() int { return max(1, int(cfg.dur/cfg.roundLen)) }

// run measures, and returns an error if the server could not be run or a
// request failed; it always stops the server and removes its temporary
// directory.
func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "trazo-loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if cfg.dir == "" {
		cfg.dir = tmp + "/data"
	}
	logFile, err := os.Create(tmp + "/serve.log")
	if err != nil {
		return err
	}
	defer logFile.Close()

	fmt.Printf("machine: %d CPUs, %s, load average at start %s\n", runtime.NumCPU(), runtime.Version(), loadavg())
	fmt.Printf("settings: %s a measurement, clients %s, batch clients %s, %d load workers, %d read workers\n\n",
		cfg.dur, cfg.levels, cfg.batchLevels, cfg.nLoad, cfg.nRead)

	srv, err := startServer(cfg.bin, cfg.dir, "127.0.0.1:0", logFile)
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
	s := &session{cfg: cfg, tmp: tmp, srv: srv, logFile: logFile,
		ledgerAt: map[int]result{}, appendAt: map[int]result{}, baseAt: map[int]result{}}
	if err := s.measureAll(); err != nil {
		return s.fail(err)
	}
	end, err := s.finish()
	if err != nil {
		return s.fail(err)
	}
	if errs := s.printSummary(end); errs > 0 {
		return fmt.Errorf("%d requests failed", errs)
	}
	return nil
}

// session is one run against one server: its client, tokens and
// population, and what was measured.
type session struct {
	cfg     *config
	tmp     string
	srv     *server
	logFile *os.File
	c       *client
	tk      *tokens
	pop     *population

	crossings atomic.Uint64 // spreads crossings over the load workers, alternating entry and exit
	batches   atomic.Uint64

	results []result
	// By number of clients, for the targets.
	ledgerAt, appendAt, baseAt map[int]result
	bestBatch, bestRaw         float64
	histLoaded                 result
}

// fail stops the server and returns err with the end of the server's log.
func (s *session) fail(err error) error {
	s.srv.kill()
	return fmt.Errorf("%w\nserver log (end): %s", err, tail(s.logFile.Name()))
}

func (s *session) mint(role, org, sub string) (string, error) {
	return token(s.cfg.bin, s.cfg.dir, role, org, sub)
}

// add keeps and prints a result.
func (s *session) add(r result) {
	s.results = append(s.results, r)
	fmt.Println(r.line())
}

// measureAll mints the tokens, seeds the population and runs the phases
// asked for.
func (s *session) measureAll() error {
	s.tk = &tokens{}
	for _, x := range []struct {
		p               *string
		role, org, user string
	}{{&s.tk.ministry, "ministry", "DGME", "ministry.loadgen"}, {&s.tk.border, "border", "PASO-CANOAS", "officer.loadgen"}, {&s.tk.inspector, "inspector", "MTSS", "inspector.loadgen"}} {
		var err error
		if *x.p, err = s.mint(x.role, x.org, x.user); err != nil {
			return err
		}
	}
	s.c = newClient(s.srv.url(), 128)
	seedStart := time.Now()
	pop, err := seed(s.c, s.tk, s.mint, s.cfg.nLoad, s.cfg.nRead, 32)
	if err != nil {
		return err
	}
	s.pop = pop
	fmt.Printf("seeded %d load workers and %d read workers (%d entries) in %s\n\n", s.cfg.nLoad, s.cfg.nRead, logSize(s.c), time.Since(seedStart).Round(time.Millisecond))

	if err := s.measureLevels(); err != nil {
		return err
	}
	if s.cfg.phase("idem") {
		s.add(measure(s.srv, s.c, "POST /v1/crossings with Idempotency-Key", 25, s.cfg.dur, s.appendOp(true)))
	}
	if s.cfg.phase("batch") {
		if err := s.measureBatches(); err != nil {
			return err
		}
	}
	if s.cfg.phase("history") {
		s.measureHistory()
	}
	return nil
}

// serverEnd is what is read of the server at the end of the run.
type serverEnd struct {
	hwmKB, anonKB, fileKB int64
	size                  uint64
	shutdown, ready       time.Duration // of the restart, if any
	logBytes              int64         // access log written
}

// finish reads the server's memory and log size, restarts it if asked,
// and stops it.
func (s *session) finish() (serverEnd, error) {
	var end serverEnd
	var err error
	if end.hwmKB, err = procStatusKB(s.srv.pid(), "VmHWM"); err != nil {
		return end, err
	}
	// Resident memory now, split: anonymous (heap, memtables) and
	// file-backed (Badger's memory-mapped tables, page cache the kernel
	// can reclaim).
	end.anonKB, _ = procStatusKB(s.srv.pid(), "RssAnon")
	end.fileKB, _ = procStatusKB(s.srv.pid(), "RssFile")
	end.size = logSize(s.c)
	s.c.hc.CloseIdleConnections()
	if s.cfg.phase("restart") {
		if end.shutdown, end.ready, err = s.srv.restart(); err != nil {
			return end, err
		}
	}
	if _, err := s.srv.stop(); err != nil {
		return end, err
	}
	st, _ := s.logFile.Stat()
	end.logBytes = st.Size()
	return end, nil
}

// printSummary prints the table of results, the server's figures and the
// targets, and returns the number of failed requests.
func (s *session) printSummary(end serverEnd) (errs int) {
	fmt.Printf("\n## Summary (%s a measurement; %d CPUs shared by the server and this load generator)\n\n", s.cfg.dur, runtime.NumCPU())
	fmt.Println("| measurement | clients | rate /s | p50 | p99 | server CPU µs/unit | loadgen CPU share | entries/commit | Badger commit mean | server RSS (Go heap) after | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range s.results {
		fmt.Println(r.row())
		errs += r.errors
	}
	fmt.Printf("\nlog size at the end: %d entries; server peak RSS (VmHWM): %.0f MiB (now %.0f MiB anonymous, %.0f MiB file-backed); access log written: %.0f MiB\n", end.size, float64(end.hwmKB)/1024, float64(end.anonKB)/1024, float64(end.fileKB)/1024, float64(end.logBytes)/(1<<20))
	if s.cfg.phase("restart") {
		fmt.Printf("restart at %d entries: SIGTERM to exit %s; start to /readyz 200 %s\n", end.size, end.shutdown.Round(time.Millisecond), end.ready.Round(time.Millisecond))
	}
	s.printTargets()
	return errs
}

// printTargets prints which of the targets of issue 7 are met.
func (s *session) printTargets() {
	fmt.Printf("\n## Targets (issue 7)\n\n")
	target := func(name string, ok bool, got string) {
		verdict := "MET"
		if !ok {
			verdict = "NOT MET"
		}
		fmt.Printf("- %-44s %-8s %s\n", name, verdict, got)
	}
	ofLedger := func(n int, r result) string {
		if l, ok := s.ledgerAt[n]; ok && l.units > 0 {
			return fmt.Sprintf(" (%.0f%% of ledger.Append alone in this run, %.0f/s)", 100*r.rate()/l.rate(), l.rate())
		}
		return ""
	}
	if r, ok := s.appendAt[1]; ok {
		target("1 sequential client >= 3,000 appends/s", r.rate() >= 3000, fmt.Sprintf("%.0f/s", r.rate())+ofLedger(1, r))
	}
	if r, ok := s.appendAt[25]; ok {
		target("25 clients >= 19,000 appends/s", r.rate() >= 19000, fmt.Sprintf("%.0f/s", r.rate())+ofLedger(25, r))
	}
	if r, ok := s.appendAt[64]; ok && s.baseAt[64].units > 0 {
		b := s.baseAt[64]
		target("64 clients >= 50% of the no-op handler", r.rate() >= 0.5*b.rate(), fmt.Sprintf("%.0f/s = %.0f%% of %.0f/s", r.rate(), 100*r.rate()/b.rate(), b.rate())+ofLedger(64, r))
	}
	if s.cfg.phase("batch") {
		target("batch >= 100,000 entries/s", s.bestBatch >= 100000, fmt.Sprintf("%.0f entries/s (best; raw Badger in the same rounds %.0f, ratio %.0f%%)", s.bestBatch, s.bestRaw, 100*s.bestBatch/max(s.bestRaw, 1)))
	}
	if s.cfg.phase("history") {
		target("history p99 < 5 ms (under load)", s.histLoaded.pct(0.99) < 5*time.Millisecond, fmt.Sprintf("p99 %s", fmtDur(s.histLoaded.pct(0.99))))
	}
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
