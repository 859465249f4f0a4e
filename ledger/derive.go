package ledger

import (
	"cmp"
	"slices"
	"time"
)

// This file derives the per-worker state (presence, stays, permit
// validity, seasons, findings) from a workerRow. Nothing here reads the
// store or the clock: "today" is a parameter.

// sortCrossings orders crossings by occurred_at, then by index.
func sortCrossings(cs []crossingRow) {
	slices.SortStableFunc(cs, func(a, b crossingRow) int {
		if c := cmp.Compare(a.At, b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Index, b.Index)
	})
}

func (c *crossingRow) date() string { return dateOf(time.Unix(0, c.At)) }

// movements returns the worker's entries and exits (refused entries do not
// move anyone), by occurred_at.
func (w *workerRow) movements() []crossingRow {
	out := make([]crossingRow, 0, len(w.Crossings))
	for _, c := range w.Crossings {
		if c.Dir != "refused" {
			out = append(out, c)
		}
	}
	return out
}

// presence returns whether the worker is in the host country after its
// last movement, and that movement (nil when it has none).
func (w *workerRow) presence() (bool, *crossingRow) {
	for i := len(w.Crossings) - 1; i >= 0; i-- {
		if c := &w.Crossings[i]; c.Dir != "refused" {
			return c.Dir == "entry", c
		}
	}
	return false, nil
}

// presentOn reports whether the worker was in the host country at some
// time of day d: it was in at the start of d, or entered during d.
func (w *workerRow) presentOn(d string) bool {
	in := false
	for _, c := range w.movements() {
		cd := c.date()
		if cd > d {
			break
		}
		if cd == d && c.Dir == "entry" {
			return true
		}
		if cd < d {
			in = c.Dir == "entry"
		}
	}
	return in
}

// stay is an entry and the next exit (nil while the worker is still in).
// A second entry while present does not start a new stay; an exit without
// an entry closes none.
type stay struct {
	entry crossingRow
	exit  *crossingRow
}

func (w *workerRow) stays() []stay {
	var out []stay
	var open *crossingRow
	for _, c := range w.movements() {
		switch {
		case c.Dir == "entry" && open == nil:
			open = &c
		case c.Dir == "exit" && open != nil:
			out = append(out, stay{entry: *open, exit: &c})
			open = nil
		}
	}
	if open != nil {
		out = append(out, stay{entry: *open})
	}
	return out
}

// lastValidDay is the last day a permit is valid: its valid_to, or the day
// before its revocation if that is earlier.
func (p *permitRow) lastValidDay() string {
	if p.Revoked != "" {
		if d := addDays(p.Revoked, -1); d < p.To {
			return d
		}
	}
	return p.To
}

// validOn reports whether the permit is valid on day d.
func (p *permitRow) validOn(d string) bool {
	return p.From <= d && d <= p.lastValidDay()
}

// validPermitOn returns the worker's permit valid on d that lasts longest,
// or nil.
func (w *workerRow) validPermitOn(d string) *permitRow {
	var best *permitRow
	for i := range w.Permits {
		p := &w.Permits[i]
		if p.validOn(d) && (best == nil || p.lastValidDay() > best.lastValidDay()) {
			best = p
		}
	}
	return best
}

// firstUncovered returns the first day in [from, to] on which the worker
// holds no valid permit, or "" if every day is covered.
func (w *workerRow) firstUncovered(from, to string) string {
	d := from
	for d <= to {
		p := w.validPermitOn(d)
		if p == nil {
			return d
		}
		d = addDays(p.lastValidDay(), 1)
	}
	return ""
}

// seasons returns the distinct calendar years in which the worker started
// a placement, ascending.
func (w *workerRow) seasons() []int {
	var ys []int
	for _, p := range w.Placements {
		if t, err := time.Parse(dateLayout, p.Start); err == nil && !slices.Contains(ys, t.Year()) {
			ys = append(ys, t.Year())
		}
	}
	slices.Sort(ys)
	return ys
}

// employers returns the distinct employers of the worker's placements, in
// order of first placement.
func (w *workerRow) employers() []string {
	var es []string
	for _, p := range w.Placements {
		if !slices.Contains(es, p.Employer) {
			es = append(es, p.Employer)
		}
	}
	return es
}

// employerOn returns the employer of the worker's most recent placement
// started on or before d, or "".
func (w *workerRow) employerOn(d string) string {
	best := ""
	bestStart := ""
	for _, p := range w.Placements {
		if p.Start <= d && p.Start >= bestStart {
			best, bestStart = p.Employer, p.Start
		}
	}
	return best
}

// crossingWarnings returns the anomaly a new movement c shows against the
// movements before it (by occurred_at): an entry while present, an exit
// without an entry.
func (w *workerRow) crossingWarnings(c crossingRow) []string {
	if c.Dir == "refused" {
		return nil
	}
	var prev *crossingRow
	for i := range w.Crossings {
		x := &w.Crossings[i]
		if x.Dir == "refused" || x.Index == c.Index {
			continue
		}
		if x.At < c.At || (x.At == c.At && x.Index < c.Index) {
			prev = x
		}
	}
	switch {
	case c.Dir == "entry" && prev != nil && prev.Dir == "entry":
		return []string{FindingEntryWhilePresent}
	case c.Dir == "exit" && (prev == nil || prev.Dir == "exit"):
		return []string{FindingExitWithoutEntry}
	}
	return nil
}
