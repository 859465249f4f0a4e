package report

import (
	"math"
	"strings"
)

// raw holds the true values of a row (or of the totals) and which of them
// are suppressed, while the suppression rule runs.
type raw struct {
	v               [numCounts]int64
	hidden          [numCounts]bool
	stays, stayDays int64
	meanHidden      bool
}

func rawOf(c *counts) raw {
	var r raw
	r.v = [numCounts]int64{c.workers, c.started, c.ended, c.entries, c.exits, c.returning, c.sameEmployer, c.circular, c.overstays}
	r.stays, r.stayDays = c.stays, c.stayDays
	return r
}

// metrics returns what may be published of r: suppressed values are
// zeroed.
func (r *raw) metrics() Metrics {
	var m Metrics
	for i := range numCounts {
		if r.hidden[i] {
			m.Counts[i] = Count{Suppressed: true}
			m.Suppressed = true
		} else {
			m.Counts[i] = Count{N: r.v[i]}
		}
	}
	switch {
	case r.meanHidden:
		m.MeanStayDays = Mean{Suppressed: true}
		m.Suppressed = true
	case r.stays > 0:
		m.MeanStayDays = Mean{Days: math.Round(float64(r.stayDays)/float64(r.stays)*100) / 100, Valid: true}
	}
	return m
}

// suppress applies small-cell suppression with threshold k to the rows
// (whose dimension values are dims, for the dimensions groupBy) and the
// totals. The rule, for each count:
//
//  1. Primary: a count from 1 to k-1 is suppressed, in rows and totals.
//     Zero is not suppressed (1 turns suppression off).
//  2. Complementary, along every margin a reader could subtract from: for
//     each dimension the count adds up over (Additive), each line of
//     cells that differ only in that dimension sums to a count published
//     by the report grouped without that dimension; and when the count
//     adds up over every grouped dimension, all the rows sum to the total.
//     In each such line, a reader knows every suppressed cell is at least
//     1 (zeros are shown), so with n suppressed cells summing to S, each
//     lies in [1, S-(n-1)]. The line is safe when it has no suppressed
//     cell, or at least two with S-(n-1) >= k: no suppressed cell can be
//     pinned to one value, nor shown to be below k. Until it is safe, the
//     smallest visible non-zero cell of the line is suppressed too (the
//     first in row order on a tie); when none is left, the line's margin
//     is the total, it is suppressed; another report's margin cannot be,
//     but that margin is then made only of suppressed cells.
//  3. Repeat 2 until no line changes (suppressing a cell for one line
//     may leave another unsafe).
//
// mean_stay_days is suppressed when fewer than k stays (but at least one)
// are behind it; it is a mean of a count that is not published, so no
// margin reveals it.
func suppress(rows []raw, totals *raw, dims [][]string, groupBy []string, k int64) {
	if k <= 1 {
		return
	}
	small := func(v int64) bool { return v >= 1 && v < k }
	// Lines depend only on which dimensions a count adds up over: two
	// kinds of counts, two sets of lines.
	linesOf := map[bool][]line{}
	for m := range numCounts {
		for i := range rows {
			rows[i].hidden[m] = small(rows[i].v[m])
		}
		totals.hidden[m] = small(totals.v[m])
		event := Additive(m, DimMonth)
		lines, ok := linesOf[event]
		if !ok {
			lines = marginLines(m, dims, groupBy)
			linesOf[event] = lines
		}
		for changed := true; changed; {
			changed = false
			for _, l := range lines {
				if protect(rows, totals, l, m, k) {
					changed = true
				}
			}
		}
	}
	for i := range rows {
		rows[i].meanHidden = small(rows[i].stays)
	}
	totals.meanHidden = small(totals.stays)
}

// line is a set of rows whose count sums to a published margin; grand
// when that margin is the report's total.
type line struct {
	rows  []int
	grand bool
}

// marginLines returns the lines of count m: for each dimension m adds up
// over, the rows grouped by the values of the other dimensions; and all
// the rows, when m adds up over every grouped dimension.
func marginLines(m Metric, dims [][]string, groupBy []string) []line {
	var lines []line
	allAdditive := len(groupBy) > 0
	for di, d := range groupBy {
		if !Additive(m, d) {
			allAdditive = false
			continue
		}
		if len(groupBy) == 1 {
			break // the one line is all the rows: the grand line below
		}
		byOthers := map[string]int{}
		for r, vals := range dims {
			var b strings.Builder
			for i, v := range vals {
				if i != di {
					b.WriteString(v)
					b.WriteByte(0)
				}
			}
			id, ok := byOthers[b.String()]
			if !ok {
				id = len(lines)
				byOthers[b.String()] = id
				lines = append(lines, line{})
			}
			lines[id].rows = append(lines[id].rows, r)
		}
	}
	if allAdditive {
		all := make([]int, len(dims))
		for i := range all {
			all[i] = i
		}
		lines = append(lines, line{rows: all, grand: true})
	}
	return lines
}

// protect makes one line safe for count m (see suppress) and reports
// whether it suppressed anything.
func protect(rows []raw, totals *raw, l line, m Metric, k int64) bool {
	changed := false
	for {
		if l.grand && totals.hidden[m] {
			return changed // no published margin to subtract from
		}
		n, sum := int64(0), int64(0)
		for _, i := range l.rows {
			if rows[i].hidden[m] {
				n, sum = n+1, sum+rows[i].v[m]
			}
		}
		if n == 0 || (n >= 2 && sum-(n-1) >= k) {
			return changed
		}
		best := -1
		for _, i := range l.rows {
			if v := rows[i].v[m]; !rows[i].hidden[m] && v > 0 && (best < 0 || v < rows[best].v[m]) {
				best = i
			}
		}
		if best < 0 {
			if l.grand {
				totals.hidden[m] = true
				return true
			}
			return changed
		}
		rows[best].hidden[m] = true
		changed = true
	}
}
