package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// TestDomainErrorBodies checks the error body and status of each kind of
// refusal on the domain routes, and that a refused request appended
// nothing.
func TestDomainErrorBodies(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	minis, insp, bord := toks[ledger.RoleMinistry], toks[ledger.RoleInspector], toks[ledger.RoleBorder]
	unknownWorker := "wkr_01ARZ3NDEKTSV4RRFFQ69G5FAV"
	for _, tc := range []struct {
		name        string
		r           req
		status      int
		code, field string
	}{
		{"400 unknown field", req{method: "POST", path: "/v1/employers", token: minis, ctype: "json", body: `{"legal_name":"x","owner":"y"}`}, 400, "unknown_field", "owner"},
		{"400 wrong JSON type", req{method: "POST", path: "/v1/permits", token: minis, ctype: "json", body: `{"worker_id":7}`}, 400, "invalid_type", "worker_id"},
		{"400 bad proofs", req{method: "GET", path: "/v1/workers/{wkr}/history?purpose=x&proofs=yes", token: insp}, 400, "invalid_query", "proofs"},
		{"400 no purpose", req{method: "GET", path: "/v1/workers/{wkr}", token: insp}, 400, ledger.CodePurposeRequired, "purpose"},
		{"400 blank purpose", req{method: "GET", path: "/v1/workers/{wkr}?purpose=%20", token: insp}, 400, ledger.CodePurposeRequired, "purpose"},
		{"400 bad cursor", req{method: "GET", path: "/v1/employers?cursor=zzz", token: minis}, 400, ledger.CodeInvalidCursor, "cursor"},
		{"400 bad finding type", req{method: "GET", path: "/v1/findings?type=speeding", token: insp}, 400, ledger.CodeInvalidFilter, "type"},
		{"400 bad finding period", req{method: "GET", path: "/v1/findings?from=2026-03-02&to=2026-03-01", token: insp}, 400, ledger.CodeInvalidPeriod, "to"},
		{"400 bad findings cursor", req{method: "GET", path: "/v1/findings?cursor=%21", token: insp}, 400, "invalid_query", "cursor"},
		{"400 bad access cursor", req{method: "GET", path: "/v1/workers/{wkr}/access?cursor=x", token: insp}, 400, "invalid_query", "cursor"},
		{"401 no token", req{method: "POST", path: "/v1/employers", ctype: "json", body: `{}`}, 401, auth.CodeTokenMissing, ""},
		{"403 role", req{method: "POST", path: "/v1/employers", token: bord, ctype: "json", body: `{}`}, 403, "forbidden", ""},
		{"403 correcting another org's entry", req{method: "POST", path: "/v1/entries/0/corrections", token: bord, ctype: "json", body: `{"reason":"x","changes":{"legal_name":"y"}}`}, 403, ledger.CodeRoleNotAllowed, ""},
		{"404 unknown worker", req{method: "GET", path: "/v1/workers/" + unknownWorker + "?purpose=x", token: insp}, 404, "not_found", ""},
		{"404 malformed worker id", req{method: "POST", path: "/v1/permits", token: minis, ctype: "json", body: `{"worker_id":"bob","type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-03-02"}`}, 404, "not_found", ""},
		{"404 entry index not a number", req{method: "POST", path: "/v1/entries/x1/corrections", token: insp, ctype: "json", body: `{}`}, 404, "not_found", ""},
		{"404 entry beyond the log", req{method: "POST", path: "/v1/entries/99999/corrections", token: insp, ctype: "json", body: `{"reason":"x","changes":{"region":"CR-A"}}`}, 404, "not_found", ""},
		{"409 same tax id", req{method: "POST", path: "/v1/employers", token: minis, ctype: "json", body: `{"legal_name":"Otra","tax_id":"3101000001","country":"CRI","sector":"A","region":"CR-A"}`}, 409, ledger.CodeEmployerExists, ""},
		{"409 suspended twice", req{method: "POST", path: "/v1/employers/{empB}/suspend", token: minis, ctype: "json", body: `{"reason":"again"}`}, 409, ledger.CodeAlreadySuspended, ""},
		{"413 body over 1 MiB", req{method: "POST", path: "/v1/employers", token: minis, ctype: "json", body: `{"legal_name":"` + strings.Repeat("x", maxBodyBytes) + `"}`}, 413, "body_too_large", ""},
		{"415 not JSON", req{method: "POST", path: "/v1/employers", token: minis, ctype: "text/plain", body: `{}`}, 415, "unsupported_media_type", ""},
		{"422 period", req{method: "POST", path: "/v1/permits", token: minis, ctype: "json", body: `{"worker_id":"{wkr}","type":"seasonal_work","valid_from":"2026-03-02","valid_to":"2026-03-01"}`}, 422, ledger.CodeInvalidPeriod, "valid_to"},
		{"422 unknown code", req{method: "POST", path: "/v1/employers", token: minis, ctype: "json", body: `{"legal_name":"x","tax_id":"9","country":"CRI","sector":"Z","region":"CR-A"}`}, 422, ledger.CodeInvalidSector, "sector"},
		{"422 no valid permit", req{method: "POST", path: "/v1/placements", token: toks[ledger.RoleEmployer], ctype: "json", body: `{"worker_id":"{wkr}","start_date":"2027-01-10","expected_end_date":"2027-02-10","occupation":"9211","sector":"A","region":"CR-A"}`}, 422, ledger.CodeNoValidPermit, "start_date"},
		{"422 future crossing", req{method: "POST", path: "/v1/crossings", token: bord, ctype: "json", body: `{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T09:06:00Z"}`}, 422, ledger.CodeCrossingInFuture, "occurred_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := e.log.Size()
			tc.r.path, tc.r.body = sc.expand(tc.r.path, ""), sc.expand(tc.r.body, "")
			resp, b := e.do(tc.r)
			wantError(t, resp, b, tc.status, tc.code, tc.field)
			if e.log.Size() != size {
				t.Errorf("a refused request appended: %d → %d", size, e.log.Size())
			}
		})
	}

	t.Run("503 when storage fails", func(t *testing.T) {
		// A full disk: the reopened log refuses every append (its free
		// space is below the reserve), before anything is answered:
		// inspectors' reads included, since they append access.recorded
		// first (the domain's own tests show that it appends before it
		// reads).
		f := newDomainEnv(t)
		fsc := f.seed()
		ft := f.tokens(fsc)
		if err := f.log.Close(); err != nil {
			t.Fatal(err)
		}
		f = openEnv(t, envSpec{dir: f.dir, key: f.key, domain: true, diskReserve: math.MaxInt64}).start(HTTPLimits{})
		for _, r := range []req{
			{method: "POST", path: "/v1/employers", token: ft[ledger.RoleMinistry], ctype: "json", body: `{"legal_name":"x","tax_id":"9","country":"CRI","sector":"A","region":"CR-A"}`},
			{method: "GET", path: "/v1/workers/" + fsc.wkr + "?purpose=case-1", token: ft[ledger.RoleInspector]},
			{method: "GET", path: "/v1/workers/" + fsc.wkr + "/history?purpose=case-1", token: ft[ledger.RoleInspector]},
		} {
			size := f.log.Size()
			resp, b := f.do(r)
			wantError(t, resp, b, 503, "storage_unavailable", "")
			if strings.Contains(string(b), "Pérez") || strings.Contains(string(b), "disk") || f.log.Size() != size {
				t.Errorf("%s: %s (log %d → %d)", r.path, b, size, f.log.Size())
			}
		}
	})
	t.Run("503 when the ledger is closed", func(t *testing.T) {
		f := newDomainEnv(t).start(HTTPLimits{})
		fsc := f.seed()
		ft := f.tokens(fsc)
		f.log.Close()
		resp, b := f.post("/v1/permits", ft[ledger.RoleMinistry], sc.expand(`{"worker_id":"`+fsc.wkr+`","type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-03-31"}`, ""), "")
		if resp.StatusCode != 503 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		errorOf(t, b)
	})
}

