package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// TestIdempotencyKey replays appending requests over HTTP: the same key
// and body answer the same status and body and append nothing, another
// body under the key is 409, another org may use the key, and the record
// survives a restart of the server on the same data directory.
func TestIdempotencyKey(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	minis := toks[ledger.RoleMinistry]
	empBody := `{"legal_name":"Finca Idem","tax_id":"3-102-000777","country":"CRI","sector":"A","region":"CR-A"}`

	resp, first := e.post("/v1/employers", minis, empBody, "reg-777")
	if resp.StatusCode != 201 || resp.Header.Get(replayedHeader) != "" {
		t.Fatalf("first: %d %s", resp.StatusCode, first)
	}
	location := resp.Header.Get("Location")
	size := e.log.Size()

	t.Run("replay answers the same and appends nothing", func(t *testing.T) {
		resp, b := e.post("/v1/employers", minis, empBody, "reg-777")
		if resp.StatusCode != 201 || !bytes.Equal(b, first) || resp.Header.Get("Location") != location {
			t.Fatalf("replay: %d %s (first %s)", resp.StatusCode, b, first)
		}
		if resp.Header.Get(replayedHeader) != "true" {
			t.Error("replay not marked")
		}
		if e.log.Size() != size {
			t.Errorf("replay appended: %d → %d", size, e.log.Size())
		}
	})
	t.Run("another body under the key is a conflict", func(t *testing.T) {
		for _, c := range []struct{ path, body string }{
			{"/v1/employers", strings.Replace(empBody, "Idem", "Otra", 1)},
			{"/v1/employers", strings.Replace(empBody, `"A"`, `"B"`, 1)},
			{"/v1/employers/" + sc.empC + "/suspend", `{"reason":"x"}`}, // same key, another route
		} {
			resp, b := e.post(c.path, minis, c.body, "reg-777")
			wantError(t, resp, b, 409, ledger.CodeIdempotencyKeyReused, "")
		}
		if e.log.Size() != size {
			t.Errorf("conflict appended: %d → %d", size, e.log.Size())
		}
	})
	t.Run("the key is scoped to the org", func(t *testing.T) {
		other := e.token(ledger.RoleMinistry, "MIDEPLAN")
		resp, b := e.post("/v1/employers", other, strings.Replace(empBody, "000777", "000778", 1), "reg-777")
		if resp.StatusCode != 201 || resp.Header.Get(replayedHeader) != "" || e.log.Size() != size+1 {
			t.Fatalf("other org: %d %s", resp.StatusCode, b)
		}
		size = e.log.Size()
	})
	t.Run("each appending route", func(t *testing.T) {
		for _, c := range []struct {
			role       ledger.Role
			path, body string
			status     int
		}{
			{ledger.RoleEmployer, "/v1/workers", `{"given_names":"Ida","family_names":"Em","date_of_birth":"1990-01-01","sex":"X","nationality":"NIC","document":{"type":"passport","number":"IDEM1","issuing_country":"NIC"}}`, 201},
			{ledger.RoleBorder, "/v1/permits", `{"worker_id":"{wkr}","type":"cross_border_card","valid_from":"2026-03-01","valid_to":"2026-04-30"}`, 201},
			{ledger.RoleBorder, "/v1/crossings", `{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T07:00:00Z"}`, 201},
			{ledger.RoleBorder, "/v1/crossings/batch", `{"crossings":[{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-02T07:30:00Z","client_ref":"idem-1"},{"worker_id":"{wkr}","direction":"up","occurred_at":"2026-03-02T07:40:00Z","client_ref":"idem-2"}]}`, 200},
			{ledger.RoleEmployer, "/v1/placements", `{"worker_id":"{wkr}","start_date":"2026-03-02","expected_end_date":"2026-05-31","occupation":"6111","sector":"A","region":"CR-A"}`, 201},
			{ledger.RoleEmployer, "/v1/placements/{plcA}/end", `{"end_date":"2026-03-02","reason":"completed"}`, 200},
			{ledger.RoleMinistry, "/v1/permits/{prmRevoke}/revoke", `{"reason":"fraud"}`, 200},
			{ledger.RoleMinistry, "/v1/employers/{empC}/suspend", `{"reason":"audit"}`, 200},
			{ledger.RoleInspector, "/v1/entries/0/corrections", `{"reason":"typo","changes":{"region":"CR-H"}}`, 201},
			{ledger.RoleMinistry, "/v1/workers/{wkrErase}/erase", `{"reason":"asked"}`, 200},
		} {
			t.Run(c.path, func(t *testing.T) {
				path, body, key := sc.expand(c.path, ""), sc.expand(c.body, ""), "k-"+c.path
				resp, first := e.post(path, toks[c.role], body, key)
				if resp.StatusCode != c.status {
					t.Fatalf("first: %d %s", resp.StatusCode, first)
				}
				size := e.log.Size()
				resp, b := e.post(path, toks[c.role], body, key)
				if resp.StatusCode != c.status || !bytes.Equal(b, first) || resp.Header.Get(replayedHeader) != "true" {
					t.Errorf("replay: %d %s\nfirst: %s", resp.StatusCode, b, first)
				}
				resp, b = e.post(path, toks[c.role], body+" ", key)
				wantError(t, resp, b, 409, ledger.CodeIdempotencyKeyReused, "")
				if e.log.Size() != size {
					t.Errorf("log grew by %d", e.log.Size()-size)
				}
			})
		}
	})
	t.Run("across a restart", func(t *testing.T) {
		e2 := e.reopen().start(HTTPLimits{})
		size := e2.log.Size()
		resp, b := e2.post("/v1/employers", minis, empBody, "reg-777")
		if resp.StatusCode != 201 || !bytes.Equal(b, first) || resp.Header.Get(replayedHeader) != "true" || e2.log.Size() != size {
			t.Fatalf("replay after restart: %d %s (log %d → %d)", resp.StatusCode, b, size, e2.log.Size())
		}
		resp, b = e2.post("/v1/employers", minis, strings.Replace(empBody, "Idem", "Otra", 1), "reg-777")
		wantError(t, resp, b, 409, ledger.CodeIdempotencyKeyReused, "")
		// A refused request stores nothing: the key is still free.
		resp, b = e2.post("/v1/employers", minis, `{"legal_name":"","tax_id":"1","country":"CRI","sector":"A","region":"CR-A"}`, "refused-once")
		wantError(t, resp, b, 422, ledger.CodeRequired, "legal_name")
		resp, b = e2.post("/v1/employers", minis, `{"legal_name":"Finca Nueva","tax_id":"1","country":"CRI","sector":"A","region":"CR-A"}`, "refused-once")
		if resp.StatusCode != 201 {
			t.Fatalf("key of a refused request: %d %s", resp.StatusCode, b)
		}
	})
}

