package ledger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// want is the expected outcome of a refused (or accepted) request.
type want struct{ code, field string }

func checkErr(t *testing.T, err error, w want) {
	t.Helper()
	code, field := errCode(err)
	if diff := cmp.Diff(w, want{code, field}, cmp.AllowUnexported(want{})); diff != "" {
		t.Errorf("error %v: (-want +got)\n%s", err, diff)
	}
}

func TestRegisterEmployerValidation(t *testing.T) {
	e := newEnv(t)
	base := EmployerRequest{LegalName: "Finca Uno S.A.", TaxID: "3-101-000001", Country: "CRI", Sector: "A", Region: "CR-A"}
	n := 0
	for _, tc := range []struct {
		name   string
		change func(r *EmployerRequest)
		want   want
	}{
		{"valid section", func(r *EmployerRequest) {}, want{}},
		{"valid class", func(r *EmployerRequest) { r.Sector = "0127" }, want{}},
		{"valid other region", func(r *EmployerRequest) { r.Region = "CR-SJ" }, want{}},
		{"valid foreign employer", func(r *EmployerRequest) { r.Country, r.Region = "NIC", "NI-AN" }, want{}},
		{"legal name missing", func(r *EmployerRequest) { r.LegalName = "  " }, want{CodeRequired, "legal_name"}},
		{"legal name too long", func(r *EmployerRequest) { r.LegalName = strings.Repeat("é", 201) }, want{CodeTooLong, "legal_name"}},
		{"legal name control char", func(r *EmployerRequest) { r.LegalName = "A\x07B" }, want{CodeInvalidText, "legal_name"}},
		{"legal name bad utf8", func(r *EmployerRequest) { r.LegalName = "A\xffB" }, want{CodeInvalidText, "legal_name"}},
		{"tax id missing", func(r *EmployerRequest) { r.TaxID = "-" }, want{CodeRequired, "tax_id"}},
		{"tax id too long", func(r *EmployerRequest) { r.TaxID = strings.Repeat("1", 65) }, want{CodeTooLong, "tax_id"}},
		{"country missing", func(r *EmployerRequest) { r.Country = "" }, want{CodeRequired, "country"}},
		{"country unknown", func(r *EmployerRequest) { r.Country = "XYZ" }, want{CodeInvalidCountry, "country"}},
		{"country lower case", func(r *EmployerRequest) { r.Country = "cri" }, want{CodeInvalidCountry, "country"}},
		{"country alpha-2", func(r *EmployerRequest) { r.Country = "CR" }, want{CodeInvalidCountry, "country"}},
		{"sector missing", func(r *EmployerRequest) { r.Sector = "" }, want{CodeRequired, "sector"}},
		{"sector unknown letter", func(r *EmployerRequest) { r.Sector = "Z" }, want{CodeInvalidSector, "sector"}},
		{"sector division", func(r *EmployerRequest) { r.Sector = "01" }, want{CodeInvalidSector, "sector"}},
		{"sector unknown class", func(r *EmployerRequest) { r.Sector = "0199" }, want{CodeInvalidSector, "sector"}},
		{"region missing", func(r *EmployerRequest) { r.Region = "" }, want{CodeRequired, "region"}},
		{"region unknown", func(r *EmployerRequest) { r.Region = "CR-ZZ" }, want{CodeInvalidRegion, "region"}},
		{"region of another country", func(r *EmployerRequest) { r.Region = "NI-AN" }, want{CodeInvalidRegion, "region"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			n++
			r.TaxID = r.TaxID + strings.Repeat("9", n%3) + string(rune('A'+n))
			tc.change(&r)
			_, err := e.svc.RegisterEmployer(e.ctx, ministry, r)
			checkErr(t, err, tc.want)
		})
	}
	t.Run("same tax id in same country", func(t *testing.T) {
		must(e.svc.RegisterEmployer(e.ctx, ministry, base))(t)
		r := base
		r.TaxID = "3101 000001" // the same, written differently
		_, err := e.svc.RegisterEmployer(e.ctx, ministry, r)
		checkErr(t, err, want{CodeEmployerExists, ""})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
		r.Country, r.Region = "PAN", "PA-1"
		_, err = e.svc.RegisterEmployer(e.ctx, ministry, r)
		checkErr(t, err, want{})
	})
	t.Run("roles", func(t *testing.T) {
		for _, a := range []Actor{border, inspector, employerActor("emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5")} {
			_, err := e.svc.RegisterEmployer(e.ctx, a, base)
			checkErr(t, err, want{CodeRoleNotAllowed, ""})
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("%s: got %v, want ErrForbidden", a.Role, err)
			}
		}
	})
}

