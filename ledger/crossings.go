package ledger

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// CrossingRequest is the body of a crossing. Direction "refused" is an
// entry refused at the border, with its Reason. ClientRef, required in
// batches, makes the crossing idempotent per border org: a replayed
// ClientRef is not appended twice.
type CrossingRequest struct {
	WorkerID   string `json:"worker_id"`
	Direction  string `json:"direction"`
	OccurredAt string `json:"occurred_at"`
	Post       string `json:"post,omitempty"`
	Reason     string `json:"reason,omitempty"`
	ClientRef  string `json:"client_ref,omitempty"`
}

// CrossingResult answers a crossing. Warnings name the anomalies observed
// (entry_while_present, exit_without_entry): the crossing is recorded all
// the same. Duplicate is set when ClientRef was already recorded; Receipt
// is then that earlier entry's.
type CrossingResult struct {
	Receipt
	Warnings  []string `json:"warnings"`
	Duplicate bool     `json:"duplicate,omitempty"`
}

// MaxBatch is the most crossings one RecordCrossings call takes.
const MaxBatch = 1000

// checkCrossing validates a crossing on its own; field names are prefixed
// with at ("crossings[3].").
func (s *Service) checkCrossing(req CrossingRequest, at string) (CrossingData, error) {
	var d CrossingData
	var err error
	if d.Direction, err = oneOf(CodeInvalidDirection, at+"direction", req.Direction, directions...); err != nil {
		return d, err
	}
	t, err := parseTime(at+"occurred_at", req.OccurredAt)
	if err != nil {
		return d, err
	}
	if t.After(s.now().Add(maxFutureCrossing)) {
		return d, invalid(CodeCrossingInFuture, at+"occurred_at", "occurred_at is more than 5 minutes in the future")
	}
	d.OccurredAt = formatTime(t)
	if d.Post, err = text(at+"post", req.Post, false, maxShort); err != nil {
		return d, err
	}
	if d.Reason, err = text(at+"reason", req.Reason, d.Direction == "refused", maxText); err != nil {
		return d, err
	}
	if d.ClientRef, err = text(at+"client_ref", req.ClientRef, at != "", maxClientRef); err != nil {
		return d, err
	}
	return d, nil
}

// crossingFunc returns the append of one validated crossing; res is filled
// in by the writer (warnings, or the duplicate's index).
func (s *Service) crossingFunc(a Actor, workerID string, d CrossingData, res *CrossingResult) tlog.AppendFunc {
	return s.appendFunc(func(tx *tlog.Tx, index uint64, _ time.Time) (*Entry, error) {
		if d.ClientRef != "" {
			b, err := tx.Get(refKey(a.Org, d.ClientRef))
			if err == nil && len(b) == 8 {
				res.Duplicate, res.Index = true, binary.BigEndian.Uint64(b)
				return nil, nil
			}
			if err != nil && !isNotFound(err) {
				return nil, err
			}
		}
		w, err := liveWorker(tx, workerID)
		if err != nil {
			return nil, err
		}
		t, _ := time.Parse(time.RFC3339Nano, d.OccurredAt)
		d.Warnings = w.crossingWarnings(crossingRow{Index: index, Dir: d.Direction, At: t.UnixNano()})
		res.Warnings = d.Warnings
		data, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		return &Entry{Type: TypeCrossingRecorded, Actor: a, WorkerID: workerID, Data: data, worker: w, crossing: &d}, nil
	})
}

// finish completes a crossing result from its receipt.
func (s *Service) finishCrossing(res *CrossingResult, rc tlog.Receipt) error {
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	if res.Duplicate {
		leaf, err := s.log.Entry(res.Index)
		if err != nil {
			return fmt.Errorf("read duplicate crossing: %w", err)
		}
		res.LeafHash = tlog.LeafHash(leaf)
		return nil
	}
	res.Receipt = receiptOf(rc)
	return nil
}

