package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// reindexActor is the caller reindex counts employers as.
var reindexActor = ledger.Actor{Sub: "trazo-reindex", Role: ledger.RoleMinistry, Org: "trazo"}

func runReindex(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("reindex", "Rebuilds every projection (worker status, indexes, report rows) from the log alone, and says whether they had drifted from it. The server must not be running on the directory.",
		"trazo reindex --data-dir ./data", stderr)
	var lf ledgerFlags
	lf.register(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	l, svc, err := lf.openService(true)
	if err != nil {
		return err
	}
	defer l.Close()
	before, err := svc.ProjectionDigest(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := svc.Rebuild(ctx); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	took := time.Since(start)
	after, err := svc.ProjectionDigest(ctx)
	if err != nil {
		return err
	}
	workers, employers, err := countSubjects(ctx, svc)
	if err != nil {
		return err
	}
	drift := "the projections were already those of the log"
	if !bytes.Equal(before, after) {
		drift = "the projections had drifted from the log and were replaced"
	}
	fmt.Fprintf(stdout, "reindexed %d entries in %s: %d workers, %d employers; %s\n",
		l.Size(), took.Round(time.Millisecond), workers, employers, drift)
	return nil
}

// countSubjects counts the workers and employers of the projections.
func countSubjects(ctx context.Context, svc *ledger.Service) (workers, employers int, err error) {
	if err := svc.ScanWorkerSummaries(ctx, func(*ledger.WorkerSummary) error { workers++; return nil }); err != nil {
		return 0, 0, fmt.Errorf("count workers: %w", err)
	}
	req := ledger.ListRequest{Limit: 1000}
	for {
		page, err := svc.ListEmployers(ctx, reindexActor, req)
		if err != nil {
			return 0, 0, fmt.Errorf("count employers: %w", err)
		}
		employers += len(page.Employers)
		if page.NextCursor == "" {
			return workers, employers, nil
		}
		req.Cursor = page.NextCursor
	}
}
