package demo_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/demo"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func bulkOnce(t *testing.T, workers int) (demo.BulkStats, *tlog.Log) {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	l, err := tlog.Open(t.TempDir(), tlog.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	svc, err := ledger.New(l, ledger.Config{Country: "CRI", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var calls, last int
	st, err := demo.Bulk(context.Background(), svc, demo.BulkOptions{Workers: workers, Rand: rand.New(rand.NewPCG(3, 4)), Concurrency: 16, Now: now,
		Progress: func(done, total int) {
			if done <= last || total != workers {
				t.Errorf("progress %d/%d after %d", done, total, last)
			}
			calls, last = calls+1, done
		}})
	if err != nil {
		t.Fatal(err)
	}
	if last != workers || calls == 0 {
		t.Errorf("progress ended at %d after %d calls, want %d", last, calls, workers)
	}
	return st, l
}

// TestBulk checks that the stats count what was appended, that the same
// options give the same data set whatever the scheduling, and that the
// data set has what reports need: several seasons, transfers, overstays.
func TestBulk(t *testing.T) {
	st, l := bulkOnce(t, 300)
	if uint64(st.Entries()) != l.Size() {
		t.Errorf("stats count %d entries, the log has %d", st.Entries(), l.Size())
	}
	if got := float64(l.Size()) / float64(st.Workers); got < 8 || got > 13 {
		t.Errorf("%.1f entries per worker, want about 10", got)
	}
	if diff := cmp.Diff([]int{2023, 2024, 2025}, st.Seasons); diff != "" {
		t.Errorf("seasons (-want +got):\n%s", diff)
	}
	if st.Transfers == 0 || st.Overstays == 0 || st.Permits <= st.Workers || st.Employers != 3 {
		t.Errorf("a thin data set: %+v", st)
	}
	again, _ := bulkOnce(t, 300)
	if diff := cmp.Diff(st, again); diff != "" {
		t.Errorf("two runs differ (-first +second):\n%s", diff)
	}
}
