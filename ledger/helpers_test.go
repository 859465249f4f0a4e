package ledger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// clock is an injected clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t.UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a ledger and a service on a temporary data directory, with a
// fake clock starting at 2025-01-06 09:00 UTC and host country CRI.
type env struct {
	tb    testing.TB
	dir   string
	clock *clock
	log   *tlog.Log
	svc   *Service
	ctx   context.Context
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{tb: tb, dir: tb.TempDir(), clock: newClock(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)), ctx: context.Background()}
	e.open()
	tb.Cleanup(func() { e.log.Close() })
	return e
}

func (e *env) open() {
	e.tb.Helper()
	l, err := tlog.Open(e.dir, tlog.Options{Now: e.clock.Now})
	if err != nil {
		e.tb.Fatalf("open ledger: %v", err)
	}
	svc, err := New(l, Config{Country: "CRI", Now: e.clock.Now})
	if err != nil {
		l.Close()
		e.tb.Fatalf("new service: %v", err)
	}
	e.log, e.svc = l, svc
}

// reopen closes and reopens the ledger and service on the same directory.
func (e *env) reopen() {
	e.tb.Helper()
	if err := e.log.Close(); err != nil {
		e.tb.Fatalf("close: %v", err)
	}
	e.open()
}

// setDate moves the clock to 09:00 UTC of a YYYY-MM-DD date.
func (e *env) setDate(d string) {
	e.tb.Helper()
	t, err := time.Parse(dateLayout, d)
	if err != nil {
		e.tb.Fatal(err)
	}
	e.clock.Set(t.Add(9 * time.Hour))
}

var (
	ministry  = Actor{Sub: "ana@mtss", Role: RoleMinistry, Org: "MTSS"}
	border    = Actor{Sub: "officer1", Role: RoleBorder, Org: "CR-PENAS-BLANCAS"}
	border2   = Actor{Sub: "officer2", Role: RoleBorder, Org: "CR-PASO-CANOAS"}
	inspector = Actor{Sub: "insp1", Role: RoleInspector, Org: "MTSS-DNI"}
)

func employerActor(id string) Actor { return Actor{Sub: "hr@" + id, Role: RoleEmployer, Org: id} }

// must(f())(t) returns f's value, failing the test on f's error.
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
func (e *env) employer(name, tax string) Actor {
	e.tb.Helper()
	r := must(e.svc.RegisterEmployer(e.ctx, ministry, EmployerRequest{
		LegalName: name, TaxID: tax, Country: "CRI", Sector: "A", Region: "CR-A"}))(e.tb)
	return employerActor(r.EmployerID)
}

func workerReq(given, family, dob, docNumber string) WorkerRequest {
	return WorkerRequest{GivenNames: given, FamilyNames: family, DateOfBirth: dob, Sex: "F", Nationality: "NIC",
		Document: DocumentRequest{Type: "passport", Number: docNumber, IssuingCountry: "NIC"}}
}

func (e *env) worker(a Actor, req WorkerRequest) string {
	e.tb.Helper()
	return must(e.svc.RegisterWorker(e.ctx, a, req))(e.tb).WorkerID
}

func (e *env) permit(workerID, from, to string) string {
	e.tb.Helper()
	return must(e.svc.IssuePermit(e.ctx, ministry, PermitRequest{WorkerID: workerID, Type: "seasonal_work", ValidFrom: from, ValidTo: to}))(e.tb).PermitID
}

func (e *env) cross(workerID, dir, at string) CrossingResult {
	e.tb.Helper()
	req := CrossingRequest{WorkerID: workerID, Direction: dir, OccurredAt: at}
	if dir == "refused" {
		req.Reason = "no documents"
	}
	return must(e.svc.RecordCrossing(e.ctx, border, req))(e.tb)
}

func (e *env) place(a Actor, workerID, start, end string) PlacementResult {
	e.tb.Helper()
	return must(e.svc.StartPlacement(e.ctx, a, PlacementRequest{WorkerID: workerID, StartDate: start,
		ExpectedEndDate: end, Occupation: "9211", Sector: "0127", Region: "CR-A"}))(e.tb)
}

func (e *env) end(a Actor, placementID, date, reason string) Receipt {
	e.tb.Helper()
	return must(e.svc.EndPlacement(e.ctx, a, placementID, EndPlacementRequest{EndDate: date, Reason: reason}))(e.tb)
}

// projectionRows returns every projection row, key → value.
func (e *env) projectionRows() map[string]string {
	e.tb.Helper()
	rows := map[string]string{}
	err := e.log.View(func(r *tlog.Reader) error {
		for _, p := range projectionPrefixes {
			err := r.Scan(p, nil, func(k, v []byte) error {
				rows[string(k)] = string(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	return rows
}

// errCode returns the code of a *ValidationError or *Error, and the
// field of a *ValidationError.
func errCode(err error) (code, field string) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Code, ve.Field
	}
	var me *Error
	if errors.As(err, &me) {
		return me.Code, ""
	}
	if err != nil {
		return "other: " + err.Error(), ""
	}
	return "", ""
}

// indexOf returns the index of the first entry of a type naming a worker.
func (e *env) indexOf(typ, workerID string) uint64 {
	e.tb.Helper()
	for i := uint64(0); i < e.log.Size(); i++ {
		en := must(e.svc.entry(i))(e.tb)
		if en.Type == typ && en.WorkerID == workerID {
			return i
		}
	}
	e.tb.Fatalf("no %s entry of %s", typ, workerID)
	return 0
}

// entry reads and decodes the entry at index.
func (s *Service) entry(index uint64) (Entry, error) {
	b, err := s.log.Entry(index)
	if err != nil {
		return Entry{}, err
	}
	return DecodeEntry(b)
}
