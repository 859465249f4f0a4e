package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/trazo-ledger/trazo/ledger/demo"
)

func runSeed(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "Appends a synthetic, realistic data set of circular labor mobility to a data directory through the real domain rules (the server must not be running on it): employers, workers, seasonal permits, crossings, placements, transfers, returns next season, overstays, erasures.",
		"trazo seed --data-dir ./data-big --workers 1000000 --seasons 3", stderr)
	var lf ledgerFlags
	lf.register(fs)
	workers := fs.Int("workers", 1000, "number of workers")
	seasons := fs.Int("seasons", 3, "number of seasons")
	seedValue := fs.Uint64("seed", 1, "random seed (the same seed gives the same data set, up to ids)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *workers < 1 || *seasons < 1 {
		return usageError("--workers and --seasons must be at least 1")
	}
	l, svc, err := lf.openService(false) // seeding may start a new data directory
	if err != nil {
		return err
	}
	defer l.Close()
	bar := progressbar.NewOptions(*workers,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("seeding workers"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("workers"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	start, size := time.Now(), l.Size()
	stats, err := demo.Bulk(ctx, svc, demo.BulkOptions{
		Workers: *workers, Seasons: *seasons, Country: lf.country,
		Rand:     rand.New(rand.NewPCG(*seedValue, 2)),
		Progress: func(done, _ int) { bar.Set(done) },
	})
	bar.Finish()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	took := time.Since(start)
	appended := l.Size() - size
	fmt.Fprintf(stdout, "seeded %d workers, %d employers, %d entries (%d permits, %d crossings, %d placements, %d transfers, %d overstays, %d erased), seasons %v, in %s (%.0f entries/s)\n",
		stats.Workers, stats.Employers, appended, stats.Permits, stats.Crossings, stats.Placements, stats.Transfers, stats.Overstays, stats.Erased, stats.Seasons,
		took.Round(time.Millisecond), float64(appended)/took.Seconds())
	return nil
}
