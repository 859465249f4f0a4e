package tlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// TestFailedCommitFailsEveryWaiter makes commits fail (as a full disk
// would) while 16 goroutines append: every waiter of a failed commit gets
// ErrStorage, the log is left as it was, Ready reports the failure, and
// once commits succeed again appends continue at the next index.
func TestFailedCommitFailsEveryWaiter(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	for i := range 10 {
		if _, err := l.Append(t.Context(), leafFunc(fmt.Appendf(nil, "before %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	size, root, cp := l.Size(), l.Root(), l.Checkpoint()

	var failing atomic.Bool
	failing.Store(true)
	l.failCommit = func() error {
		if failing.Load() {
			return syscall.ENOSPC
		}
		return nil
	}
	// The writer reads failCommit; publish it through a commit first.
	if err := l.Ready(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range 16 {
		wg.Go(func() {
			for i := range 5 {
				_, err := l.Append(context.Background(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
					if err := tx.Set(fmt.Appendf(nil, "row/%d/%d", g, i), []byte("x")); err != nil {
						return nil, err
					}
					return fmt.Appendf(nil, "during %d %d", g, i), nil
				})
				if !errors.Is(err, ErrStorage) {
					t.Errorf("append during failure: err = %v, want ErrStorage", err)
				}
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	if failures.Load() != 80 {
		t.Fatalf("%d failures, want 80", failures.Load())
	}
	if l.Size() != size || !bytes.Equal(l.Root(), root) || !bytes.Equal(l.Checkpoint(), cp) {
		t.Fatal("a failed commit changed the log")
	}
	if err := l.Ready(t.Context()); !errors.Is(err, ErrStorage) {
		t.Errorf("Ready after a failed commit = %v, want ErrStorage", err)
	}
	var rows int
	l.View(func(r *Reader) error {
		return r.Scan([]byte("row/"), nil, func(_, _ []byte) error { rows++; return nil })
	})
	if rows != 0 {
		t.Errorf("%d rows of failed appends were kept", rows)
	}

	failing.Store(false)
	rc, err := l.Append(t.Context(), leafFunc([]byte("after")))
	if err != nil {
		t.Fatalf("append once space is back: %v", err)
	}
	if rc.Index != size {
		t.Errorf("append after failures got index %d, want %d (no gap)", rc.Index, size)
	}
	if err := l.Ready(t.Context()); err != nil {
		t.Errorf("Ready after a good commit = %v", err)
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestLargeBatchesSplitAcrossTransactions appends more rows in one batch
// than one Badger transaction can hold: the writer commits it in several
// transactions, indexes stay consecutive, and a single append too large for
// any transaction fails alone.
func TestLargeBatchesSplitAcrossTransactions(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	var commits atomic.Int64
	l.opts.OnCommit = func(CommitStats) { commits.Add(1) }
	row := bytes.Repeat([]byte("r"), 64<<10)
	var fns []AppendFunc
	for i := range 400 { // 400 × 64 KiB = 25 MiB of rows
		fns = append(fns, func(tx *Tx, index uint64, _ time.Time) ([]byte, error) {
			if err := tx.Set(fmt.Appendf(nil, "big/%d", i), row); err != nil {
				return nil, err
			}
			return fmt.Appendf(nil, "entry %d", index), nil
		})
	}
	huge := bytes.Repeat([]byte("h"), int(l.db.MaxBatchSize()))
	fns = append(fns[:200], append([]AppendFunc{func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
		return []byte("huge"), tx.Set([]byte("huge"), huge)
	}}, fns[200:]...)...)

	rcs, errs, err := l.AppendBatch(t.Context(), fns)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(errs[200], ErrTooLarge) {
		t.Errorf("huge append err = %v, want ErrTooLarge", errs[200])
	}
	want := uint64(0)
	for i, rc := range rcs {
		if i == 200 {
			continue
		}
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
		if rc.Index != want {
			t.Fatalf("append %d got index %d, want %d", i, rc.Index, want)
		}
		want++
	}
	if commits.Load() < 2 {
		t.Errorf("%d commits, want the batch split over several transactions", commits.Load())
	}
	if l.Size() != 400 {
		t.Errorf("size %d, want 400", l.Size())
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeDropsOldVersions deletes a row through an append, purges it, and
// checks that no version of it is left in the store, while other rows stay.
func TestPurgeDropsOldVersions(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	write := func(fn func(tx *Tx) error) {
		t.Helper()
		if _, err := l.Append(t.Context(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) { return nil, fn(tx) }); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *Tx) error { return tx.Set([]byte("k/secret"), []byte("wrapped key")) })
	write(func(tx *Tx) error { return tx.Set([]byte("k/other"), []byte("keep")) })
	write(func(tx *Tx) error { return tx.Delete([]byte("k/secret")) })
	versions := func(key string) (n int) {
		l.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{AllVersions: true, Prefix: []byte(key)})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				n++
			}
			return nil
		})
		return n
	}
	if versions("k/secret") == 0 {
		t.Fatal("no old version before the purge: the test shows nothing")
	}
	if err := l.Purge(t.Context(), []byte("k/secret")); err != nil {
		t.Fatal(err)
	}
	if n := versions("k/secret"); n != 0 {
		t.Errorf("%d versions of the purged row left", n)
	}
	if n := versions("k/other"); n != 1 {
		t.Errorf("other row has %d versions, want 1", n)
	}
	if err := l.Purge(t.Context(), []byte("!e")); !errors.Is(err, ErrReservedKey) {
		t.Errorf("purge of a reserved prefix err = %v", err)
	}
}