func TestRegisterWorkerValidation(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca Uno", "1")
	n := 0
	for _, tc := range []struct {
		name   string
		change func(r *WorkerRequest)
		want   want
	}{
		{"valid", func(r *WorkerRequest) {}, want{}},
		{"valid leap day", func(r *WorkerRequest) { r.DateOfBirth = "2000-02-29" }, want{}},
		{"valid sex X", func(r *WorkerRequest) { r.Sex = "X" }, want{}},
		{"valid sex M", func(r *WorkerRequest) { r.Sex = "M" }, want{}},
		{"valid stateless", func(r *WorkerRequest) { r.Nationality = "XXA" }, want{}},
		{"valid refugee", func(r *WorkerRequest) { r.Nationality = "XXB" }, want{}},
		{"valid national id", func(r *WorkerRequest) { r.Document.Type = "national_id" }, want{}},
		{"valid border card", func(r *WorkerRequest) { r.Document.Type = "border_card" }, want{}},
		{"valid born today", func(r *WorkerRequest) { r.DateOfBirth = "2025-01-06" }, want{}},
		{"given names missing", func(r *WorkerRequest) { r.GivenNames = "" }, want{CodeRequired, "given_names"}},
		{"given names too long", func(r *WorkerRequest) { r.GivenNames = strings.Repeat("a", 201) }, want{CodeTooLong, "given_names"}},
		{"given names newline", func(r *WorkerRequest) { r.GivenNames = "Ana\nMaría" }, want{CodeInvalidText, "given_names"}},
		{"family names missing", func(r *WorkerRequest) { r.FamilyNames = "\t" }, want{CodeRequired, "family_names"}},
		{"dob missing", func(r *WorkerRequest) { r.DateOfBirth = "" }, want{CodeRequired, "date_of_birth"}},
		{"dob 30 February", func(r *WorkerRequest) { r.DateOfBirth = "1990-02-30" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob 29 February not leap", func(r *WorkerRequest) { r.DateOfBirth = "1900-02-29" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob month 13", func(r *WorkerRequest) { r.DateOfBirth = "1990-13-01" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob short form", func(r *WorkerRequest) { r.DateOfBirth = "1990-1-5" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob with time", func(r *WorkerRequest) { r.DateOfBirth = "1990-01-05T00:00:00Z" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob before 1900", func(r *WorkerRequest) { r.DateOfBirth = "1899-12-31" }, want{CodeInvalidDate, "date_of_birth"}},
		{"dob tomorrow", func(r *WorkerRequest) { r.DateOfBirth = "2025-01-07" }, want{CodeDateInFuture, "date_of_birth"}},
		{"sex missing", func(r *WorkerRequest) { r.Sex = "" }, want{CodeRequired, "sex"}},
		{"sex lower case", func(r *WorkerRequest) { r.Sex = "f" }, want{CodeInvalidSex, "sex"}},
		{"sex word", func(r *WorkerRequest) { r.Sex = "female" }, want{CodeInvalidSex, "sex"}},
		{"nationality missing", func(r *WorkerRequest) { r.Nationality = "" }, want{CodeRequired, "nationality"}},
		{"nationality unknown", func(r *WorkerRequest) { r.Nationality = "NIX" }, want{CodeInvalidCountry, "nationality"}},
		{"document type missing", func(r *WorkerRequest) { r.Document.Type = "" }, want{CodeRequired, "document.type"}},
		{"document type visa", func(r *WorkerRequest) { r.Document.Type = "visa" }, want{CodeInvalidDocType, "document.type"}},
		{"document number missing", func(r *WorkerRequest) { r.Document.Number = " - " }, want{CodeRequired, "document.number"}},
		{"document number symbols", func(r *WorkerRequest) { r.Document.Number = "AB#12" }, want{CodeInvalidDocNumber, "document.number"}},
		{"document number non-ascii", func(r *WorkerRequest) { r.Document.Number = "ÑB12" }, want{CodeInvalidDocNumber, "document.number"}},
		{"document number too long", func(r *WorkerRequest) { r.Document.Number = strings.Repeat("9", 65) }, want{CodeTooLong, "document.number"}},
		{"issuing country missing", func(r *WorkerRequest) { r.Document.IssuingCountry = "" }, want{CodeRequired, "document.issuing_country"}},
		{"issuing country alpha-2", func(r *WorkerRequest) { r.Document.IssuingCountry = "NI" }, want{CodeInvalidCountry, "document.issuing_country"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n++
			r := workerReq("Ana", "Ruiz", "1990-04-01", "P"+strings.Repeat("0", n))
			tc.change(&r)
			res, err := e.svc.RegisterWorker(e.ctx, emp, r)
			checkErr(t, err, tc.want)
			if err == nil && (res.Existing || res.Receipt == nil) {
				t.Errorf("valid registration not appended: %+v", res)
			}
		})
	}
	t.Run("roles", func(t *testing.T) {
		r := workerReq("Ana", "Ruiz", "1990-04-01", "Q1")
		for _, a := range []Actor{ministry, inspector} {
			_, err := e.svc.RegisterWorker(e.ctx, a, r)
			checkErr(t, err, want{CodeRoleNotAllowed, ""})
		}
		for _, org := range []string{"emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", "MTSS", ""} {
			_, err := e.svc.RegisterWorker(e.ctx, employerActor(org), r)
			checkErr(t, err, want{CodeEmployerNotRegistered, ""})
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("got %v, want ErrForbidden", err)
			}
		}
		must(e.svc.RegisterWorker(e.ctx, border, r))(t)
	})
	t.Run("document normalised", func(t *testing.T) {
		a := must(e.svc.RegisterWorker(e.ctx, border, workerReq("Luis", "Mora", "1985-01-01", "ab-123 456")))(t)
		b := must(e.svc.RegisterWorker(e.ctx, emp, workerReq("Luis A.", "Mora", "1985-01-01", "AB123456")))(t)
		if !b.Existing || b.WorkerID != a.WorkerID || b.Receipt != nil {
			t.Errorf("second registration %+v, want existing %s", b, a.WorkerID)
		}
		other := workerReq("Luis", "Mora", "1985-01-01", "AB123456")
		other.Document.IssuingCountry = "HND" // same number, another country: another document
		c := must(e.svc.RegisterWorker(e.ctx, border, other))(t)
		if c.Existing || c.WorkerID == a.WorkerID {
			t.Errorf("document of another country matched: %+v", c)
		}
	})
}

func TestPermitValidation(t *testing.T) {
	e := newEnv(t)
	w := e.worker(border, workerReq("Ana", "Ruiz", "1990-04-01", "P1"))
	for _, tc := range []struct {
		name string
		req  PermitRequest
		want want
	}{
		{"valid", PermitRequest{w, "seasonal_work", "2025-01-01", "2025-06-30"}, want{}},
		{"valid one day", PermitRequest{w, "cross_border_card", "2025-01-01", "2025-01-01"}, want{}},
		{"type missing", PermitRequest{w, "", "2025-01-01", "2025-06-30"}, want{CodeRequired, "type"}},
		{"type unknown", PermitRequest{w, "tourist", "2025-01-01", "2025-06-30"}, want{CodeInvalidPermitType, "type"}},
		{"from missing", PermitRequest{w, "seasonal_work", "", "2025-06-30"}, want{CodeRequired, "valid_from"}},
		{"from not a date", PermitRequest{w, "seasonal_work", "2025-04-31", "2025-06-30"}, want{CodeInvalidDate, "valid_from"}},
		{"to not a date", PermitRequest{w, "seasonal_work", "2025-01-01", "30/06/2025"}, want{CodeInvalidDate, "valid_to"}},
		{"to before from", PermitRequest{w, "seasonal_work", "2025-06-30", "2025-06-29"}, want{CodeInvalidPeriod, "valid_to"}},
		{"unknown worker", PermitRequest{"wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", "seasonal_work", "2025-01-01", "2025-06-30"}, want{CodeNotFound, ""}},
		{"malformed worker id", PermitRequest{"42", "seasonal_work", "2025-01-01", "2025-06-30"}, want{CodeNotFound, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.IssuePermit(e.ctx, ministry, tc.req)
			checkErr(t, err, tc.want)
		})
	}
	t.Run("border may issue, employer may not", func(t *testing.T) {
		must(e.svc.IssuePermit(e.ctx, border, PermitRequest{w, "cross_border_card", "2025-01-01", "2025-06-30"}))(t)
		emp := e.employer("E", "1")
		_, err := e.svc.IssuePermit(e.ctx, emp, PermitRequest{w, "seasonal_work", "2025-01-01", "2025-06-30"})
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
	})
	t.Run("revoke", func(t *testing.T) {
		p := e.permit(w, "2025-01-01", "2025-12-31")
		_, err := e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{})
		checkErr(t, err, want{CodeRequired, "reason"})
		_, err = e.svc.RevokePermit(e.ctx, border, p, ReasonRequest{Reason: "fraud"})
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
		_, err = e.svc.RevokePermit(e.ctx, ministry, "prm_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", ReasonRequest{Reason: "fraud"})
		checkErr(t, err, want{CodeNotFound, ""})
		must(e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{Reason: "fraud"}))(t)
		_, err = e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{Reason: "fraud"})
		checkErr(t, err, want{CodeAlreadyRevoked, ""})
	})
	t.Run("erased worker", func(t *testing.T) {
		w2 := e.worker(border, workerReq("Eva", "Soto", "1980-01-01", "P2"))
		must(e.svc.EraseWorker(e.ctx, ministry, w2, ReasonRequest{Reason: "request"}))(t)
		_, err := e.svc.IssuePermit(e.ctx, ministry, PermitRequest{w2, "seasonal_work", "2025-01-01", "2025-06-30"})
		checkErr(t, err, want{CodeWorkerErased, "worker_id"})
	})
}

