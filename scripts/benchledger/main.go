// Command benchledger measures the ledger at scale: it fills a log with N
// ~300-byte entries, then measures Open (restoring the tree's right edge)
// and the latency of inclusion and consistency proofs at that size.
//
//	go run ./scripts/benchledger -entries 10000000 -dir /var/tmp/trazo-10m
//
// A directory that already holds a log is reused (filled up to -entries).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func main() {
	entries := flag.Uint64("entries", 1_000_000, "log size to measure at")
	dir := flag.String("dir", "", "data directory (default: a new temporary one, removed afterwards)")
	proofs := flag.Int("proofs", 20000, "number of proofs to time")
	opens := flag.Int("opens", 5, "number of Open calls to time")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "benchledger")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	opts := tlog.Options{Origin: "bench.trazo.local/log"}
	fmt.Printf("machine: %d CPUs, %s\n", runtime.NumCPU(), runtime.Version())

	l, err := tlog.Open(*dir, opts)
	if err != nil {
		log.Fatal(err)
	}
	fill(l, *entries)
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}

	var openTimes []time.Duration
	for range *opens {
		start := time.Now()
		l, err = tlog.Open(*dir, opts)
		if err != nil {
			log.Fatal(err)
		}
		openTimes = append(openTimes, time.Since(start))
		if err := l.Close(); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("open at %d entries: median %v, max %v (%d runs)\n", *entries, pct(openTimes, 50), pct(openTimes, 100), len(openTimes))

	l, err = tlog.Open(*dir, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	size := l.Size()
	rnd := rand.New(rand.NewPCG(1, 2))
	var incl, cons []time.Duration
	for range *proofs {
		index := rnd.Uint64N(size)
		start := time.Now()
		if _, err := l.InclusionProof(index, size); err != nil {
			log.Fatal(err)
		}
		incl = append(incl, time.Since(start))
		from := 1 + rnd.Uint64N(size-1)
		start = time.Now()
		if _, err := l.ConsistencyProof(from, size); err != nil {
			log.Fatal(err)
		}
		cons = append(cons, time.Since(start))
	}
	fmt.Printf("inclusion proof at %d: p50 %v, p99 %v, max %v (%d proofs)\n", size, pct(incl, 50), pct(incl, 99), pct(incl, 100), len(incl))
	fmt.Printf("consistency proof to %d: p50 %v, p99 %v, max %v (%d proofs)\n", size, pct(cons, 50), pct(cons, 99), pct(cons, 100), len(cons))
}

// fill appends ~300-byte entries until the log has n, from 4 goroutines
// each sending batches of 1000, and prints the rate.
func fill(l *tlog.Log, n uint64) {
	if l.Size() >= n {
		return
	}
	pad := strings.Repeat("x", 40)
	fn := func(_ *tlog.Tx, index uint64, at time.Time) ([]byte, error) {
		return fmt.Appendf(nil, `{"index":%d,"type":"crossing.recorded","recorded_at":%q,"actor":{"sub":"officer-17","role":"border","org":"CR-PB"},"worker_id":"wkr_01JD2X8Y3ZK7Q5M9N4P6R8T0VW","data":{"direction":"entry","occurred_at":"2026-01-14T08:12:00Z","post":"CR-PB"},"pad":"%s"}`,
			index, at.Format(time.RFC3339Nano), pad), nil
	}
	batch := slices.Repeat([]tlog.AppendFunc{fn}, 1000)
	start, from := time.Now(), l.Size()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for l.Size() < n {
				if _, _, err := l.AppendBatch(context.Background(), batch); err != nil {
					log.Fatal(err)
				}
			}
		})
	}
	lastReport := time.Now()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			el := time.Since(start)
			fmt.Printf("filled %d entries in %v (%.0f entries/s)\n", l.Size()-from, el.Round(time.Millisecond), float64(l.Size()-from)/el.Seconds())
			return
		case <-time.After(time.Second):
			if time.Since(lastReport) > 10*time.Second {
				fmt.Fprintf(os.Stderr, "  %d entries\n", l.Size())
				lastReport = time.Now()
			}
		}
	}
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i]
}
