package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Idempotent appends.
//
// The API hands an appending request's Idempotency-Key and a digest of the
// request (its method, path and body) to the Service with WithIdempotency.
// Every appending operation then:
//
//   - before anything else but its role check, looks the key up in the
//     caller's scope: the same digest answers the stored result at once
//     (nothing is appended, and Replayed reports it); another digest is
//     ErrConflict with code idempotency_key_reused;
//   - otherwise checks the key again inside the ledger's writer (so that
//     two concurrent requests with one key append once), and writes the
//     record i/<role>\x00<org>\x00<key> = {digest, created, index, result}
//     in the same AppendFunc as its entry: the record and the entry commit
//     in one Badger transaction, or neither does.
//
// Only answers that appended an entry are recorded. A refusal is not (a
// retry runs the request again), nor is an answer that appended nothing
// (a known document, a replayed client_ref): those are idempotent by
// themselves. A crossing batch appends each crossing on its own, so its
// record is written after the batch; a crash in between loses only the
// record, and a retry is still safe, since client_refs are never appended
// twice.
//
// Records are not projections: Rebuild keeps them (idemPrefix is not in
// projectionPrefixes), and backups carry them.

// idemPrefix holds idempotency records: NOT a projection, never dropped by
// Rebuild.
var idemPrefix = []byte("i/") // i/<role>\x00<org>\x00<key>  idemRecord (JSON)

// CodeIdempotencyKeyReused is the code of the ErrConflict answered when an
// Idempotency-Key is used again with a different request.
const CodeIdempotencyKeyReused = "idempotency_key_reused"

// maxIdempotencyKey is the longest Idempotency-Key accepted.
const maxIdempotencyKey = 128

// idempotency is what WithIdempotency puts in a context.
type idempotency struct {
	key      string
	hash     []byte
	replayed atomic.Bool
}

type idemCtxKey struct{}

// WithIdempotency returns a copy of ctx under which an appending Service
// call is idempotent: key is the client's Idempotency-Key (1 to 128
// printable ASCII characters; the call refuses another with a
// *ValidationError on field Idempotency-Key), requestHash a digest of all
// the request says (the API hashes its method, path and body). The key is
// scoped to the caller's role and org. An empty key returns ctx as it is.
func WithIdempotency(ctx context.Context, key string, requestHash []byte) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idemCtxKey{}, &idempotency{key: key, hash: bytes.Clone(requestHash)})
}

// Replayed reports whether an appending call made with ctx (see
// WithIdempotency) answered a result stored by an earlier call with the
// same key and request, appending nothing.
func Replayed(ctx context.Context) bool {
	idem, _ := ctx.Value(idemCtxKey{}).(*idempotency)
	return idem != nil && idem.replayed.Load()
}

func idempotencyOf(ctx context.Context) *idempotency {
	idem, _ := ctx.Value(idemCtxKey{}).(*idempotency)
	return idem
}

// idemRecord is the stored answer of one idempotent request.
type idemRecord struct {
	Hash    []byte          `json:"hash"`    // digest of the request
	Created bool            `json:"created"` // an entry was appended (a 201-class answer)
	Index   uint64          `json:"index"`   // the entry's index, when Created
	At      time.Time       `json:"at"`      // recorded_at of that commit
	Result  json.RawMessage `json:"result"`  // the operation's result, as answered
}

func idemKey(a Actor, k string) []byte { return key(idemPrefix, string(a.Role), a.Org, k) }

func keyReused() error {
	return conflict(CodeIdempotencyKeyReused, "this Idempotency-Key was used with a different request")
}

func (idem *idempotency) check() error { return CheckIdempotencyKey(idem.key) }

// CheckIdempotencyKey returns nil for a well-formed Idempotency-Key: 1 to
// 128 printable ASCII characters. For any other it returns a
// *ValidationError (invalid_value) on field Idempotency-Key.
func CheckIdempotencyKey(key string) error {
	if len(key) < 1 || len(key) > maxIdempotencyKey {
		return invalid(CodeInvalidValue, "Idempotency-Key", "Idempotency-Key must have 1 to %d characters", maxIdempotencyKey)
	}
	for i := range len(key) {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return invalid(CodeInvalidValue, "Idempotency-Key", "Idempotency-Key must be printable ASCII")
		}
	}
	return nil
}

