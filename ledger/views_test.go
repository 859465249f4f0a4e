package ledger

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// viewWorld is a worker registered by employer a, placed by a and by b,
// with crossings; employer c has nothing to do with them.
type viewWorld struct {
	e       *env
	a, b, c Actor
	w       string
	pa, pb  PlacementResult
}

func newViewWorld(t *testing.T) viewWorld {
	e := newEnv(t)
	v := viewWorld{e: e, a: e.employer("A", "1"), b: e.employer("B", "2"), c: e.employer("C", "3")}
	v.w = e.worker(v.a, workerReq("Zuleika", "Barrantes", "1979-11-02", "X99887766"))
	e.permit(v.w, "2025-01-01", "2025-12-31")
	e.cross(v.w, "entry", "2025-01-02T10:00:00Z")
	v.pa = e.place(v.a, v.w, "2025-01-03", "2025-03-31")
	e.end(v.a, v.pa.PlacementID, "2025-01-04", "transferred")
	v.pb = e.place(v.b, v.w, "2025-01-05", "2025-03-31")
	return v
}

func TestGetWorkerByRole(t *testing.T) {
	v := newViewWorld(t)
	e := v.e
	t.Run("unrelated employer", func(t *testing.T) {
		for _, id := range []string{v.w, "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", "nonsense"} {
			_, err := e.svc.GetWorker(e.ctx, v.c, id, ReadRequest{})
			checkErr(t, err, want{CodeNotFound, ""})
			_, err = e.svc.WorkerHistory(e.ctx, v.c, id, HistoryRequest{})
			checkErr(t, err, want{CodeNotFound, ""})
		}
	})
	t.Run("employer that placed", func(t *testing.T) {
		got := must(e.svc.GetWorker(e.ctx, v.b, v.w, ReadRequest{}))(t)
		if got.Identity == nil || got.Identity.GivenNames != "Zuleika" || got.Identity.Document.Number != "X99887766" {
			t.Errorf("identity %+v", got.Identity)
		}
		if got.Crossings != nil || got.Stays != nil || got.Status.SinceCrossing != nil || got.Seasons != nil || got.Employers != nil {
			t.Errorf("employer sees crossings or other employers: %+v", got)
		}
		if !got.Status.Present || got.Status.Since != "2025-01-02" {
			t.Errorf("presence %+v", got.Status)
		}
		if len(got.Placements) != 1 || got.Placements[0].EmployerID != v.b.Org || len(got.Status.ActivePlacements) != 1 {
			t.Errorf("placements %+v", got.Placements)
		}
		if len(got.Status.Permits) != 1 || !got.Status.Permits[0].ValidToday {
			t.Errorf("permits %+v", got.Status.Permits)
		}
		if got.AccessIndex != nil {
			t.Error("employer read recorded as an inspector's")
		}
	})
	t.Run("employer that registered", func(t *testing.T) {
		got := must(e.svc.GetWorker(e.ctx, v.a, v.w, ReadRequest{}))(t)
		if len(got.Placements) != 1 || got.Placements[0].PlacementID != v.pa.PlacementID || len(got.Status.ActivePlacements) != 0 {
			t.Errorf("placements %+v active %+v", got.Placements, got.Status.ActivePlacements)
		}
	})
	t.Run("ministry", func(t *testing.T) {
		got := must(e.svc.GetWorker(e.ctx, ministry, v.w, ReadRequest{}))(t)
		if got.Identity != nil || got.Crossings != nil {
			t.Errorf("ministry sees personal data or crossings: %+v", got)
		}
		if got.BirthYear != 1979 || got.Sex != "F" || got.Nationality != "NIC" || len(got.Placements) != 2 {
			t.Errorf("ministry view %+v", got)
		}
		b, _ := json.Marshal(got)
		for _, s := range []string{"Zuleika", "Barrantes", "1979-11-02", "X99887766"} {
			if strings.Contains(string(b), s) {
				t.Errorf("ministry view contains %q", s)
			}
		}
	})
	t.Run("border", func(t *testing.T) {
		got := must(e.svc.GetWorker(e.ctx, border, v.w, ReadRequest{}))(t)
		if got.Identity == nil || len(got.Crossings) != 1 || got.Status.SinceCrossing == nil || len(got.Status.ActivePlacements) != 1 || got.Placements != nil {
			t.Errorf("border view %+v", got)
		}
	})
	t.Run("inspector", func(t *testing.T) {
		_, err := e.svc.GetWorker(e.ctx, inspector, v.w, ReadRequest{})
		checkErr(t, err, want{CodePurposeRequired, "purpose"})
		size := e.log.Size()
		got := must(e.svc.GetWorker(e.ctx, inspector, v.w, ReadRequest{Purpose: "case 7"}))(t)
		if got.AccessIndex == nil || *got.AccessIndex != size || e.log.Size() != size+1 {
			t.Fatalf("access index %v, log %d→%d", got.AccessIndex, size, e.log.Size())
		}
		en := must(e.svc.entry(size))(t)
		var d AccessData
		if err := en.DecodeData(&d); err != nil || en.Type != TypeAccessRecorded || en.WorkerID != v.w || d.Purpose != "case 7" || d.View != "worker" || en.Actor != inspector {
			t.Errorf("access entry %+v %+v", en, d)
		}
		if got.Identity == nil || len(got.Crossings) != 1 || len(got.Stays) != 1 || len(got.Placements) != 2 || len(got.Employers) != 2 {
			t.Errorf("inspector view %+v", got)
		}
	})
	t.Run("inspector read fails if its record fails", func(t *testing.T) {
		size := e.log.Size()
		e.svc.refuse = func(en *Entry) error {
			if en.Type == TypeAccessRecorded {
				return fmt.Errorf("%w: disk full", tlog.ErrStorage)
			}
			return nil
		}
		defer func() { e.svc.refuse = nil }()
		got, err := e.svc.GetWorker(e.ctx, inspector, v.w, ReadRequest{Purpose: "case 8"})
		if !errors.Is(err, tlog.ErrStorage) || got.Identity != nil {
			t.Errorf("GetWorker = %+v, %v; want ErrStorage and nothing", got, err)
		}
		h, err := e.svc.WorkerHistory(e.ctx, inspector, v.w, HistoryRequest{Purpose: "case 8"})
		if !errors.Is(err, tlog.ErrStorage) || h.Entries != nil {
			t.Errorf("WorkerHistory = %+v, %v; want ErrStorage and nothing", h, err)
		}
		if e.log.Size() != size {
			t.Errorf("log grew")
		}
	})
	t.Run("roles", func(t *testing.T) {
		_, err := e.svc.GetWorker(e.ctx, Actor{Role: "auditor"}, v.w, ReadRequest{})
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
		for _, a := range []Actor{border, ministry} {
			_, err := e.svc.WorkerHistory(e.ctx, a, v.w, HistoryRequest{})
			checkErr(t, err, want{CodeRoleNotAllowed, ""})
		}
		_, err = e.svc.GetWorker(e.ctx, employerActor("emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5"), v.w, ReadRequest{})
		checkErr(t, err, want{CodeEmployerNotRegistered, ""})
	})
}

