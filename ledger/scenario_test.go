package ledger

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// workerFindings returns the inspector's findings about one worker.
func (e *env) workerFindings(workerID string) []Finding {
	e.tb.Helper()
	all := must(e.svc.Findings(e.ctx, inspector, FindingsFilter{}))(e.tb)
	var out []Finding
	for _, f := range all {
		if f.WorkerID == workerID {
			out = append(out, f)
		}
	}
	return out
}

// TestMultiSeason follows one worker through three seasons with two
// employers: a transfer mid-season, a second registration by another
// employer, permit renewals, a refused entry, a late exit and an overstay.
func TestMultiSeason(t *testing.T) {
	e := newEnv(t)
	e.setDate("2025-01-06")
	a := e.employer("Finca A", "A-1")
	b := e.employer("Finca B", "B-1")
	doc := "C0700112"

	// Season 2025: registered by A, transferred to B mid-season.
	w := e.worker(a, workerReq("Rosa", "Gómez Díaz", "1988-07-21", doc))
	p1 := e.permit(w, "2025-01-01", "2025-06-30")
	in1 := e.cross(w, "entry", "2025-01-05T14:00:00Z")
	if len(in1.Warnings) != 0 {
		t.Errorf("first entry warnings %v", in1.Warnings)
	}
	pa := e.place(a, w, "2025-01-06", "2025-05-31")
	if len(pa.Warnings) != 0 {
		t.Errorf("placement warnings %v", pa.Warnings)
	}
	if _, err := e.svc.GetWorker(e.ctx, b, w, ReadRequest{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B sees A's worker before placing them: %v", err)
	}
	e.setDate("2025-03-15")
	e.end(a, pa.PlacementID, "2025-03-15", "transferred")
	pb := e.place(b, w, "2025-03-16", "2025-06-15")
	e.setDate("2025-06-20")
	e.end(b, pb.PlacementID, "2025-06-10", "completed")
	e.cross(w, "exit", "2025-06-20T08:00:00Z")

	// Season 2026: B registers the same document: the same worker.
	e.setDate("2026-01-04")
	size := e.log.Size()
	again := must(e.svc.RegisterWorker(e.ctx, b, workerReq("Rosa", "Gómez", "1988-07-21", "c0700112")))(t)
	if !again.Existing || again.WorkerID != w || e.log.Size() != size {
		t.Fatalf("second registration: %+v, log %d→%d", again, size, e.log.Size())
	}
	p2 := e.permit(w, "2026-01-01", "2026-06-30") // renewal
	refused := must(e.svc.RecordCrossing(e.ctx, border, CrossingRequest{WorkerID: w, Direction: "refused",
		OccurredAt: "2026-01-04T07:00:00Z", Reason: "permit not yet printed"}))(t)
	e.setDate("2026-01-05")
	in2 := e.cross(w, "entry", "2026-01-05T07:00:00Z")
	if len(in2.Warnings) != 0 {
		t.Errorf("entry after a refusal warned %v", in2.Warnings)
	}
	pb2 := e.place(b, w, "2026-01-06", "2026-06-30")
	e.setDate("2026-07-10")
	e.end(b, pb2.PlacementID, "2026-06-30", "completed")
	out2 := e.cross(w, "exit", "2026-07-10T09:00:00Z") // ten days after the permit

	// Season 2027: a short permit, and the worker stays on.
	e.setDate("2027-01-05")
	p3 := e.permit(w, "2027-01-01", "2027-03-31")
	in3 := e.cross(w, "entry", "2027-01-05T07:00:00Z")
	pa3 := e.place(a, w, "2027-01-06", "2027-06-30")
	e.setDate("2027-05-01")

	// One worker, whoever registered them.
	workers := 0
	for k := range e.projectionRows() {
		if len(k) > 2 && k[:2] == "w/" {
			workers++
		}
	}
	if workers != 1 {
		t.Errorf("%d worker rows, want 1", workers)
	}

	v := must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: "case 2027-15"}))(t)
	if diff := cmp.Diff([]int{2025, 2026, 2027}, v.Seasons); diff != "" {
		t.Errorf("seasons (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{a.Org, b.Org}, v.Employers); diff != "" {
		t.Errorf("employers (-want +got)\n%s", diff)
	}
	if !v.Status.Present || v.Status.Since != "2027-01-05" || v.Status.SinceCrossing.Index != in3.Index {
		t.Errorf("status %+v", v.Status)
	}
	var stays [][2]string
	for _, s := range v.Stays {
		st := [2]string{s.Entry.OccurredAt[:10], ""}
		if s.Exit != nil {
			st[1] = s.Exit.OccurredAt[:10]
		}
		stays = append(stays, st)
	}
	if diff := cmp.Diff([][2]string{{"2025-01-05", "2025-06-20"}, {"2026-01-05", "2026-07-10"}, {"2027-01-05", ""}}, stays); diff != "" {
		t.Errorf("stays (-want +got)\n%s", diff)
	}
	if len(v.Crossings) != 6 || v.Crossings[2].Index != refused.Index || v.Crossings[2].Direction != "refused" {
		t.Errorf("crossings %+v", v.Crossings)
	}
	if len(v.Placements) != 4 || len(v.Status.ActivePlacements) != 1 || v.Status.ActivePlacements[0].PlacementID != pa3.PlacementID {
		t.Errorf("placements %+v active %+v", v.Placements, v.Status.ActivePlacements)
	}
	var permits []string
	for _, p := range v.Status.Permits {
		permits = append(permits, p.PermitID)
		if p.ValidToday {
			t.Errorf("permit %s valid on 2027-05-01", p.PermitID)
		}
	}
	if diff := cmp.Diff([]string{p1, p2, p3}, permits); diff != "" {
		t.Errorf("permits (-want +got)\n%s", diff)
	}

	p2Index := e.permitIndex(w, p2)
	p3Index := e.permitIndex(w, p3)
	wantFindings := []Finding{
		{Type: FindingLateExit, WorkerID: w, Date: "2026-07-10", Entries: []uint64{out2.Index, p2Index}, EmployerID: b.Org},
		{Type: FindingOverstay, WorkerID: w, Date: "2027-04-01", Entries: []uint64{in3.Index, p3Index}, EmployerID: a.Org},
		{Type: FindingPlacementWithoutPermit, WorkerID: w, Date: "2027-04-01", Entries: []uint64{pa3.Index}, EmployerID: a.Org, PlacementID: pa3.PlacementID},
	}
	if diff := cmp.Diff(wantFindings, e.workerFindings(w)); diff != "" {
		t.Errorf("findings (-want +got)\n%s", diff)
	}

	// Employer A's view: its own placements, presence since a date, no
	// crossings, no B placements.
	va := must(e.svc.GetWorker(e.ctx, a, w, ReadRequest{}))(t)
	if va.Identity == nil || va.Identity.FamilyNames != "Gómez Díaz" {
		t.Errorf("employer sees no identity: %+v", va.Identity)
	}
	if va.Crossings != nil || va.Stays != nil || va.Status.SinceCrossing != nil || va.Status.Since != "2027-01-05" || !va.Status.Present {
		t.Errorf("employer view leaks crossings: %+v", va)
	}
	for _, p := range va.Placements {
		if p.EmployerID != a.Org {
			t.Errorf("employer A sees placement %s of %s", p.PlacementID, p.EmployerID)
		}
	}
	if len(va.Placements) != 2 {
		t.Errorf("A sees %d placements, want 2", len(va.Placements))
	}
	ha := must(e.svc.WorkerHistory(e.ctx, a, w, HistoryRequest{}))(t)
	for _, he := range ha.Entries {
		if he.Type == TypeCrossingRecorded || he.Type == TypeAccessRecorded {
			t.Errorf("employer history shows %s", he.Type)
		}
		if he.Index == pb.Index || he.Index == pb2.Index {
			t.Errorf("employer A's history shows B's placement %d", he.Index)
		}
	}
	// B registered the worker again without an append, and placed them.
	vb := must(e.svc.GetWorker(e.ctx, b, w, ReadRequest{}))(t)
	if len(vb.Placements) != 2 {
		t.Errorf("B sees %d placements, want 2", len(vb.Placements))
	}
}

