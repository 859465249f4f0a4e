package ledger

import (
	"context"
	"slices"
	"strings"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Finding types (docs/API.md).
const (
	// FindingOverstay: the worker is in the country today and no permit of
	// theirs is valid today. Date: the first day of the present stay from
	// which no permit was valid. Entries: the stay's entry crossing and the
	// last permit that covered it, if any.
	FindingOverstay = "overstay"
	// FindingLateExit: an exit on a day no permit was valid, after a permit
	// that was valid during the stay had ended. Date: the exit's date.
	// Entries: the exit and that permit.
	FindingLateExit = "late_exit"
	// FindingPlacementWithoutPermit: a day of a placement (start to end, or
	// to today while it is active) on which the worker held no valid
	// permit. Date: the first such day. Entries: the placement.
	FindingPlacementWithoutPermit = "placement_without_permit"
	// FindingPlacementWhileAbsent: on the start date of a placement (today
	// or earlier) the worker was not in the country. Date: the start date.
	// Entries: the placement and the worker's last movement before it.
	FindingPlacementWhileAbsent = "placement_while_absent"
	// FindingMinorInPlacement: the worker was under 18 on the start date.
	// Date: the start date. Entries: the placement and the registration.
	FindingMinorInPlacement = "minor_in_placement"
	// FindingNoPlacementAfterEntry: an entry not followed, within 14 days,
	// by a placement active in those days, the worker still being in the
	// country after them. Date: the entry's date. Entries: the entry.
	FindingNoPlacementAfterEntry = "no_placement_after_entry"
	// FindingEntryWhilePresent: an entry whose previous movement was an
	// entry. Date: its date. Entries: both entries.
	FindingEntryWhilePresent = "entry_while_present"
	// FindingExitWithoutEntry: an exit whose previous movement was an exit,
	// or the worker's first movement. Date: its date. Entries: the previous
	// exit, if any, and this one.
	FindingExitWithoutEntry = "exit_without_entry"
)

// FindingTypes lists every finding type.
var FindingTypes = []string{
	FindingOverstay, FindingLateExit, FindingPlacementWithoutPermit,
	FindingPlacementWhileAbsent, FindingMinorInPlacement,
	FindingNoPlacementAfterEntry, FindingEntryWhilePresent, FindingExitWithoutEntry,
}

// employerFindingTypes are the findings an employer sees (about its own
// placements): none that tells of crossings.
var employerFindingTypes = []string{
	FindingPlacementWithoutPermit, FindingPlacementWhileAbsent, FindingMinorInPlacement,
}

// noPlacementDays is the grace period of no_placement_after_entry.
const noPlacementDays = 14

// Finding is one compliance finding about a worker. EmployerID is the
// employer of the placement concerned or, for findings about crossings and
// stays, of the worker's latest placement started on or before Date.
type Finding struct {
	Type        string   `json:"type"`
	WorkerID    string   `json:"worker_id"`
	Date        string   `json:"date"`
	Entries     []uint64 `json:"entries"`
	EmployerID  string   `json:"employer_id,omitempty"`
	PlacementID string   `json:"placement_id,omitempty"`
}

// FindingsFilter selects findings: by type, employer, and date period
// [From, To] (YYYY-MM-DD, inclusive). Empty fields do not filter.
type FindingsFilter struct {
	Type       string `json:"type,omitempty"`
	EmployerID string `json:"employer_id,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
}

// findings computes every finding of one worker as of day today.
func (w *workerRow) findings(today string) []Finding {
	var out []Finding
	add := func(typ, date, employer, placement string, entries ...uint64) {
		if employer == "" {
			employer = w.employerOn(date)
		}
		out = append(out, Finding{Type: typ, WorkerID: w.ID, Date: date, Entries: entries, EmployerID: employer, PlacementID: placement})
	}

	// Movement anomalies.
	var prev *crossingRow
	for _, c := range w.movements() {
		switch {
		case c.Dir == "entry" && prev != nil && prev.Dir == "entry":
			add(FindingEntryWhilePresent, c.date(), "", "", prev.Index, c.Index)
		case c.Dir == "exit" && prev == nil:
			add(FindingExitWithoutEntry, c.date(), "", "", c.Index)
		case c.Dir == "exit" && prev.Dir == "exit":
			add(FindingExitWithoutEntry, c.date(), "", "", prev.Index, c.Index)
		}
		prev = &c
	}

	// Stays: late exits, the present overstay, entries without placement.
	for _, s := range w.stays() {
		start := s.entry.date()
		if s.exit != nil {
			dx := s.exit.date()
			if w.validPermitOn(dx) == nil {
				if p := w.lastPermitEndingIn(start, dx); p != nil {
					add(FindingLateExit, dx, "", "", s.exit.Index, p.Index)
				}
			}
		} else if start <= today && w.validPermitOn(today) == nil {
			from, p := start, w.lastPermitEndingIn(start, today)
			entries := []uint64{s.entry.Index}
			if p != nil {
				from = addDays(p.lastValidDay(), 1)
				entries = append(entries, p.Index)
			}
			add(FindingOverstay, from, "", "", entries...)
		}
		deadline := addDays(start, noPlacementDays)
		if today > deadline && (s.exit == nil || s.exit.date() > deadline) && !w.placedBetween(start, deadline) {
			add(FindingNoPlacementAfterEntry, start, "", "", s.entry.Index)
		}
	}

	// Placements.
	for _, p := range w.Placements {
		last := p.End
		if last == "" {
			last = max(p.Start, today)
		}
		if d := w.firstUncovered(p.Start, last); d != "" {
			add(FindingPlacementWithoutPermit, d, p.Employer, p.ID, p.Index)
		}
		if p.Start <= today && !w.presentOn(p.Start) {
			entries := []uint64{p.Index}
			if c := w.lastMovementBefore(p.Start); c != nil {
				entries = []uint64{c.Index, p.Index}
			}
			add(FindingPlacementWhileAbsent, p.Start, p.Employer, p.ID, entries...)
		}
		if p.Age != nil && *p.Age < 18 {
			add(FindingMinorInPlacement, p.Start, p.Employer, p.ID, w.Index, p.Index)
		}
	}
	return out
}

// lastPermitEndingIn returns the permit whose last valid day is the latest
// one in [from, before), among permits valid on at least one day; nil if
// none.
func (w *workerRow) lastPermitEndingIn(from, before string) *permitRow {
	var best *permitRow
	for i := range w.Permits {
		p := &w.Permits[i]
		last := p.lastValidDay()
		if last < p.From || last < from || last >= before {
			continue
		}
		if best == nil || last > best.lastValidDay() {
			best = p
		}
	}
	return best
}

// placedBetween reports whether a placement of the worker is active on a
// day of [from, to].
func (w *workerRow) placedBetween(from, to string) bool {
	for _, p := range w.Placements {
		if p.Start <= to && (p.End == "" || p.End >= from) {
			return true
		}
	}
	return false
}

// lastMovementBefore returns the worker's last entry or exit on a day
// before d.
func (w *workerRow) lastMovementBefore(d string) *crossingRow {
	var last *crossingRow
	for _, c := range w.movements() {
		if c.date() >= d {
			break
		}
		last = &c
	}
	return last
}

func (f FindingsFilter) check() error {
	if f.Type != "" && !slices.Contains(FindingTypes, f.Type) {
		return invalid(CodeInvalidFilter, "type", "type must be one of %s", strings.Join(FindingTypes, ", "))
	}
	if f.From != "" {
		if _, err := parseDate("from", f.From); err != nil {
			return err
		}
	}
	if f.To != "" {
		if _, err := parseDate("to", f.To); err != nil {
			return err
		}
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return invalid(CodeInvalidPeriod, "to", "to is before from")
	}
	return nil
}

func (f FindingsFilter) match(x Finding) bool {
	return (f.Type == "" || x.Type == f.Type) &&
		(f.EmployerID == "" || x.EmployerID == f.EmployerID) &&
		(f.From == "" || x.Date >= f.From) &&
		(f.To == "" || x.Date <= f.To)
}

// Findings returns the compliance findings that match the filter, as of
// the service's clock, ordered by date, worker and type. Inspectors see
// every finding; an employer sees only findings about its own placements
// (placement_without_permit, placement_while_absent, minor_in_placement),
// whatever its filter's employer_id. Other roles get ErrForbidden; a bad
// filter a *ValidationError (invalid_filter, invalid_date, invalid_period).
//
// Findings are computed from the projections at query time, so that those
// that depend on the date (overstay, no_placement_after_entry) are current.
func (s *Service) Findings(ctx context.Context, a Actor, f FindingsFilter) ([]Finding, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	types := FindingTypes
	switch a.Role {
	case RoleInspector:
	case RoleEmployer:
		if err := s.checkEmployerActor(a); err != nil {
			return nil, err
		}
		f.EmployerID = a.Org
		types = employerFindingTypes
	default:
		return nil, roleNotAllowed(a)
	}
	today := dateOf(s.now())
	var out []Finding
	collect := func(w *workerRow) {
		for _, x := range w.findings(today) {
			if slices.Contains(types, x.Type) && f.match(x) {
				out = append(out, x)
			}
		}
	}
	err := s.log.View(func(r *tlog.Reader) error {
		if f.EmployerID != "" {
			return s.scanEmployerWorkers(ctx, r, f.EmployerID, func(w *workerRow) { collect(w) })
		}
		return s.scanWorkers(ctx, r, func(w *workerRow) error { collect(w); return nil })
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, compareFindings)
	return out, nil
}
