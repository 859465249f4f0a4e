package report

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/demo"
)

// seeded is a ledger filled once by the seed generator (through the real
// service), shared by the property tests.
var seeded struct {
	once sync.Once
	e    *env
	err  error
}

// seededEnv returns an env holding 400 synthetic workers over three
// seasons (2024 to 2026), with the transfers, renewals, refusals, late
// exits, overstays and erasures of package seed, plus hand-made oddities
// (an entry while present, an exit without entry, a revoked permit).
func seededEnv(t *testing.T) *env {
	t.Helper()
	seeded.once.Do(func() {
		e := newEnv(&keepTB{TB: t})
		_, seeded.err = demo.Bulk(e.ctx, e.svc, demo.BulkOptions{Workers: 400, Rand: rand.New(rand.NewPCG(7, 11)), Concurrency: 32, Now: e.clock.Now})
		if seeded.err == nil {
			emp := e.employer("Odd", "ODD-1")
			w := e.worker("ODD1", "1999-12-31", "M", "GTM")
			e.permit(w, "2025-01-01", "2025-06-30")
			e.cross(w, "exit", "2025-01-02")  // without an entry
			e.cross(w, "entry", "2025-01-05") //
			e.cross(w, "entry", "2025-01-06") // while present
			p := e.place(emp, w, "2025-01-07", "2025-05-31")
			e.end(emp, p, "2025-05-31", "completed")
			e.cross(w, "exit", "2025-05-31") // on the last day of work
		}
		seeded.e = e
	})
	if seeded.err != nil {
		t.Fatalf("seed: %v", seeded.err)
	}
	seeded.e.tb = t
	return seeded.e
}

// keepTB keeps the first test's TempDir for the whole run: the shared
// ledger outlives the test that made it.
type keepTB struct{ testing.TB }

func (k *keepTB) TempDir() string { return tempDir }
func (k *keepTB) Cleanup(func())  {}

var tempDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "trazo-report-test")
	if err != nil {
		panic(err)
	}
	tempDir = d
	code := m.Run()
	if seeded.e != nil {
		seeded.e.log.Close()
	}
	os.RemoveAll(d)
	os.Exit(code)
}

var requests = []Request{
	{From: "2025-01-01", To: "2025-12-31"},
	{From: "2024-01-01", To: "2026-12-31"},
	{From: "2025-03-01", To: "2025-03-31"},
	{From: "2025-10-15", To: "2026-02-15", SeasonStart: "10-01"},
	{From: "2026-01-01", To: "2026-12-31", SeasonStart: "07-15"},
}

// TestAdditivity checks, with suppression off, that every count summed
// over the groups of one dimension equals the total when the count adds
// up over that dimension (Additive), and is at least the total, with
// every group at most the total, when it does not. The mean stay is
// checked through its sums: stays and stay days add up over every
// dimension (a stay is counted once, at its exit).
func TestAdditivity(t *testing.T) {
	e := seededEnv(t)
	for _, base := range requests {
		for _, dim := range Dimensions {
			req := base
			req.GroupBy, req.MinCell = []string{dim}, 1
			r := e.report(req)
			var sum [numCounts]int64
			for _, row := range r.Rows {
				for m := range numCounts {
					if row.Counts[m].Suppressed {
						t.Fatalf("%v: suppressed with min_cell 1", req)
					}
					sum[m] += row.Counts[m].N
					if n := row.Counts[m].N; n > r.Totals.Counts[m].N {
						t.Errorf("%s..%s by %s: %s of %v is %d, over the total %d", req.From, req.To, dim, m, row.Dims, n, r.Totals.Counts[m].N)
					}
				}
			}
			for m := range numCounts {
				total := r.Totals.Counts[m].N
				switch {
				case Additive(m, dim) && sum[m] != total:
					t.Errorf("%s..%s by %s: %s sums to %d over the groups, total %d", req.From, req.To, dim, m, sum[m], total)
				case !Additive(m, dim) && sum[m] < total:
					t.Errorf("%s..%s by %s: %s sums to %d over the groups, below the total %d", req.From, req.To, dim, m, sum[m], total)
				}
			}
			valid, _ := req.Validate()
			tl := must(e.engine.tally(e.ctx, valid))(t)
			var stays, days int64
			for _, c := range tl.groups {
				stays, days = stays+c.stays, days+c.stayDays
			}
			if stays != tl.totals.stays || days != tl.totals.stayDays {
				t.Errorf("%s..%s by %s: stays %d (%d days) over the groups, %d (%d days) in total", req.From, req.To, dim, stays, days, tl.totals.stays, tl.totals.stayDays)
			}
		}
	}
	// The data set must exercise the metrics, or the sums above prove
	// little.
	r := e.report(Request{From: "2024-01-01", To: "2026-12-31"})
	for m := range numCounts {
		if r.Totals.Counts[m].N == 0 {
			t.Errorf("the seeded data set has no %s", m)
		}
	}
}

