package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// Post is a border post of Costa Rica on the demo's routes. Code is the
// crossing's post and the org of the post's border officers' tokens.
type Post struct {
	Code      string // e.g. CR-PENAS-BLANCAS
	Name      string // e.g. Peñas Blancas
	Neighbour string // the country across the border (ISO 3166-1 alpha-3)
}

// Posts are the four border posts of the demo: two on the Nicaraguan
// border (the Pan-American Highway at Peñas Blancas, Las Tablillas near
// Los Chiles), two on the Panamanian one (Paso Canoas on the Pan-American
// Highway, Sixaola on the Caribbean side).
var Posts = []Post{
	{Code: "CR-PENAS-BLANCAS", Name: "Peñas Blancas", Neighbour: "NIC"},
	{Code: "CR-LAS-TABLILLAS", Name: "Las Tablillas", Neighbour: "NIC"},
	{Code: "CR-PASO-CANOAS", Name: "Paso Canoas", Neighbour: "PAN"},
	{Code: "CR-SIXAOLA", Name: "Sixaola", Neighbour: "PAN"},
}

const (
	postPenasBlancas = iota
	postLasTablillas
	postPasoCanoas
	postSixaola
)

// crop is a kind of seasonal work: its ISIC class and the calendar of its
// season (month and day, in one calendar year).
type crop struct {
	name        string
	sector      string // ISIC Rev.4 class
	permitFrom  md     // seasonal permits are valid from
	permitTo    md     // … to
	entryFrom   md     // first arrivals
	entrySpread int    // arrivals over this many days
	expectedEnd md     // expected end of placements
	endFrom     md     // placements end from
	endSpread   int    // … over this many days
	occupations []weighted[string]
	womenPct    int
}

type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return xs[len(xs)-1].v
}

// The crops. Seasons are kept inside one calendar year, the reports'
// default season: the coffee harvest of the Central Valley and Los Santos
// from late September, the sugar-cane harvest (zafra) of Guanacaste from
// January, bananas, pineapple and oil palm in six-month stints. ISCO-08:
// 9211 crop farm labourers (pickers, cutters, packers), 6112 tree and
// shrub crop growers, 6111 field crop growers, 8341 mobile farm plant
// operators (tractors, cane loaders).
var (
	coffee = &crop{name: "coffee", sector: "0127", permitFrom: md{9, 15}, permitTo: md{12, 31}, entryFrom: md{9, 20}, entrySpread: 20,
		expectedEnd: md{12, 15}, endFrom: md{12, 5}, endSpread: 14, womenPct: 35,
		occupations: []weighted[string]{{"9211", 92}, {"6112", 8}}}
	sugarCane = &crop{name: "sugar cane", sector: "0114", permitFrom: md{1, 5}, permitTo: md{5, 15}, entryFrom: md{1, 6}, entrySpread: 12,
		expectedEnd: md{4, 30}, endFrom: md{4, 15}, endSpread: 18, womenPct: 4,
		occupations: []weighted[string]{{"9211", 82}, {"8341", 12}, {"6111", 6}}}
	banana = &crop{name: "banana", sector: "0122", permitFrom: md{3, 1}, permitTo: md{8, 31}, entryFrom: md{3, 2}, entrySpread: 10,
		expectedEnd: md{8, 20}, endFrom: md{8, 10}, endSpread: 14, womenPct: 20,
		occupations: []weighted[string]{{"9211", 88}, {"6112", 7}, {"8341", 5}}}
	pineapple = &crop{name: "pineapple", sector: "0122", permitFrom: md{4, 1}, permitTo: md{9, 30}, entryFrom: md{4, 2}, entrySpread: 10,
		expectedEnd: md{9, 15}, endFrom: md{9, 8}, endSpread: 14, womenPct: 30,
		occupations: []weighted[string]{{"9211", 86}, {"8341", 8}, {"6111", 6}}}
	oilPalm = &crop{name: "oil palm", sector: "0126", permitFrom: md{6, 1}, permitTo: md{11, 30}, entryFrom: md{6, 2}, entrySpread: 10,
		expectedEnd: md{11, 15}, endFrom: md{11, 8}, endSpread: 14, womenPct: 5,
		occupations: []weighted[string]{{"9211", 85}, {"6112", 8}, {"8341", 7}}}
)