func TestCrossingValidation(t *testing.T) {
	e := newEnv(t) // now: 2025-01-06T09:00:00Z
	w := e.worker(border, workerReq("Ana", "Ruiz", "1990-04-01", "P1"))
	for _, tc := range []struct {
		name string
		req  CrossingRequest
		want want
	}{
		{"valid entry", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T10:00:00Z", Post: "PB-1"}, want{}},
		{"valid exit with offset", CrossingRequest{WorkerID: w, Direction: "exit", OccurredAt: "2025-01-05T12:00:00-06:00"}, want{}},
		{"valid refused", CrossingRequest{WorkerID: w, Direction: "refused", OccurredAt: "2025-01-05T10:00:00Z", Reason: "expired passport"}, want{}},
		{"valid 4 minutes ahead", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-06T09:04:00Z"}, want{}},
		{"direction missing", CrossingRequest{WorkerID: w, OccurredAt: "2025-01-05T10:00:00Z"}, want{CodeRequired, "direction"}},
		{"direction unknown", CrossingRequest{WorkerID: w, Direction: "in", OccurredAt: "2025-01-05T10:00:00Z"}, want{CodeInvalidDirection, "direction"}},
		{"time missing", CrossingRequest{WorkerID: w, Direction: "entry"}, want{CodeRequired, "occurred_at"}},
		{"time without zone", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T10:00:00"}, want{CodeInvalidTime, "occurred_at"}},
		{"time is a date", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05"}, want{CodeInvalidTime, "occurred_at"}},
		{"time not real", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-02-30T10:00:00Z"}, want{CodeInvalidTime, "occurred_at"}},
		{"6 minutes ahead", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-06T09:06:00Z"}, want{CodeCrossingInFuture, "occurred_at"}},
		{"refused without reason", CrossingRequest{WorkerID: w, Direction: "refused", OccurredAt: "2025-01-05T10:00:00Z"}, want{CodeRequired, "reason"}},
		{"post too long", CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T10:00:00Z", Post: strings.Repeat("P", 65)}, want{CodeTooLong, "post"}},
		{"unknown worker", CrossingRequest{WorkerID: "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", Direction: "entry", OccurredAt: "2025-01-05T10:00:00Z"}, want{CodeNotFound, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.RecordCrossing(e.ctx, border, tc.req)
			checkErr(t, err, tc.want)
		})
	}
	t.Run("roles", func(t *testing.T) {
		for _, a := range []Actor{ministry, inspector, e.employer("E", "1")} {
			_, err := e.svc.RecordCrossing(e.ctx, a, CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T10:00:00Z"})
			checkErr(t, err, want{CodeRoleNotAllowed, ""})
		}
	})
	t.Run("batch", func(t *testing.T) {
		_, err := e.svc.RecordCrossings(e.ctx, border, BatchRequest{})
		checkErr(t, err, want{CodeRequired, "crossings"})
		_, err = e.svc.RecordCrossings(e.ctx, border, BatchRequest{Crossings: make([]CrossingRequest, MaxBatch+1)})
		checkErr(t, err, want{CodeTooManyItems, "crossings"})
		res := must(e.svc.RecordCrossings(e.ctx, border, BatchRequest{Crossings: []CrossingRequest{
			{WorkerID: w, Direction: "exit", OccurredAt: "2025-01-05T18:00:00Z", ClientRef: "r1"},
			{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-06T10:00:00Z", ClientRef: "r2"},
			{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-06T07:00:00Z"},
			{WorkerID: "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", Direction: "entry", OccurredAt: "2025-01-06T07:00:00Z", ClientRef: "r3"},
		}}))(t)
		var got []want
		for _, it := range res.Results {
			c, f := errCode(it.Err)
			got = append(got, want{it.Status + " " + c, f})
		}
		if diff := cmp.Diff([]want{
			{StatusCreated + " ", ""},
			{StatusRejected + " " + CodeCrossingInFuture, "crossings[1].occurred_at"},
			{StatusRejected + " " + CodeRequired, "crossings[2].client_ref"},
			{StatusRejected + " " + CodeNotFound, ""},
		}, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("batch results (-want +got)\n%s", diff)
		}
	})
}

func TestPlacementValidation(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca Uno", "1")
	w := e.worker(emp, workerReq("Ana", "Ruiz", "1990-04-01", "P1"))
	e.permit(w, "2025-01-01", "2025-06-30")
	revoked := e.worker(emp, workerReq("Eva", "Soto", "1991-04-01", "P2"))
	p := e.permit(revoked, "2025-01-01", "2025-06-30")
	must(e.svc.RevokePermit(e.ctx, ministry, p, ReasonRequest{Reason: "fraud"}))(t) // revoked on 2025-01-06
	nopermit := e.worker(emp, workerReq("Lia", "Vega", "1992-04-01", "P3"))
	base := PlacementRequest{WorkerID: w, StartDate: "2025-01-06", ExpectedEndDate: "2025-05-31", Occupation: "9211", Sector: "0127", Region: "CR-A"}
	for _, tc := range []struct {
		name   string
		change func(r *PlacementRequest)
		want   want
	}{
		{"valid", func(r *PlacementRequest) {}, want{}},
		{"valid section sector", func(r *PlacementRequest) { r.Sector = "A" }, want{}},
		{"valid one day on permit's last day", func(r *PlacementRequest) { r.StartDate, r.ExpectedEndDate = "2025-06-30", "2025-06-30" }, want{}},
		{"valid other occupation", func(r *PlacementRequest) { r.Occupation = "6111" }, want{}},
		{"start missing", func(r *PlacementRequest) { r.StartDate = "" }, want{CodeRequired, "start_date"}},
		{"start not real", func(r *PlacementRequest) { r.StartDate = "2025-02-29" }, want{CodeInvalidDate, "start_date"}},
		{"expected end not real", func(r *PlacementRequest) { r.ExpectedEndDate = "2025-06-31" }, want{CodeInvalidDate, "expected_end_date"}},
		{"expected end before start", func(r *PlacementRequest) { r.ExpectedEndDate = "2025-01-05" }, want{CodeInvalidPeriod, "expected_end_date"}},
		{"occupation missing", func(r *PlacementRequest) { r.Occupation = "" }, want{CodeRequired, "occupation"}},
		{"occupation minor group", func(r *PlacementRequest) { r.Occupation = "921" }, want{CodeInvalidOccupation, "occupation"}},
		{"occupation unknown", func(r *PlacementRequest) { r.Occupation = "9999" }, want{CodeInvalidOccupation, "occupation"}},
		{"sector unknown", func(r *PlacementRequest) { r.Sector = "V" }, want{CodeInvalidSector, "sector"}},
		{"sector group", func(r *PlacementRequest) { r.Sector = "012" }, want{CodeInvalidSector, "sector"}},
		{"region missing", func(r *PlacementRequest) { r.Region = "" }, want{CodeRequired, "region"}},
		{"region of another country", func(r *PlacementRequest) { r.Region = "NI-AN" }, want{CodeInvalidRegion, "region"}},
		{"region not a code", func(r *PlacementRequest) { r.Region = "Alajuela" }, want{CodeInvalidRegion, "region"}},
		{"no permit on start", func(r *PlacementRequest) { r.StartDate, r.ExpectedEndDate = "2025-07-01", "2025-08-01" }, want{CodeNoValidPermit, "start_date"}},
		{"start before permit", func(r *PlacementRequest) { r.StartDate = "2024-12-31" }, want{CodeNoValidPermit, "start_date"}},
		{"revoked permit", func(r *PlacementRequest) { r.WorkerID = revoked }, want{CodeNoValidPermit, "start_date"}},
		{"no permit at all", func(r *PlacementRequest) { r.WorkerID = nopermit }, want{CodeNoValidPermit, "start_date"}},
		{"revoked permit before revocation", func(r *PlacementRequest) { r.WorkerID, r.StartDate = revoked, "2025-01-05" }, want{}},
		{"unknown worker", func(r *PlacementRequest) { r.WorkerID = "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5" }, want{CodeNotFound, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.change(&r)
			_, err := e.svc.StartPlacement(e.ctx, emp, r)
			checkErr(t, err, tc.want)
		})
	}
	t.Run("suspended employer", func(t *testing.T) {
		other := e.employer("Finca Dos", "2")
		_, err := e.svc.SuspendEmployer(e.ctx, ministry, other.Org, ReasonRequest{})
		checkErr(t, err, want{CodeRequired, "reason"})
		must(e.svc.SuspendEmployer(e.ctx, ministry, other.Org, ReasonRequest{Reason: "labour violations"}))(t)
		_, err = e.svc.SuspendEmployer(e.ctx, ministry, other.Org, ReasonRequest{Reason: "again"})
		checkErr(t, err, want{CodeAlreadySuspended, ""})
		_, err = e.svc.StartPlacement(e.ctx, other, base)
		checkErr(t, err, want{CodeEmployerSuspended, ""})
		got := must(e.svc.GetEmployer(e.ctx, ministry, other.Org))(t)
		if got.Status != "suspended" {
			t.Errorf("status %q", got.Status)
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, a := range []Actor{ministry, border, inspector} {
			_, err := e.svc.StartPlacement(e.ctx, a, base)
			checkErr(t, err, want{CodeRoleNotAllowed, ""})
		}
		_, err := e.svc.StartPlacement(e.ctx, employerActor("emp_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5"), base)
		checkErr(t, err, want{CodeEmployerNotRegistered, ""})
	})
	t.Run("erased worker", func(t *testing.T) {
		w2 := e.worker(emp, workerReq("Iris", "Cruz", "1993-04-01", "P4"))
		e.permit(w2, "2025-01-01", "2025-06-30")
		must(e.svc.EraseWorker(e.ctx, ministry, w2, ReasonRequest{Reason: "request"}))(t)
		r := base
		r.WorkerID = w2
		_, err := e.svc.StartPlacement(e.ctx, emp, r)
		checkErr(t, err, want{CodeWorkerErased, "worker_id"})
	})
}

func TestEndPlacementValidation(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca Uno", "1")
	other := e.employer("Finca Dos", "2")
	w := e.worker(emp, workerReq("Ana", "Ruiz", "1990-04-01", "P1"))
	e.permit(w, "2025-01-01", "2025-06-30")
	p := e.place(emp, w, "2025-01-06", "2025-05-31").PlacementID
	for _, tc := range []struct {
		name  string
		actor Actor
		id    string
		req   EndPlacementRequest
		want  want
	}{
		{"end missing", emp, p, EndPlacementRequest{Reason: "completed"}, want{CodeRequired, "end_date"}},
		{"end not real", emp, p, EndPlacementRequest{EndDate: "2025-05-32", Reason: "completed"}, want{CodeInvalidDate, "end_date"}},
		{"reason missing", emp, p, EndPlacementRequest{EndDate: "2025-05-31"}, want{CodeRequired, "reason"}},
		{"reason unknown", emp, p, EndPlacementRequest{EndDate: "2025-05-31", Reason: "fired"}, want{CodeInvalidEndReason, "reason"}},
		{"end before start", emp, p, EndPlacementRequest{EndDate: "2025-01-05", Reason: "completed"}, want{CodeInvalidPeriod, "end_date"}},
		{"another employer's placement", other, p, EndPlacementRequest{EndDate: "2025-05-31", Reason: "completed"}, want{CodeNotFound, ""}},
		{"unknown placement", emp, "plc_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", EndPlacementRequest{EndDate: "2025-05-31", Reason: "completed"}, want{CodeNotFound, ""}},
		{"ministry", ministry, p, EndPlacementRequest{EndDate: "2025-05-31", Reason: "completed"}, want{CodeRoleNotAllowed, ""}},
		{"same day as start", emp, p, EndPlacementRequest{EndDate: "2025-01-06", Reason: "no_show"}, want{}},
		{"already ended", emp, p, EndPlacementRequest{EndDate: "2025-05-31", Reason: "completed"}, want{CodePlacementEnded, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.EndPlacement(e.ctx, tc.actor, tc.id, tc.req)
			checkErr(t, err, tc.want)
		})
	}
	for _, reason := range endReasons {
		t.Run("reason "+reason, func(t *testing.T) {
			q := e.place(emp, w, "2025-02-01", "2025-05-31").PlacementID
			_, err := e.svc.EndPlacement(e.ctx, emp, q, EndPlacementRequest{EndDate: "2025-03-01", Reason: reason})
			checkErr(t, err, want{})
		})
	}
}

func TestFindingsFilterValidation(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		f    FindingsFilter
		want want
	}{
		{"empty", FindingsFilter{}, want{}},
		{"every type", FindingsFilter{Type: FindingOverstay, From: "2025-01-01", To: "2025-01-01"}, want{}},
		{"unknown type", FindingsFilter{Type: "speeding"}, want{CodeInvalidFilter, "type"}},
		{"bad from", FindingsFilter{From: "2025-13-01"}, want{CodeInvalidDate, "from"}},
		{"bad to", FindingsFilter{To: "tomorrow"}, want{CodeInvalidDate, "to"}},
		{"to before from", FindingsFilter{From: "2025-02-01", To: "2025-01-31"}, want{CodeInvalidPeriod, "to"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Findings(e.ctx, inspector, tc.f)
			checkErr(t, err, tc.want)
		})
	}
	for _, a := range []Actor{ministry, border} {
		_, err := e.svc.Findings(e.ctx, a, FindingsFilter{})
		checkErr(t, err, want{CodeRoleNotAllowed, ""})
	}
}

func TestCorrectionValidation(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca Uno", "1")
	other := e.employer("Finca Dos", "2")
	w := e.worker(emp, workerReq("Ana", "Ruiz", "1990-04-01", "P1"))
	pr := must(e.svc.IssuePermit(e.ctx, ministry, PermitRequest{w, "seasonal_work", "2025-01-01", "2025-06-30"}))(t)
	cr := e.cross(w, "entry", "2025-01-05T10:00:00Z")
	pl := e.place(emp, w, "2025-01-06", "2025-05-31")
	end := e.end(emp, pl.PlacementID, "2025-05-31", "completed")
	g := must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: "audit"}))(t)
	access := *g.AccessIndex
	reg := e.indexOf(TypeWorkerRegistered, w)
	emps, _ := e.svc.ListEmployers(e.ctx, ministry, ListRequest{})
	empIndex := emps.Employers[0].Index

	ch := func(kv ...string) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = json.RawMessage(kv[i+1])
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		actor   Actor
		index   uint64
		reason  string
		changes map[string]json.RawMessage
		want    want
	}{
		{"crossing time", border, cr.Index, "typo", ch("occurred_at", `"2025-01-05T11:00:00Z"`), want{}},
		{"crossing post and direction", border, cr.Index, "typo", ch("post", `"PB-2"`, "direction", `"entry"`), want{}},
		{"crossing in future", border, cr.Index, "typo", ch("occurred_at", `"2025-01-07T11:00:00Z"`), want{CodeCrossingInFuture, "changes.occurred_at"}},
		{"crossing bad direction", border, cr.Index, "typo", ch("direction", `"sideways"`), want{CodeInvalidDirection, "changes.direction"}},
		{"crossing worker id", border, cr.Index, "typo", ch("worker_id", `"wkr_x"`), want{CodeUnknownField, "changes.worker_id"}},
		{"crossing by another post", border2, cr.Index, "typo", ch("post", `"X"`), want{CodeRoleNotAllowed, ""}},
		{"crossing by inspector", inspector, cr.Index, "audit", ch("post", `"PB-1"`), want{}},
		{"crossing by employer", emp, cr.Index, "typo", ch("post", `"X"`), want{CodeNotFound, ""}},
		{"placement dates", emp, pl.Index, "typo", ch("start_date", `"2025-01-07"`, "expected_end_date", `"2025-06-15"`), want{}},
		{"placement codes", emp, pl.Index, "typo", ch("occupation", `"6111"`, "sector", `"A"`, "region", `"CR-G"`), want{}},
		{"placement bad occupation", emp, pl.Index, "typo", ch("occupation", `"61"`), want{CodeInvalidOccupation, "changes.occupation"}},
		{"placement bad sector", emp, pl.Index, "typo", ch("sector", `"ZZ"`), want{CodeInvalidSector, "changes.sector"}},
		{"placement foreign region", emp, pl.Index, "typo", ch("region", `"NI-AN"`), want{CodeInvalidRegion, "changes.region"}},
		{"placement bad date", emp, pl.Index, "typo", ch("start_date", `"2025-01-32"`), want{CodeInvalidDate, "changes.start_date"}},
		{"placement start after expected end", emp, pl.Index, "typo", ch("start_date", `"2025-06-20"`), want{CodeInvalidPeriod, "changes.expected_end_date"}},
		{"placement start after actual end", emp, pl.Index, "typo", ch("start_date", `"2025-06-01"`, "expected_end_date", `"2025-06-30"`), want{CodeInvalidPeriod, "changes.start_date"}},
		{"placement employer", emp, pl.Index, "typo", ch("employer_id", `"emp_x"`), want{CodeUnknownField, "changes.employer_id"}},
		{"placement by other employer", other, pl.Index, "typo", ch("occupation", `"6111"`), want{CodeNotFound, ""}},
		{"placement by ministry", ministry, pl.Index, "typo", ch("occupation", `"6111"`), want{CodeRoleNotAllowed, ""}},
		{"end date", emp, end.Index, "typo", ch("end_date", `"2025-05-30"`, "reason", `"transferred"`), want{}},
		{"end before start", emp, end.Index, "typo", ch("end_date", `"2025-01-01"`), want{CodeInvalidPeriod, "changes.end_date"}},
		{"end bad reason", emp, end.Index, "typo", ch("reason", `"bored"`), want{CodeInvalidEndReason, "changes.reason"}},
		{"permit dates", ministry, pr.Index, "typo", ch("valid_to", `"2025-07-31"`), want{}},
		{"permit inverted", ministry, pr.Index, "typo", ch("valid_from", `"2025-08-01"`), want{CodeInvalidPeriod, "changes.valid_to"}},
		{"permit type", ministry, pr.Index, "typo", ch("type", `"visa"`), want{CodeInvalidPermitType, "changes.type"}},
		{"worker names", emp, reg, "typo", ch("given_names", `"Ana María"`), want{}},
		{"worker dob", emp, reg, "typo", ch("date_of_birth", `"1990-04-02"`), want{}},
		{"worker dob future", emp, reg, "typo", ch("date_of_birth", `"2026-04-02"`), want{CodeDateInFuture, "changes.date_of_birth"}},
		{"worker dob invalid", emp, reg, "typo", ch("date_of_birth", `"1990-02-30"`), want{CodeInvalidDate, "changes.date_of_birth"}},
		{"worker sex", emp, reg, "typo", ch("sex", `"x"`), want{CodeInvalidSex, "changes.sex"}},
		{"worker nationality", emp, reg, "typo", ch("nationality", `"ZZZ"`), want{CodeInvalidCountry, "changes.nationality"}},
		{"worker blank name", emp, reg, "typo", ch("family_names", `""`), want{CodeRequired, "changes.family_names"}},
		{"worker document", emp, reg, "typo", ch("document_number", `"X1"`), want{CodeUnknownField, "changes.document_number"}},
		{"employer name", ministry, empIndex, "typo", ch("legal_name", `"Finca Uno Ltda."`), want{}},
		{"employer region of its country", ministry, empIndex, "typo", ch("region", `"NI-AN"`), want{CodeInvalidRegion, "changes.region"}},
		{"employer tax id", ministry, empIndex, "typo", ch("tax_id", `"9"`), want{CodeUnknownField, "changes.tax_id"}},
		{"access record", inspector, access, "typo", ch("purpose", `"x"`), want{CodeNotCorrectable, "index"}},
		{"no reason", border, cr.Index, " ", ch("post", `"X"`), want{CodeRequired, "reason"}},
		{"no changes", border, cr.Index, "typo", nil, want{CodeRequired, "changes"}},
		{"not a string", border, cr.Index, "typo", ch("post", `7`), want{CodeInvalidValue, "changes.post"}},
		{"beyond the log", inspector, 9999, "typo", ch("post", `"X"`), want{CodeNotFound, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CorrectEntry(e.ctx, tc.actor, tc.index, CorrectionRequest{Reason: tc.reason, Changes: tc.changes})
			checkErr(t, err, tc.want)
		})
	}
	t.Run("correction of a correction", func(t *testing.T) {
		rc := must(e.svc.CorrectEntry(e.ctx, border, cr.Index, CorrectionRequest{Reason: "x", Changes: ch("post", `"Y"`)}))(t)
		_, err := e.svc.CorrectEntry(e.ctx, border, rc.Index, CorrectionRequest{Reason: "x", Changes: ch("post", `"Z"`)})
		checkErr(t, err, want{CodeNotCorrectable, "index"})
	})
	t.Run("personal data of an erased worker", func(t *testing.T) {
		must(e.svc.EraseWorker(e.ctx, ministry, w, ReasonRequest{Reason: "request"}))(t)
		_, err := e.svc.CorrectEntry(e.ctx, emp, reg, CorrectionRequest{Reason: "x", Changes: ch("given_names", `"Eva"`)})
		checkErr(t, err, want{CodeWorkerErased, ""})
		_, err = e.svc.CorrectEntry(e.ctx, emp, reg, CorrectionRequest{Reason: "x", Changes: ch("sex", `"X"`)})
		checkErr(t, err, want{})
	})
}
