package report

import "github.com/trazo-ledger/trazo/ledger"

// Calendar arithmetic on days (ledger.Day, days since 1970-01-01),
// without time.Time, for the tally's hot loop.

// The seasons tally.season looks up; dates are 1900 to 2199.
const seasonsFrom, seasonsTo = 1898, 2201

// date returns the date of day d.
func (t *tally) date(d ledger.Day) (y, m, dd int) {
	if i := int(d - t.p.from); i >= 0 && i < len(t.cal) {
		c := t.cal[i]
		return int(c >> 9), int(c >> 5 & 0xf), int(c & 0x1f)
	}
	return civil(d)
}

// season returns the season a day belongs to: the year in which the
// season containing it started.
func (t *tally) season(d ledger.Day) int {
	n := int(d)
	if n < 0 {
		n -= 364 // floor division
	}
	// At most the day's season: the year below the day's, less one.
	i := 1970 + n/365 - 2 - seasonsFrom
	if i < 0 || i+1 >= len(t.seasonStarts) {
		y, m, dd := civil(d)
		if m*100+dd < t.p.seasonStart {
			return y - 1
		}
		return y
	}
	for i+1 < len(t.seasonStarts) && t.seasonStarts[i+1] <= d {
		i++
	}
	return seasonsFrom + i
}

// civil returns the date of a day (proleptic Gregorian; H. Hinnant's
// civil_from_days).
func civil(d ledger.Day) (y, m, dd int) {
	z := int64(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, dd
}

// days returns the day of a date (H. Hinnant's days_from_civil); a day
// past the end of its month runs into the next (29 February of a common
// year is 1 March).
func days(y, m, d int) ledger.Day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return ledger.Day(era*146097 + doe - 719468)
}