// employerSpec is one demo employer. The names are invented.
type employerSpec struct {
	name     string
	taxKind  string // Costa Rican cédula jurídica class: 3-101 S.A., 3-102 Ltda., 3-004 cooperative
	crop     *crop
	region   string // ISO 3166-2 province
	place    string
	nic, pan int // weight among workers from Nicaragua, from Panama
}

var employerSpecs = []employerSpec{
	{"Beneficio Cafetalero Altos de Tarrazú S.A.", "3-101", coffee, "CR-SJ", "San Marcos de Tarrazú, Los Santos", 30, 20},
	{"Cafetalera Monte Barva S.A.", "3-101", coffee, "CR-H", "Barva, Heredia", 25, 0},
	{"Hacienda Cafetalera Valle Occidental Ltda.", "3-102", coffee, "CR-A", "Naranjo, Alajuela", 20, 0},
	{"Cooperativa de Caficultores de Llano Grande R.L.", "3-004", coffee, "CR-C", "Llano Grande, Cartago", 15, 0},
	{"Finca Cafetalera Sabalito de Coto Brus S.A.", "3-101", coffee, "CR-P", "Sabalito, Coto Brus", 0, 35},
	{"Bananera Valle de la Estrella S.A.", "3-101", banana, "CR-L", "Valle La Estrella, Limón", 22, 10},
	{"Agrícola Bananera Sixaola Talamanca S.A.", "3-101", banana, "CR-L", "Sixaola, Talamanca", 0, 25},
	{"Piñera del Norte Pital S.A.", "3-101", pineapple, "CR-A", "Pital, San Carlos", 22, 0},
	{"Exportadora de Piña Guácimo Ltda.", "3-102", pineapple, "CR-L", "Guácimo, Limón", 14, 0},
	{"Ingenio Azucarero Río Tempisque S.A.", "3-101", sugarCane, "CR-G", "Filadelfia, Carrillo", 25, 0},
	{"Cañera Llanos de Cañas Ltda.", "3-102", sugarCane, "CR-G", "Cañas, Guanacaste", 15, 0},
	{"Palmas del Pacífico Central S.A.", "3-101", oilPalm, "CR-P", "Parrita, Puntarenas", 10, 12},
}

// Worker kinds with a story the demo points at.
const (
	kindRegular  = ""
	kindOverstay = "overstay"  // enters, works, stays on after the permit ends
	kindLateExit = "late_exit" // leaves weeks after the permit ended
	kindMinor    = "minor"     // placed at 17
	kindRefused  = "refused"   // refused entry at the border
	kindErased   = "erased"    // personal data erased at their request
)

// Plan sizes.
const (
	plannedWorkers = 300 // including the three special ones below
	overstays      = 4
	lateExits      = 4
	transferPct    = 5 // of placements, transferred mid-season
	returnPct      = 78
	sameEmployer   = 72 // of returns, to the same employer
	earlyEndPct    = 6  // placements ended early (resigned, dismissed, abandoned)
)

// workerPlan is everything that happens to one worker, in date order.
type workerPlan struct {
	kind      string
	origin    origin
	req       ledger.WorkerRequest
	regDate   string // registration date
	regByPost int    // border post that registers the worker, or -1
	regByEmp  int    // employer that registers the worker, or -1
	seasons   []seasonPlan
}

// seasonPlan is one season of one worker.
type seasonPlan struct {
	year        int
	post        int
	permit      *permitPlan // nil for a refused entry
	refused     string      // reason of a refused entry, or ""
	entry       time.Time
	stints      []stint
	exit        *time.Time // nil: never left
	transferred bool
}