// TestCrossingBatch sends a batch with valid and invalid items, then
// replays its client_refs: every item is answered in order, the refused
// ones with an error body, and a replayed client_ref is not appended
// twice.
func TestCrossingBatch(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	bord := e.tokens(sc)[ledger.RoleBorder]
	items := []string{
		`{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-01T18:00:00Z","client_ref":"b-1"}`,
		`{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-01T19:00:00Z","client_ref":"b-2"}`,
		`{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-01T20:00:00Z","client_ref":"b-3"}`,
		`{"worker_id":"{wkr}","direction":"sideways","occurred_at":"2026-03-01T20:00:00Z","client_ref":"b-4"}`,
		`{"worker_id":"wkr_01ARZ3NDEKTSV4RRFFQ69G5FAV","direction":"exit","occurred_at":"2026-03-01T20:00:00Z","client_ref":"b-5"}`,
		`{"worker_id":"{wkr}","direction":"exit","occurred_at":"2027-01-01T00:00:00Z","client_ref":"b-6"}`,
		`{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-01T21:00:00Z"}`,
		`{"worker_id":"{wkr}","direction":"refused","occurred_at":"2026-03-01T22:00:00Z","client_ref":"b-8"}`,
		`{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-01T18:00:00Z","client_ref":"b-1"}`, // b-1 again
	}
	size := e.log.Size()
	resp, b := e.post("/v1/crossings/batch", bord, sc.expand(`{"crossings":[`+strings.Join(items, ",")+`]}`, ""), "")
	got := decode[batchResponse](t, resp, b, 200)
	type want struct {
		status, code, field string
	}
	wants := []want{
		{"created", "", ""}, {"created", "", ""}, {"created", "", ""},
		{"rejected", ledger.CodeInvalidDirection, "crossings[3].direction"},
		{"rejected", "not_found", ""},
		{"rejected", ledger.CodeCrossingInFuture, "crossings[5].occurred_at"},
		{"rejected", ledger.CodeRequired, "crossings[6].client_ref"},
		{"rejected", ledger.CodeRequired, "crossings[7].reason"},
		{"duplicate", "", ""},
	}
	if len(got.Results) != len(wants) {
		t.Fatalf("%d results for %d items: %s", len(got.Results), len(wants), b)
	}
	for i, w := range wants {
		r := got.Results[i]
		if r.Status != w.status {
			t.Errorf("item %d: status %q, want %q (%+v)", i, r.Status, w.status, r)
			continue
		}
		switch w.status {
		case "rejected":
			if r.Error == nil || r.Error.Code != w.code || r.Error.Field != w.field || r.CrossingResult != nil {
				t.Errorf("item %d: %+v, want error %s on %q", i, r.Error, w.code, w.field)
			}
		default:
			if r.CrossingResult == nil || len(r.LeafHash) != 32 || r.Error != nil {
				t.Errorf("item %d: %+v", i, r)
			}
		}
	}
	if got.Results[8].Index != got.Results[0].Index {
		t.Errorf("duplicate b-1 answered index %d, first %d", got.Results[8].Index, got.Results[0].Index)
	}
	if !strings.Contains(string(b), `"warnings":["entry_while_present"]`) {
		t.Errorf("the second entry in a row is not warned about: %s", b)
	}
	if e.log.Size() != size+3 {
		t.Fatalf("batch appended %d entries, want 3", e.log.Size()-size)
	}

	// The post syncs again: nothing is appended twice.
	resp, b = e.post("/v1/crossings/batch", bord, sc.expand(`{"crossings":[`+strings.Join(items[:3], ",")+`]}`, ""), "")
	again := decode[batchResponse](t, resp, b, 200)
	for i, r := range again.Results {
		if r.Status != "duplicate" || r.Index != got.Results[i].Index || !bytes.Equal(r.LeafHash, got.Results[i].LeafHash) {
			t.Errorf("replayed item %d: %+v", i, r)
		}
	}
	if e.log.Size() != size+3 {
		t.Fatalf("replayed batch appended %d entries", e.log.Size()-size-3)
	}
	// A single crossing with a known client_ref is not appended either.
	resp, b = e.post("/v1/crossings", bord, sc.expand(items[0], ""), "")
	if dup := decode[ledger.CrossingResult](t, resp, b, 200); !dup.Duplicate || dup.Index != got.Results[0].Index {
		t.Errorf("single crossing with a known client_ref: %s", b)
	}

	t.Run("limits", func(t *testing.T) {
		resp, b := e.post("/v1/crossings/batch", bord, `{"crossings":[]}`, "")
		wantError(t, resp, b, 422, ledger.CodeRequired, "crossings")
		many := make([]string, ledger.MaxBatch+1)
		for i := range many {
			many[i] = fmt.Sprintf(`{"worker_id":"%s","direction":"exit","occurred_at":"2026-03-01T18:00:00Z","client_ref":"m-%d"}`, sc.wkr, i)
		}
		resp, b = e.post("/v1/crossings/batch", bord, `{"crossings":[`+strings.Join(many, ",")+`]}`, "")
		wantError(t, resp, b, 422, ledger.CodeTooManyItems, "crossings")
		if e.log.Size() != size+3 {
			t.Errorf("refused batches appended")
		}
	})
}
