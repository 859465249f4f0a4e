package ledger

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
)

// Lists.
//
// Every list the Service answers a page at a time (employers, an
// employer's workers, a worker's access records, findings) takes a
// ListRequest and answers at most its limit of items, in the list's order,
// with the cursor of the next page; the cursor is empty after the last
// page. Cursors are opaque: a caller passes back the one it was given.

// Page sizes of every list.
const (
	// DefaultLimit is the page size when a ListRequest gives none.
	DefaultLimit = 100
	// MaxLimit is the largest page.
	MaxLimit = 1000
)

// CodeInvalidQuery is the code of a list parameter a client gave wrong: a
// limit out of range, or a cursor that no page of the list (access
// records, findings) gave.
const CodeInvalidQuery = "invalid_query"

// ListRequest asks for one page of a list: at most Limit items
// (DefaultLimit when 0, at most MaxLimit) after Cursor (the NextCursor of
// the previous page; empty for the first page).
type ListRequest struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

func (l ListRequest) limit() int {
	switch {
	case l.Limit <= 0:
		return DefaultLimit
	case l.Limit > MaxLimit:
		return MaxLimit
	}
	return l.Limit
}

// ParseLimit returns the page size a client gave as text (an API's
// ?limit=): a decimal integer from 1 to MaxLimit. For anything else it
// returns a *ValidationError (invalid_query) on field limit.
func ParseLimit(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, invalid(CodeInvalidQuery, "limit", "limit must be an integer from 1 to %d", MaxLimit)
	}
	return int(n), nil
}

// listOrder is how a list computed whole is paged: the key of an item
// (the list is sorted by it), and the cursor that names a key.
type listOrder[T, K any] struct {
	key     func(T) K
	compare func(a, b K) int
	cursor  func(K) string
	parse   func(string) (K, bool)
}

// page returns the page of the list that all computes, after req.Cursor:
// at most req.limit() items and the next page's cursor ("" after the
// last). A cursor that parse refuses is a *ValidationError
// (invalid_query) on field cursor, returned before all is called.
func (o listOrder[T, K]) page(req ListRequest, all func() ([]T, error)) ([]T, string, error) {
	var after K
	if req.Cursor != "" {
		var ok bool
		if after, ok = o.parse(req.Cursor); !ok {
			return nil, "", invalid(CodeInvalidQuery, "cursor", "cursor is not a next_cursor of this list")
		}
	}
	items, err := all()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if req.Cursor != "" {
		start, _ = slices.BinarySearchFunc(items, after, func(x T, k K) int {
			if o.compare(o.key(x), k) <= 0 {
				return -1
			}
			return 1
		})
	}
	rest, limit := items[start:], req.limit()
	if len(rest) <= limit {
		return append(make([]T, 0, len(rest)), rest...), "", nil
	}
	return append(make([]T, 0, limit), rest[:limit]...), o.cursor(o.key(rest[limit-1])), nil
}

// AccessPage is one page of a worker's access records, in log order.
type AccessPage struct {
	WorkerID   string         `json:"worker_id"`
	Accesses   []AccessRecord `json:"accesses"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// accessOrder pages access records by index; the cursor is the index of
// the last record of the previous page.
var accessOrder = listOrder[AccessRecord, uint64]{
	key:     func(r AccessRecord) uint64 { return r.Index },
	compare: cmp.Compare[uint64],
	cursor:  func(i uint64) string { return strconv.FormatUint(i, 10) },
	parse: func(s string) (uint64, bool) {
		i, err := strconv.ParseUint(s, 10, 64)
		return i, err == nil
	},
}

// ListWorkerAccess returns a page of WorkerAccess: who read a worker's
// personal data, when and why. It returns the errors of WorkerAccess, and
// a *ValidationError (invalid_query) for a cursor it did not issue.
func (s *Service) ListWorkerAccess(ctx context.Context, a Actor, id string, req ListRequest) (AccessPage, error) {
	recs, next, err := accessOrder.page(req, func() ([]AccessRecord, error) { return s.WorkerAccess(ctx, a, id) })
	if err != nil {
		return AccessPage{}, err
	}
	return AccessPage{WorkerID: id, Accesses: recs, NextCursor: next}, nil
}

// FindingsRequest asks for one page of the findings that match a filter.
type FindingsRequest struct {
	FindingsFilter
	ListRequest
}

// FindingPage is one page of findings, in the order of Findings.
type FindingPage struct {
	Findings   []Finding `json:"findings"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// compareFindings is the order of findings: date, worker, type, entries.
func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.WorkerID, b.WorkerID),
		cmp.Compare(a.Type, b.Type), slices.Compare(a.Entries, b.Entries))
}

// findingKey is what a findings cursor names: the fields compareFindings
// orders by, in JSON and base64url.
type findingKey struct {
	Date    string   `json:"d"`
	Worker  string   `json:"w"`
	Type    string   `json:"t"`
	Entries []uint64 `json:"e"`
}

var findingOrder = listOrder[Finding, Finding]{
	key:     func(f Finding) Finding { return f },
	compare: compareFindings,
	cursor: func(f Finding) string {
		b, _ := json.Marshal(findingKey{Date: f.Date, Worker: f.WorkerID, Type: f.Type, Entries: f.Entries}) // strings and numbers: cannot fail
		return base64.RawURLEncoding.EncodeToString(b)
	},
	parse: func(s string) (Finding, bool) {
		var k findingKey
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || json.Unmarshal(b, &k) != nil || k.Date == "" {
			return Finding{}, false
		}
		return Finding{Date: k.Date, WorkerID: k.Worker, Type: k.Type, Entries: k.Entries}, true
	},
}

// ListFindings returns a page of Findings for req's filter. It returns the
// errors of Findings, and a *ValidationError (invalid_query) for a cursor
// it did not issue.
func (s *Service) ListFindings(ctx context.Context, a Actor, req FindingsRequest) (FindingPage, error) {
	fs, next, err := findingOrder.page(req.ListRequest, func() ([]Finding, error) { return s.Findings(ctx, a, req.FindingsFilter) })
	if err != nil {
		return FindingPage{}, err
	}
	return FindingPage{Findings: fs, NextCursor: next}, nil
}
