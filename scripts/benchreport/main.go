// Command benchreport measures circular-mobility reports at national scale:
// it seeds a ledger through the real ledger service (demo.Bulk), then
// times an annual ungrouped report and reports grouped by two dimensions,
// computed from the projections, against a full scan of the log (every
// entry read and decoded) measured in the same run.
//
//	go run ./scripts/benchreport -workers 1000000 -dir /var/tmp/trazo-report-1m
//
// A directory that already holds a seeded ledger is reused as it is.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/demo"
	"github.com/trazo-ledger/trazo/ledger/report"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func main() {
	workers := flag.Int("workers", 1_000_000, "workers to seed")
	seasons := flag.Int("seasons", 3, "seasons to seed")
	dir := flag.String("dir", "", "data directory (default: a new temporary one, removed afterwards); reused if it holds a ledger")
	runs := flag.Int("runs", 5, "times each report is computed")
	concurrency := flag.Int("concurrency", 256, "workers seeded at once")
	groups := flag.String("group-by", "nationality,sex;sector,region;employer,month", "groupings of the grouped reports, separated by ';'")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the reports to this file")
	seedProfile := flag.String("seed-cpuprofile", "", "write a CPU profile of the seeding to this file")
	scan := flag.Bool("scan", true, "also time a full scan of the log")
	parallel := flag.Int("parallel", 0, "goroutines scanning the facts (default GOMAXPROCS)")
	seedCache := flag.Int64("seed-cache-mb", 512, "Badger block and index cache sizes (MiB each) while seeding; the reports run with the ledger's defaults")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "benchreport")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	ctx := context.Background()
	opts := tlog.Options{Origin: "bench.trazo.local/log"}
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())

	// Seeding reads worker rows at every append: with the default 32 MiB
	// index cache, table indexes thrash past ~2 million entries and the
	// seeding slows tenfold. The reports are measured with the defaults.
	seedOpts := opts
	seedOpts.Memory = tlog.Memory{MemTableSize: 64 << 20, NumMemtables: 5, BlockCacheSize: *seedCache << 20, IndexCacheSize: *seedCache << 20}
	l, svc := open(*dir, seedOpts)
	if l.Size() == 0 {
		if *seedProfile != "" {
			f, err := os.Create(*seedProfile)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
		}
		start := time.Now()
		last := time.Now()
		st, err := demo.Bulk(ctx, svc, demo.BulkOptions{
			Workers: *workers, Seasons: *seasons, Rand: rand.New(rand.NewPCG(2026, 4)), Concurrency: *concurrency,
			Progress: func(done, total int) {
				if time.Since(last) > 10*time.Second || done == total {
					last = time.Now()
					el := time.Since(start)
					fmt.Fprintf(os.Stderr, "seed: %d/%d workers, %d entries, %s, %.0f entries/s\n", done, total, l.Size(), el.Round(time.Second), float64(l.Size())/el.Seconds())
				}
			}})
		if err != nil {
			log.Fatal(err)
		}
		if *seedProfile != "" {
			pprof.StopCPUProfile()
		}
		fmt.Printf("seeded %d workers, %d employers, %d entries (%d permits, %d crossings, %d placements, %d transfers, %d overstays, %d erased), seasons %v, in %s\n",
			st.Workers, st.Employers, l.Size(), st.Permits, st.Crossings, st.Placements, st.Transfers, st.Overstays, st.Erased, st.Seasons, time.Since(start).Round(time.Second))
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	l, svc = open(*dir, opts)
	defer l.Close()
	fmt.Printf("log: %d entries\n", l.Size())

	// The annual report covers the last complete season's calendar year.
	year := lastYear(svc)
	from, to := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
	eng := report.New(svc, report.Options{Parallel: *parallel})
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	type result struct {
		name   string
		times  []time.Duration
		rows   int
		target time.Duration
	}
	var results []result
	measure := func(name string, groupBy []string, target time.Duration) {
		req := report.Request{From: from, To: to, GroupBy: groupBy, MinCell: report.DefaultMinCell}
		r := result{name: name, target: target}
		for range *runs {
			start := time.Now()
			rep, err := eng.Compute(ctx, req)
			if err != nil {
				log.Fatal(err)
			}
			// Writing the answer is part of the cost.
			if err := report.Write(io.Discard, rep, "json"); err != nil {
				log.Fatal(err)
			}
			r.times = append(r.times, time.Since(start))
			r.rows = len(rep.Rows)
			if len(groupBy) == 0 && len(r.times) == 1 {
				t := rep.Totals
				fmt.Printf("totals %s..%s: workers %d, placements started %d, ended %d, entries %d, exits %d, returning %d, same employer %d, circular %d, overstays %d, mean stay %.2f days\n",
					from, to, t.Count(report.Workers).N, t.Count(report.PlacementsStarted).N, t.Count(report.PlacementsEnded).N,
					t.Count(report.Entries).N, t.Count(report.Exits).N, t.Count(report.ReturningWorkers).N, t.Count(report.SameEmployerReturns).N,
					t.Count(report.CircularReturns).N, t.Count(report.Overstays).N, t.MeanStayDays.Days)
			}
		}
		results = append(results, r)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average before the reports: %s", b) // other work on the machine skews the figures
	}
	measure("annual, ungrouped", nil, time.Second)
	for _, g := range strings.Split(*groups, ";") {
		if g = strings.TrimSpace(g); g != "" {
			measure("annual, by "+g, strings.Split(g, ","), 2*time.Second)
		}
	}
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}

	var scanTime time.Duration
	if *scan {
		start := time.Now()
		n, err := scanLog(l)
		if err != nil {
			log.Fatal(err)
		}
		scanTime = time.Since(start)
		fmt.Printf("full log scan: %d entries read and decoded in %s\n", n, scanTime.Round(time.Millisecond))
	}

	fmt.Printf("\n%-36s %8s %10s %10s %10s %12s\n", "report", "rows", "median", "min", "target", "vs log scan")
	for _, r := range results {
		slices.Sort(r.times)
		ratio := "-"
		if scanTime > 0 {
			ratio = fmt.Sprintf("%.0f× faster", float64(scanTime)/float64(r.times[len(r.times)/2]))
		}
		fmt.Printf("%-36s %8d %10s %10s %10s %12s\n", r.name, r.rows, r.times[len(r.times)/2].Round(time.Millisecond),
			r.times[0].Round(time.Millisecond), "< "+r.target.String(), ratio)
	}
}

