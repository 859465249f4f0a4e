package report

import (
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// TestSeason checks the season lookup against the definition, for every
// day from 1900 to 2199, with three season starts.
func TestSeason(t *testing.T) {
	for _, ss := range []int{101, 1001, 1231} {
		tl := newTally(period{from: 0, to: 0, seasonStart: ss}, grouping{})
		first, _ := ledger.DayOf("1900-01-01")
		last, _ := ledger.DayOf("2199-12-31")
		for d := first; d <= last; d++ {
			y, m, dd := civil(d)
			want := y
			if m*100+dd < ss {
				want--
			}
			if got := tl.season(d); got != want {
				t.Fatalf("season start %04d: season of %s = %d, want %d", ss, d, got, want)
			}
			if days(y, m, dd) != d {
				t.Fatalf("days(civil(%d)) = %d", d, days(y, m, dd))
			}
		}
	}
}
