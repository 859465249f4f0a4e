package report

import (
	"github.com/trazo-ledger/trazo/ledger"
)

// This file turns one worker's Facts into counts, for the period and the
// grouping of one report. It is the hot loop of a report: no allocation
// per worker once the scratch slices have grown, no time.Time.

// counts are the additive tallies of one group (or of the totals).
type counts struct {
	workers, started, ended, entries, exits int64
	returning, sameEmployer, circular       int64
	overstays                               int64
	stays, stayDays                         int64
}

func (c *counts) add(o *counts) {
	c.workers += o.workers
	c.started += o.started
	c.ended += o.ended
	c.entries += o.entries
	c.exits += o.exits
	c.returning += o.returning
	c.sameEmployer += o.sameEmployer
	c.circular += o.circular
	c.overstays += o.overstays
	c.stays += o.stays
	c.stayDays += o.stayDays
}

// wideKey identifies a group of a report: the values of the grouped
// dimensions, zero for the others and for "unknown".
//
//	k[0] sex (bits 56-63) | age band + 1 (48-55) | months since year 0 + 1 (0-31)
//	k[1] nationality (3 bytes, bits 40-63) | occupation (4 bytes, bits 8-39)
//	k[2] sector, k[3] region (ledger.Code)
//	k[4], k[5] employer (16-byte ULID)
type wideKey [6]uint64

// key is the compact key one tally counts under, one machine word (the
// map work of a wideKey is several times larger):
//
//	bits 62-63  sex: 1 F, 2 M, 3 X
//	bits 59-61  age band + 1
//	bits 43-58  month: 1 + months since the period's first month
//	bits 27-42  the tally's number for the nationality (see internNationality)
//	bits 0-26   the tally's number for the placement values (see intern)
//
// 0 in a field is "not grouped" or "unknown".
type key uint64

const (
	sexShift, bandShift, monthShift, natShift = 62, 59, 43, 27
	pidBits                                   = 27
)

var sexCodes = [4]byte{0, 'F', 'M', 'X'}

func sexCode(b byte) uint64 {
	switch b {
	case 'F':
		return 1
	case 'M':
		return 2
	case 'X':
		return 3
	}
	return 0
}

// placementValues are the grouped placement dimensions of a placement
// (zero for the others): what intern numbers.
type placementValues struct {
	occupation, sector, region ledger.Code
	employer                   ledger.EmployerKey
}

// grouping says which dimensions a report groups by.
type grouping struct {
	nationality, sex, age, sector, occupation, region, employer, month bool
}

func groupingOf(dims []string) grouping {
	var g grouping
	for _, d := range dims {
		switch d {
		case DimNationality:
			g.nationality = true
		case DimSex:
			g.sex = true
		case DimAgeBand:
			g.age = true
		case DimSector:
			g.sector = true
		case DimOccupation:
			g.occupation = true
		case DimRegion:
			g.region = true
		case DimEmployer:
			g.employer = true
		case DimMonth:
			g.month = true
		}
	}
	return g
}

// byDay says whether a group depends on the day of the event.
func (g grouping) byDay() bool { return g.age || g.month }

// tally accumulates the counts of the workers one goroutine scans.
type tally struct {
	p      period
	g      grouping
	groups *store
	totals counts

	// Placement values and nationalities, numbered from 1 (0 is none,
	// "unknown").
	placementIDs   map[placementValues]uint32
	placements     []placementValues
	nationalityIDs map[ledger.Code]uint64
	nationalities  []ledger.Code
	firstMonth     int    // y*12+m of the period's first day
	none           counts // the one group of an ungrouped report (its totals are the answer)

	// seasonStarts[i] is the first day of the season of year seasonsFrom+i.
	seasonStarts []ledger.Day

	// cal holds the date of every day of the period (y<<9 | m<<5 | d),
	// when grouping by month or age band: events in the period look their
	// date up instead of computing it.
	cal []uint32

	// Per worker scratch.
	seasons      []int
	pids         []uint32     // intern of each placement
	workerKeys   []flaggedKey // the groups the worker counts in, and as what
	circularKeys []key
}

