package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// gen draws and appends the life of one worker.
type gen struct {
	svc   *ledger.Service
	opts  *BulkOptions
	emps  []employer
	rnd   *rand.Rand
	stats *BulkStats
	run   string
	n     int

	id  string
	now time.Time
}

func (g *gen) chance(p float64) bool { return g.rnd.Float64() < p }

// employerIndex picks an employer, the first ones more often (a few big
// plantations, many small farms).
func (g *gen) employerIndex() int {
	u := g.rnd.Float64()
	return int(u * u * float64(len(g.emps)))
}

// another picks another employer, of the same kind of work as emp if one
// comes up in a few draws.
func (g *gen) another(emp int) int {
	for range 20 {
		if o := g.employerIndex(); o != emp && g.emps[o].kind == g.emps[emp].kind {
			return o
		}
	}
	return (emp + 1) % len(g.emps)
}

func (g *gen) worker(ctx context.Context) error {
	// Who: sex, nationality, date of birth (most 20 to 50 at the first
	// season, a few minors and older workers).
	sex := "M"
	switch x := g.rnd.IntN(100); {
	case x < 36:
		sex = "F"
	case x < 38:
		sex = "X"
	}
	nat := nationalities[0].code
	x := g.rnd.IntN(100)
	for _, n := range nationalities {
		if x < n.weight {
			nat = n.code
			break
		}
		x -= n.weight
	}
	age := 18 + g.rnd.IntN(25) + g.rnd.IntN(15)
	if g.chance(0.005) {
		age = 16 + g.rnd.IntN(2)
	}
	dob := time.Date(g.opts.FirstSeason-age, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(365))
	registrar := borders[g.rnd.IntN(len(borders))]
	home := g.employerIndex()
	if g.chance(0.5) {
		registrar = g.emps[home].actor
	}
	doc := ledger.DocumentRequest{Type: "passport", Number: fmt.Sprintf("S%s%08d", g.run, g.n), IssuingCountry: nat}
	if g.chance(0.2) {
		doc.Type = "national_id"
	}
	w, err := g.svc.RegisterWorker(ctx, registrar, ledger.WorkerRequest{
		GivenNames: "Trabajador", FamilyNames: fmt.Sprintf("Sintetico %d", g.n), DateOfBirth: day(dob),
		Sex: sex, Nationality: nat, Document: doc})
	if err != nil {
		return fmt.Errorf("register worker %d: %w", g.n, err)
	}
	g.id = w.WorkerID
	g.stats.Workers++

	// When: the first season (earlier ones more likely), then a return
	// each next season with probability 0.7, to the same employer with
	// probability 0.7, else to another of the same kind of work.
	first := 0
	for first < g.opts.Seasons-1 && g.chance(0.4) {
		first++
	}
	emp := home
	for s := first; s < g.opts.Seasons; s++ {
		if s > first {
			if !g.chance(0.7) {
				break
			}
			if !g.chance(0.7) {
				emp = g.another(emp)
			}
		}
		stayed, err := g.season(ctx, g.opts.FirstSeason+s, emp)
		if err != nil {
			return err
		}
		if stayed {
			g.stats.Overstays++
			break
		}
	}
	if g.chance(0.0001) {
		if _, err := g.svc.EraseWorker(ctx, ministry, g.id, ledger.ReasonRequest{Reason: "erasure requested by the worker"}); err != nil {
			return fmt.Errorf("erase worker %d: %w", g.n, err)
		}
		g.stats.Erased++
	}
	return nil
}