type permitPlan struct {
	typ      string // seasonal_work or cross_border_card
	from, to string
	issued   string // date the permit is issued
	byPost   int    // border post that issues it (cross-border cards), or -1 (the migration authority)
}

// stint is one placement.
type stint struct {
	employer    int
	start       string
	expectedEnd string
	end         string
	reason      string
	occupation  string
}

// plan is the whole demo data set before anything is appended.
type plan struct {
	years   []int
	taxIDs  []string
	workers []*workerPlan
}

// local is Costa Rica's time zone (no daylight saving): crossings are
// stamped with the post's local time.
var local = time.FixedZone("CST", -6*60*60)

// md is a day of the year: month and day.
type md struct {
	m time.Month
	d int
}

func mmdd(year int, x md) time.Time { return time.Date(year, x.m, x.d, 0, 0, 0, 0, time.UTC) }

func day(t time.Time) string { return t.Format(time.DateOnly) }

// at returns a time of day (local, 06:00 to 15:59) on the date of t.
func at(r *rand.Rand, t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 6+r.IntN(10), r.IntN(60), 0, 0, local)
}

// makePlan draws the data set from r: three seasons, the two previous
// calendar years and the current one of now. The same r state gives the
// same plan.
func makePlan(now time.Time, r *rand.Rand) *plan {
	y := now.UTC().Year()
	p := &plan{years: []int{y - 2, y - 1, y}}
	for _, e := range employerSpecs {
		p.taxIDs = append(p.taxIDs, fmt.Sprintf("%s-%06d", e.taxKind, 100_000+r.IntN(900_000)))
	}
	seen := map[string]bool{}
	for range plannedWorkers - 3 {
		p.workers = append(p.workers, regularWorker(r, p.years, seen))
	}
	markOverstaysAndLateExits(r, p)
	p.workers = append(p.workers,
		minorWorker(r, y-1, seen),
		refusedWorker(r, y-1, seen),
		erasedWorker(r, y-2, seen))
	return p
}

// employersFor returns the weighted employers that hire workers of o.
func employersFor(o origin) []weighted[int] {
	var out []weighted[int]
	for i, e := range employerSpecs {
		w := e.nic
		if o != fromNicaragua {
			w = e.pan
		}
		if w > 0 {
			out = append(out, weighted[int]{i, w})
		}
	}
	return out
}

// postFor returns the border post a worker of origin o crosses on the way
// to employer e.
func postFor(o origin, e int) int {
	spec := employerSpecs[e]
	if o == fromNicaragua {
		if spec.crop == pineapple {
			return postLasTablillas
		}
		return postPenasBlancas
	}
	if spec.region == "CR-L" {
		return postSixaola
	}
	return postPasoCanoas
}

// newPerson draws identity and document; age is the age on the date ref.
func newPerson(r *rand.Rand, o origin, sex string, ref time.Time, age int, seen map[string]bool) ledger.WorkerRequest {
	dob := ref.AddDate(-age, 0, -1-r.IntN(360))
	given, family := personName(r, o, sex)
	var d document
	for {
		d = newDocument(r, o, dob)
		if !seen[d.key()] {
			seen[d.key()] = true
			break
		}
	}
	return ledger.WorkerRequest{
		GivenNames: given, FamilyNames: family, DateOfBirth: day(dob), Sex: sex, Nationality: o.nationality(),
		Document: ledger.DocumentRequest{Type: d.typ, Number: d.number, IssuingCountry: d.country},
	}
}

func drawOrigin(r *rand.Rand) origin {
	switch n := r.IntN(100); {
	case n < 64:
		return fromNicaragua
	case n < 78:
		return fromPanama
	default:
		return fromNgabe
	}
}