func TestWorkerHistory(t *testing.T) {
	v := newViewWorld(t)
	e := v.e
	must(e.svc.CorrectEntry(e.ctx, v.b, v.pb.Index, CorrectionRequest{Reason: "typo", Changes: map[string]json.RawMessage{"occupation": json.RawMessage(`"6111"`)}}))(t)
	must(e.svc.CorrectEntry(e.ctx, v.a, e.indexOf(TypeWorkerRegistered, v.w), CorrectionRequest{Reason: "typo", Changes: map[string]json.RawMessage{"given_names": json.RawMessage(`"Zuleyka"`)}}))(t)

	types := func(h History) []string {
		var out []string
		for _, en := range h.Entries {
			out = append(out, en.Type)
		}
		return out
	}
	h := must(e.svc.WorkerHistory(e.ctx, inspector, v.w, HistoryRequest{Purpose: "case 9", Proofs: true}))(t)
	if diff := cmp.Diff([]string{TypeWorkerRegistered, TypePermitIssued, TypeCrossingRecorded, TypePlacementStarted,
		TypePlacementEnded, TypePlacementStarted, TypeEntryCorrected, TypeEntryCorrected, TypeAccessRecorded}, types(h)); diff != "" {
		t.Errorf("inspector history (-want +got)\n%s", diff)
	}
	if h.Size != e.log.Size() || h.AccessIndex == nil || h.Entries[len(h.Entries)-1].Index != *h.AccessIndex {
		t.Errorf("size %d (log %d), access %v", h.Size, e.log.Size(), h.AccessIndex)
	}
	cp := must(tlog.OpenCheckpoint([]byte(h.Checkpoint), e.log.Origin(), e.log.VerifierKey()))(t)
	if cp.Size != h.Size {
		t.Fatalf("checkpoint size %d, history size %d", cp.Size, h.Size)
	}
	hasher := rfc6962.DefaultHasher
	for _, en := range h.Entries {
		if err := proof.VerifyInclusion(hasher, en.Index, h.Size, hasher.HashLeaf(en.Leaf), en.Proof, cp.Hash); err != nil {
			t.Errorf("entry %d: %v", en.Index, err)
		}
		dec := must(DecodeEntry(en.Leaf))(t)
		if dec.Index != en.Index || dec.Type != en.Type {
			t.Errorf("leaf %d decodes to %d %s", en.Index, dec.Index, dec.Type)
		}
	}
	if p := h.Entries[0].Personal; p == nil || p.GivenNames != "Zuleika" {
		t.Errorf("registration personal data %+v", p)
	}
	if p := h.Entries[7].Personal; p == nil || p.GivenNames != "Zuleyka" || p.FamilyNames != "" {
		t.Errorf("correction personal data %+v", p)
	}
	g := must(e.svc.GetWorker(e.ctx, v.a, v.w, ReadRequest{}))(t)
	if g.Identity.GivenNames != "Zuleyka" || g.Identity.FamilyNames != "Barrantes" {
		t.Errorf("corrected identity %+v", g.Identity)
	}

	hb := must(e.svc.WorkerHistory(e.ctx, v.b, v.w, HistoryRequest{}))(t)
	if diff := cmp.Diff([]string{TypeWorkerRegistered, TypePermitIssued, TypePlacementStarted, TypeEntryCorrected, TypeEntryCorrected}, types(hb)); diff != "" {
		t.Errorf("employer B history (-want +got)\n%s", diff)
	}
	ha := must(e.svc.WorkerHistory(e.ctx, v.a, v.w, HistoryRequest{}))(t)
	if diff := cmp.Diff([]string{TypeWorkerRegistered, TypePermitIssued, TypePlacementStarted, TypePlacementEnded, TypeEntryCorrected}, types(ha)); diff != "" {
		t.Errorf("employer A history (-want +got)\n%s", diff)
	}
	if ha.AccessIndex != nil || ha.Entries[0].Proof != nil {
		t.Error("employer history recorded access or has proofs unasked")
	}

	acc := must(e.svc.WorkerAccess(e.ctx, ministry, v.w))(t)
	if len(acc) != 1 || acc[0].Purpose != "case 9" || acc[0].View != "history" || acc[0].Actor != inspector {
		t.Errorf("access records %+v", acc)
	}
	for _, a := range []Actor{v.a, border} {
		_, err := e.svc.WorkerAccess(e.ctx, a, v.w)
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
	}
	_, err := e.svc.WorkerAccess(e.ctx, inspector, "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5")
	checkErr(t, err, want{CodeNotFound, ""})
}

