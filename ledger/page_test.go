package ledger

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"100", 100, true},
		{"1000", MaxLimit, true},
		{"0", 0, false},
		{"1001", 0, false},
		{"-1", 0, false},
		{"x", 0, false},
		{"", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLimit(tc.in)
			if tc.ok {
				if err != nil || got != tc.want {
					t.Errorf("ParseLimit(%q) = %d, %v", tc.in, got, err)
				}
				return
			}
			checkErr(t, err, want{CodeInvalidQuery, "limit"})
		})
	}
}

// TestListPages walks the lists computed whole (access records, findings)
// a page at a time: the pages join to the whole list, in order, the last
// has no cursor, and a cursor no page gave is refused.
func TestListPages(t *testing.T) {
	e := newEnv(t)
	w := e.worker(border, workerReq("Ana", "Paz", "1990-01-01", "P1"))
	for _, at := range []string{"2025-01-05T08:00:00Z", "2025-01-05T09:00:00Z", "2025-01-05T10:00:00Z"} {
		e.cross(w, "entry", at) // each entry after the first is entry_while_present
	}
	for _, purpose := range []string{"case 1", "case 2", "case 3"} {
		must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: purpose}))(t)
	}

	all := must(e.svc.WorkerAccess(e.ctx, ministry, w))(t)
	var got []AccessRecord
	for req, pages := (ListRequest{Limit: 2}), 0; ; pages++ {
		p := must(e.svc.ListWorkerAccess(e.ctx, ministry, w, req))(t)
		if len(p.Accesses) > 2 || p.WorkerID != w {
			t.Fatalf("page %+v", p)
		}
		got = append(got, p.Accesses...)
		if p.NextCursor == "" {
			if pages != 1 {
				t.Errorf("%d pages of 2 for 3 records", pages+1)
			}
			break
		}
		req.Cursor = p.NextCursor
	}
	if len(all) != 3 || !cmp.Equal(all, got) {
		t.Errorf("access pages %+v, list %+v", got, all)
	}

	findings := must(e.svc.Findings(e.ctx, inspector, FindingsFilter{}))(t)
	var gotF []Finding
	for req := (FindingsRequest{ListRequest: ListRequest{Limit: 1}}); ; {
		p := must(e.svc.ListFindings(e.ctx, inspector, req))(t)
		if len(p.Findings) > 1 {
			t.Fatalf("page of %d over the limit", len(p.Findings))
		}
		gotF = append(gotF, p.Findings...)
		if p.NextCursor == "" {
			break
		}
		req.Cursor = p.NextCursor
	}
	if len(findings) < 2 || !cmp.Equal(findings, gotF) {
		t.Errorf("finding pages %+v, list %+v", gotF, findings)
	}
	if p := must(e.svc.ListFindings(e.ctx, inspector, FindingsRequest{FindingsFilter: FindingsFilter{From: "2030-01-01"}}))(t); p.Findings == nil || len(p.Findings) != 0 {
		t.Errorf("an empty page is %#v, want an empty list", p.Findings)
	}

	_, err := e.svc.ListWorkerAccess(e.ctx, ministry, w, ListRequest{Cursor: "x"})
	checkErr(t, err, want{CodeInvalidQuery, "cursor"})
	_, err = e.svc.ListFindings(e.ctx, inspector, FindingsRequest{ListRequest: ListRequest{Cursor: "!"}})
	checkErr(t, err, want{CodeInvalidQuery, "cursor"})
}
