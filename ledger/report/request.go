package report

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// Dimensions a report can be grouped by (group_by).
const (
	DimNationality = "nationality"
	DimSex         = "sex"
	DimAgeBand     = "age_band"
	DimSector      = "sector"
	DimOccupation  = "occupation"
	DimRegion      = "region"
	DimEmployer    = "employer"
	DimMonth       = "month"
)

// Dimensions lists every dimension, in the order of docs/API.md.
var Dimensions = []string{DimNationality, DimSex, DimAgeBand, DimSector, DimOccupation, DimRegion, DimEmployer, DimMonth}

// Formats of a report.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Defaults of a Request.
const (
	DefaultMinCell     = 5
	DefaultSeasonStart = "01-01"
)

// Validation codes of a refused Request, carried by *ledger.ValidationError
// with the query parameter in Field. Missing from or to is
// ledger.CodeRequired; a date that is not real or out of range is
// ledger.CodeInvalidDate; from after to is ledger.CodeInvalidPeriod.
const (
	CodeInvalidGroupBy     = "invalid_group_by"     // an unknown or empty dimension
	CodeDuplicateDimension = "duplicate_dimension"  // a dimension given twice
	CodeInvalidFormat      = "invalid_format"       // not json or csv
	CodeInvalidMinCell     = "invalid_min_cell"     // not an integer >= 1
	CodeInvalidSeasonStart = "invalid_season_start" // not a real MM-DD day of every year
	CodeUnknownParameter   = "unknown_parameter"    // a query parameter reports do not take
	CodeRepeatedParameter  = "repeated_parameter"   // a query parameter given twice
)

// Request is a circular-mobility report to compute: the period [From, To]
// (inclusive UTC dates, YYYY-MM-DD), the dimensions to group by (in
// column order), the output format, the small-cell threshold and the
// first day of a season.
type Request struct {
	From    string
	To      string
	GroupBy []string
	// Format is FormatJSON (also when empty) or FormatCSV.
	Format string
	// MinCell is the smallest count shown: counts from 1 to MinCell-1 are
	// suppressed. 1 turns suppression off; it must be at least 1 (use
	// DefaultMinCell).
	MinCell int
	// SeasonStart is the first day of every season, MM-DD; empty means
	// DefaultSeasonStart (seasons are calendar years).
	SeasonStart string
}

// period is a validated request, in days.
type period struct {
	from, to    ledger.Day
	seasonStart int // month*100+day
}

// Validate checks the request and returns it with its defaults filled in
// (Format json, SeasonStart 01-01) and GroupBy trimmed of spaces. It
// returns a *ledger.ValidationError naming the first bad field: from and
// to must be real dates (1900 to 2199) with from <= to, group_by only
// known dimensions without repeats, format json or csv, min_cell >= 1,
// season_start a real MM-DD (not 02-29, which most years lack).
func (r Request) Validate() (Request, error) {
	if _, err := parseDate("from", r.From); err != nil {
		return r, err
	}
	if _, err := parseDate("to", r.To); err != nil {
		return r, err
	}
	if r.From > r.To {
		return r, invalid(ledger.CodeInvalidPeriod, "to", "to (%s) is before from (%s)", r.To, r.From)
	}
	dims := make([]string, 0, len(r.GroupBy))
	for _, d := range r.GroupBy {
		d = strings.TrimSpace(d)
		if !slices.Contains(Dimensions, d) {
			return r, invalid(CodeInvalidGroupBy, "group_by", "%q is not a dimension; use any of %s", d, strings.Join(Dimensions, ", "))
		}
		if slices.Contains(dims, d) {
			return r, invalid(CodeDuplicateDimension, "group_by", "%s is given twice", d)
		}
		dims = append(dims, d)
	}
	r.GroupBy = dims
	switch r.Format {
	case "":
		r.Format = FormatJSON
	case FormatJSON, FormatCSV:
	default:
		return r, invalid(CodeInvalidFormat, "format", "format must be json or csv")
	}
	if r.MinCell < 1 {
		return r, invalid(CodeInvalidMinCell, "min_cell", "min_cell must be an integer of at least 1 (1 turns suppression off)")
	}
	if r.SeasonStart == "" {
		r.SeasonStart = DefaultSeasonStart
	}
	if _, err := parseSeasonStart(r.SeasonStart); err != nil {
		return r, err
	}
	return r, nil
}

// period returns the validated request in days.
func (r Request) period() period {
	from, _ := ledger.DayOf(r.From)
	to, _ := ledger.DayOf(r.To)
	ss, _ := parseSeasonStart(r.SeasonStart)
	return period{from: from, to: to, seasonStart: ss}
}

// ParseQuery reads a request from the query of GET /v1/reports/circular:
// from, to, group_by (comma-separated), format, min_cell, season_start,
// and validates it (see Request.Validate). Absent format, min_cell and
// season_start take their defaults. It returns a *ledger.ValidationError
// for a parameter it does not know (unknown_parameter), one given twice
// (repeated_parameter), a min_cell that is not an integer, or any rule of
// Validate.
func ParseQuery(q url.Values) (Request, error) {
	known := []string{"from", "to", "group_by", "format", "min_cell", "season_start"}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(known, name) {
			return Request{}, invalid(CodeUnknownParameter, name, "reports take no parameter %q", clip(name))
		}
		if len(q[name]) > 1 {
			return Request{}, invalid(CodeRepeatedParameter, name, "%s is given more than once", name)
		}
	}
	r := Request{From: q.Get("from"), To: q.Get("to"), Format: q.Get("format"), SeasonStart: q.Get("season_start"), MinCell: DefaultMinCell}
	if g := q.Get("group_by"); g != "" {
		r.GroupBy = strings.Split(g, ",")
	}
	if q.Has("season_start") && r.SeasonStart == "" {
		return Request{}, invalid(CodeInvalidSeasonStart, "season_start", "season_start must be a day of the year, MM-DD")
	}
	if q.Has("format") && r.Format == "" {
		return Request{}, invalid(CodeInvalidFormat, "format", "format must be json or csv")
	}
	if q.Has("min_cell") {
		n, err := strconv.Atoi(q.Get("min_cell"))
		if err != nil {
			return Request{}, invalid(CodeInvalidMinCell, "min_cell", "min_cell must be an integer of at least 1 (1 turns suppression off)")
		}
		r.MinCell = n
	}
	return r.Validate()
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func invalid(code, field, format string, args ...any) *ledger.ValidationError {
	return &ledger.ValidationError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// parseDate checks a YYYY-MM-DD date between 1900-01-01 and 2199-12-31,
// the range the mobility service accepts.
func parseDate(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, invalid(ledger.CodeRequired, field, "%s is required (YYYY-MM-DD)", field)
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || len(v) != len(time.DateOnly) {
		return time.Time{}, invalid(ledger.CodeInvalidDate, field, "%s is not a real date (YYYY-MM-DD)", field)
	}
	if t.Year() < 1900 || t.Year() > 2199 {
		return time.Time{}, invalid(ledger.CodeInvalidDate, field, "%s is out of range (1900 to 2199)", field)
	}
	return t, nil
}

// parseSeasonStart returns month*100+day of an MM-DD day.
func parseSeasonStart(v string) (int, error) {
	bad := invalid(CodeInvalidSeasonStart, "season_start", "season_start must be a day of the year, MM-DD (not 02-29)")
	if len(v) != 5 || v[2] != '-' {
		return 0, bad
	}
	t, err := time.Parse("01-02", v)
	if err != nil || (t.Month() == time.February && t.Day() == 29) {
		return 0, bad
	}
	return int(t.Month())*100 + t.Day(), nil
}