func TestEmployers(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 7 {
		ids = append(ids, e.employer(fmt.Sprintf("Finca %d", i), fmt.Sprint(i)).Org)
		e.clock.Advance(1e9) // ULIDs sort by time
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		p := must(e.svc.ListEmployers(e.ctx, inspector, ListRequest{Limit: 3, Cursor: cursor}))(t)
		for _, x := range p.Employers {
			got = append(got, x.EmployerID)
		}
		if p.NextCursor == "" {
			if pages != 2 {
				t.Errorf("%d pages", pages+1)
			}
			break
		}
		cursor = p.NextCursor
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("employers (-want +got)\n%s", diff)
	}
	_, err := e.svc.ListEmployers(e.ctx, ministry, ListRequest{Cursor: "x"})
	checkErr(t, err, want{CodeInvalidCursor, "cursor"})
	_, err = e.svc.ListEmployers(e.ctx, employerActor(ids[0]), ListRequest{})
	checkErr(t, err, want{CodeRoleNotAllowed, ""})

	self := employerActor(ids[0])
	got0 := must(e.svc.GetEmployer(e.ctx, self, ids[0]))(t)
	if diff := cmp.Diff(Employer{EmployerID: ids[0], LegalName: "Finca 0", TaxID: "0", Country: "CRI", Sector: "A", Region: "CR-A", Status: "active", Index: 0}, got0); diff != "" {
		t.Errorf("employer (-want +got)\n%s", diff)
	}
	_, err = e.svc.GetEmployer(e.ctx, self, ids[1])
	checkErr(t, err, want{CodeNotFound, ""})
	_, err = e.svc.GetEmployer(e.ctx, border, ids[1])
	checkErr(t, err, want{CodeRoleNotAllowed, ""})
	_, err = e.svc.GetEmployer(e.ctx, inspector, "emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5")
	checkErr(t, err, want{CodeNotFound, ""})
	_, err = e.svc.SuspendEmployer(e.ctx, ministry, "emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", ReasonRequest{Reason: "x"})
	checkErr(t, err, want{CodeNotFound, ""})

	// Its workers: registered, placed, or both.
	other := employerActor(ids[1])
	w1 := e.worker(self, workerReq("A", "A", "1990-01-01", "D1"))
	w2 := e.worker(other, workerReq("B", "B", "1990-01-01", "D2"))
	e.permit(w2, "2025-01-01", "2025-12-31")
	e.place(self, w2, "2025-01-06", "2025-02-01")
	ws := must(e.svc.EmployerWorkers(e.ctx, self, ids[0], ListRequest{}))(t)
	wantWorkers := []EmployerWorker{{WorkerID: w1, Registered: true}, {WorkerID: w2, Placed: true}}
	if w2 < w1 {
		wantWorkers[0], wantWorkers[1] = wantWorkers[1], wantWorkers[0]
	}
	if diff := cmp.Diff(wantWorkers, ws.Workers); diff != "" {
		t.Errorf("workers (-want +got)\n%s", diff)
	}
	_, err = e.svc.EmployerWorkers(e.ctx, other, ids[0], ListRequest{})
	checkErr(t, err, want{CodeNotFound, ""})
}

