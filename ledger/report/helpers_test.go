package report

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// clock is an injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// env is a ledger, a mobility service and a report engine on a temporary
// data directory, host country CRI, with a clock at 2027-06-01 (after
// every date of the scenarios: crossings may not be in the future).
type env struct {
	tb     testing.TB
	ctx    context.Context
	dir    string
	clock  *clock
	log    *tlog.Log
	svc    *ledger.Service
	engine *Engine
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{tb: tb, ctx: context.Background(), dir: tb.TempDir(), clock: &clock{t: time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)}}
	l, err := tlog.Open(e.dir, tlog.Options{Now: e.clock.Now})
	if err != nil {
		tb.Fatalf("open ledger: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	svc, err := ledger.New(l, ledger.Config{Country: "CRI", Now: e.clock.Now})
	if err != nil {
		tb.Fatalf("new service: %v", err)
	}
	e.log, e.svc, e.engine = l, svc, New(svc, Options{Parallel: 2})
	return e
}

var (
	ministry  = ledger.Actor{Sub: "ana", Role: ledger.RoleMinistry, Org: "MTSS"}
	inspector = ledger.Actor{Sub: "ines", Role: ledger.RoleInspector, Org: "MTSS-DNI"}
	border    = ledger.Actor{Sub: "officer", Role: ledger.RoleBorder, Org: "CR-PENAS-BLANCAS"}
)

func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// employer registers an employer and returns its actor.
func (e *env) employer(name, tax string) ledger.Actor {
	e.tb.Helper()
	r := must(e.svc.RegisterEmployer(e.ctx, ministry, ledger.EmployerRequest{
		LegalName: name, TaxID: tax, Country: "CRI", Sector: "A", Region: "CR-A"}))(e.tb)
	return ledger.Actor{Sub: "hr", Role: ledger.RoleEmployer, Org: r.EmployerID}
}

// worker registers a worker with a date of birth, sex and nationality.
func (e *env) worker(doc, dob, sex, nat string) string {
	e.tb.Helper()
	return must(e.svc.RegisterWorker(e.ctx, border, ledger.WorkerRequest{GivenNames: "Given " + doc, FamilyNames: "Family",
		DateOfBirth: dob, Sex: sex, Nationality: nat,
		Document: ledger.DocumentRequest{Type: "passport", Number: doc, IssuingCountry: nat}}))(e.tb).WorkerID
}

func (e *env) permit(worker, from, to string) string {
	e.tb.Helper()
	return must(e.svc.IssuePermit(e.ctx, ministry, ledger.PermitRequest{WorkerID: worker, Type: "seasonal_work", ValidFrom: from, ValidTo: to}))(e.tb).PermitID
}

// cross records a crossing at 10:00 UTC of a date.
func (e *env) cross(worker, dir, date string) {
	e.tb.Helper()
	req := ledger.CrossingRequest{WorkerID: worker, Direction: dir, OccurredAt: date + "T10:00:00Z"}
	if dir == "refused" {
		req.Reason = "no visa"
	}
	must(e.svc.RecordCrossing(e.ctx, border, req))(e.tb)
}

// place starts a placement: coffee (0127) picking (9211) in Alajuela
// unless other attributes are given as occupation, sector, region.
func (e *env) place(emp ledger.Actor, worker, start, expected string, attrs ...string) string {
	e.tb.Helper()
	occ, sec, reg := "9211", "0127", "CR-A"
	if len(attrs) == 3 {
		occ, sec, reg = attrs[0], attrs[1], attrs[2]
	}
	return must(e.svc.StartPlacement(e.ctx, emp, ledger.PlacementRequest{WorkerID: worker, StartDate: start,
		ExpectedEndDate: expected, Occupation: occ, Sector: sec, Region: reg}))(e.tb).PlacementID
}

func (e *env) end(emp ledger.Actor, placement, date, reason string) {
	e.tb.Helper()
	must(e.svc.EndPlacement(e.ctx, emp, placement, ledger.EndPlacementRequest{EndDate: date, Reason: reason}))(e.tb)
}

func (e *env) report(req Request) *Report {
	e.tb.Helper()
	if req.MinCell == 0 {
		req.MinCell = 1
	}
	return must(e.engine.Compute(e.ctx, req))(e.tb)
}

// counts is a report's counts in Metric order (-1 for a suppressed one).
type countsOf [numCounts]int64

func valuesOf(m Metrics) countsOf {
	var c countsOf
	for i, x := range m.Counts {
		c[i] = x.N
		if x.Suppressed {
			c[i] = -1
		}
	}
	return c
}

// row returns the row whose dimension values are dims, or nil.
func (r *Report) row(dims ...string) *Row {
	for i := range r.Rows {
		if equal(r.Rows[i].Dims, dims) {
			return &r.Rows[i]
		}
	}
	return nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