// drawAge returns an adult age, mostly 20 to 45.
func drawAge(r *rand.Rand) int {
	switch n := r.IntN(100); {
	case n < 12:
		return 18 + r.IntN(3)
	case n < 88:
		return 21 + r.IntN(25)
	default:
		return 46 + r.IntN(10)
	}
}

func regularWorker(r *rand.Rand, years []int, seen map[string]bool) *workerPlan {
	o := drawOrigin(r)
	emp := pickWeighted(r, employersFor(o))
	c := employerSpecs[emp].crop
	sex := "M"
	if r.IntN(100) < c.womenPct {
		sex = "F"
	}
	first := 0
	switch n := r.IntN(100); {
	case n >= 85:
		first = 2
	case n >= 55:
		first = 1
	}
	w := &workerPlan{origin: o, regByPost: -1, regByEmp: -1}
	for i := first; i < len(years); i++ {
		if i > first && r.IntN(100) >= returnPct {
			continue
		}
		if i > first && r.IntN(100) >= sameEmployer {
			emp = otherEmployer(r, o, emp)
		}
		w.seasons = append(w.seasons, season(r, o, years[i], emp))
	}
	s0 := w.seasons[0]
	w.req = newPerson(r, o, sex, mmdd(s0.year, c.entryFrom), drawAge(r), seen)
	if r.IntN(100) < 70 {
		w.regByPost, w.regDate = s0.post, day(s0.entry)
	} else {
		w.regByEmp, w.regDate = s0.stints[0].employer, day(s0.entry.AddDate(0, 0, -5-r.IntN(15)))
	}
	return w
}

// otherEmployer returns another employer of the same crop that hires
// workers of o, or e itself when there is none.
func otherEmployer(r *rand.Rand, o origin, e int) int {
	var others []weighted[int]
	for _, x := range employersFor(o) {
		if x.v != e && employerSpecs[x.v].crop == employerSpecs[e].crop {
			others = append(others, x)
		}
	}
	if len(others) == 0 {
		return e
	}
	return pickWeighted(r, others)
}

// season draws one ordinary season at employer emp: permit, entry, a
// placement (sometimes ended early, sometimes transferred to another
// employer of the crop), exit.
func season(r *rand.Rand, o origin, year, emp int) seasonPlan {
	spec := employerSpecs[emp]
	c := spec.crop
	s := seasonPlan{year: year, post: postFor(o, emp)}
	entry := mmdd(year, c.entryFrom).AddDate(0, 0, r.IntN(c.entrySpread))
	s.entry = at(r, entry)
	pp := &permitPlan{typ: "seasonal_work", from: day(mmdd(year, c.permitFrom)), to: day(mmdd(year, c.permitTo)), byPost: -1}
	if o == fromNgabe && spec.crop == coffee && spec.region == "CR-P" {
		pp.typ, pp.byPost = "cross_border_card", s.post
	}
	pp.issued = day(entry.AddDate(0, 0, -3-r.IntN(18)))
	if pp.typ == "cross_border_card" {
		pp.issued = day(entry) // issued at the post on arrival
	}
	s.permit = pp
	start := entry.AddDate(0, 0, 1+r.IntN(4))
	end := mmdd(year, c.endFrom).AddDate(0, 0, r.IntN(c.endSpread))
	st := stint{employer: emp, start: day(start), expectedEnd: day(mmdd(year, c.expectedEnd)), occupation: pickWeighted(r, c.occupations), reason: "completed"}
	switch n := r.IntN(100); {
	case n < earlyEndPct:
		end = start.AddDate(0, 0, 15+r.IntN(45))
		st.reason = pick(r, []string{"resigned", "resigned", "abandoned", "dismissed"})
	case n < earlyEndPct+transferPct:
		if to := otherEmployer(r, o, emp); to != emp {
			moved := start.AddDate(0, 0, 20+r.IntN(25))
			st.end, st.reason = day(moved), "transferred"
			s.stints = append(s.stints, st)
			s.transferred = true
			st = stint{employer: to, start: day(moved.AddDate(0, 0, r.IntN(2))), expectedEnd: st.expectedEnd, occupation: st.occupation, reason: "completed"}
		}
	}
	st.end = day(end)
	s.stints = append(s.stints, st)
	exit := at(r, end.AddDate(0, 0, r.IntN(5)))
	s.exit = &exit
	return s
}

