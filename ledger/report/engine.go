package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/trazo-ledger/trazo/ledger"
)

// Metric is one count of a report.
type Metric int

// The counts of a report, in column order; mean_stay_days follows them.
const (
	Workers Metric = iota
	PlacementsStarted
	PlacementsEnded
	Entries
	Exits
	ReturningWorkers
	SameEmployerReturns
	CircularReturns
	Overstays
	numCounts
)

var countNames = [numCounts]string{
	"workers", "placements_started", "placements_ended", "entries", "exits",
	"returning_workers", "same_employer_returns", "circular_returns", "overstays",
}

// MeanStayDays is the name of the mean metric, the last column.
const MeanStayDays = "mean_stay_days"

// String returns the metric's name in JSON and CSV ("placements_started").
func (m Metric) String() string {
	if m < 0 || m >= numCounts {
		return fmt.Sprintf("Metric(%d)", int(m))
	}
	return countNames[m]
}

// MetricNames lists every metric of a report, in column order.
func MetricNames() []string { return append(countNames[:], MeanStayDays) }

// Additive reports whether a count adds up over a dimension: whether, with
// suppression off, the count summed over the groups of dim equals the
// count of the whole. Counts of events (placements_started,
// placements_ended, entries, exits) add up over every dimension, as do
// overstays (one event per worker: being present at the end of to).
// Distinct-worker counts (workers, returning_workers,
// same_employer_returns, circular_returns) add up only over the worker's
// own attributes, nationality and sex: over the other dimensions one
// worker may fall in several groups (several months, employers, regions,
// age bands in a long period, several exits), so the groups sum to at
// least the whole.
func Additive(m Metric, dim string) bool {
	switch m {
	case PlacementsStarted, PlacementsEnded, Entries, Exits, Overstays:
		return true
	}
	return dim == DimNationality || dim == DimSex
}

// Count is one count of a report: N, or null when Suppressed (N is then
// 0: the true value never leaves the engine).
type Count struct {
	N          int64
	Suppressed bool
}

// Mean is the mean stay in days: null when there is no stay, or when
// Suppressed (fewer than min_cell stays behind it).
type Mean struct {
	Days       float64 // rounded to 2 decimals
	Valid      bool    // false: null
	Suppressed bool
}

// Metrics are the values of one row, or of the totals.
type Metrics struct {
	Counts       [numCounts]Count // indexed by Metric
	MeanStayDays Mean
	// Suppressed is set when any value of the row is suppressed.
	Suppressed bool
}

// Count returns the count of metric m.
func (v *Metrics) Count(m Metric) Count { return v.Counts[m] }

// Row is one group of a report: the values of its dimensions (in the
// order of the report's GroupBy; "unknown" where a worker or crossing
// metric had no placement to take a placement dimension from) and its
// metrics.
type Row struct {
	Dims []string
	Metrics
}

// Report is a computed circular-mobility report.
type Report struct {
	From, To    string
	GroupBy     []string
	SeasonStart string
	MinCell     int
	// Rows holds one row per group with any non-zero value, ordered by the
	// dimensions' values; an ungrouped report has exactly one row, equal
	// to Totals.
	Rows   []Row
	Totals Metrics
}

// Options configures an Engine.
type Options struct {
	// Parallel is the number of goroutines that scan the workers' facts
	// (1 to 16). Default: GOMAXPROCS.
	Parallel int
}

// Engine computes circular-mobility reports from the mobility
// projections (the workers' facts rows), never by replaying the log.
// It is safe for concurrent use.
type Engine struct {
	svc      *ledger.Service
	parallel int
}

// New returns an Engine reading svc's projections.
func New(svc *ledger.Service, opts Options) *Engine {
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	return &Engine{svc: svc, parallel: min(opts.Parallel, 16)}
}

// Circular computes the report GET /v1/reports/circular answers, for a
// ministry or an inspector. It returns an error wrapping
// ledger.ErrForbidden (a *ledger.Error, role_not_allowed) for other
// roles, and otherwise what Compute returns.
func (e *Engine) Circular(ctx context.Context, a ledger.Actor, req Request) (*Report, error) {
	if a.Role != ledger.RoleMinistry && a.Role != ledger.RoleInspector {
		return nil, &ledger.Error{Kind: ledger.ErrForbidden, Code: ledger.CodeRoleNotAllowed,
			Message: fmt.Sprintf("role %q may not read reports", a.Role)}
	}
	return e.Compute(ctx, req)
}