// lookup reads the record of the context's key in a's scope. It returns
// nil when there is none, and keyReused when it is another request's.
func (idem *idempotency) lookup(g getter, a Actor) (*idemRecord, error) {
	var rec idemRecord
	found, err := getRow(g, idemKey(a, idem.key), &rec)
	if err != nil || !found {
		return nil, err
	}
	if !bytes.Equal(rec.Hash, idem.hash) {
		return nil, keyReused()
	}
	return &rec, nil
}

// replay returns the stored result of ctx's idempotent request, when the
// same request was answered before: ok is then true. It returns keyReused
// when the key was used with another request, a *ValidationError for a
// malformed key, and ok false when ctx carries no key or the key is new.
func replay[T any](ctx context.Context, s *Service, a Actor) (res T, ok bool, err error) {
	idem := idempotencyOf(ctx)
	if idem == nil {
		return res, false, nil
	}
	if err := idem.check(); err != nil {
		return res, false, err
	}
	var rec *idemRecord
	err = s.log.View(func(r *tlog.Reader) (err error) {
		rec, err = idem.lookup(r, a)
		return err
	})
	if err != nil || rec == nil {
		return res, false, err
	}
	if err := json.Unmarshal(rec.Result, &res); err != nil {
		return res, false, fmt.Errorf("%w: idempotency record: %v", tlog.ErrCorrupt, err)
	}
	idem.replayed.Store(true)
	return res, true, nil
}

// appendOnce appends the entry fn prepares and returns result(receipt),
// which it computes inside the writer. Under WithIdempotency it first
// checks the key there (a stored answer of the same request is returned
// and nothing is appended; another request's is keyReused), and when fn
// appends, it stores result with the entry, in the same transaction.
func appendOnce[T any](ctx context.Context, s *Service, a Actor, fn tlog.AppendFunc, result func(rc tlog.Receipt) T) (T, error) {
	var zero T
	idem := idempotencyOf(ctx)
	if idem != nil {
		if err := idem.check(); err != nil {
			return zero, err
		}
	}
	var out T
	var stored json.RawMessage
	_, err := s.log.Append(ctx, func(tx *tlog.Tx, index uint64, at time.Time) ([]byte, error) {
		stored = nil
		if idem != nil {
			rec, err := idem.lookup(tx, a)
			if err != nil {
				return nil, err
			}
			if rec != nil {
				stored = rec.Result
				return nil, nil
			}
		}
		b, err := fn(tx, index, at)
		if err != nil {
			return nil, err
		}
		rc := tlog.Receipt{Appended: b != nil, RecordedAt: at}
		if b != nil {
			rc.Index, rc.LeafHash = index, tlog.LeafHash(b)
		}
		out = result(rc)
		if idem != nil && b != nil {
			res, err := json.Marshal(out)
			if err != nil {
				return nil, err
			}
			rec := idemRecord{Hash: idem.hash, Created: true, Index: index, At: at, Result: res}
			if err := putRow(tx, idemKey(a, idem.key), rec); err != nil {
				return nil, err
			}
		}
		return b, nil
	})
	if err != nil {
		return zero, err
	}
	if stored != nil {
		if err := json.Unmarshal(stored, &out); err != nil {
			return zero, fmt.Errorf("%w: idempotency record: %v", tlog.ErrCorrupt, err)
		}
		idem.replayed.Store(true)
	}
	return out, nil
}

// storedBatch is the form a crossing batch's answer is stored in: its
// items' refusals, which BatchResult does not encode, included.
type storedBatch struct {
	Results []storedBatchItem `json:"results"`
}

type storedBatchItem struct {
	ClientRef string          `json:"client_ref"`
	Status    string          `json:"status"`
	Result    *CrossingResult `json:"result,omitempty"`
	Err       *storedError    `json:"err,omitempty"`
}