func newTally(p period, g grouping) *tally {
	t := &tally{p: p, g: g, placementIDs: map[placementValues]uint32{}, placements: []placementValues{{}},
		nationalityIDs: map[ledger.Code]uint64{}, nationalities: []ledger.Code{0}}
	y, m, _ := civil(p.from)
	t.firstMonth = y*12 + m
	y2, m2, _ := civil(p.to)
	t.groups = newStore(g, y2*12+m2-t.firstMonth+1)
	for y := seasonsFrom; y <= seasonsTo; y++ {
		t.seasonStarts = append(t.seasonStarts, days(y, p.seasonStart/100, p.seasonStart%100))
	}
	if n := int(p.to-p.from) + 1; g.byDay() && n <= 100*366 {
		t.cal = make([]uint32, n)
		for i := range t.cal {
			y, m, d := civil(p.from + ledger.Day(i))
			t.cal[i] = uint32(y)<<9 | uint32(m)<<5 | uint32(d)
		}
	}
	return t
}

// at returns the counts of group k.
func (t *tally) at(k key) *counts {
	if t.g == (grouping{}) {
		return &t.none
	}
	return t.groups.at(k)
}

// Age bands (docs/API.md), by the lowest age of each band.
var (
	bandLabels = []string{"0-17", "18-24", "25-34", "35-44", "45-54", "55+"}
	bandFloors = []int{18, 25, 35, 45, 55} // first age of the next band
)

func band(age int) int {
	for i, floor := range bandFloors {
		if age < floor {
			return i
		}
	}
	return len(bandFloors)
}

// workerKey is the part of a key that does not depend on the event.
func (t *tally) workerKey(f *ledger.Facts) key {
	var k key
	if t.g.sex {
		k |= key(sexCode(f.Sex) << sexShift)
	}
	if t.g.nationality {
		id, ok := t.nationalityIDs[f.Nationality]
		if !ok {
			id = uint64(min(len(t.nationalities), 0xffff)) // there are fewer than 300 countries
			t.nationalityIDs[f.Nationality] = id
			t.nationalities = append(t.nationalities, f.Nationality)
		}
		k |= key(id << natShift)
	}
	return k
}

// placementDims reports whether a placement dimension is grouped.
func (g grouping) placementDims() bool { return g.sector || g.occupation || g.region || g.employer }

// intern returns the tally's number for the grouped values of placement
// pl (0 when no placement dimension is grouped).
func (t *tally) intern(pl *ledger.FactPlacement) uint32 {
	if !t.g.placementDims() {
		return 0
	}
	var v placementValues
	if t.g.occupation {
		v.occupation = pl.Occupation
	}
	if t.g.sector {
		v.sector = pl.Sector
	}
	if t.g.region {
		v.region = pl.Region
	}
	if t.g.employer {
		v.employer = pl.Employer
	}
	id, ok := t.placementIDs[v]
	if !ok {
		// More distinct values than 27 bits can number would need more
		// placements than any log holds; they would share the last number.
		id = uint32(min(len(t.placements), 1<<pidBits-1))
		t.placementIDs[v] = id
		t.placements = append(t.placements, v)
	}
	return id
}

// eventKey adds to base the values of an event on day d, attributed to
// the placement numbered pid (0: none, "unknown").
func (t *tally) eventKey(base key, f *ledger.Facts, d ledger.Day, pid uint32) key {
	k := base
	if t.g.byDay() {
		y, m, dd := t.date(d)
		if t.g.age {
			k |= key(band(ageOn(f, y, m, dd))+1) << bandShift
		}
		if t.g.month {
			k |= key(y*12+m-t.firstMonth+1) << monthShift // events are in the period
		}
	}
	return k | key(pid)
}

