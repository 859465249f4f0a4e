package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
)

// scenario is a small, hand-worked history through the real service. Ten
// workers, three employers; dates are YYYY-MM-DD, crossings at 10:00 UTC.
//
//	A, B, C   employers; A's placements are coffee picking (9211, 0127) in
//	          CR-A, B's fruit picking (9211, 0122) in CR-L, C's building
//	          work (9313, 4100) in CR-SJ.
//	W1  F NIC 1990-01-15  permit 2024-10-01..2025-03-31, entry 2024-10-05,
//	    A 2024-10-10..2025-02-28, exit 2025-03-10: a stay over the new
//	    year, a circular return in 2025.
//	W2  M NIC 1985-07-20  2024: permit 03-01..10-31, entry 03-02, A
//	    03-05..09-30, exit 10-05. 2025: permit 03-01..11-30, entry 03-03,
//	    B 03-05..06-15 (transferred), A 06-16..10-31, exit 11-05: returns,
//	    to an employer of an earlier season, transfers mid-season.
//	W3  F PAN 1995-03-10  refused 2025-02-01; permit 02-01..08-31, entry
//	    02-03, C 02-05..10-15, renewal permit 08-20..12-31, exit 10-20: a
//	    circular return thanks to the renewal; the refusal is no entry.
//	W4  M NIC 2007-05-10  permit 2025-03-01..09-30, entry 03-01, B
//	    03-02..09-15, exit 10-10: an exit after the permit ended (not a
//	    circular return); 17 at the start.
//	W5  X HND 1970-02-01  permit 2025-06-01..2026-03-31, entry 06-01, C from
//	    06-02, not ended: still present with a valid permit at the end of
//	    2025 (no overstay); 55 at the start.
//	W6  M NIC 1980-11-30  permit 2025-04-01..10-31, entry 04-02, A
//	    04-03..10-20, no exit: an overstay from 2025-11-01.
//	W7  F NIC 1992-06-01  permit 2024-10-01..2025-03-31, entry 2024-10-02,
//	    A 2024-10-05..12-20, B 2025-01-10..02-28, exit 2025-03-05: a
//	    returning worker with calendar seasons, not with seasons starting
//	    10-01.
//	W8  M PAN 1988-09-09  permit 2025-05-01..09-30, entry 05-02, B
//	    05-05..09-01, exit 09-10, then erased.
//	W9  F NIC 1990-04-04  permit 2025-04-01..09-30, refused 04-01: nothing
//	    else.
//	W10 M NIC 2000-08-08  permit 2025-12-01..2026-02-28, entry 2025-12-15, C
//	    2025-12-16..2026-01-05, exit 2026-01-10: a stay over the end of
//	    the period.
type scenario struct {
	A, B, C ledger.Actor
	w       map[string]string // W1 … W10 → worker id
}

var (
	attrsA = []string{"9211", "0127", "CR-A"}
	attrsB = []string{"9211", "0122", "CR-L"}
	attrsC = []string{"9313", "4100", "CR-SJ"}
)