// season appends one season of work at emps[emp], starting in year, and
// reports whether the worker overstayed (never left).
func (g *gen) season(ctx context.Context, year, emp int) (bool, error) {
	e := &g.emps[emp]
	k := e.kind
	start := time.Date(year, k.startMonth, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(21))
	expected := start.AddDate(0, k.months, -g.rnd.IntN(15))
	permitTo := expected.AddDate(0, 0, 30)
	ptype := "seasonal_work"
	if g.chance(0.1) {
		ptype = "cross_border_card"
	}
	if err := g.permit(ctx, ptype, start.AddDate(0, 0, -10), permitTo); err != nil {
		return false, err
	}
	entry := start.AddDate(0, 0, -1-g.rnd.IntN(6))
	if g.chance(0.02) { // refused once, admitted a few days later
		if err := g.cross(ctx, "refused", entry.AddDate(0, 0, -4)); err != nil {
			return false, err
		}
	}
	if err := g.cross(ctx, "entry", entry); err != nil {
		return false, err
	}
	end := expected.AddDate(0, 0, -g.rnd.IntN(10))
	if g.chance(0.05) { // a renewal, and a longer season
		if err := g.permit(ctx, ptype, permitTo.AddDate(0, 0, -10), permitTo.AddDate(0, 0, 60)); err != nil {
			return false, err
		}
		permitTo = permitTo.AddDate(0, 0, 60)
		end = end.AddDate(0, 0, 20+g.rnd.IntN(20))
	}
	pl, err := g.place(ctx, e, start, expected)
	if err != nil {
		return false, err
	}
	if g.chance(0.06) { // a transfer mid-season to another employer of the same kind
		t := start.AddDate(0, 0, int(end.Sub(start).Hours()/24)/2)
		if err := g.end(ctx, e, pl, t, "transferred"); err != nil {
			return false, err
		}
		g.stats.Transfers++
		e = &g.emps[g.another(emp)]
		if pl, err = g.place(ctx, e, t.AddDate(0, 0, 1), expected); err != nil {
			return false, err
		}
	}
	reason := "completed"
	switch x := g.rnd.IntN(100); {
	case x < 4:
		reason = "resigned"
	case x < 7:
		reason = "abandoned"
	case x < 9:
		reason = "dismissed"
	}
	if err := g.end(ctx, e, pl, end, reason); err != nil {
		return false, err
	}
	switch x := g.rnd.IntN(100); {
	case x < 2: // overstay: never leaves
		return true, nil
	case x < 5: // leaves after the permit ended
		return false, g.cross(ctx, "exit", permitTo.AddDate(0, 0, 5+g.rnd.IntN(25)))
	default:
		return false, g.cross(ctx, "exit", end.AddDate(0, 0, 1+g.rnd.IntN(10)))
	}
}

func (g *gen) permit(ctx context.Context, typ string, from, to time.Time) error {
	actor := ministry
	if typ == "cross_border_card" {
		actor = borders[g.rnd.IntN(len(borders))]
	}
	if _, err := g.svc.IssuePermit(ctx, actor, ledger.PermitRequest{WorkerID: g.id, Type: typ, ValidFrom: day(from), ValidTo: day(to)}); err != nil {
		return fmt.Errorf("permit of worker %d: %w", g.n, err)
	}
	g.stats.Permits++
	return nil
}

func (g *gen) cross(ctx context.Context, dir string, on time.Time) error {
	at := on.Add(time.Duration(7*3600+g.rnd.IntN(10*3600)) * time.Second)
	if at.After(g.now) {
		return nil // not yet: the worker is still in the country
	}
	req := ledger.CrossingRequest{WorkerID: g.id, Direction: dir, OccurredAt: at.Format(time.RFC3339)}
	if dir == "refused" {
		req.Reason = "incomplete documents"
	}
	if _, err := g.svc.RecordCrossing(ctx, borders[g.rnd.IntN(len(borders))], req); err != nil {
		return fmt.Errorf("%s of worker %d on %s: %w", dir, g.n, day(on), err)
	}
	g.stats.Crossings++
	return nil
}

func (g *gen) place(ctx context.Context, e *employer, start, expected time.Time) (string, error) {
	occ := e.kind.occupations[g.rnd.IntN(len(e.kind.occupations))]
	if expected.Before(start) {
		expected = start
	}
	r, err := g.svc.StartPlacement(ctx, e.actor, ledger.PlacementRequest{WorkerID: g.id, StartDate: day(start),
		ExpectedEndDate: day(expected), Occupation: occ, Sector: e.kind.sector, Region: e.region})
	if err != nil {
		return "", fmt.Errorf("placement of worker %d: %w", g.n, err)
	}
	g.stats.Placements++
	return r.PlacementID, nil
}

func (g *gen) end(ctx context.Context, e *employer, placement string, on time.Time, reason string) error {
	if _, err := g.svc.EndPlacement(ctx, e.actor, placement, ledger.EndPlacementRequest{EndDate: day(on), Reason: reason}); err != nil {
		if errors.Is(err, ledger.ErrConflict) {
			return nil
		}
		return fmt.Errorf("end placement of worker %d: %w", g.n, err)
	}
	g.stats.Ended++
	return nil
}