// RecordCrossing records an entry, exit or refused entry of a worker
// (border only). Anomalies are recorded with a warning, never refused. It
// returns a *ValidationError for an invalid field (invalid_direction,
// invalid_time, crossing_in_future, required reason of a refusal) or an
// erased worker, ErrNotFound for an unknown worker, ErrForbidden for other
// roles.
func (s *Service) RecordCrossing(ctx context.Context, a Actor, req CrossingRequest) (CrossingResult, error) {
	if err := allow(a, RoleBorder); err != nil {
		return CrossingResult{}, err
	}
	if res, ok, err := replay[CrossingResult](ctx, s, a); ok || err != nil {
		return res, err
	}
	d, err := s.checkCrossing(req, "")
	if err != nil {
		return CrossingResult{}, err
	}
	if !validID(workerIDPrefix, req.WorkerID) {
		return CrossingResult{}, notFound("worker")
	}
	var res CrossingResult
	out, err := appendOnce(ctx, s, a, s.crossingFunc(a, req.WorkerID, d, &res), func(rc tlog.Receipt) CrossingResult {
		r := res
		if rc.Appended {
			r.Receipt = receiptOf(rc)
		}
		if r.Warnings == nil {
			r.Warnings = []string{}
		}
		return r
	})
	if err != nil {
		return CrossingResult{}, err
	}
	if out.Duplicate && !Replayed(ctx) {
		// Its client_ref was recorded before: answer that crossing.
		if err := s.finishCrossing(&out, tlog.Receipt{}); err != nil {
			return CrossingResult{}, err
		}
	}
	return out, nil
}

// BatchRequest is a batch of crossings, each with a ClientRef, from a
// border post syncing after being offline.
type BatchRequest struct {
	Crossings []CrossingRequest `json:"crossings"`
}

// Statuses of a batch item.
const (
	StatusCreated   = "created"   // appended now
	StatusDuplicate = "duplicate" // its client_ref was recorded before
	StatusRejected  = "rejected"  // refused: Err says why
)

// BatchItem is the outcome of one crossing of a batch. Err (not encoded)
// is the refusal of a rejected item, to be mapped like any other error.
type BatchItem struct {
	ClientRef string `json:"client_ref"`
	Status    string `json:"status"`
	*CrossingResult
	Err error `json:"-"`
}

// BatchResult answers a batch, one item per crossing, in order.
type BatchResult struct {
	Results []BatchItem `json:"results"`
}

// RecordCrossings records up to MaxBatch crossings in one go (border
// only); each is checked, appended and answered on its own, and a
// client_ref already recorded by the same org (before, or earlier in the
// batch) is not appended again. It returns a *ValidationError for an
// empty or oversized batch, ErrForbidden for other roles, or the ledger's
// error if the batch could not be submitted at all; other failures are in
// the items.
func (s *Service) RecordCrossings(ctx context.Context, a Actor, req BatchRequest) (BatchResult, error) {
	if err := allow(a, RoleBorder); err != nil {
		return BatchResult{}, err
	}
	if res, ok, err := s.replayBatch(ctx, a); ok || err != nil {
		return res, err
	}
	if len(req.Crossings) == 0 {
		return BatchResult{}, invalid(CodeRequired, "crossings", "crossings is required")
	}
	if len(req.Crossings) > MaxBatch {
		return BatchResult{}, invalid(CodeTooManyItems, "crossings", "at most %d crossings per batch", MaxBatch)
	}
	out := BatchResult{Results: make([]BatchItem, len(req.Crossings))}
	results := make([]CrossingResult, len(req.Crossings))
	var fns []tlog.AppendFunc
	var pos []int
	for i, c := range req.Crossings {
		out.Results[i].ClientRef = c.ClientRef
		d, err := s.checkCrossing(c, fmt.Sprintf("crossings[%d].", i))
		if err == nil && !validID(workerIDPrefix, c.WorkerID) {
			err = notFound("worker")
		}
		if err != nil {
			out.Results[i].Status, out.Results[i].Err = StatusRejected, err
			continue
		}
		fns = append(fns, s.crossingFunc(a, c.WorkerID, d, &results[i]))
		pos = append(pos, i)
	}
	if len(fns) == 0 {
		return s.storeBatch(ctx, a, out)
	}
	rcs, errs, err := s.log.AppendBatch(ctx, fns)
	if err != nil {
		return BatchResult{}, err
	}
	for j, i := range pos {
		item := &out.Results[i]
		if errs[j] != nil {
			item.Status, item.Err = StatusRejected, errs[j]
			continue
		}
		res := &results[i]
		if err := s.finishCrossing(res, rcs[j]); err != nil {
			item.Status, item.Err = StatusRejected, err
			continue
		}
		item.Status, item.CrossingResult = StatusCreated, res
		if res.Duplicate {
			item.Status = StatusDuplicate
		}
	}
	return s.storeBatch(ctx, a, out)
}