func buildScenario(e *env) *scenario {
	e.tb.Helper()
	s := &scenario{A: e.employer("Finca A", "A-1"), B: e.employer("Finca B", "B-1"), C: e.employer("Obra C", "C-1"), w: map[string]string{}}
	for _, w := range []struct{ name, dob, sex, nat string }{
		{"W1", "1990-01-15", "F", "NIC"}, {"W2", "1985-07-20", "M", "NIC"}, {"W3", "1995-03-10", "F", "PAN"},
		{"W4", "2007-05-10", "M", "NIC"}, {"W5", "1970-02-01", "X", "HND"}, {"W6", "1980-11-30", "M", "NIC"},
		{"W7", "1992-06-01", "F", "NIC"}, {"W8", "1988-09-09", "M", "PAN"}, {"W9", "1990-04-04", "F", "NIC"},
		{"W10", "2000-08-08", "M", "NIC"},
	} {
		s.w[w.name] = e.worker("DOC"+w.name, w.dob, w.sex, w.nat)
	}
	w := s.w

	e.permit(w["W1"], "2024-10-01", "2025-03-31")
	e.cross(w["W1"], "entry", "2024-10-05")
	p := e.place(s.A, w["W1"], "2024-10-10", "2025-02-28", attrsA...)
	e.end(s.A, p, "2025-02-28", "completed")
	e.cross(w["W1"], "exit", "2025-03-10")

	e.permit(w["W2"], "2024-03-01", "2024-10-31")
	e.cross(w["W2"], "entry", "2024-03-02")
	p = e.place(s.A, w["W2"], "2024-03-05", "2024-09-30", attrsA...)
	e.end(s.A, p, "2024-09-30", "completed")
	e.cross(w["W2"], "exit", "2024-10-05")
	e.permit(w["W2"], "2025-03-01", "2025-11-30")
	e.cross(w["W2"], "entry", "2025-03-03")
	p = e.place(s.B, w["W2"], "2025-03-05", "2025-10-31", attrsB...)
	e.end(s.B, p, "2025-06-15", "transferred")
	p = e.place(s.A, w["W2"], "2025-06-16", "2025-10-31", attrsA...)
	e.end(s.A, p, "2025-10-31", "completed")
	e.cross(w["W2"], "exit", "2025-11-05")

	e.cross(w["W3"], "refused", "2025-02-01")
	e.permit(w["W3"], "2025-02-01", "2025-08-31")
	e.cross(w["W3"], "entry", "2025-02-03")
	p = e.place(s.C, w["W3"], "2025-02-05", "2025-10-15", attrsC...)
	e.permit(w["W3"], "2025-08-20", "2025-12-31")
	e.end(s.C, p, "2025-10-15", "completed")
	e.cross(w["W3"], "exit", "2025-10-20")

	e.permit(w["W4"], "2025-03-01", "2025-09-30")
	e.cross(w["W4"], "entry", "2025-03-01")
	p = e.place(s.B, w["W4"], "2025-03-02", "2025-09-15", attrsB...)
	e.end(s.B, p, "2025-09-15", "completed")
	e.cross(w["W4"], "exit", "2025-10-10")

	e.permit(w["W5"], "2025-06-01", "2026-03-31")
	e.cross(w["W5"], "entry", "2025-06-01")
	e.place(s.C, w["W5"], "2025-06-02", "2026-03-01", attrsC...)

	e.permit(w["W6"], "2025-04-01", "2025-10-31")
	e.cross(w["W6"], "entry", "2025-04-02")
	p = e.place(s.A, w["W6"], "2025-04-03", "2025-10-20", attrsA...)
	e.end(s.A, p, "2025-10-20", "completed")

	e.permit(w["W7"], "2024-10-01", "2025-03-31")
	e.cross(w["W7"], "entry", "2024-10-02")
	p = e.place(s.A, w["W7"], "2024-10-05", "2024-12-20", attrsA...)
	e.end(s.A, p, "2024-12-20", "completed")
	p = e.place(s.B, w["W7"], "2025-01-10", "2025-02-28", attrsB...)
	e.end(s.B, p, "2025-02-28", "completed")
	e.cross(w["W7"], "exit", "2025-03-05")

	e.permit(w["W8"], "2025-05-01", "2025-09-30")
	e.cross(w["W8"], "entry", "2025-05-02")
	p = e.place(s.B, w["W8"], "2025-05-05", "2025-09-01", attrsB...)
	e.end(s.B, p, "2025-09-01", "completed")
	e.cross(w["W8"], "exit", "2025-09-10")
	must(e.svc.EraseWorker(e.ctx, ministry, w["W8"], ledger.ReasonRequest{Reason: "asked to be forgotten"}))(e.tb)

	e.permit(w["W9"], "2025-04-01", "2025-09-30")
	e.cross(w["W9"], "refused", "2025-04-01")

	e.permit(w["W10"], "2025-12-01", "2026-02-28")
	e.cross(w["W10"], "entry", "2025-12-15")
	p = e.place(s.C, w["W10"], "2025-12-16", "2026-01-05", attrsC...)
	e.end(s.C, p, "2026-01-05", "completed")
	e.cross(w["W10"], "exit", "2026-01-10")
	return s
}

// c builds the expected counts, in Metric order: workers, started, ended,
// entries, exits, returning, same employer, circular, overstays.
func c(v ...int64) countsOf { return countsOf(v) }

