package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func digest(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// TestIdempotentAppends replays every appending operation under one key:
// the same request answers the same result and appends nothing, another
// request under the key is a conflict, and another org may use the key.
func TestIdempotentAppends(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca A", "3-101-1")
	w := e.worker(emp, workerReq("Ana", "Díaz", "1990-05-01", "P1"))
	prm := e.permit(w, "2025-01-01", "2025-06-30")
	e.cross(w, "entry", "2025-01-05T10:00:00Z")
	plc := e.place(emp, w, "2025-01-06", "2025-03-31").PlacementID
	w2 := e.worker(border, workerReq("Eva", "Ruiz", "1991-05-01", "P2"))
	e.permit(w2, "2025-01-01", "2025-06-30")

	n := 0
	for _, tc := range []struct {
		name string
		a    Actor
		call func(ctx context.Context, a Actor, variant int) (any, error)
	}{
		{"register employer", ministry, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.RegisterEmployer(ctx, a, EmployerRequest{LegalName: "Finca B", TaxID: "3-101-" + string(rune('2'+v)), Country: "CRI", Sector: "A", Region: "CR-A"})
		}},
		{"register worker", border, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.RegisterWorker(ctx, a, workerReq("Luz", "Mora", "1992-01-01", "Q"+string(rune('1'+v))))
		}},
		{"issue permit", border, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.IssuePermit(ctx, a, PermitRequest{WorkerID: w, Type: "cross_border_card", ValidFrom: "2025-01-01", ValidTo: "2025-0" + string(rune('2'+v)) + "-01"})
		}},
		{"crossing", border, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.RecordCrossing(ctx, a, CrossingRequest{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T1" + string(rune('1'+v)) + ":00:00Z"})
		}},
		{"placement", emp, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.StartPlacement(ctx, a, PlacementRequest{WorkerID: w2, StartDate: "2025-01-0" + string(rune('6'+v)), ExpectedEndDate: "2025-03-31", Occupation: "9211", Sector: "A", Region: "CR-A"})
		}},
		{"end placement", emp, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.EndPlacement(ctx, a, plc, EndPlacementRequest{EndDate: "2025-02-0" + string(rune('1'+v)), Reason: "completed"})
		}},
		{"correction", ministry, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.CorrectEntry(ctx, a, 0, CorrectionRequest{Reason: "typo", Changes: map[string]json.RawMessage{"legal_name": json.RawMessage(`"Finca A` + string(rune('1'+v)) + `"`)}})
		}},
		{"revoke permit", ministry, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.RevokePermit(ctx, a, prm, ReasonRequest{Reason: "r" + string(rune('1'+v))})
		}},
		{"suspend employer", ministry, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.SuspendEmployer(ctx, a, emp.Org, ReasonRequest{Reason: "r" + string(rune('1'+v))})
		}},
		{"erase worker", ministry, func(ctx context.Context, a Actor, v int) (any, error) {
			return e.svc.EraseWorker(ctx, a, w2, ReasonRequest{Reason: "r" + string(rune('1'+v))})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n++
			key := "key-" + tc.name
			ctx := WithIdempotency(e.ctx, key, digest(tc.name))
			first, err := tc.call(ctx, tc.a, 0)
			if err != nil {
				t.Fatalf("first call: %v", err)
			}
			if Replayed(ctx) {
				t.Error("first call reported as replayed")
			}
			size := e.log.Size()
			ctx2 := WithIdempotency(e.ctx, key, digest(tc.name))
			again, err := tc.call(ctx2, tc.a, 0)
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			if diff := cmp.Diff(first, again); diff != "" {
				t.Errorf("replay answered differently (-first +replay):\n%s", diff)
			}
			if !Replayed(ctx2) {
				t.Error("replay not reported")
			}
			if e.log.Size() != size {
				t.Errorf("replay appended: size %d, want %d", e.log.Size(), size)
			}
			// The same key with another request: 409, nothing appended.
			_, err = tc.call(WithIdempotency(e.ctx, key, digest(tc.name+"!")), tc.a, 1)
			if code, _ := errCode(err); !errors.Is(err, ErrConflict) || code != CodeIdempotencyKeyReused {
				t.Errorf("other request under the key: %v", err)
			}
			if e.log.Size() != size {
				t.Errorf("refused request appended: size %d, want %d", e.log.Size(), size)
			}
		})
	}

	t.Run("key scoped to the org", func(t *testing.T) {
		other := Actor{Sub: "x", Role: RoleMinistry, Org: "MIDEPLAN"}
		ctx := WithIdempotency(e.ctx, "key-register employer", digest("other org"))
		res, err := e.svc.RegisterEmployer(ctx, other, EmployerRequest{LegalName: "Finca C", TaxID: "3-101-9", Country: "CRI", Sector: "A", Region: "CR-A"})
		if err != nil || Replayed(ctx) || res.Index != e.log.Size()-1 {
			t.Fatalf("other org: %+v %v", res, err)
		}
	})
	t.Run("malformed key", func(t *testing.T) {
		for _, k := range []string{string(make([]byte, 129)), "a\x00b", "clé"} {
			_, err := e.svc.RegisterEmployer(WithIdempotency(e.ctx, k, digest("x")), ministry, EmployerRequest{LegalName: "Finca D", TaxID: "3-101-8", Country: "CRI", Sector: "A", Region: "CR-A"})
			if code, field := errCode(err); code != CodeInvalidValue || field != "Idempotency-Key" {
				t.Errorf("key %q: %v", k, err)
			}
		}
	})
	t.Run("kept by Rebuild and across a reopen", func(t *testing.T) {
		ctx := WithIdempotency(e.ctx, "key-register worker", digest("register worker"))
		want := must(e.svc.RegisterWorker(ctx, border, workerReq("Luz", "Mora", "1992-01-01", "Q1")))(t)
		if err := e.svc.Rebuild(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.reopen()
		size := e.log.Size()
		ctx = WithIdempotency(e.ctx, "key-register worker", digest("register worker"))
		got := must(e.svc.RegisterWorker(ctx, border, workerReq("Luz", "Mora", "1992-01-01", "Q1")))(t)
		if diff := cmp.Diff(want, got); diff != "" || !Replayed(ctx) || e.log.Size() != size {
			t.Errorf("after Rebuild and reopen: replayed %v, size %d→%d, diff:\n%s", Replayed(ctx), size, e.log.Size(), diff)
		}
	})
}