// errDiskFull is a storage failure as the log reports one.
var errDiskFull = fmt.Errorf("commit: no space left on device: %w", tlog.ErrStorage)

// TestErrorMapping checks the error table on errors that cannot be
// provoked over HTTP: every domain error has its status and code, and an
// unknown one is a logged, generic 500.
func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{&ledger.ValidationError{Code: "invalid_date", Field: "valid_to", Message: "m"}, 422, "invalid_date"},
		{&ledger.Error{Kind: ledger.ErrNotFound, Code: "not_found", Message: "m"}, 404, "not_found"},
		{&ledger.Error{Kind: ledger.ErrConflict, Code: "placement_ended", Message: "m"}, 409, "placement_ended"},
		{&ledger.Error{Kind: ledger.ErrForbidden, Code: "role_not_allowed", Message: "m"}, 403, "role_not_allowed"},
		{fmt.Errorf("x: %w", ledger.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("x: %w", ledger.ErrConflict), 409, "conflict"},
		{fmt.Errorf("x: %w", ledger.ErrForbidden), 403, "forbidden"},
		{errDiskFull, 503, "storage_unavailable"},
		{fmt.Errorf("x: %w", tlog.ErrClosed), 503, "unavailable"},
		{fmt.Errorf("x: %w", tlog.ErrTooLarge), 413, "body_too_large"},
		{context.DeadlineExceeded, 503, "timeout"},
		{fmt.Errorf("x: %w", tlog.ErrCorrupt), 500, "internal"},
		{errors.New("something else"), 500, "internal"},
	} {
		ae := answerOf(tc.err)
		if ae == nil {
			ae = errInternal
		}
		if ae.status != tc.status || ae.code != tc.code {
			t.Errorf("%v: %d %s, want %d %s", tc.err, ae.status, ae.code, tc.status, tc.code)
		}
		if tc.status == 500 && ae.message != errInternal.message {
			t.Errorf("%v: a 500 says %q", tc.err, ae.message)
		}
	}
}