// TestCorrectionsDriveProjections checks that projections use corrected
// values while the original entries stay in the log.
func TestCorrectionsDriveProjections(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("A", "1")
	w := e.worker(emp, workerReq("Ana", "Ruiz", "2007-03-01", "P1"))
	p := e.permit(w, "2025-01-01", "2025-06-30")
	x := e.cross(w, "exit", "2025-01-02T10:00:00Z") // meant to be an entry
	pl := e.place(emp, w, "2025-01-06", "2025-05-31")
	if diff := cmp.Diff([]string{FindingExitWithoutEntry, FindingMinorInPlacement, FindingPlacementWhileAbsent}, findingTypes(e.workerFindings(w))); diff != "" {
		t.Fatalf("findings before (-want +got)\n%s", diff)
	}
	ch := func(k, v string) map[string]json.RawMessage {
		return map[string]json.RawMessage{k: json.RawMessage(`"` + v + `"`)}
	}
	must(e.svc.CorrectEntry(e.ctx, border, x.Index, CorrectionRequest{Reason: "wrong button", Changes: ch("direction", "entry")}))(t)
	must(e.svc.CorrectEntry(e.ctx, emp, e.indexOf(TypeWorkerRegistered, w), CorrectionRequest{Reason: "birth certificate", Changes: ch("date_of_birth", "2006-03-01")}))(t)
	must(e.svc.CorrectEntry(e.ctx, ministry, e.permitIndex(w, p), CorrectionRequest{Reason: "extended", Changes: ch("valid_to", "2025-09-30")}))(t)
	rc := must(e.svc.CorrectEntry(e.ctx, emp, pl.Index, CorrectionRequest{Reason: "later start", Changes: ch("start_date", "2025-03-02")}))(t)

	// Now 19 on the new start date: no minor; present; permit covers.
	if f := e.workerFindings(w); len(f) != 0 {
		t.Errorf("findings after corrections: %+v", f)
	}
	en := must(e.svc.entry(rc.Index))(t)
	var d CorrectionData
	must(0, en.DecodeData(&d))(t)
	if d.Corrects != pl.Index || d.Type != TypePlacementStarted || string(d.Changes["age_at_start"]) != "19" {
		t.Errorf("correction %+v %s", d, d.Changes)
	}
	orig := must(e.svc.entry(x.Index))(t)
	var cd CrossingData
	must(0, orig.DecodeData(&cd))(t)
	if cd.Direction != "exit" {
		t.Errorf("original changed: %+v", cd)
	}
	v := must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: "check"}))(t)
	if v.BirthYear != 2006 || v.Identity.DateOfBirth != "2006-03-01" || v.Crossings[0].Direction != "entry" ||
		v.Status.Permits[0].ValidTo != "2025-09-30" || v.Placements[0].StartDate != "2025-03-02" {
		t.Errorf("projection ignores corrections: %+v", v)
	}
}

func findingTypes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Type)
	}
	return out
}