// TestIdempotencyPrefixIsNotAProjection: Rebuild drops exactly the
// projection prefixes, so the record prefix must be none of them and
// share no keys with them.
func TestIdempotencyPrefixIsNotAProjection(t *testing.T) {
	for _, p := range append(projectionPrefixes, keyPrefix) {
		if bytes.HasPrefix(p, idemPrefix) || bytes.HasPrefix(idemPrefix, p) {
			t.Errorf("prefix %q overlaps the idempotency prefix %q", p, idemPrefix)
		}
	}
}

// TestIdempotentConcurrentRequests sends one request under one key from
// many goroutines at once: one entry is appended, and every caller gets
// the same answer.
func TestIdempotentConcurrentRequests(t *testing.T) {
	e := newEnv(t)
	size := e.log.Size()
	var wg sync.WaitGroup
	results := make([]EmployerResult, 16)
	errs := make([]error, len(results))
	for i := range results {
		wg.Go(func() {
			ctx := WithIdempotency(e.ctx, "same", digest("same"))
			results[i], errs[i] = e.svc.RegisterEmployer(ctx, ministry, EmployerRequest{LegalName: "Finca A", TaxID: "1", Country: "CRI", Sector: "A", Region: "CR-A"})
		})
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(results[0], results[i]); diff != "" {
			t.Errorf("caller %d answered differently:\n%s", i, diff)
		}
	}
	if got := e.log.Size(); got != size+1 {
		t.Errorf("log grew by %d, want 1", got-size)
	}
}

// TestIdempotentBatch replays a crossing batch with rejected items: the
// same items come back, refusals included, and nothing is appended.
func TestIdempotentBatch(t *testing.T) {
	e := newEnv(t)
	w := e.worker(border, workerReq("Ana", "Díaz", "1990-05-01", "P1"))
	req := BatchRequest{Crossings: []CrossingRequest{
		{WorkerID: w, Direction: "entry", OccurredAt: "2025-01-05T10:00:00Z", ClientRef: "c1"},
		{WorkerID: w, Direction: "sideways", OccurredAt: "2025-01-05T10:00:00Z", ClientRef: "c2"},
		{WorkerID: "wkr_01ARZ3NDEKTSV4RRFFQ69G5FAV", Direction: "exit", OccurredAt: "2025-01-05T10:00:00Z", ClientRef: "c3"},
	}}
	ctx := WithIdempotency(e.ctx, "batch-1", digest("batch"))
	first := must(e.svc.RecordCrossings(ctx, border, req))(t)
	size := e.log.Size()
	ctx = WithIdempotency(e.ctx, "batch-1", digest("batch"))
	again := must(e.svc.RecordCrossings(ctx, border, req))(t)
	if !Replayed(ctx) || e.log.Size() != size {
		t.Fatalf("replayed %v, size %d→%d", Replayed(ctx), size, e.log.Size())
	}
	if len(again.Results) != 3 || again.Results[0].Status != StatusCreated || again.Results[0].Index != first.Results[0].Index {
		t.Fatalf("replayed results %+v", again.Results)
	}
	for i := range first.Results {
		c1, f1 := errCode(first.Results[i].Err)
		c2, f2 := errCode(again.Results[i].Err)
		if c1 != c2 || f1 != f2 || errors.Is(first.Results[i].Err, ErrNotFound) != errors.Is(again.Results[i].Err, ErrNotFound) {
			t.Errorf("item %d: error %v, replayed %v", i, first.Results[i].Err, again.Results[i].Err)
		}
	}
	// Without the key, the client_ref still keeps the crossing once.
	dup := must(e.svc.RecordCrossings(e.ctx, border, req))(t)
	if dup.Results[0].Status != StatusDuplicate || dup.Results[0].Index != first.Results[0].Index || e.log.Size() != size {
		t.Errorf("client_ref replay: %+v, size %d", dup.Results[0], e.log.Size())
	}
}

// TestIdempotencyRecordCommitsWithTheEntry: when the append fails, no
// record is kept either, and a retry runs the request.
func TestIdempotencyRecordCommitsWithTheEntry(t *testing.T) {
	e := newEnv(t)
	e.svc.refuse = func(*Entry) error { return tlog.ErrStorage }
	ctx := WithIdempotency(e.ctx, "k", digest("r"))
	req := EmployerRequest{LegalName: "Finca A", TaxID: "1", Country: "CRI", Sector: "A", Region: "CR-A"}
	if _, err := e.svc.RegisterEmployer(ctx, ministry, req); !errors.Is(err, tlog.ErrStorage) {
		t.Fatalf("failed append: %v", err)
	}
	e.svc.refuse = nil
	ctx = WithIdempotency(e.ctx, "k", digest("r"))
	res := must(e.svc.RegisterEmployer(ctx, ministry, req))(t)
	if Replayed(ctx) || res.Index != 0 || e.log.Size() != 1 {
		t.Errorf("retry after a failed append: %+v replayed %v", res, Replayed(ctx))
	}
}
