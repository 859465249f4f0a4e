package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// Actors of the scenario, named as env.token names its subjects.
var (
	ministryActor = ledger.Actor{Sub: "sub-ministry-DGME", Role: ledger.RoleMinistry, Org: "DGME"}
	borderActor   = ledger.Actor{Sub: "sub-border-PASO-CANOAS", Role: ledger.RoleBorder, Org: "PASO-CANOAS"}
)

func employerActorOf(id string) ledger.Actor {
	return ledger.Actor{Sub: "sub-employer-" + id, Role: ledger.RoleEmployer, Org: id}
}

// scenario is the data a domain env is seeded with (through the domain,
// in this order):
//
//	0  employer A registered        (active)
//	1  employer B registered        (suspended at 4)
//	2  employer C registered        (for a test to suspend)
//	3  employer D registered        (active: the other tenant)
//	5  worker registered by A       (placed by A at 13)
//	6  worker registered by border  (for a test to erase)
//	7  worker registered by D       (placed by D at 14)
//	8  permit of A's worker, 2026-03-01..2026-09-30
//	9  permit of A's worker, 2026-01-01..2026-02-28 (for a test to revoke)
//	10 permit of D's worker
//	11, 12 entries of A's and D's workers
//	13, 14 placements at A and D
type scenario struct {
	empA, empB, empC, empD string
	wkr, wkrErase, wkrD    string
	prmRevoke              string
	plcA, plcD             string
	idxD                   uint64 // D's placement
	// personal lists every name, date of birth and document number of
	// the scenario's workers: none may reach a ministry.
	personal []string
}

var scenarioWorkers = []ledger.WorkerRequest{
	{GivenNames: "Ana Lucía", FamilyNames: "Pérez Mora", DateOfBirth: "1994-07-15", Sex: "F", Nationality: "NIC",
		Document: ledger.DocumentRequest{Type: "passport", Number: "C01234567", IssuingCountry: "NIC"}},
	{GivenNames: "Luis Alberto", FamilyNames: "Gómez Ríos", DateOfBirth: "1988-11-02", Sex: "M", Nationality: "PAN",
		Document: ledger.DocumentRequest{Type: "national_id", Number: "B7654321", IssuingCountry: "PAN"}},
	{GivenNames: "Marta Elena", FamilyNames: "Solís Vega", DateOfBirth: "2001-02-20", Sex: "F", Nationality: "NIC",
		Document: ledger.DocumentRequest{Type: "border_card", Number: "D5550001", IssuingCountry: "NIC"}},
}

// seed fills a domain env with the scenario.
func (e *env) seed() *scenario {
	e.t.Helper()
	tb, svc, ctx := e.t, e.svc, e.t.Context()
	check := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
	sc := &scenario{}
	emps := make([]string, 4)
	for i, name := range []string{"Finca A", "Finca B", "Finca C", "Finca D"} {
		r, err := svc.RegisterEmployer(ctx, ministryActor, ledger.EmployerRequest{LegalName: name, TaxID: fmt.Sprintf("3-101-%06d", i+1), Country: "CRI", Sector: "A", Region: "CR-A"})
		check(err)
		emps[i] = r.EmployerID
	}
	sc.empA, sc.empB, sc.empC, sc.empD = emps[0], emps[1], emps[2], emps[3]
	_, err := svc.SuspendEmployer(ctx, ministryActor, sc.empB, ledger.ReasonRequest{Reason: "audit"})
	check(err)
	ids := make([]string, 3)
	for i, a := range []ledger.Actor{employerActorOf(sc.empA), borderActor, employerActorOf(sc.empD)} {
		r, err := svc.RegisterWorker(ctx, a, scenarioWorkers[i])
		check(err)
		ids[i] = r.WorkerID
		w := scenarioWorkers[i]
		sc.personal = append(sc.personal, w.GivenNames, w.FamilyNames, w.DateOfBirth, w.Document.Number)
	}
	sc.wkr, sc.wkrErase, sc.wkrD = ids[0], ids[1], ids[2]
	permit := func(w, from, to string) string {
		r, err := svc.IssuePermit(ctx, ministryActor, ledger.PermitRequest{WorkerID: w, Type: "seasonal_work", ValidFrom: from, ValidTo: to})
		check(err)
		return r.PermitID
	}
	permit(sc.wkr, "2026-03-01", "2026-09-30")
	sc.prmRevoke = permit(sc.wkr, "2026-01-01", "2026-02-28")
	permit(sc.wkrD, "2026-03-01", "2026-09-30")
	for i, w := range []string{sc.wkr, sc.wkrD} {
		_, err := svc.RecordCrossing(ctx, borderActor, ledger.CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: fmt.Sprintf("2026-03-01T1%d:00:00Z", i)})
		check(err)
	}
	place := func(emp, w string) ledger.PlacementResult {
		r, err := svc.StartPlacement(ctx, employerActorOf(emp), ledger.PlacementRequest{WorkerID: w, StartDate: "2026-03-01",
			ExpectedEndDate: "2026-09-30", Occupation: "9211", Sector: "A", Region: "CR-A"})
		check(err)
		return r
	}
	sc.plcA = place(sc.empA, sc.wkr).PlacementID
	d := place(sc.empD, sc.wkrD)
	sc.plcD, sc.idxD = d.PlacementID, d.Index
	return sc
}

// expand replaces the scenario's placeholders ({empA}, {wkr}, …, {role})
// in s.
func (sc *scenario) expand(s, role string) string {
	return strings.NewReplacer(
		"{empA}", sc.empA, "{empB}", sc.empB, "{empC}", sc.empC, "{empD}", sc.empD,
		"{wkr}", sc.wkr, "{wkrErase}", sc.wkrErase, "{wkrD}", sc.wkrD,
		"{prmRevoke}", sc.prmRevoke, "{plcA}", sc.plcA, "{plcD}", sc.plcD,
		"{idxD}", fmt.Sprint(sc.idxD), "{role}", role,
	).Replace(s)
}

// tokens are one token per role for a scenario: employer A, the border
// post, an inspector, the ministry.
func (e *env) tokens(sc *scenario) map[ledger.Role]string {
	return map[ledger.Role]string{
		ledger.RoleEmployer:  e.token(ledger.RoleEmployer, sc.empA),
		ledger.RoleBorder:    e.token(ledger.RoleBorder, borderActor.Org),
		ledger.RoleInspector: e.token(ledger.RoleInspector, "MTSS"),
		ledger.RoleMinistry:  e.token(ledger.RoleMinistry, ministryActor.Org),
	}
}

// post sends a JSON POST with a token and optional Idempotency-Key.
func (e *env) post(path, token, body, idemKey string) (*http.Response, []byte) {
	e.t.Helper()
	r := req{method: "POST", path: path, token: token, body: body, ctype: "json"}
	if idemKey != "" {
		r.header = http.Header{"Idempotency-Key": {idemKey}}
	}
	return e.do(r)
}

// decode decodes a JSON answer into v, failing on an unexpected status.
func decode[T any](tb testing.TB, resp *http.Response, b []byte, status int) T {
	tb.Helper()
	var v T
	if resp.StatusCode != status {
		tb.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		tb.Fatalf("answer is not the expected JSON (%v): %s", err, b)
	}
	return v
}