// storedError is a refusal of the domain: a *ValidationError (Kind
// "validation") or an *Error (Kind "not_found", "conflict", "forbidden").
type storedError struct {
	Kind    string `json:"kind"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

var errorKinds = map[string]error{"not_found": ErrNotFound, "conflict": ErrConflict, "forbidden": ErrForbidden}

func storeError(err error) (*storedError, bool) {
	if ve, ok := errors.AsType[*ValidationError](err); ok {
		return &storedError{Kind: "validation", Code: ve.Code, Field: ve.Field, Message: ve.Message}, true
	}
	if e, ok := errors.AsType[*Error](err); ok {
		for name, kind := range errorKinds {
			if e.Kind == kind {
				return &storedError{Kind: name, Code: e.Code, Message: e.Message}, true
			}
		}
	}
	return nil, false
}

func (e *storedError) error() error {
	if e.Kind == "validation" {
		return &ValidationError{Code: e.Code, Field: e.Field, Message: e.Message}
	}
	kind, ok := errorKinds[e.Kind]
	if !ok {
		return fmt.Errorf("%w: idempotency record: error kind %q", tlog.ErrCorrupt, e.Kind)
	}
	return &Error{Kind: kind, Code: e.Code, Message: e.Message}
}

func (b storedBatch) result() BatchResult {
	out := BatchResult{Results: make([]BatchItem, len(b.Results))}
	for i, it := range b.Results {
		out.Results[i] = BatchItem{ClientRef: it.ClientRef, Status: it.Status, CrossingResult: it.Result}
		if it.Err != nil {
			out.Results[i].Err = it.Err.error()
		}
	}
	return out
}

// storeBatch records the answer of an idempotent crossing batch that
// appended at least one crossing, unless an item failed for a reason that
// is not the domain's (storage): a retry must then run the batch again. When another request stored its answer
// under the key first, that answer is returned instead (same request) or
// keyReused (another one).
func (s *Service) storeBatch(ctx context.Context, a Actor, out BatchResult) (BatchResult, error) {
	idem := idempotencyOf(ctx)
	if idem == nil || idem.check() != nil {
		return out, nil
	}
	sb := storedBatch{Results: make([]storedBatchItem, len(out.Results))}
	created := false
	for i, it := range out.Results {
		sb.Results[i] = storedBatchItem{ClientRef: it.ClientRef, Status: it.Status, Result: it.CrossingResult}
		created = created || it.Status == StatusCreated
		if it.Err != nil {
			se, ok := storeError(it.Err)
			if !ok {
				return out, nil
			}
			sb.Results[i].Err = se
		}
	}
	if !created {
		return out, nil // appended nothing: a retry answers the same
	}
	res, err := json.Marshal(sb)
	if err != nil {
		return BatchResult{}, err
	}
	var stored json.RawMessage
	_, err = s.log.Append(ctx, func(tx *tlog.Tx, _ uint64, at time.Time) ([]byte, error) {
		stored = nil
		rec, err := idem.lookup(tx, a)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			stored = rec.Result
			return nil, nil
		}
		return nil, putRow(tx, idemKey(a, idem.key), idemRecord{Hash: idem.hash, Created: true, At: at, Result: res})
	})
	if err != nil {
		return BatchResult{}, err
	}
	if stored == nil {
		return out, nil
	}
	var sbPrev storedBatch
	if err := json.Unmarshal(stored, &sbPrev); err != nil {
		return BatchResult{}, fmt.Errorf("%w: idempotency record: %v", tlog.ErrCorrupt, err)
	}
	idem.replayed.Store(true)
	return sbPrev.result(), nil
}

// replayBatch is replay for a crossing batch.
func (s *Service) replayBatch(ctx context.Context, a Actor) (BatchResult, bool, error) {
	sb, ok, err := replay[storedBatch](ctx, s, a)
	if err != nil || !ok {
		return BatchResult{}, ok, err
	}
	return sb.result(), true, nil
}
