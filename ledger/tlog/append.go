package tlog

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AppendFunc prepares one append in the writer role. It is given the
// index the entry will have and its recorded_at time (UTC, the same for
// every append of one group commit, never earlier than the previous
// commit's), reads and writes the caller's rows through tx, and returns
// the entry's bytes, which become the Merkle leaf as they are (the log
// copies them).
//
// Reads through tx see every row committed before and every row written by
// the appends prepared before it in the same group commit, which commit
// with it or before it, so rules that depend on state (uniqueness,
// validity) are decided without races. If it returns an error (or panics),
// nothing it wrote is kept, no index is used and that error is returned by
// Append for this append alone. If it returns a nil entry and no error,
// its rows are written but no entry is appended and no index is used.
// It runs at most once; if the commit fails, a later append gets its index.
//
// An AppendFunc runs on whichever goroutine holds the writer role while
// every other append waits. It MUST NOT block, MUST NOT call the Log
// (Append, Exclusive and the other methods that wait for the writer role
// deadlock) and MUST NOT keep tx after it returns; none of this is
// enforced. See the package documentation's Contract.
type AppendFunc func(tx *Tx, index uint64, recordedAt time.Time) (entry []byte, err error)

// Receipt is the durable result of one append: it is returned only once
// the transaction holding the entry, its rows and the new tree head is
// synced to disk.
type Receipt struct {
	Appended   bool      // false when the AppendFunc returned no entry
	Index      uint64    // index of the entry
	LeafHash   []byte    // RFC 6962 leaf hash of the entry
	RecordedAt time.Time // recorded_at given to the AppendFunc
	Size       uint64    // tree size of the commit that made it durable
}

// Append appends one entry and returns once it is durable. The error is the
// AppendFunc's own error (nothing appended), ErrClosed, ErrTooLarge, or an
// error wrapping ErrStorage when the commit failed (nothing of that commit
// was appended). A context cancelled before the writer takes the append
// returns the context's error; once taken, Append waits for the commit.
func (l *Log) Append(ctx context.Context, fn AppendFunc) (Receipt, error) {
	rcs, errs, err := l.AppendBatch(ctx, []AppendFunc{fn})
	if err != nil {
		return Receipt{}, err
	}
	return rcs[0], errs[0]
}

// AppendBatch appends several entries, each prepared, checked and answered
// on its own (one failing does not fail the others), in order, and returns
// once all are durable or failed. The final error is ErrClosed or the
// context's error when the writer never took the batch.
func (l *Log) AppendBatch(ctx context.Context, fns []AppendFunc) ([]Receipt, []error, error) {
	if len(fns) == 0 {
		return nil, nil, nil
	}
	r := &request{
		fns:      fns,
		receipts: make([]Receipt, len(fns)),
		errs:     make([]error, len(fns)),
		done:     make(chan struct{}),
	}
	r.pending.Store(int64(len(fns)))
	if err := l.submit(ctx, r); err != nil {
		return nil, nil, err
	}
	return r.receipts, r.errs, nil
}

// Ready reports whether the log can take appends: it returns ErrClosed
// after Close, an error wrapping ErrStorage (and ErrDiskFull) when the
// disk has less free space than the reserve or the most recent commit
// failed (until one succeeds), or the context's error when the writer does
// not answer in time.
func (l *Log) Ready(ctx context.Context) error {
	return l.Exclusive(ctx, func() error {
		l.diskCheckedAt = 0 // ask the kernel again
		if err := l.checkDiskSpace(); err != nil {
			return err
		}
		l.mu.RLock()
		lastErr := l.lastErr
		l.mu.RUnlock()
		if lastErr != nil && !errors.Is(lastErr, ErrDiskFull) {
			return fmt.Errorf("%w: last commit failed: %v", ErrStorage, lastErr)
		}
		return nil
	})
}

// Exclusive runs fn in the writer role while no append is in
// progress and no commit is in flight, and returns its error, ErrClosed
// after Close, or the context's error when the writer does not take it in
// time. It is for maintenance that must not interleave with appends
// (rebuilding projections). fn MUST NOT call Append, AppendBatch,
// Exclusive, Ready, Rebuild, Purge, Backup or Close: they wait for the
// writer role and deadlock.
func (l *Log) Exclusive(ctx context.Context, fn func() error) error {
	var ferr error
	r := &request{done: make(chan struct{}), exclusive: func() error { ferr = fn(); return nil }}
	if err := l.submit(ctx, r); err != nil {
		return err
	}
	return ferr
}