func (e *env) permitIndex(workerID, permitID string) uint64 {
	e.tb.Helper()
	w := must(e.svc.loadWorker(workerID))(e.tb)
	return w.permit(permitID).Index
}

// TestFindings builds each finding from scratch and checks its date and
// entries.
func TestFindings(t *testing.T) {
	e := newEnv(t)
	e.setDate("2025-01-06")
	emp := e.employer("Finca A", "A-1")
	n := 0
	newWorker := func(dob string) string {
		n++
		return e.worker(emp, workerReq("W", "Test", dob, "F"+string(rune('A'+n))+"1"))
	}
	type outcome struct {
		warnings []string
		findings []Finding
	}
	for _, tc := range []struct {
		name     string
		warnings []string // of the last append
		run      func(w string) outcome
	}{
		{"entry while present", []string{FindingEntryWhilePresent}, func(w string) outcome {
			a := e.cross(w, "entry", "2025-01-01T10:00:00Z")
			b := e.cross(w, "entry", "2025-01-03T10:00:00Z")
			return outcome{b.Warnings, []Finding{
				{Type: FindingEntryWhilePresent, WorkerID: w, Date: "2025-01-03", Entries: []uint64{a.Index, b.Index}},
				{Type: FindingOverstay, WorkerID: w, Date: "2025-01-01", Entries: []uint64{a.Index}},
			}}
		}},
		{"exit without entry", []string{FindingExitWithoutEntry}, func(w string) outcome {
			a := e.cross(w, "exit", "2025-01-02T10:00:00Z")
			return outcome{a.Warnings, []Finding{{Type: FindingExitWithoutEntry, WorkerID: w, Date: "2025-01-02", Entries: []uint64{a.Index}}}}
		}},
		{"two exits", []string{FindingExitWithoutEntry}, func(w string) outcome {
			e.cross(w, "entry", "2025-01-01T10:00:00Z")
			a := e.cross(w, "exit", "2025-01-02T10:00:00Z")
			b := e.cross(w, "exit", "2025-01-03T10:00:00Z")
			return outcome{b.Warnings, []Finding{{Type: FindingExitWithoutEntry, WorkerID: w, Date: "2025-01-03", Entries: []uint64{a.Index, b.Index}}}}
		}},
		{"late entry recorded after: anomaly seen in order of occurrence", []string{}, func(w string) outcome {
			e.cross(w, "exit", "2025-01-03T10:00:00Z") // warned: no entry yet
			b := e.cross(w, "entry", "2025-01-01T10:00:00Z")
			return outcome{b.Warnings, nil}
		}},
		{"refused entries move nobody", []string{FindingExitWithoutEntry}, func(w string) outcome {
			e.cross(w, "refused", "2025-01-01T10:00:00Z")
			a := e.cross(w, "exit", "2025-01-02T10:00:00Z")
			return outcome{a.Warnings, []Finding{{Type: FindingExitWithoutEntry, WorkerID: w, Date: "2025-01-02", Entries: []uint64{a.Index}}}}
		}},
		{"placement while absent", []string{FindingPlacementWhileAbsent}, func(w string) outcome {
			e.permit(w, "2025-01-01", "2025-06-30")
			p := e.place(emp, w, "2025-01-06", "2025-05-31")
			return outcome{p.Warnings, []Finding{{Type: FindingPlacementWhileAbsent, WorkerID: w, Date: "2025-01-06", Entries: []uint64{p.Index}, EmployerID: emp.Org, PlacementID: p.PlacementID}}}
		}},
		{"placement after exit", []string{FindingPlacementWhileAbsent}, func(w string) outcome {
			e.permit(w, "2025-01-01", "2025-06-30")
			e.cross(w, "entry", "2025-01-01T10:00:00Z")
			x := e.cross(w, "exit", "2025-01-03T10:00:00Z")
			p := e.place(emp, w, "2025-01-05", "2025-05-31")
			return outcome{p.Warnings, []Finding{{Type: FindingPlacementWhileAbsent, WorkerID: w, Date: "2025-01-05", Entries: []uint64{x.Index, p.Index}, EmployerID: emp.Org, PlacementID: p.PlacementID}}}
		}},
		{"placement on the day of entry", []string{}, func(w string) outcome {
			e.permit(w, "2025-01-01", "2025-06-30")
			e.cross(w, "entry", "2025-01-06T07:00:00Z")
			p := e.place(emp, w, "2025-01-06", "2025-05-31")
			return outcome{p.Warnings, nil}
		}},
		{"future placement is not absent yet", []string{}, func(w string) outcome {
			e.permit(w, "2025-01-01", "2025-06-30")
			p := e.place(emp, w, "2025-02-01", "2025-05-31")
			return outcome{p.Warnings, nil}
		}},
		{"minor", []string{FindingMinorInPlacement}, func(w string) outcome {
			e.permit(w, "2025-01-01", "2025-06-30")
			e.cross(w, "entry", "2025-01-02T07:00:00Z")
			p := e.place(emp, w, "2025-01-06", "2025-05-31")
			reg := e.indexOf(TypeWorkerRegistered, w)
			return outcome{p.Warnings, []Finding{{Type: FindingMinorInPlacement, WorkerID: w, Date: "2025-01-06", Entries: []uint64{reg, p.Index}, EmployerID: emp.Org, PlacementID: p.PlacementID}}}
		}},
		{"no placement after entry", []string{}, func(w string) outcome {
			e.permit(w, "2024-11-01", "2025-06-30")
			a := e.cross(w, "entry", "2024-12-01T07:00:00Z")
			return outcome{a.Warnings, []Finding{{Type: FindingNoPlacementAfterEntry, WorkerID: w, Date: "2024-12-01", Entries: []uint64{a.Index}}}}
		}},
		{"entry within 14 days: not yet", []string{}, func(w string) outcome {
			e.permit(w, "2024-11-01", "2025-06-30")
			e.cross(w, "entry", "2024-12-23T07:00:00Z")
			return outcome{nil, nil}
		}},
		{"left within 14 days", []string{}, func(w string) outcome {
			e.permit(w, "2024-11-01", "2025-06-30")
			e.cross(w, "entry", "2024-12-01T07:00:00Z")
			e.cross(w, "exit", "2024-12-10T07:00:00Z")
			return outcome{nil, nil}
		}},
		{"placed 14 days after entry", []string{}, func(w string) outcome {
			e.permit(w, "2024-11-01", "2025-06-30")
			e.cross(w, "entry", "2024-12-01T07:00:00Z")
			e.place(emp, w, "2024-12-15", "2025-05-31")
			return outcome{nil, nil}
		}},
		{"late exit and work without permit", []string{}, func(w string) outcome {
			p := e.permit(w, "2024-01-01", "2024-03-31")
			e.cross(w, "entry", "2024-01-02T07:00:00Z")
			pl := e.place(emp, w, "2024-01-03", "2024-04-30")
			e.end(emp, pl.PlacementID, "2024-04-15", "completed")
			x := e.cross(w, "exit", "2024-04-20T07:00:00Z")
			return outcome{x.Warnings, []Finding{
				{Type: FindingPlacementWithoutPermit, WorkerID: w, Date: "2024-04-01", Entries: []uint64{pl.Index}, EmployerID: emp.Org, PlacementID: pl.PlacementID},
				{Type: FindingLateExit, WorkerID: w, Date: "2024-04-20", Entries: []uint64{x.Index, e.permitIndex(w, p)}, EmployerID: emp.Org},
			}}
		}},
		{"exit on the permit's last day is in time", []string{}, func(w string) outcome {
			e.permit(w, "2024-01-01", "2024-03-31")
			e.cross(w, "entry", "2024-01-02T07:00:00Z")
			pl := e.place(emp, w, "2024-01-03", "2024-03-31")
			e.end(emp, pl.PlacementID, "2024-03-31", "completed")
			e.cross(w, "exit", "2024-03-31T23:00:00Z")
			return outcome{nil, nil}
		}},
		{"renewal covers the gap", []string{}, func(w string) outcome {
			e.permit(w, "2024-01-01", "2024-03-31")
			e.permit(w, "2024-04-01", "2024-12-31")
			e.cross(w, "entry", "2024-01-02T07:00:00Z")
			pl := e.place(emp, w, "2024-01-03", "2024-10-31")
			e.end(emp, pl.PlacementID, "2024-10-31", "completed")
			e.cross(w, "exit", "2024-11-02T07:00:00Z")
			return outcome{nil, nil}
		}},
		{"revocation", []string{}, func(w string) outcome {
			p := e.permit(w, "2025-01-01", "2025-06-30")
			in := e.cross(w, "entry", "2025-01-01T07:00:00Z")
			pl := e.place(emp, w, "2025-01-02", "2025-05-31")
			must(e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{Reason: "fraud"}))(t) // on 2025-01-06
			pi := e.permitIndex(w, p)
			return outcome{nil, []Finding{
				{Type: FindingOverstay, WorkerID: w, Date: "2025-01-06", Entries: []uint64{in.Index, pi}, EmployerID: emp.Org},
				{Type: FindingPlacementWithoutPermit, WorkerID: w, Date: "2025-01-06", Entries: []uint64{pl.Index}, EmployerID: emp.Org, PlacementID: pl.PlacementID},
			}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dob := "1990-01-01"
			if tc.name == "minor" {
				dob = "2008-03-01"
			}
			w := newWorker(dob)
			got := tc.run(w)
			if got.warnings == nil {
				got.warnings = []string{}
			}
			if diff := cmp.Diff(tc.warnings, got.warnings); diff != "" {
				t.Errorf("warnings of the last append (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(got.findings, e.workerFindings(w), cmpFindings); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
		})
	}
}

// cmpFindings compares findings ignoring order.
var cmpFindings = cmp.Options{
	cmp.Transformer("sort", func(in []Finding) []Finding {
		out := slices.Clone(in)
		slices.SortFunc(out, func(a, b Finding) int {
			if a.Type != b.Type {
				if a.Type < b.Type {
					return -1
				}
				return 1
			}
			if a.Date < b.Date {
				return -1
			}
			if a.Date > b.Date {
				return 1
			}
			return 0
		})
		return out
	}),
}

func TestWorkerSummaries(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("A", "1")
	w := e.worker(emp, workerReq("Ana", "Ruiz", "1990-05-01", "P1"))
	p := e.permit(w, "2025-01-01", "2025-06-30")
	in := e.cross(w, "entry", "2025-01-02T10:00:00Z")
	pl := e.place(emp, w, "2025-01-06", "2025-05-31")
	must(e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{Reason: "x"}))(t)
	must(e.svc.EraseWorker(e.ctx, ministry, w, ReasonRequest{Reason: "x"}))(t)
	var got []*WorkerSummary
	must(0, e.svc.ScanWorkerSummaries(e.ctx, func(s *WorkerSummary) error { got = append(got, s); return nil }))(t)
	age := 34
	want := []*WorkerSummary{{
		WorkerID: w, Sex: "F", Nationality: "NIC", BirthYear: 1990, Erased: true,
		Crossings: []CrossingSummary{{Index: in.Index, Direction: "entry", OccurredAt: time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC), Date: "2025-01-02"}},
		Permits:   []PermitSummary{{PermitID: p, Type: "seasonal_work", ValidFrom: "2025-01-01", ValidTo: "2025-06-30", RevokedOn: "2025-01-06", LastValidDay: "2025-01-05"}},
		Placements: []PlacementSummary{{PlacementID: pl.PlacementID, EmployerID: emp.Org, StartDate: "2025-01-06", ExpectedEndDate: "2025-05-31",
			Occupation: "9211", Sector: "0127", Region: "CR-A", AgeAtStart: &age}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summaries (-want +got)\n%s", diff)
	}
}
