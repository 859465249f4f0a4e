package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// TestHappyPathOverHTTP walks a season over real HTTP on a real ledger,
// with real token signatures: a ministry registers an employer, the
// employer a worker, the ministry and the border issue permits, the
// border records the entry, the employer starts and ends a placement, and
// an inspector reads the worker's history with proofs, each of which the
// test verifies with transparency-dev/merkle against the signed checkpoint
// opened with the served verifier key. Nothing a ministry receives on the
// way carries personal data.
func TestHappyPathOverHTTP(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	var ministryAnswers [][]byte
	minis := e.token(ledger.RoleMinistry, "DGME")
	asMinistry := func(method, path, body string) ([]byte, int) {
		t.Helper()
		r := req{method: method, path: path, token: minis}
		if body != "" {
			r.body, r.ctype = body, "json"
		}
		resp, b := e.do(r)
		ministryAnswers = append(ministryAnswers, b)
		return b, resp.StatusCode
	}

	// The ministry registers an employer.
	b, status := asMinistry("POST", "/v1/employers", `{"legal_name":"Finca La Esperanza","tax_id":"3-101-123456","country":"CRI","sector":"A","region":"CR-G"}`)
	if status != 201 {
		t.Fatalf("register employer: %d %s", status, b)
	}
	emp := decodeBytes[ledger.EmployerResult](t, b)
	if !strings.HasPrefix(emp.EmployerID, "emp_") || len(emp.LeafHash) != 32 {
		t.Fatalf("employer answer %s", b)
	}
	empTok := e.token(ledger.RoleEmployer, emp.EmployerID)

	// The employer registers a worker; the same document again is found.
	worker := `{"given_names":"María José","family_names":"Castillo Ruiz","date_of_birth":"1996-04-09","sex":"F","nationality":"NIC","document":{"type":"passport","number":"C02468135","issuing_country":"NIC"}}`
	resp, b := e.post("/v1/workers", empTok, worker, "")
	w := decode[ledger.WorkerResult](t, resp, b, 201)
	if resp.Header.Get("Location") != "/v1/workers/"+w.WorkerID || w.Receipt == nil {
		t.Fatalf("register worker: Location %q, %s", resp.Header.Get("Location"), b)
	}
	size := e.log.Size()
	resp, b = e.post("/v1/workers", e.token(ledger.RoleBorder, "PEÑAS-BLANCAS"), worker, "")
	again := decode[map[string]any](t, resp, b, 200)
	if again["worker_id"] != w.WorkerID || again["existing"] != true || again["index"] != nil || e.log.Size() != size {
		t.Fatalf("known document: %s (log %d → %d)", b, size, e.log.Size())
	}

	// Permits from the ministry and the border; the border records the entry.
	b, status = asMinistry("POST", "/v1/permits", `{"worker_id":"`+w.WorkerID+`","type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-08-31"}`)
	if status != 201 {
		t.Fatalf("permit: %d %s", status, b)
	}
	bord := e.token(ledger.RoleBorder, "PEÑAS-BLANCAS")
	resp, b = e.post("/v1/permits", bord, `{"worker_id":"`+w.WorkerID+`","type":"cross_border_card","valid_from":"2026-03-01","valid_to":"2026-03-31"}`, "")
	decode[ledger.PermitResult](t, resp, b, 201)
	resp, b = e.post("/v1/crossings", bord, `{"worker_id":"`+w.WorkerID+`","direction":"entry","occurred_at":"2026-03-01T14:30:00-06:00","post":"PEÑAS-BLANCAS"}`, "")
	if c := decode[ledger.CrossingResult](t, resp, b, 201); c.Warnings == nil || len(c.Warnings) != 0 {
		t.Fatalf("entry: %s", b)
	}

	// The employer starts and ends a placement.
	resp, b = e.post("/v1/placements", empTok, `{"worker_id":"`+w.WorkerID+`","start_date":"2026-03-02","expected_end_date":"2026-08-15","occupation":"9211","sector":"0113","region":"CR-G"}`, "")
	plc := decode[ledger.PlacementResult](t, resp, b, 201)
	resp, b = e.post("/v1/placements/"+plc.PlacementID+"/end", empTok, `{"end_date":"2026-03-02","reason":"transferred"}`, "")
	decode[ledger.Receipt](t, resp, b, 200)
	resp, b = e.post("/v1/placements/"+plc.PlacementID+"/end", empTok, `{"end_date":"2026-03-02","reason":"completed"}`, "")
	wantError(t, resp, b, 409, ledger.CodePlacementEnded, "")

	// The employer's view of the history has no crossing.
	resp, b = e.get("/v1/workers/"+w.WorkerID+"/history", empTok)
	for _, en := range decode[ledger.History](t, resp, b, 200).Entries {
		if en.Type == ledger.TypeCrossingRecorded || en.Type == ledger.TypeAccessRecorded {
			t.Errorf("employer sees a %s entry", en.Type)
		}
	}

	// An inspector needs a purpose, and each read is appended first.
	insp := e.token(ledger.RoleInspector, "MTSS-DNI")
	resp, b = e.get("/v1/workers/"+w.WorkerID+"/history?proofs=true", insp)
	wantError(t, resp, b, 400, ledger.CodePurposeRequired, "purpose")
	size = e.log.Size()
	resp, b = e.get("/v1/workers/"+w.WorkerID+"/history?purpose=case-2026-017&proofs=true", insp)
	h := decode[ledger.History](t, resp, b, 200)
	if e.log.Size() != size+1 {
		t.Fatalf("inspector read appended %d entries, want 1", e.log.Size()-size)
	}
	var types []string
	for _, en := range h.Entries {
		types = append(types, en.Type)
	}
	want := []string{ledger.TypeWorkerRegistered, ledger.TypePermitIssued, ledger.TypePermitIssued, ledger.TypeCrossingRecorded,
		ledger.TypePlacementStarted, ledger.TypePlacementEnded, ledger.TypeAccessRecorded}
	if !slices.Equal(types, want) {
		t.Fatalf("history types %v, want %v", types, want)
	}
	if h.Entries[0].Personal == nil || h.Entries[0].Personal.DocumentNumber != "C02468135" {
		t.Errorf("inspector does not see the registration's personal data: %+v", h.Entries[0].Personal)
	}

	// Every proof verifies against the checkpoint, checked with the served key.
	_, key := e.get("/v1/log/key", "")
	cp, err := tlog.OpenCheckpoint([]byte(h.Checkpoint), testOrigin, strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatalf("history checkpoint does not verify with the served key: %v", err)
	}
	if cp.Size != h.Size || h.Size != e.log.Size() {
		t.Fatalf("checkpoint size %d, history size %d, log %d", cp.Size, h.Size, e.log.Size())
	}
	for _, en := range h.Entries {
		if len(en.Proof) == 0 && h.Size > 1 {
			t.Fatalf("entry %d has no proof", en.Index)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, en.Index, h.Size, rfc6962.DefaultHasher.HashLeaf(en.Leaf), en.Proof, cp.Hash); err != nil {
			t.Errorf("entry %d: inclusion proof does not verify: %v", en.Index, err)
		}
		if got, err := ledger.DecodeEntry(en.Leaf); err != nil || got.Index != en.Index || got.WorkerID != w.WorkerID {
			t.Errorf("entry %d: leaf %s (%v)", en.Index, en.Leaf, err)
		}
	}

	// The ministry sees who read the worker, and why; never the worker.
	b, status = asMinistry("GET", "/v1/workers/"+w.WorkerID+"/access", "")
	acc := decodeBytes[ledger.AccessPage](t, b)
	if status != 200 || len(acc.Accesses) != 1 || acc.Accesses[0].Purpose != "case-2026-017" || acc.Accesses[0].Actor.Org != "MTSS-DNI" || acc.Accesses[0].View != "history" {
		t.Fatalf("access list: %d %s", status, b)
	}
	for _, path := range []string{"/v1/workers/" + w.WorkerID, "/v1/workers/" + w.WorkerID + "/history", "/v1/log/entries"} {
		if _, status := asMinistry("GET", path, ""); status != 403 {
			t.Errorf("ministry GET %s: %d, want 403", path, status)
		}
	}
	asMinistry("GET", "/v1/employers", "")
	asMinistry("GET", "/v1/employers/"+emp.EmployerID, "")
	if b, status := asMinistry("POST", "/v1/workers/"+w.WorkerID+"/erase", `{"reason":"the worker asked"}`); status != 200 {
		t.Fatalf("erase: %d %s", status, b)
	}
	asMinistry("GET", "/v1/workers/"+w.WorkerID+"/access", "")
	for _, secret := range []string{"María", "José", "Castillo", "Ruiz", "1996-04-09", "C02468135", "pii", "personal", "identity"} {
		for _, b := range ministryAnswers {
			if strings.Contains(string(b), secret) {
				t.Errorf("a ministry answer carries %q: %s", secret, b)
			}
		}
	}

	// After the erasure: no personal data for anyone, and the log verifies.
	resp, b = e.get("/v1/workers/"+w.WorkerID+"?purpose=case-2026-018", insp)
	v := decode[ledger.WorkerView](t, resp, b, 200)
	if !v.Erased || v.Identity != nil || strings.Contains(string(b), "Castillo") {
		t.Errorf("erased worker: %s", b)
	}
	if err := e.log.Verify(t.Context(), nil); err != nil {
		t.Errorf("log does not verify after the erasure: %v", err)
	}
}

// decodeBytes decodes a JSON answer into v.
func decodeBytes[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("answer is not the expected JSON (%v): %s", err, b)
	}
	return v
}