// markOverstaysAndLateExits turns a few regular workers into the
// demo's compliance stories: overstays in the previous season (never
// left after their permit ended, no later season) and late exits two
// seasons ago (left weeks after the permit ended).
func markOverstaysAndLateExits(r *rand.Rand, p *plan) {
	order := r.Perm(len(p.workers))
	over, late := 0, 0
	for _, i := range order {
		w := p.workers[i]
		if w.kind != kindRegular {
			continue
		}
		for j, s := range w.seasons {
			if over < overstays && s.year == p.years[1] && !s.transferred {
				w.kind, w.seasons = kindOverstay, w.seasons[:j+1]
				w.seasons[j].exit = nil
				over++
				break
			}
			if late < lateExits && s.year == p.years[0] && !s.transferred {
				w.kind = kindLateExit
				exit := at(r, mmdd(s.year, employerSpecs[s.stints[0].employer].crop.permitTo).AddDate(0, 0, 6+r.IntN(35)))
				w.seasons[j].exit = &exit
				late++
				break
			}
		}
		if over == overstays && late == lateExits {
			return
		}
	}
}

// minorWorker is a 17-year-old Ngäbe girl or boy placed in the coffee
// harvest of Coto Brus with a cross-border card: a minor_in_placement
// finding.
func minorWorker(r *rand.Rand, year int, seen map[string]bool) *workerPlan {
	emp := slices.IndexFunc(employerSpecs, func(e employerSpec) bool { return e.crop == coffee && e.region == "CR-P" })
	s := season(r, fromNgabe, year, emp)
	for s.transferred || s.stints[0].reason != "completed" {
		s = season(r, fromNgabe, year, emp)
	}
	start, _ := time.Parse("2006-01-02", s.stints[0].start)
	sex := pick(r, []string{"F", "M"})
	req := newPerson(r, fromNgabe, sex, start, 17, seen)
	return &workerPlan{kind: kindMinor, origin: fromNgabe, req: req, regDate: day(s.entry), regByPost: s.post, regByEmp: -1, seasons: []seasonPlan{s}}
}

// refusedWorker arrives at Peñas Blancas without a visa or work permit and
// is refused entry.
func refusedWorker(r *rand.Rand, year int, seen map[string]bool) *workerPlan {
	t := at(r, mmdd(year, coffee.entryFrom).AddDate(0, 0, r.IntN(coffee.entrySpread)))
	s := seasonPlan{year: year, post: postPenasBlancas, entry: t,
		refused: "no visa and no valid work permit presented; referred to the Costa Rican consulate in Managua"}
	req := newPerson(r, fromNicaragua, "M", t, drawAge(r), seen)
	return &workerPlan{kind: kindRefused, origin: fromNicaragua, req: req, regDate: day(t), regByPost: postPenasBlancas, regByEmp: -1, seasons: []seasonPlan{s}}
}

// erasedWorker works one sugar-cane harvest and later has their personal
// data erased at their request.
func erasedWorker(r *rand.Rand, year int, seen map[string]bool) *workerPlan {
	emp := slices.IndexFunc(employerSpecs, func(e employerSpec) bool { return e.crop == sugarCane })
	s := season(r, fromNicaragua, year, emp)
	for s.transferred || s.stints[0].reason != "completed" {
		s = season(r, fromNicaragua, year, emp)
	}
	req := newPerson(r, fromNicaragua, "M", s.entry, drawAge(r), seen)
	return &workerPlan{kind: kindErased, origin: fromNicaragua, req: req, regDate: day(s.entry), regByPost: s.post, regByEmp: -1, seasons: []seasonPlan{s}}
}