func open(dir string, opts tlog.Options) (*tlog.Log, *ledger.Service) {
	l, err := tlog.Open(dir, opts)
	if err != nil {
		log.Fatal(err)
	}
	svc, err := ledger.New(l, ledger.Config{Country: "CRI"})
	if err != nil {
		log.Fatal(err)
	}
	return l, svc
}

// lastYear returns the latest year in which a season started: the latest
// with at least a tenth of the placement starts of the busiest year (a few
// transfers start placements in the next year).
func lastYear(svc *ledger.Service) int {
	var starts [2]map[int]int
	err := svc.ScanFacts(context.Background(), len(starts), func(part int, f *ledger.Facts) error {
		if starts[part] == nil {
			starts[part] = map[int]int{}
		}
		for _, p := range f.Placements {
			starts[part][p.Start.Time().Year()]++
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	all, most := map[int]int{}, 0
	for _, m := range starts {
		for y, n := range m {
			all[y] += n
			most = max(most, all[y])
		}
	}
	year := 0
	for y, n := range all {
		if n >= most/10 && y > year {
			year = y
		}
	}
	return year
}

// scanLog reads every entry of the log and decodes it, as replaying the
// log for a report would at the least.
func scanLog(l *tlog.Log) (int, error) {
	n := 0
	for start := uint64(0); start < l.Size(); {
		entries, err := l.Entries(start, 1000)
		if err != nil {
			return n, err
		}
		if len(entries) == 0 {
			break
		}
		for _, b := range entries {
			if _, err := ledger.DecodeEntry(b); err != nil {
				return n, err
			}
			n++
		}
		start += uint64(len(entries))
	}
	return n, nil
}
