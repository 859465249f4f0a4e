package report

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
)

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestEdgeCases covers the rules of circular returns, stays and
// overstays one worker at a time.
func TestEdgeCases(t *testing.T) {
	e := newEnv(t)
	// The revocation below happens on 2025-09-20: recorded_at never goes
	// backwards, so the clock starts there.
	e.clock.set(time.Date(2025, 9, 20, 12, 0, 0, 0, time.UTC))
	emp := e.employer("Finca", "E-1")
	year := Request{From: "2025-01-01", To: "2025-12-31"}

	// E1's permit is revoked on 2025-09-20 (valid through 09-19): its
	// exit on 09-25 came after the permit ended (not a circular return),
	// and it overstayed from 09-20.
	e1 := e.worker("E1", "1990-05-05", "F", "NIC")
	prm := e.permit(e1, "2025-03-01", "2025-12-31")
	e.cross(e1, "entry", "2025-03-02")
	p := e.place(emp, e1, "2025-03-03", "2025-09-15")
	e.end(emp, p, "2025-09-15", "completed")
	must(e.svc.RevokePermit(e.ctx, ministry, prm, ledger.ReasonRequest{Reason: "fraud"}))(t)
	e.clock.set(time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC))
	e.cross(e1, "exit", "2025-09-25")
	for _, tc := range []struct {
		to   string
		want int64
	}{{"2025-09-19", 0}, {"2025-09-20", 1}, {"2025-09-25", 0}} {
		if got := e.report(Request{From: tc.to, To: tc.to}).Totals.Counts[Overstays].N; got != tc.want {
			t.Errorf("E1 overstays on %s = %d, want %d", tc.to, got, tc.want)
		}
	}
	if got := valuesOf(e.report(year).Totals); got != c(1, 1, 1, 1, 1, 0, 0, 0, 0) {
		t.Errorf("E1: %v, want no circular return", got)
	}

	// E2 leaves on the last day of its placement: a circular return.
	e2 := e.worker("E2", "1991-06-06", "M", "NIC")
	e.permit(e2, "2025-03-01", "2025-09-30")
	e.cross(e2, "entry", "2025-03-02")
	p = e.place(emp, e2, "2025-03-03", "2025-08-31")
	e.end(emp, p, "2025-08-31", "completed")
	e.cross(e2, "exit", "2025-08-31")
	if got := e.report(year).Totals.Counts[CircularReturns].N; got != 1 {
		t.Errorf("circular returns with E2 = %d, want 1", got)
	}

	// E3 leaves while its placement has not ended: not a circular return;
	// still a worker of every later period (the placement never ended).
	e3 := e.worker("E3", "1992-07-07", "F", "PAN")
	e.permit(e3, "2025-03-01", "2025-09-30")
	e.cross(e3, "entry", "2025-03-02")
	e.place(emp, e3, "2025-03-03", "2025-08-31")
	e.cross(e3, "exit", "2025-07-01")
	r := e.report(year)
	if got := r.Totals.Counts[CircularReturns].N; got != 1 {
		t.Errorf("circular returns with E3 = %d, want 1 (E2's)", got)
	}
	if got := e.report(Request{From: "2026-05-01", To: "2026-05-01"}).Totals.Counts[Workers].N; got != 1 {
		t.Errorf("workers on 2026-05-01 = %d, want 1 (E3's open placement)", got)
	}

	// E4: an entry while present does not start a second stay; an exit
	// without an entry ends none. Stays: E1 2025-03-02..09-25 (207 days),
	// E2 03-02..08-31 (182), E3 03-02..07-01 (121), E4 03-02..04-01 (30).
	e4 := e.worker("E4", "1993-08-08", "M", "HND")
	e.cross(e4, "entry", "2025-03-02")
	e.cross(e4, "entry", "2025-03-05")
	e.cross(e4, "exit", "2025-04-01")
	e.cross(e4, "exit", "2025-04-03")
	e.cross(e4, "refused", "2025-05-01")
	r = e.report(year)
	if diff := cmp.Diff(c(3, 3, 2, 5, 5, 0, 0, 1, 0), valuesOf(r.Totals)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if m := r.Totals.MeanStayDays; m.Days != 135 {
		t.Errorf("mean_stay_days = %+v, want (207+182+121+30)/4 = 135", m)
	}
	// E4 never had a placement, and the others entered the day before
	// theirs started: those crossings have no placement values.
	r = e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimEmployer, DimRegion}})
	if row := r.row("unknown", "unknown"); row == nil || row.Counts[Entries].N != 5 || row.Counts[Exits].N != 2 {
		t.Errorf("E4's crossings: %+v", row)
	}
}

// TestEmptyLog reports over a log with no entry.
func TestEmptyLog(t *testing.T) {
	e := newEnv(t)
	r := e.report(Request{From: "2025-01-01", To: "2025-12-31", MinCell: 5})
	if len(r.Rows) != 1 || r.Totals.Counts != ([numCounts]Count{}) || r.Totals.MeanStayDays.Valid {
		t.Errorf("empty log: %+v", r)
	}
	r = e.report(Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimMonth}})
	if len(r.Rows) != 0 {
		t.Errorf("empty log by month: %+v", r.Rows)
	}
}

// TestRoles lets ministries and inspectors read reports, nobody else.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	req := Request{From: "2025-01-01", To: "2025-01-31", MinCell: 5}
	for _, a := range []ledger.Actor{ministry, inspector} {
		if _, err := e.engine.Circular(e.ctx, a, req); err != nil {
			t.Errorf("%s: %v", a.Role, err)
		}
	}
	for _, a := range []ledger.Actor{border, {Sub: "x", Role: ledger.RoleEmployer, Org: "emp_x"}, {Role: "root"}} {
		_, err := e.engine.Circular(e.ctx, a, req)
		var me *ledger.Error
		if !errors.As(err, &me) || me.Code != ledger.CodeRoleNotAllowed || !errors.Is(err, ledger.ErrForbidden) {
			t.Errorf("%s: %v, want role_not_allowed", a.Role, err)
		}
	}
}
