package api

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
)

// pageAll follows next_cursor from path with ?limit=limit and returns
// every page, failing if a page is over the limit or the walk does not
// end.
func pageAll[T any](t *testing.T, e *env, path, token string, limit int, items func(T) int, next func(T) string) []T {
	t.Helper()
	var pages []T
	cursor := ""
	for range 100 {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		sep := "?"
		if u, _ := url.Parse(path); u.RawQuery != "" {
			sep = "&"
		}
		resp, b := e.get(path+sep+q.Encode(), token)
		p := decode[T](t, resp, b, 200)
		if items(p) > limit {
			t.Fatalf("page of %d items over limit %d", items(p), limit)
		}
		pages = append(pages, p)
		if cursor = next(p); cursor == "" {
			return pages
		}
	}
	t.Fatal("pagination does not end")
	return nil
}

// TestPagination walks every paginated list a page at a time and checks
// that the pages, joined, are the whole list, in order, and that the last
// page has no next_cursor.
func TestPagination(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	insp, minis := toks[ledger.RoleInspector], toks[ledger.RoleMinistry]
	ctx := t.Context()
	// Findings: entries while present, exits without entry.
	for _, c := range []struct{ w, dir, at string }{
		{sc.wkr, "entry", "2026-03-01T12:00:00Z"}, {sc.wkr, "entry", "2026-03-01T13:00:00Z"},
		{sc.wkrErase, "exit", "2026-02-01T10:00:00Z"}, {sc.wkrErase, "exit", "2026-02-02T10:00:00Z"},
		{sc.wkrD, "entry", "2026-03-01T14:00:00Z"},
	} {
		if _, err := e.svc.RecordCrossing(ctx, borderActor, ledger.CrossingRequest{WorkerID: c.w, Direction: c.dir, OccurredAt: c.at}); err != nil {
			t.Fatal(err)
		}
	}
	// Access records: three reads.
	for i := range 3 {
		resp, b := e.get(fmt.Sprintf("/v1/workers/%s?purpose=case-%d", sc.wkr, i), insp)
		decode[ledger.WorkerView](t, resp, b, 200)
	}

	t.Run("employers", func(t *testing.T) {
		resp, b := e.get("/v1/employers?limit=1000", minis)
		all := decode[ledger.EmployerPage](t, resp, b, 200)
		if len(all.Employers) != 4 || all.NextCursor != "" {
			t.Fatalf("all employers: %s", b)
		}
		var got []ledger.Employer
		for _, p := range pageAll(t, e, "/v1/employers", minis, 1, func(p ledger.EmployerPage) int { return len(p.Employers) }, func(p ledger.EmployerPage) string { return p.NextCursor }) {
			got = append(got, p.Employers...)
		}
		if diff := cmp.Diff(all.Employers, got); diff != "" {
			t.Errorf("pages differ from the list:\n%s", diff)
		}
	})
	t.Run("access", func(t *testing.T) {
		path := "/v1/workers/" + sc.wkr + "/access"
		resp, b := e.get(path, minis)
		all := decode[ledger.AccessPage](t, resp, b, 200)
		if len(all.Accesses) != 3 || all.NextCursor != "" {
			t.Fatalf("all accesses: %s", b)
		}
		var got []ledger.AccessRecord
		pages := pageAll(t, e, path, insp, 2, func(p ledger.AccessPage) int { return len(p.Accesses) }, func(p ledger.AccessPage) string { return p.NextCursor })
		for _, p := range pages {
			got = append(got, p.Accesses...)
		}
		if len(pages) != 2 {
			t.Errorf("%d pages of 2 for 3 records", len(pages))
		}
		if diff := cmp.Diff(all.Accesses, got); diff != "" {
			t.Errorf("pages differ from the list:\n%s", diff)
		}
	})
	t.Run("findings", func(t *testing.T) {
		resp, b := e.get("/v1/findings?limit=1000", insp)
		all := decode[ledger.FindingPage](t, resp, b, 200)
		if len(all.Findings) < 4 {
			t.Fatalf("only %d findings: %s", len(all.Findings), b)
		}
		for _, limit := range []int{1, 2, 3} {
			var got []ledger.Finding
			for _, p := range pageAll(t, e, "/v1/findings", insp, limit, func(p ledger.FindingPage) int { return len(p.Findings) }, func(p ledger.FindingPage) string { return p.NextCursor }) {
				got = append(got, p.Findings...)
			}
			if diff := cmp.Diff(all.Findings, got); diff != "" {
				t.Errorf("limit %d: pages differ from the list:\n%s", limit, diff)
			}
		}
		// Filtered lists page the same way.
		resp, b = e.get("/v1/findings?type=entry_while_present", insp)
		typed := decode[ledger.FindingPage](t, resp, b, 200)
		var got []ledger.Finding
		for _, p := range pageAll(t, e, "/v1/findings?type=entry_while_present", insp, 1, func(p ledger.FindingPage) int { return len(p.Findings) }, func(p ledger.FindingPage) string { return p.NextCursor }) {
			got = append(got, p.Findings...)
		}
		if len(typed.Findings) < 2 || !cmp.Equal(typed.Findings, got) {
			t.Errorf("typed findings %d, paged %d", len(typed.Findings), len(got))
		}
	})
	t.Run("an employer sees its own findings only", func(t *testing.T) {
		resp, b := e.get("/v1/findings?employer_id="+sc.empD, toks[ledger.RoleEmployer])
		for _, f := range decode[ledger.FindingPage](t, resp, b, 200).Findings {
			if f.EmployerID != sc.empA || !slices.Contains([]string{ledger.FindingPlacementWithoutPermit, ledger.FindingPlacementWhileAbsent, ledger.FindingMinorInPlacement}, f.Type) {
				t.Errorf("employer A sees %+v", f)
			}
		}
	})
	t.Run("limits", func(t *testing.T) {
		for _, path := range []string{"/v1/employers", "/v1/findings", "/v1/workers/" + sc.wkr + "/access"} {
			for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x"} {
				resp, b := e.get(path+q, insp)
				wantError(t, resp, b, 400, "invalid_query", "limit")
			}
		}
	})
}