// TestAgainstReference compares the engine with a naive reference that
// walks every day of the period, with string labels and sets of workers,
// on the seeded data set, for every dimension alone, some pairs, and no
// grouping.
func TestAgainstReference(t *testing.T) {
	e := seededEnv(t)
	var facts []ledger.Facts
	err := e.svc.ScanFacts(e.ctx, 1, func(_ int, f *ledger.Facts) error {
		facts = append(facts, ledger.Facts{Sex: f.Sex, Nationality: f.Nationality, BirthYear: f.BirthYear, Birthday: f.Birthday, Erased: f.Erased,
			Placements: slices.Clone(f.Placements), Movements: slices.Clone(f.Movements), Permits: slices.Clone(f.Permits)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	groupings := [][]string{nil}
	for _, d := range Dimensions {
		groupings = append(groupings, []string{d})
	}
	groupings = append(groupings, []string{DimEmployer, DimMonth}, []string{DimAgeBand, DimMonth}, []string{DimSex, DimSector, DimAgeBand},
		[]string{DimMonth, DimNationality, DimOccupation, DimRegion})
	for _, base := range requests {
		for _, g := range groupings {
			req := base
			req.GroupBy, req.MinCell = g, 1
			req, _ = req.Validate()
			got := e.report(req)
			want := reference(facts, req)
			gotRows := map[string][numCounts + 1]string{}
			for _, row := range got.Rows {
				gotRows[strings.Join(row.Dims, "|")] = rowStrings(row.Metrics)
			}
			if len(g) == 0 {
				gotRows = map[string][numCounts + 1]string{"": rowStrings(got.Totals)}
			}
			if diff := cmp.Diff(want, gotRows); diff != "" {
				t.Errorf("%s..%s season %s by %v (-reference +engine):\n%s", req.From, req.To, req.SeasonStart, g, diff)
			}
		}
	}
}

func rowStrings(m Metrics) [numCounts + 1]string {
	var s [numCounts + 1]string
	for i, c := range m.Counts {
		s[i] = fmt.Sprint(c.N)
	}
	if m.MeanStayDays.Valid {
		s[numCounts] = fmt.Sprint(m.MeanStayDays.Days)
	}
	return s
}

// reference computes a report the slow, obvious way.
func reference(facts []ledger.Facts, req Request) map[string][numCounts + 1]string {
	from, _ := ledger.DayOf(req.From)
	to, _ := ledger.DayOf(req.To)
	ss := req.SeasonStart
	season := func(d ledger.Day) int {
		s := d.String()
		y := d.Time().Year()
		if s[5:] < ss {
			return y - 1
		}
		return y
	}
	label := func(f *ledger.Facts, d ledger.Day, p *ledger.FactPlacement) string {
		var parts []string
		for _, dim := range req.GroupBy {
			v := "unknown"
			switch dim {
			case DimNationality:
				v = f.Nationality.String()
			case DimSex:
				v = string(rune(f.Sex))
			case DimAgeBand:
				v = bandLabels[band(f.AgeOn(d))]
			case DimMonth:
				v = d.String()[:7]
			case DimSector, DimOccupation, DimRegion, DimEmployer:
				if p != nil {
					v = map[string]string{DimSector: p.Sector.String(), DimOccupation: p.Occupation.String(),
						DimRegion: p.Region.String(), DimEmployer: p.Employer.String()}[dim]
				}
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, "|")
	}
	type sums struct {
		n               [numCounts]int64
		stays, stayDays int64
	}
	groups := map[string]*sums{}
	at := func(k string) *sums {
		if groups[k] == nil {
			groups[k] = &sums{}
		}
		return groups[k]
	}
	in := func(d ledger.Day) bool { return from <= d && d <= to }
	last := func(f *ledger.Facts, d ledger.Day) *ledger.FactPlacement {
		var best *ledger.FactPlacement
		for i := range f.Placements {
			if p := &f.Placements[i]; p.Start <= d && (best == nil || p.Start >= best.Start) {
				best = p
			}
		}
		return best
	}
	for i := range facts {
		f := &facts[i]
		sets := [numCounts]map[string]bool{}
		for m := range sets {
			sets[m] = map[string]bool{}
		}
		for pi := range f.Placements {
			p := &f.Placements[pi]
			if in(p.Start) {
				at(label(f, p.Start, p)).n[PlacementsStarted]++
			}
			if p.End != ledger.OpenEnd && in(p.End) {
				at(label(f, p.End, p)).n[PlacementsEnded]++
			}
			earlier, sameEarlier := false, false
			for _, q := range f.Placements {
				if season(q.Start) < season(p.Start) {
					earlier = true
					sameEarlier = sameEarlier || q.Employer == p.Employer
				}
			}
			for d := from; d <= to; d++ {
				if p.Start <= d && d <= p.End {
					sets[Workers][label(f, d, p)] = true
					if earlier {
						sets[ReturningWorkers][label(f, d, p)] = true
					}
					if sameEarlier {
						sets[SameEmployerReturns][label(f, d, p)] = true
					}
				}
			}
		}
		var open *ledger.Movement
		present := false
		for mi := range f.Movements {
			m := &f.Movements[mi]
			p := last(f, m.Day)
			k := label(f, m.Day, p)
			if m.Day <= to {
				present = !m.Exit
			}
			if in(m.Day) {
				if m.Exit {
					at(k).n[Exits]++
				} else {
					at(k).n[Entries]++
				}
			}
			if !m.Exit && open == nil {
				open = m
			} else if m.Exit && open != nil {
				if in(m.Day) {
					at(k).stays++
					at(k).stayDays += int64(m.Day - open.Day)
				}
				open = nil
			}
			if m.Exit && in(m.Day) && p != nil && p.End != ledger.OpenEnd && p.End <= m.Day {
				for _, q := range f.Permits {
					if q.From <= p.End && p.End <= q.LastValid && m.Day <= q.LastValid {
						sets[CircularReturns][k] = true
					}
				}
			}
		}
		if present {
			valid := false
			for _, q := range f.Permits {
				valid = valid || (q.From <= to && to <= q.LastValid)
			}
			if !valid {
				at(label(f, to, last(f, to))).n[Overstays]++
			}
		}
		for m, set := range sets {
			for k := range set {
				at(k).n[m]++
			}
		}
	}
	out := map[string][numCounts + 1]string{}
	for k, s := range groups {
		if s.n == ([numCounts]int64{}) && s.stays == 0 {
			continue
		}
		var row [numCounts + 1]string
		for m, n := range s.n {
			row[m] = fmt.Sprint(n)
		}
		if s.stays > 0 {
			row[numCounts] = fmt.Sprint(float64(int64(float64(s.stayDays)/float64(s.stays)*100+0.5)) / 100)
		}
		out[k] = row
	}
	if len(req.GroupBy) == 0 && len(out) == 0 {
		out[""] = [numCounts + 1]string{"0", "0", "0", "0", "0", "0", "0", "0", "0", ""}
	}
	return out
}
