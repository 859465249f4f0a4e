package tlog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// counterFunc appends an entry holding the next value of the row "ctr",
// read and written inside the writer: if the rows of a commit in flight
// were not visible to the next one, two entries would hold the same value.
func counterFunc(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
	var n uint64
	b, err := tx.Get([]byte("ctr"))
	switch {
	case err == nil:
		n = binary.BigEndian.Uint64(b)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	n++
	if err := tx.Set([]byte("ctr"), binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "count %d", n), nil
}

// checkCounter checks that entry i (from 0) holds "count i+1" and that the
// row ctr holds the log's size: every acknowledged append counted once,
// nothing of a failed one kept.
func checkCounter(t *testing.T, l *Log) {
	t.Helper()
	size := l.Size()
	entries, err := l.Entries(0, int(size))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if want := fmt.Sprintf("count %d", i+1); string(e) != want {
			t.Fatalf("entry %d = %q, want %q", i, e, want)
		}
	}
	var ctr uint64
	err = l.View(func(r *Reader) error {
		b, err := r.Get([]byte("ctr"))
		if err == nil {
			ctr = binary.BigEndian.Uint64(b)
		}
		return err
	})
	if err != nil || ctr != size {
		t.Fatalf("ctr = %d (%v), want the log's size %d", ctr, err, size)
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestPipelinedCommitsSeeEachOther appends from 32 goroutines in small
// batches, so that the writer prepares each commit while the one before
// is still being written: every append reads the row the one before it
// wrote.
func TestPipelinedCommitsSeeEachOther(t *testing.T) {
	l, err := Open(t.TempDir(), Options{Origin: testOrigin, MaxBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var commits atomic.Int64
	l.opts.OnCommit = func(CommitStats) { commits.Add(1) }
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 40 {
				if _, err := l.Append(context.Background(), counterFunc); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if l.Size() != 32*40 {
		t.Fatalf("size %d, want %d", l.Size(), 32*40)
	}
	checkCounter(t, l)
	t.Logf("%d commits", commits.Load())
}

// TestPipelinedCommitFailure makes one commit fail after a delay, while
// the writer has already prepared the next commit on top of it: every
// append of both fails with ErrStorage, the log and the rows stay as they
// were before the failed commit, and appends go on afterwards at the next
// index, also after a restart.
func TestPipelinedCommitFailure(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{Origin: testOrigin, MaxBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	for range 10 {
		if _, err := l.Append(t.Context(), counterFunc); err != nil {
			t.Fatal(err)
		}
	}
	var flights atomic.Int64
	var failedItems atomic.Int64
	l.failFlight = func(items int) (time.Duration, error) {
		if flights.Add(1) == 5 {
			failedItems.Store(int64(items))
			return 50 * time.Millisecond, syscall.EIO
		}
		return 0, nil
	}
	if err := l.Ready(t.Context()); err != nil { // publishes failFlight to the writer
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for range 32 {
		wg.Go(func() {
			for range 20 {
				_, err := l.Append(context.Background(), counterFunc)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrStorage) && errors.Is(err, syscall.EIO) || errors.Is(err, ErrStorage):
					failed.Add(1)
				default:
					t.Errorf("append: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if failedItems.Load() == 0 {
		t.Fatal("no commit was made to fail")
	}
	// The failed chunk's appends, and those of the chunk prepared on top
	// of it during the delay, failed.
	if failed.Load() <= failedItems.Load() {
		t.Errorf("%d appends failed, want more than the %d of the failed commit (the next one was prepared on it)", failed.Load(), failedItems.Load())
	}
	if got, want := l.Size(), 10+uint64(ok.Load()); got != want {
		t.Fatalf("size %d, want %d (10 + %d acknowledged)", got, want, ok.Load())
	}
	checkCounter(t, l)
	t.Logf("%d acknowledged, %d failed (%d in the failed commit)", ok.Load(), failed.Load(), failedItems.Load())

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = Open(dir, Options{Origin: testOrigin}); err != nil {
		t.Fatal(err)
	}
	if got, want := l.Size(), 10+uint64(ok.Load()); got != want {
		t.Fatalf("size after reopening %d, want %d", got, want)
	}
	if _, err := l.Append(t.Context(), counterFunc); err != nil {
		t.Fatal(err)
	}
	checkCounter(t, l)
}
