package demo

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

var inspector = ledger.Actor{Sub: "insp.demo", Role: ledger.RoleInspector, Org: "MTSS-DNI"}

// open returns a ledger and a service on a temporary directory, the
// service's clock fixed at now.
func open(t *testing.T, now time.Time) (*tlog.Log, *ledger.Service) {
	t.Helper()
	l, err := tlog.Open(t.TempDir(), tlog.Options{Origin: "trazo.cri.local/log"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	svc, err := ledger.New(l, ledger.Config{Country: "CRI", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return l, svc
}

func within(t *testing.T, name string, got, lo, hi int) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %d, want %d..%d", name, got, lo, hi)
	}
}

func TestSeed(t *testing.T) {
	now := time.Date(2026, 7, 15, 14, 30, 0, 0, time.UTC)
	l, svc := open(t, now)
	sum, err := Seed(t.Context(), svc, now, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("%+v", sum)

	if diff := cmp.Diff([]int{2024, 2025, 2026}, sum.Seasons); diff != "" {
		t.Errorf("seasons (-want +got):\n%s", diff)
	}
	if sum.From != "2024-01-01" || sum.To != "2026-07-15" {
		t.Errorf("period %s..%s", sum.From, sum.To)
	}
	if len(sum.Employers) != 12 {
		t.Errorf("%d employers", len(sum.Employers))
	}
	within(t, "workers", sum.Workers, 260, 300)
	within(t, "permits", sum.Permits, 450, 800)
	within(t, "entries", sum.EntryCrossings, 450, 800)
	within(t, "placements", sum.Placements, 450, 850)
	within(t, "returning", sum.Returning, 120, 260)
	within(t, "same employer returns", sum.SameEmployerReturns, 80, sum.Returning)
	within(t, "transfers", sum.Transfers, 5, 60)
	within(t, "overstays", sum.Overstays, 4, 4)
	within(t, "late exits", sum.LateExits, 4, 4)
	within(t, "minors", sum.Minors, 1, 1)
	within(t, "refused", sum.RefusedEntries, 1, 1)
	within(t, "erased", sum.Erased, 1, 1)
	if got := l.Size(); got != uint64(sum.LogEntries) {
		t.Errorf("log size %d, summary says %d entries", got, sum.LogEntries)
	}
	ex := sum.Examples
	for name, id := range map[string]string{"returning": ex.Returning, "transferred": ex.Transferred, "overstay": ex.Overstay,
		"late exit": ex.LateExit, "minor": ex.Minor, "refused": ex.Refused, "erased": ex.Erased} {
		if id == "" {
			t.Errorf("no example of a %s worker", name)
		}
	}

	findings, err := svc.Findings(t.Context(), inspector, ledger.FindingsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string][]string{}
	for _, f := range findings {
		byType[f.Type] = append(byType[f.Type], f.WorkerID)
	}
	want := map[string]int{ledger.FindingOverstay: 4, ledger.FindingLateExit: 4, ledger.FindingMinorInPlacement: 1}
	for typ, n := range want {
		if len(byType[typ]) != n {
			t.Errorf("%d %s findings, want %d", len(byType[typ]), typ, n)
		}
	}
	for typ := range byType {
		if _, ok := want[typ]; !ok {
			t.Errorf("unexpected %s findings: %v", typ, byType[typ])
		}
	}
	if !slices.Contains(byType[ledger.FindingOverstay], ex.Overstay) || !slices.Contains(byType[ledger.FindingLateExit], ex.LateExit) ||
		!slices.Equal(byType[ledger.FindingMinorInPlacement], []string{ex.Minor}) {
		t.Errorf("examples %+v do not match the findings %v", ex, byType)
	}

	erased, err := svc.GetWorker(t.Context(), inspector, ex.Erased, ledger.ReadRequest{Purpose: "demo test"})
	if err != nil {
		t.Fatal(err)
	}
	if !erased.Erased || erased.Identity != nil {
		t.Errorf("erased worker reads as %+v", erased)
	}
	ret, err := svc.GetWorker(t.Context(), inspector, ex.Returning, ledger.ReadRequest{Purpose: "demo test"})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Identity == nil || len(ret.Seasons) < 2 || len(ret.Employers) != 1 {
		t.Errorf("returning worker: %+v", ret)
	}

	if _, err := Seed(t.Context(), svc, now, rand.New(rand.NewPCG(1, 2))); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second Seed: %v, want ErrNotEmpty", err)
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// TestPlanIsDeterministic draws the plan twice from the same seed.
func TestPlanIsDeterministic(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	a := makePlan(now, rand.New(rand.NewPCG(7, 7)))
	b := makePlan(now, rand.New(rand.NewPCG(7, 7)))
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(plan{}, workerPlan{}, seasonPlan{}, permitPlan{}, stint{})); diff != "" {
		t.Fatalf("same seed, different plans (-a +b):\n%s", diff)
	}
	c := makePlan(now, rand.New(rand.NewPCG(8, 8)))
	if a.workers[0].req == c.workers[0].req {
		t.Errorf("another seed drew the same first worker")
	}
}

// TestSeedAnyDayOfTheYear seeds as of days that cut the current season
// in different places: only what happened before the day is recorded, and
// it shows no finding but the demo's own.
func TestSeedAnyDayOfTheYear(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC),
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			l, svc := open(t, now)
			sum, err := Seed(t.Context(), svc, now, rand.New(rand.NewPCG(uint64(now.Unix()), 3)))
			if err != nil {
				t.Fatalf("Seed: %v", err)
			}
			findings, err := svc.Findings(t.Context(), inspector, ledger.FindingsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int{}
			for _, f := range findings {
				n[f.Type]++
			}
			want := map[string]int{ledger.FindingOverstay: 4, ledger.FindingLateExit: 4, ledger.FindingMinorInPlacement: 1}
			if diff := cmp.Diff(want, n); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if sum.Examples.Returning == "" || sum.Examples.Transferred == "" {
				t.Errorf("examples: %+v", sum.Examples)
			}
			if l.Size() != uint64(sum.LogEntries) {
				t.Errorf("log size %d, summary %d", l.Size(), sum.LogEntries)
			}
		})
	}
}