// wide returns the report-wide key of a tally's key.
func (t *tally) wide(k key) wideKey {
	var w wideKey
	w[0] = uint64(sexCodes[k>>sexShift&3])<<56 | uint64(k>>bandShift&7)<<48
	if month := int(k >> monthShift & 0xffff); month > 0 {
		w[0] |= uint64(t.firstMonth + month - 1)
	}
	w[1] = uint64(t.nationalities[k>>natShift&0xffff])
	v := &t.placements[k&(1<<pidBits-1)]
	w[1] |= uint64(v.occupation) >> 24
	w[2], w[3] = uint64(v.sector), uint64(v.region)
	w[4], w[5] = be64(v.employer[:8]), be64(v.employer[8:])
	return w
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

func ageOn(f *ledger.Facts, y, m, d int) int {
	age := y - f.BirthYear
	if m*100+d < f.Birthday {
		age--
	}
	return age
}

// nextChange returns the first day after d on which an event's group can
// differ from d's: the first of the next month when grouping by month,
// the birthday that starts the next age band when grouping by age band.
func (t *tally) nextChange(f *ledger.Facts, d ledger.Day) ledger.Day {
	next := ledger.OpenEnd
	y, m, dd := t.date(d)
	if t.g.month {
		ny, nm := y, m+1
		if nm == 13 {
			ny, nm = y+1, 1
		}
		next = min(next, days(ny, nm, 1))
	}
	if t.g.age {
		age := ageOn(f, y, m, dd)
		for _, floor := range bandFloors {
			if floor > age {
				// A 29 February birthday falls on 1 March in other years,
				// as days() normalises it, and as ageOn counts it.
				next = min(next, days(f.BirthYear+floor, f.Birthday/100, f.Birthday%100))
				break
			}
		}
	}
	return max(next, d+1) // never stall, even on a malformed birthday
}

// lastPlacement returns the index of the worker's most recent placement
// that started on or before d (the later one in start order on a tie), or
// -1.
func lastPlacement(f *ledger.Facts, d ledger.Day) int {
	best := -1
	for i := range f.Placements {
		if p := &f.Placements[i]; p.Start <= d && (best < 0 || p.Start >= f.Placements[best].Start) {
			best = i
		}
	}
	return best
}

// pidOf returns the tally's number of placement i (-1: none).
func (t *tally) pidOf(i int) uint32 {
	if i < 0 {
		return 0
	}
	return t.pids[i]
}

func (t *tally) in(d ledger.Day) bool { return t.p.from <= d && d <= t.p.to }

func addKey(ks []key, k key) []key {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

// flaggedKey is a group a worker counts in, as a worker, and maybe as a
// returning worker and a same-employer return (one map lookup for all
// three).
type flaggedKey struct {
	k               key
	returning, same bool
}

func addFlagged(ks []flaggedKey, k key, returning, same bool) []flaggedKey {
	for i := range ks {
		if ks[i].k == k {
			ks[i].returning = ks[i].returning || returning
			ks[i].same = ks[i].same || same
			return ks
		}
	}
	return append(ks, flaggedKey{k, returning, same})
}

// worker adds one worker's facts.
func (t *tally) worker(f *ledger.Facts) {
	base := t.workerKey(f)
	t.workerKeys, t.circularKeys = t.workerKeys[:0], t.circularKeys[:0]
	t.placementsOf(f, base)
	t.movementsOf(f, base)
	t.countWorker()
}

// placementsOf counts the worker's placements started and ended, and
// gathers in t.workerKeys the groups (returning, same employer) the
// placements make the worker count in.
func (t *tally) placementsOf(f *ledger.Facts, base key) {
	t.seasons, t.pids = t.seasons[:0], t.pids[:0]
	first := 0
	for i := range f.Placements {
		s := t.season(f.Placements[i].Start)
		t.seasons = append(t.seasons, s)
		if i == 0 || s < first {
			first = s
		}
		t.pids = append(t.pids, t.intern(&f.Placements[i]))
	}
	for i := range f.Placements {
		p := &f.Placements[i]
		if t.in(p.Start) {
			t.at(t.eventKey(base, f, p.Start, t.pids[i])).started++
			t.totals.started++
		}
		if p.End != ledger.OpenEnd && t.in(p.End) {
			t.at(t.eventKey(base, f, p.End, t.pids[i])).ended++
			t.totals.ended++
		}
		a, b := max(p.Start, t.p.from), min(p.End, t.p.to)
		if a > b {
			continue
		}
		returning := t.seasons[i] > first
		same := false
		if returning {
			for j := range f.Placements {
				if f.Placements[j].Employer == p.Employer && t.seasons[j] < t.seasons[i] {
					same = true
					break
				}
			}
		}
		// Every day of [a, b] is a day the placement is active: group the
		// worker under each group those days fall in.
		for d := a; d <= b; {
			t.workerKeys = addFlagged(t.workerKeys, t.eventKey(base, f, d, t.pids[i]), returning, same)
			if !t.g.byDay() {
				break
			}
			d = t.nextChange(f, d)
		}
	}
}

// movementsOf counts the worker's entries, exits, stays and overstay, and
// gathers in t.circularKeys the groups of its circular returns.
func (t *tally) movementsOf(f *ledger.Facts, base key) {
	open, openDay := false, ledger.Day(0)
	present := false
	for _, m := range f.Movements {
		if m.Day <= t.p.to {
			present = !m.Exit
		}
		inPeriod := t.in(m.Day)
		var k key
		var pl *ledger.FactPlacement
		if inPeriod {
			i := lastPlacement(f, m.Day)
			if i >= 0 {
				pl = &f.Placements[i]
			}
			k = t.eventKey(base, f, m.Day, t.pidOf(i))
			if m.Exit {
				t.at(k).exits++
				t.totals.exits++
			} else {
				t.at(k).entries++
				t.totals.entries++
			}
		}
		switch {
		case !m.Exit && !open:
			open, openDay = true, m.Day
		case m.Exit && open:
			open = false
			if inPeriod {
				c := t.at(k)
				c.stays++
				c.stayDays += int64(m.Day - openDay)
				t.totals.stays++
				t.totals.stayDays += int64(m.Day - openDay)
			}
		}
		if inPeriod && m.Exit && pl != nil && pl.End != ledger.OpenEnd && pl.End <= m.Day && permitted(f, pl.End, m.Day) {
			t.circularKeys = addKey(t.circularKeys, k)
		}
	}
	if present && !validOn(f, t.p.to) {
		t.at(t.eventKey(base, f, t.p.to, t.pidOf(lastPlacement(f, t.p.to)))).overstays++
		t.totals.overstays++
	}
}

// countWorker counts the worker once in each group gathered in
// t.workerKeys and t.circularKeys, and in the totals.
func (t *tally) countWorker() {
	returning, same := false, false
	for _, fk := range t.workerKeys {
		c := t.at(fk.k)
		c.workers++
		c.returning += b2i(fk.returning)
		c.sameEmployer += b2i(fk.same)
		returning, same = returning || fk.returning, same || fk.same
	}
	for _, k := range t.circularKeys {
		t.at(k).circular++
	}
	t.totals.workers += b2i(len(t.workerKeys) > 0)
	t.totals.returning += b2i(returning)
	t.totals.sameEmployer += b2i(same)
	t.totals.circular += b2i(len(t.circularKeys) > 0)
}

// permitted reports whether a permit valid on day end was still valid on
// day exit: the exit came on or before its valid_to (or the day before its
// revocation, if earlier).
func permitted(f *ledger.Facts, end, exit ledger.Day) bool {
	for _, p := range f.Permits {
		if p.From <= end && end <= p.LastValid && exit <= p.LastValid {
			return true
		}
	}
	return false
}

// validOn reports whether a permit of the worker is valid on day d.
func validOn(f *ledger.Facts, d ledger.Day) bool {
	for _, p := range f.Permits {
		if p.From <= d && d <= p.LastValid {
			return true
		}
	}
	return false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
