package ledger

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trazo-ledger/trazo/ledger/codes"
)

const dateLayout = "2006-01-02"

// Limits of free-text fields, in characters.
const (
	maxName      = 200
	maxText      = 500 // reasons, purposes
	maxShort     = 64  // tax ids, posts, document numbers
	maxClientRef = 128
)

// text checks a free-text field: required or not, at most max characters,
// valid UTF-8 without control characters. It returns the trimmed value.
func text(field, v string, required bool, max int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return "", invalid(CodeRequired, field, "%s is required", field)
		}
		return "", nil
	}
	if !utf8.ValidString(v) {
		return "", invalid(CodeInvalidText, field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", invalid(CodeTooLong, field, "%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", invalid(CodeInvalidText, field, "%s contains control characters", field)
		}
	}
	return v, nil
}

// parseDate checks a YYYY-MM-DD date: a real calendar date between
// 1900-01-01 and 2199-12-31.
func parseDate(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, invalid(CodeRequired, field, "%s is required", field)
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil || len(v) != len(dateLayout) {
		return time.Time{}, invalid(CodeInvalidDate, field, "%s is not a real date (YYYY-MM-DD)", field)
	}
	if t.Year() < 1900 || t.Year() > 2199 {
		return time.Time{}, invalid(CodeInvalidDate, field, "%s is out of range", field)
	}
	return t, nil
}

// parseTime checks an RFC 3339 time and returns it in UTC.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, invalid(CodeRequired, field, "%s is required", field)
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, invalid(CodeInvalidTime, field, "%s is not an RFC 3339 time", field)
	}
	if t.Year() < 1900 || t.Year() > 2199 {
		return time.Time{}, invalid(CodeInvalidTime, field, "%s is out of range", field)
	}
	return t.UTC(), nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func dateOf(t time.Time) string { return t.UTC().Format(dateLayout) }

// addDays returns the date n days after the YYYY-MM-DD date d.
func addDays(d string, n int) string {
	t, err := time.Parse(dateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(dateLayout)
}

// daysBetween returns b − a in days for two YYYY-MM-DD dates.
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(dateLayout, a)
	tb, err2 := time.Parse(dateLayout, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// ageOn returns the age in whole years on date d of someone born on dob
// (both YYYY-MM-DD).
func ageOn(dob, d string) (int, bool) {
	b, err1 := time.Parse(dateLayout, dob)
	t, err2 := time.Parse(dateLayout, d)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	age := t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		age--
	}
	return age, true
}

func country(field, v string) (string, error) {
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	if !codes.IsCountry(v) {
		return "", invalid(CodeInvalidCountry, field, "%s %q is not an ISO 3166-1 alpha-3 country code", field, v)
	}
	return v, nil
}

// region checks an ISO 3166-2 code, of country alpha3 when that is set.
func region(field, v, alpha3 string) (string, error) {
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	if !codes.IsSubdivision(v) {
		return "", invalid(CodeInvalidRegion, field, "%s %q is not an ISO 3166-2 code", field, v)
	}
	if alpha3 != "" && !codes.SubdivisionOf(v, alpha3) {
		return "", invalid(CodeInvalidRegion, field, "%s %q is not a subdivision of %s", field, v, alpha3)
	}
	return v, nil
}

func sector(field, v string) (string, error) {
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	if !codes.IsSector(v) {
		return "", invalid(CodeInvalidSector, field, "%s %q is not an ISIC Rev.4 section or class", field, v)
	}
	return v, nil
}

func occupation(field, v string) (string, error) {
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	if !codes.IsOccupationUnit(v) {
		return "", invalid(CodeInvalidOccupation, field, "%s %q is not an ISCO-08 unit group", field, v)
	}
	return v, nil
}

// oneOf checks an enumerated value.
func oneOf(code, field, v string, allowed ...string) (string, error) {
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", invalid(code, field, "%s must be one of %s", field, strings.Join(allowed, ", "))
}

// Enumerations.
var (
	sexes         = []string{"F", "M", "X"}
	documentTypes = []string{"passport", "national_id", "border_card"}
	permitTypes   = []string{"seasonal_work", "cross_border_card"}
	directions    = []string{"entry", "exit", "refused"}
	endReasons    = []string{"completed", "resigned", "dismissed", "abandoned", "no_show", "transferred", "other"}
)

// documentNumber normalises a document number (upper case, without spaces,
// hyphens and dots) and checks it: 1 to 64 letters and digits.
func documentNumber(field, v string) (string, error) {
	v = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '\t':
			return -1
		}
		return unicode.ToUpper(r)
	}, v)
	if v == "" {
		return "", invalid(CodeRequired, field, "%s is required", field)
	}
	if len(v) > maxShort {
		return "", invalid(CodeTooLong, field, "%s is longer than %d characters", field, maxShort)
	}
	for _, r := range v {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", invalid(CodeInvalidDocNumber, field, "%s may hold only letters and digits", field)
		}
	}
	return v, nil
}

// regionOf reports whether region is a subdivision of country alpha3.
func regionOf(region, alpha3 string) bool { return codes.SubdivisionOf(region, alpha3) }