func TestScenario(t *testing.T) {
	e := newEnv(t)
	s := buildScenario(e)
	year := Request{From: "2025-01-01", To: "2025-12-31"}

	t.Run("totals of 2025", func(t *testing.T) {
		// workers: W1 (A until 02-28), W2, W3, W4, W5, W6, W7, W8, W10;
		// not W9. Started: W2 ×2, W3, W4, W5, W6, W7, W8, W10 (W1's in
		// 2024). Ended: W1, W2 ×2, W3, W4, W6, W7, W8. Entries: W2, W3,
		// W4, W5, W6, W8, W10 (refusals are not entries; W1 and W7 came in
		// 2024). Exits: W1, W2, W3, W4, W7, W8. Returning: W2 (2024) and
		// W7 (A in 2024, B in 2025). Same employer: W2 (A in 2024 and
		// 2025). Circular: W1, W2, W3 (renewed permit), W7, W8 — not W4
		// (exit 10-10 after its permit's 09-30). Overstays: W6 (W5 and W10
		// hold valid permits). Stays ending in 2025: W1 156 days, W2 247,
		// W3 259, W4 223, W7 154, W8 131: mean 1170/6 = 195.
		r := e.report(year)
		if diff := cmp.Diff(c(9, 9, 8, 7, 6, 2, 1, 5, 1), valuesOf(r.Totals)); diff != "" {
			t.Errorf("totals (-want +got):\n%s", diff)
		}
		if m := r.Totals.MeanStayDays; !m.Valid || m.Days != 195 {
			t.Errorf("mean_stay_days = %+v, want 195", m)
		}
		if len(r.Rows) != 1 || valuesOf(r.Rows[0].Metrics) != valuesOf(r.Totals) {
			t.Errorf("an ungrouped report has one row equal to the totals: %+v", r.Rows)
		}
	})

	t.Run("season_start 10-01 moves W7's 2025 placement into the 2024 season", func(t *testing.T) {
		// W7: A 2024-10-05 and B 2025-01-10 are both in the season that
		// starts 2024-10-01: not returning. W2: 2024-03-05 is in the 2023
		// season, 2025-03-05 and 06-16 in the 2024 one: still returning,
		// to A. Nothing else changes.
		req := year
		req.SeasonStart = "10-01"
		r := e.report(req)
		if diff := cmp.Diff(c(9, 9, 8, 7, 6, 1, 1, 5, 1), valuesOf(r.Totals)); diff != "" {
			t.Errorf("totals (-want +got):\n%s", diff)
		}
	})

	t.Run("by employer", func(t *testing.T) {
		r := e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimEmployer}})
		for _, tc := range []struct {
			name string
			emp  string
			want countsOf
			mean float64
		}{
			// A: workers W1, W2 (from 06-16), W6; started W2, W6; ended W1,
			// W2, W6; entries: W2's 2025-03-03, after A's 2024 placement;
			// exits W1, W2; returning and same employer W2; circular W1,
			// W2; overstay W6. Stays W1 156, W2 247.
			{"A", s.A.Org, c(3, 2, 3, 1, 2, 1, 1, 2, 1), 201.5},
			// B: workers W2 (until 06-15), W4, W7, W8; returning W2 and W7
			// (B in a later season than their first), neither had worked
			// for B before; exits W4, W7, W8; circular W7, W8. Stays W4 223,
			// W7 154, W8 131.
			{"B", s.B.Org, c(4, 4, 4, 0, 3, 2, 0, 2, 0), 169.33},
			// C: W3, W5, W10; W3's exit and circular return. Stay W3 259.
			{"C", s.C.Org, c(3, 3, 1, 0, 1, 0, 0, 1, 0), 259},
			// Entries before any placement of the worker: W3, W4, W5, W6,
			// W8, W10.
			{"unknown", "unknown", c(0, 0, 0, 6, 0, 0, 0, 0, 0), 0},
		} {
			row := r.row(tc.emp)
			if row == nil {
				t.Fatalf("no row for %s in %+v", tc.name, r.Rows)
			}
			if diff := cmp.Diff(tc.want, valuesOf(row.Metrics)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
			if got := row.MeanStayDays; got.Days != tc.mean || got.Valid != (tc.mean != 0) {
				t.Errorf("%s: mean_stay_days = %+v, want %v", tc.name, got, tc.mean)
			}
		}
		if len(r.Rows) != 4 {
			t.Errorf("%d rows, want 4", len(r.Rows))
		}
		// W2 worked for A and B in 2025: counted once in the totals.
		if r.Totals.Counts[Workers].N != 9 {
			t.Errorf("total workers = %d, want 9", r.Totals.Counts[Workers].N)
		}
	})

	t.Run("by sector and region", func(t *testing.T) {
		r := e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimSector, DimRegion}})
		got := map[string]countsOf{}
		for _, row := range r.Rows {
			got[row.Dims[0]+" "+row.Dims[1]] = valuesOf(row.Metrics)
		}
		want := map[string]countsOf{
			"0127 CR-A":       c(3, 2, 3, 1, 2, 1, 1, 2, 1),
			"0122 CR-L":       c(4, 4, 4, 0, 3, 2, 0, 2, 0),
			"4100 CR-SJ":      c(3, 3, 1, 0, 1, 0, 0, 1, 0),
			"unknown unknown": c(0, 0, 0, 6, 0, 0, 0, 0, 0),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if r.Rows[0].Dims[0] != "0122" || r.Rows[len(r.Rows)-1].Dims[0] != "unknown" {
			t.Errorf("rows are not ordered by value: %v … %v", r.Rows[0].Dims, r.Rows[len(r.Rows)-1].Dims)
		}
	})

	t.Run("by month", func(t *testing.T) {
		r := e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimMonth}})
		for _, tc := range []struct {
			month string
			want  countsOf
		}{
			// January: W1 (A), W7 (B from 01-10).
			{"2025-01", c(2, 1, 0, 0, 0, 1, 0, 0, 0)},
			// February: W1, W3 (from 02-05), W7 (returning); W3's entry; W1
			// and W7 end on 02-28.
			{"2025-02", c(3, 1, 2, 1, 0, 1, 0, 0, 0)},
			// March: W2 (B from 03-05, returning), W3, W4 (from 03-02);
			// entries W2, W4; exits W1 (circular), W7 (circular).
			{"2025-03", c(3, 2, 0, 2, 2, 1, 0, 2, 0)},
			// December: W5, W10 (from 12-16); W10's entry; W6 overstays at
			// the end of the period.
			{"2025-12", c(2, 1, 0, 1, 0, 0, 0, 0, 1)},
		} {
			row := r.row(tc.month)
			if row == nil {
				t.Fatalf("no row for %s", tc.month)
			}
			if diff := cmp.Diff(tc.want, valuesOf(row.Metrics)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.month, diff)
			}
		}
		if len(r.Rows) != 12 {
			t.Errorf("%d rows, want one per month", len(r.Rows))
		}
	})

	t.Run("by age band", func(t *testing.T) {
		// Placements started, by age on the start date (exact: the age at
		// start is recorded from the date of birth): W4 17; W3 29, W7 32,
		// W10 25; W2 39 and 39, W6 44, W8 36; W5 55.
		r := e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimAgeBand}})
		got := map[string]int64{}
		for _, row := range r.Rows {
			got[row.Dims[0]] = row.Counts[PlacementsStarted].N
		}
		// (W4 and W6 pass into the next band during the year: rows with
		// no placement started.)
		want := map[string]int64{"0-17": 1, "18-24": 0, "25-34": 3, "35-44": 4, "45-54": 0, "55+": 1}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("placements_started by age band (-want +got):\n%s", diff)
		}
		// W4 turns 18 during the placement: a worker of both bands.
		if r.row("0-17").Counts[Workers].N != 1 || r.row("18-24").Counts[Workers].N != 1 {
			t.Errorf("W4 should count in 0-17 and 18-24: %+v %+v", r.row("0-17"), r.row("18-24"))
		}
	})

	t.Run("by nationality and sex", func(t *testing.T) {
		r := e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimNationality, DimSex}})
		got := map[string]countsOf{}
		for _, row := range r.Rows {
			got[row.Dims[0]+" "+row.Dims[1]] = valuesOf(row.Metrics)
		}
		want := map[string]countsOf{
			"HND X": c(1, 1, 0, 1, 0, 0, 0, 0, 0), // W5
			"NIC F": c(2, 1, 2, 0, 2, 1, 0, 2, 0), // W1, W7 (W9: nothing)
			"NIC M": c(4, 5, 4, 4, 2, 1, 1, 1, 1), // W2, W4, W6, W10
			"PAN F": c(1, 1, 1, 1, 1, 0, 0, 1, 0), // W3
			"PAN M": c(1, 1, 1, 1, 1, 0, 0, 1, 0), // W8, erased
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})

	t.Run("periods cut stays and placements", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			from, to string
			want     countsOf
			mean     float64
		}{
			// Last day of W1's and W7's placements, W3 working.
			{"2025-02-28", "2025-02-28", "2025-02-28", c(3, 0, 2, 0, 0, 1, 0, 0, 0), 0},
			// The next day only W3 works (W4 starts on 03-02); W4 enters.
			{"2025-03-01", "2025-03-01", "2025-03-01", c(1, 0, 0, 1, 0, 0, 0, 0, 0), 0},
			// March: the stays of W1 (from 2024-10-05, 156 days) and W7
			// (from 2024-10-02, 154 days) end in it.
			{"March", "2025-03-01", "2025-03-31", c(3, 2, 0, 2, 2, 1, 0, 2, 0), 155},
			// 2026: W10's exit ends a stay begun in 2025 (26 days); W5's
			// placement has not ended; at the end of 2026 W5 (permit over
			// 2026-03-31) and W6 overstay.
			{"2026", "2026-01-01", "2026-12-31", c(2, 0, 1, 0, 1, 0, 0, 1, 2), 26},
		} {
			r := e.report(Request{From: tc.from, To: tc.to})
			if diff := cmp.Diff(tc.want, valuesOf(r.Totals)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
			if got := r.Totals.MeanStayDays; got.Days != tc.mean || got.Valid != (tc.mean != 0) {
				t.Errorf("%s: mean_stay_days = %+v, want %v", tc.name, got, tc.mean)
			}
		}
	})

	t.Run("overstays are counted at the end of to", func(t *testing.T) {
		for _, tc := range []struct {
			to   string
			want int64
		}{
			{"2025-10-05", 1}, // W4: in since 03-01, permit over on 09-30, leaves 10-10
			{"2025-10-31", 0}, // W6's permit is valid through 10-31; W4 has left
			{"2025-11-01", 1}, // W6
			{"2025-12-31", 1}, // W6; W5 and W10 hold valid permits
		} {
			r := e.report(Request{From: tc.to, To: tc.to})
			if got := r.Totals.Counts[Overstays].N; got != tc.want {
				t.Errorf("overstays on %s = %d, want %d", tc.to, got, tc.want)
			}
		}
	})

	t.Run("erased and rebuilt workers still count", func(t *testing.T) {
		before := e.report(Request{From: "2024-01-01", To: "2026-12-31", GroupBy: []string{DimNationality, DimMonth}})
		if err := e.svc.Rebuild(e.ctx); err != nil {
			t.Fatal(err)
		}
		after := e.report(Request{From: "2024-01-01", To: "2026-12-31", GroupBy: []string{DimNationality, DimMonth}})
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("report changed after a rebuild (-before +after):\n%s", diff)
		}
		// W8, erased, is the one PAN man.
		if row := after.row("PAN", "2025-09"); row == nil || row.Counts[CircularReturns].N != 1 {
			t.Errorf("the erased worker's circular return is missing: %+v", row)
		}
	})
}

// TestErasureKeepsStatistics compares a report just before and just after
// an erasure.
func TestErasureKeepsStatistics(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca", "T-1")
	w := e.worker("E1", "1990-02-02", "F", "NIC")
	e.permit(w, "2025-03-01", "2025-09-30")
	e.cross(w, "entry", "2025-03-02")
	p := e.place(emp, w, "2025-03-03", "2025-09-01")
	e.end(emp, p, "2025-09-01", "completed")
	e.cross(w, "exit", "2025-09-05")
	req := Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimSex, DimAgeBand, DimEmployer, DimMonth}}
	before := e.report(req)
	must(e.svc.EraseWorker(e.ctx, ministry, w, ledger.ReasonRequest{Reason: "request"}))(t)
	after := e.report(req)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("erasure changed the report (-before +after):\n%s", diff)
	}
	if after.Totals.Counts[CircularReturns].N != 1 || after.Totals.Counts[Workers].N != 1 {
		t.Errorf("totals after erasure: %+v", after.Totals)
	}
}
