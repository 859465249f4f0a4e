package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// table builds rows with one count (metric m) per row and a total.
func table(m Metric, vals []int64, total int64) ([]raw, raw) {
	rows := make([]raw, len(vals))
	for i, v := range vals {
		rows[i].v[m] = v
	}
	var t raw
	t.v[m] = total
	return rows, t
}

// shown returns the published counts of metric m (-1 for null) and the
// total.
func shown(m Metric, rows []raw, t raw) ([]int64, int64) {
	out := make([]int64, len(rows))
	for i := range rows {
		out[i] = rows[i].v[m]
		if rows[i].hidden[m] {
			out[i] = -1
		}
	}
	tot := t.v[m]
	if t.hidden[m] {
		tot = -1
	}
	return out, tot
}

func TestSuppressOneDimension(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         Metric
		dim       string
		k         int64
		vals      []int64
		total     int64
		want      []int64
		wantTotal int64
	}{
		{"nothing small", Entries, DimNationality, 5, []int64{5, 9, 0}, 14, []int64{5, 9, 0}, 14},
		{"min_cell 1 turns it off", Entries, DimNationality, 1, []int64{1, 2, 0}, 3, []int64{1, 2, 0}, 3},
		// 1 alone could be read as 17 - 7 - 9: the next smallest, 7, goes
		// too; then the two hidden cells sum to 8 and either may be
		// anything from 1 to 7.
		{"one small cell", Entries, DimNationality, 5, []int64{1, 7, 9}, 17, []int64{-1, -1, 9}, 17},
		// Zeros are shown: they do not protect anything.
		{"zeros do not count", Entries, DimSex, 5, []int64{0, 3, 0, 12, 20}, 35, []int64{0, -1, 0, -1, 20}, 35},
		// Two small cells of 2 sum to 4: each is 1 to 3, all below 5 —
		// the smallest visible cell (9) is added.
		{"small cells summing small", Exits, DimMonth, 5, []int64{2, 2, 9, 12}, 25, []int64{-1, -1, -1, 12}, 25},
		// 3 + 3 = 6: each could be 1 to 5; safe.
		{"small cells summing enough", Exits, DimMonth, 5, []int64{3, 3, 9}, 15, []int64{-1, -1, 9}, 15},
		// The only non-zero cell is small: the total, equal to it, is
		// small too.
		{"one cell", Overstays, DimEmployer, 5, []int64{3, 0}, 3, []int64{-1, 0}, -1},
		// No visible cell left to suppress: the total goes.
		{"all small", Entries, DimRegion, 5, []int64{1, 1, 1, 1, 1, 1}, 6, []int64{-1, -1, -1, -1, -1, -1}, -1},
		// Distinct workers do not add up over months: only primary
		// suppression.
		{"not additive", Workers, DimMonth, 5, []int64{1, 7, 9}, 12, []int64{-1, 7, 9}, 12},
		// …but they do over nationality.
		{"additive distinct count", Workers, DimNationality, 5, []int64{1, 7, 9}, 17, []int64{-1, -1, 9}, 17},
		// Ties: the first in row order.
		{"tie", Entries, DimSex, 5, []int64{2, 6, 6}, 14, []int64{-1, -1, 6}, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, tot := table(tc.m, tc.vals, tc.total)
			dims := make([][]string, len(rows))
			for i := range dims {
				dims[i] = []string{string(rune('a' + i))}
			}
			suppress(rows, &tot, dims, []string{tc.dim}, tc.k)
			got, gotTotal := shown(tc.m, rows, tot)
			if diff := cmp.Diff(tc.want, got); diff != "" || gotTotal != tc.wantTotal {
				t.Errorf("cells (-want +got):\n%s\ntotal %d, want %d", diff, gotTotal, tc.wantTotal)
			}
		})
	}
}

// TestSuppressTwoDimensions checks complementary suppression along both
// margins of a nationality × sex table:
//
//	        F    M
//	NIC     1   10   (11)
//	PAN     8    9   (17)
//	       (9) (19)   28
//
// The 1 would follow from NIC's 11 (group_by=nationality) and from F's 9
// (group_by=sex): 10 and 8 are suppressed with it, then 9 so that the PAN
// line and the M line do not give them away. The total stays.
func TestSuppressTwoDimensions(t *testing.T) {
	dims := [][]string{{"NIC", "F"}, {"NIC", "M"}, {"PAN", "F"}, {"PAN", "M"}}
	rows, tot := table(Entries, []int64{1, 10, 8, 9}, 28)
	suppress(rows, &tot, dims, []string{DimNationality, DimSex}, 5)
	got, gotTotal := shown(Entries, rows, tot)
	if diff := cmp.Diff([]int64{-1, -1, -1, -1}, got); diff != "" || gotTotal != 28 {
		t.Errorf("cells (-want +got):\n%s\ntotal %d", diff, gotTotal)
	}

	// Workers add up over nationality but not over month: only the
	// nationality lines (one per month) are protected.
	//
	//	        2025-01  2025-02
	//	NIC        1        6
	//	PAN        7        8
	dims = [][]string{{"NIC", "2025-01"}, {"NIC", "2025-02"}, {"PAN", "2025-01"}, {"PAN", "2025-02"}}
	rows, tot = table(Workers, []int64{1, 6, 7, 8}, 12)
	suppress(rows, &tot, dims, []string{DimNationality, DimMonth}, 5)
	got, gotTotal = shown(Workers, rows, tot)
	if diff := cmp.Diff([]int64{-1, 6, -1, 8}, got); diff != "" || gotTotal != 12 {
		t.Errorf("cells (-want +got):\n%s\ntotal %d", diff, gotTotal)
	}
}

// TestSuppressMean suppresses a mean of fewer than min_cell stays.
func TestSuppressMean(t *testing.T) {
	rows := []raw{{stays: 4, stayDays: 400}, {stays: 5, stayDays: 500}, {}}
	tot := raw{stays: 9, stayDays: 900}
	suppress(rows, &tot, [][]string{{"a"}, {"b"}, {"c"}}, []string{DimSex}, 5)
	var got []Mean
	for i := range rows {
		got = append(got, rows[i].metrics().MeanStayDays)
	}
	want := []Mean{{Suppressed: true}, {Days: 100, Valid: true}, {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("means (-want +got):\n%s", diff)
	}
	if m := rows[0].metrics(); !m.Suppressed {
		t.Errorf("row with a suppressed mean is not marked suppressed")
	}
}

// TestSuppressedValuesDoNotLeak: a suppressed count is published as 0 and
// null, never as its value.
func TestSuppressedValuesDoNotLeak(t *testing.T) {
	rows, tot := table(Entries, []int64{3, 40}, 43)
	suppress(rows, &tot, [][]string{{"a"}, {"b"}}, []string{DimSex}, 5)
	for i := range rows {
		m := rows[i].metrics()
		if c := m.Counts[Entries]; c.Suppressed && c.N != 0 {
			t.Errorf("row %d publishes %d for a suppressed count", i, c.N)
		}
	}
}