// Compute validates req and computes its report on one consistent
// snapshot of the projections. It checks no role (the command line runs
// it for the operator). It returns a *ledger.ValidationError for a bad
// request (see Request.Validate), ledger.ErrProjectionsOutdated for a
// store that must be reindexed first, the context's error, or an error
// wrapping ledger.ErrStorage.
func (e *Engine) Compute(ctx context.Context, req Request) (*Report, error) {
	req, err := req.Validate()
	if err != nil {
		return nil, err
	}
	all, err := e.tally(ctx, req)
	if err != nil {
		return nil, err
	}
	return build(req, all), nil
}

// tally scans every worker's facts for a validated request, from
// e.parallel goroutines, and returns their merged tallies.
func (e *Engine) tally(ctx context.Context, req Request) (*merged, error) {
	p, g := req.period(), groupingOf(req.GroupBy)
	tallies := make([]*tally, e.parallel)
	for i := range tallies {
		tallies[i] = newTally(p, g)
	}
	err := e.svc.ScanFacts(ctx, e.parallel, func(part int, f *ledger.Facts) error {
		tallies[part].worker(f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan facts: %w", err)
	}
	all := &merged{groups: map[wideKey]*counts{}}
	for _, t := range tallies {
		all.totals.add(&t.totals)
		t.groups.each(func(k key, c *counts) {
			w := t.wide(k)
			if a := all.groups[w]; a != nil {
				a.add(c)
			} else {
				all.groups[w] = c
			}
		})
	}
	return all, nil
}

// merged are the tallies of every goroutine, by report-wide key.
type merged struct {
	groups map[wideKey]*counts
	totals counts
}

// Run computes the report req asks for and writes it to w in req's
// format: the `trazo report` command without its flags, and the body of
// GET /v1/reports/circular without HTTP. It returns Compute's errors, or
// w's.
func (e *Engine) Run(ctx context.Context, req Request, w io.Writer) error {
	req, err := req.Validate()
	if err != nil {
		return err
	}
	r, err := e.Compute(ctx, req)
	if err != nil {
		return err
	}
	return Write(w, r, req.Format)
}

// build turns the merged tallies into a report, suppression applied.
func build(req Request, t *merged) *Report {
	r := &Report{From: req.From, To: req.To, GroupBy: slices.Clone(req.GroupBy), SeasonStart: req.SeasonStart, MinCell: req.MinCell}
	type group struct {
		dims []string
		c    *counts
	}
	var groups []group
	if len(req.GroupBy) == 0 {
		groups = append(groups, group{c: &t.totals})
	} else {
		for k, c := range t.groups {
			if *c == (counts{}) {
				continue
			}
			dims := make([]string, len(req.GroupBy))
			for i, d := range req.GroupBy {
				dims[i] = label(k, d)
			}
			groups = append(groups, group{dims, c})
		}
		slices.SortFunc(groups, func(a, b group) int { return slices.Compare(a.dims, b.dims) })
	}
	cells := make([]raw, len(groups))
	dims := make([][]string, len(groups))
	for i, g := range groups {
		cells[i], dims[i] = rawOf(g.c), g.dims
	}
	totals := rawOf(&t.totals)
	suppress(cells, &totals, dims, req.GroupBy, int64(req.MinCell))
	r.Rows = make([]Row, len(groups))
	for i, g := range groups {
		r.Rows[i] = Row{Dims: g.dims, Metrics: cells[i].metrics()}
	}
	r.Totals = totals.metrics()
	return r
}

// label returns the value of dimension d in key k.
func label(k wideKey, d string) string {
	s := ""
	switch d {
	case DimNationality:
		s = ledger.Code(k[1] >> 40 << 40).String()
	case DimSex:
		if b := byte(k[0] >> 56); b != 0 {
			s = string(rune(b))
		}
	case DimAgeBand:
		if b := int(k[0] >> 48 & 0xff); b > 0 && b <= len(bandLabels) {
			s = bandLabels[b-1]
		}
	case DimSector:
		s = ledger.Code(k[2]).String()
	case DimOccupation:
		s = ledger.Code(k[1] << 24 & 0xffffffff00000000).String()
	case DimRegion:
		s = ledger.Code(k[3]).String()
	case DimEmployer:
		var e ledger.EmployerKey
		for i := range 8 {
			e[i] = byte(k[4] >> (56 - 8*i))
			e[8+i] = byte(k[5] >> (56 - 8*i))
		}
		s = e.String()
	case DimMonth:
		if v := int(k[0] & 0xffffffff); v > 0 {
			s = fmt.Sprintf("%04d-%02d", (v-1)/12, (v-1)%12+1)
		}
	}
	return cmp.Or(s, "unknown")
}