func TestFindingsByEmployer(t *testing.T) {
	e := newEnv(t)
	a := e.employer("A", "1")
	b := e.employer("B", "2")
	wa := e.worker(a, workerReq("A", "A", "1990-01-01", "D1"))
	wb := e.worker(b, workerReq("B", "B", "1990-01-01", "D2"))
	for _, w := range []string{wa, wb} {
		e.permit(w, "2025-01-01", "2025-12-31")
	}
	e.cross(wa, "entry", "2025-01-01T10:00:00Z")
	e.cross(wa, "entry", "2025-01-02T10:00:00Z") // entry while present
	pa := e.place(a, wa, "2025-01-03", "2025-05-01")
	e.place(b, wb, "2025-01-04", "2025-05-01") // absent
	e.place(b, wa, "2025-01-05", "2025-05-01") // present: fine

	all := must(e.svc.Findings(e.ctx, inspector, FindingsFilter{}))(t)
	if diff := cmp.Diff([]string{FindingEntryWhilePresent, FindingPlacementWhileAbsent}, findingTypes(all)); diff != "" {
		t.Errorf("all (-want +got)\n%s", diff)
	}
	for _, tc := range []struct {
		name  string
		actor Actor
		f     FindingsFilter
		want  []string
	}{
		{"inspector by employer a", inspector, FindingsFilter{EmployerID: a.Org}, nil},
		{"inspector by employer b", inspector, FindingsFilter{EmployerID: b.Org}, []string{FindingPlacementWhileAbsent}},
		{"inspector by type", inspector, FindingsFilter{Type: FindingEntryWhilePresent}, []string{FindingEntryWhilePresent}},
		{"inspector by period", inspector, FindingsFilter{From: "2025-01-03", To: "2025-01-04"}, []string{FindingPlacementWhileAbsent}},
		{"inspector before", inspector, FindingsFilter{To: "2025-01-01"}, nil},
		{"employer a", a, FindingsFilter{}, nil},
		{"employer b", b, FindingsFilter{}, []string{FindingPlacementWhileAbsent}},
		{"employer b asking for a", b, FindingsFilter{EmployerID: a.Org}, []string{FindingPlacementWhileAbsent}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must(e.svc.Findings(e.ctx, tc.actor, tc.f))(t)
			if diff := cmp.Diff(tc.want, findingTypes(got)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	_ = pa
	// The entry while present is a's worker, but a sees no crossing findings.
	if got := must(e.svc.Findings(e.ctx, a, FindingsFilter{Type: FindingEntryWhilePresent}))(t); len(got) != 0 {
		t.Errorf("employer sees crossing findings: %+v", got)
	}
}

// TestEntryEncoding checks the entry JSON shape and DecodeEntry.
func TestEntryEncoding(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("A", "1")
	leaf := must(e.log.Entry(0))(t)
	var m map[string]any
	if err := json.Unmarshal(leaf, &m); err != nil {
		t.Fatal(err)
	}
	if m["index"] != 0.0 || m["type"] != TypeEmployerRegistered || m["employer_id"] != emp.Org || m["recorded_at"] != "2025-01-06T09:00:00Z" {
		t.Errorf("entry %s", leaf)
	}
	if got := sha256.Sum256(append([]byte{0}, leaf...)); string(got[:]) != string(tlog.LeafHash(leaf)) {
		t.Error("leaf hash")
	}
	for _, bad := range []string{`{"index":0}`, `{"type":"x","extra":1}`, `[]`, `{"type":"x"} {}`} {
		if _, err := DecodeEntry([]byte(bad)); err == nil {
			t.Errorf("DecodeEntry(%s) succeeded", bad)
		}
	}
}

func TestLogEntryByRole(t *testing.T) {
	v := newViewWorld(t)
	e := v.e
	reg := e.indexOf(TypeWorkerRegistered, v.w)
	for _, tc := range []struct {
		name  string
		actor Actor
		index uint64
		want  want
	}{
		{"inspector any", inspector, reg, want{}},
		{"employer its registration", v.a, reg, want{}},
		{"employer its placement", v.b, v.pb.Index, want{}},
		{"employer another's placement", v.a, v.pb.Index, want{CodeNotFound, ""}},
		{"employer a crossing", v.a, reg + 2, want{CodeNotFound, ""}},
		{"employer itself registered by the ministry", v.a, 0, want{}},
		{"beyond the log", inspector, 1 << 40, want{CodeNotFound, ""}},
		{"ministry", ministry, reg, want{CodeRoleNotAllowed, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			en, leaf, err := e.svc.LogEntry(e.ctx, tc.actor, tc.index)
			checkErr(t, err, tc.want)
			if err == nil && (en.Index != tc.index || len(leaf) == 0) {
				t.Errorf("entry %d, %d bytes", en.Index, len(leaf))
			}
		})
	}
}
