package tlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

const testOrigin = "trazo.test.local/log"

func openTestLog(tb testing.TB, dir string) *Log {
	tb.Helper()
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// leafFunc returns an AppendFunc that appends data, ignoring index and time.
func leafFunc(data []byte) AppendFunc {
	return func(*Tx, uint64, time.Time) ([]byte, error) { return data, nil }
}

// appendLeaves appends every leaf in batches of random sizes and checks that
// the indexes are consecutive, from the log's size.
func appendLeaves(tb testing.TB, l *Log, leaves [][]byte, rnd *rand.Rand) {
	tb.Helper()
	base := l.Size()
	for i := 0; i < len(leaves); {
		n := min(len(leaves)-i, 1+rnd.IntN(50))
		fns := make([]AppendFunc, n)
		for j := range fns {
			fns[j] = leafFunc(leaves[i+j])
		}
		rcs, errs, err := l.AppendBatch(context.Background(), fns)
		if err != nil {
			tb.Fatal(err)
		}
		for j := range fns {
			if errs[j] != nil {
				tb.Fatalf("append %d: %v", i+j, errs[j])
			}
			if rcs[j].Index != base+uint64(i+j) {
				tb.Fatalf("append %d got index %d", base+uint64(i+j), rcs[j].Index)
			}
		}
		i += n
	}
}

// mth is the Merkle Tree Hash of RFC 6962 section 2.1, written from the
// definition, independently of the ledger and of transparency-dev/merkle.
func mth(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	h := sha256.Sum256(append(append([]byte{1}, mth(leaves[:k])...), mth(leaves[k:])...))
	return h[:]
}

func randomLeaves(rnd *rand.Rand, n int) [][]byte {
	leaves := make([][]byte, n)
	for i := range leaves {
		leaves[i] = fmt.Appendf(nil, `{"index":%d,"type":"test","data":"%x"}`, i, rnd.Uint64())
	}
	return leaves
}

func TestRFC6962Vectors(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	for i, leaf := range testonly.LeafInputs() {
		if _, err := l.Append(t.Context(), leafFunc(leaf)); err != nil {
			t.Fatal(err)
		}
		if got, want := l.Root(), testonly.RootHashes()[i+1]; !bytes.Equal(got, want) {
			t.Errorf("root at size %d = %x, want %x", i+1, got, want)
		}
	}
}

func TestHashChildren(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	lib := rfc6962.DefaultHasher
	for _, n := range []int{32, 32, 32, 0, 1, 31, 33, 64} { // 32: the short path
		for range 50 {
			left, right := make([]byte, n), make([]byte, 32)
			for i := range left {
				left[i] = byte(rnd.Uint32())
			}
			for i := range right {
				right[i] = byte(rnd.Uint32())
			}
			if got, want := hashChildren(left, right), lib.HashChildren(left, right); !bytes.Equal(got, want) {
				t.Fatalf("hashChildren(%x, %x) = %x, want %x", left, right, got, want)
			}
		}
	}
}

func TestProofsVerify(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	const total = 3000
	leaves := randomLeaves(rnd, total)
	l := openTestLog(t, t.TempDir())
	appendLeaves(t, l, leaves, rnd)

	if got, want := l.Root(), mth(leaves); !bytes.Equal(got, want) {
		t.Fatalf("root = %x, independent MTH = %x", got, want)
	}
	sizes := []uint64{1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 1024, 2047, 2048, total}
	for range 20 {
		sizes = append(sizes, 1+rnd.Uint64N(total))
	}
	for _, size := range sizes {
		root, err := l.RootAt(size)
		if err != nil {
			t.Fatal(err)
		}
		if want := mth(leaves[:size]); !bytes.Equal(root, want) {
			t.Fatalf("RootAt(%d) = %x, independent MTH = %x", size, root, want)
		}
		indexes := []uint64{0, size - 1, size / 2}
		for range 10 {
			indexes = append(indexes, rnd.Uint64N(size))
		}
		for _, index := range indexes {
			p, err := l.InclusionProof(index, size)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", index, size, err)
			}
			if err := proof.VerifyInclusion(hasher, index, size, LeafHash(leaves[index]), p, root); err != nil {
				t.Fatalf("inclusion of %d in %d does not verify: %v", index, size, err)
			}
		}
		for _, size1 := range []uint64{0, 1, size / 3, size - 1, size, 1 + rnd.Uint64N(size)} {
			p, err := l.ConsistencyProof(size1, size)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", size1, size, err)
			}
			if err := proof.VerifyConsistency(hasher, size1, size, p, mth(leaves[:size1]), root); err != nil {
				t.Fatalf("consistency %d -> %d does not verify: %v", size1, size, err)
			}
		}
	}
	// A wrong leaf or root is refused by the same verifier.
	p, _ := l.InclusionProof(10, total)
	if err := proof.VerifyInclusion(hasher, 10, total, LeafHash(leaves[11]), p, l.Root()); err == nil {
		t.Error("inclusion proof verified for the wrong leaf")
	}
	for _, tc := range []struct{ index, size uint64 }{{total, total}, {0, total + 1}, {5, 5}} {
		if _, err := l.InclusionProof(tc.index, tc.size); !errors.Is(err, ErrRange) {
			t.Errorf("InclusionProof(%d,%d) err = %v, want ErrRange", tc.index, tc.size, err)
		}
	}
	if _, err := l.ConsistencyProof(10, 5); !errors.Is(err, ErrRange) {
		t.Errorf("ConsistencyProof(10,5) err = %v, want ErrRange", err)
	}
	if _, err := l.ConsistencyProof(1, total+1); !errors.Is(err, ErrRange) {
		t.Errorf("ConsistencyProof(1,total+1) err = %v, want ErrRange", err)
	}
}

func TestCheckpoints(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	cp, err := OpenCheckpoint(l.Checkpoint(), testOrigin, l.VerifierKey())
	if err != nil {
		t.Fatalf("empty log checkpoint: %v", err)
	}
	if cp.Size != 0 || !bytes.Equal(cp.Hash, mth(nil)) {
		t.Errorf("empty checkpoint = %d %x", cp.Size, cp.Hash)
	}
	var leaves [][]byte
	var sizes []uint64
	for i := range 5 {
		leaves = append(leaves, fmt.Appendf(nil, "leaf %d", i))
		rc, err := l.Append(t.Context(), leafFunc(leaves[i]))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, rc.Size)
	}
	for _, size := range sizes {
		signed := checkpointOf(t, l, size, leaves)
		if !strings.HasPrefix(string(signed), testOrigin+"\n") {
			t.Errorf("checkpoint does not start with the origin line: %q", signed)
		}
	}
	if _, err := l.CheckpointAt(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckpointAt(99) err = %v, want ErrNotFound", err)
	}
	// Another key, or another origin, does not verify.
	other := openTestLog(t, t.TempDir())
	if _, err := OpenCheckpoint(l.Checkpoint(), testOrigin, other.VerifierKey()); err == nil {
		t.Error("checkpoint verified with another log's key")
	}
	if _, err := OpenCheckpoint(l.Checkpoint(), "other.origin/log", l.VerifierKey()); err == nil {
		t.Error("checkpoint verified for another origin")
	}
	info, err := os.Stat(filepath.Join(l.Dir(), signingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("signing key mode = %v, want 0600", perm)
	}
}

// checkpointOf returns CheckpointAt(size) after checking that it verifies
// with the log's key and names that size and the root of leaves[:size].
func checkpointOf(t *testing.T, l *Log, size uint64, leaves [][]byte) []byte {
	t.Helper()
	note, err := l.CheckpointAt(size)
	if err != nil {
		t.Fatalf("CheckpointAt(%d): %v", size, err)
	}
	cp, err := OpenCheckpoint(note, testOrigin, l.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != size || !bytes.Equal(cp.Hash, mth(leaves[:size])) {
		t.Errorf("CheckpointAt(%d) = size %d root %x", size, cp.Size, cp.Hash)
	}
	return note
}

// storedCheckpoints returns the checkpoints in the store, by size.
func storedCheckpoints(t *testing.T, l *Log) map[uint64][]byte {
	t.Helper()
	notes := map[uint64][]byte{}
	err := l.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: checkpointPrefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			note, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			notes[checkpointSize(it.Item().Key())] = note
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return notes
}

// A checkpoint is signed when asked for, not at every commit; every one
// issued is stored, and one of any earlier size can still be had, with the
// bytes it was or would have been issued with.
func TestCheckpointsSignedWhenAsked(t *testing.T) {
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(11, 12))
	leaves := randomLeaves(rnd, 40)
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	issued := map[uint64][]byte{}
	for i, leaf := range leaves {
		rc, err := l.Append(t.Context(), leafFunc(leaf))
		if err != nil {
			t.Fatal(err)
		}
		if i%7 != 3 {
			continue
		}
		// Asked for right after an append, the checkpoint covers it.
		note, size := l.LatestCheckpoint()
		cp, err := OpenCheckpoint(note, testOrigin, l.VerifierKey())
		if err != nil {
			t.Fatal(err)
		}
		if size != rc.Index+1 || cp.Size != size || !bytes.Equal(cp.Hash, mth(leaves[:size])) {
			t.Fatalf("after append %d: checkpoint of size %d (note says %d), want %d with the root of those entries", rc.Index, size, cp.Size, rc.Index+1)
		}
		if again := l.Checkpoint(); !bytes.Equal(again, note) {
			t.Fatalf("second call at size %d signed a different note", size)
		}
		issued[size] = note
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l = openTestLog(t, dir)
	stored := storedCheckpoints(t, l)
	for size := range issued {
		if _, ok := stored[size]; !ok {
			t.Errorf("checkpoint issued at size %d was not stored", size)
		}
	}
	if _, ok := stored[uint64(len(leaves))]; !ok {
		t.Errorf("the checkpoint of the head (size %d) is not stored", len(leaves))
	}
	if len(stored) >= len(leaves)/2 {
		t.Errorf("%d checkpoints stored for %d commits: one is signed per commit", len(stored), len(leaves))
	}
	for size := uint64(0); size <= uint64(len(leaves)); size++ {
		note := checkpointOf(t, l, size, leaves)
		if want, ok := issued[size]; ok && !bytes.Equal(note, want) {
			t.Errorf("CheckpointAt(%d) differs from the checkpoint issued at that size", size)
		}
	}
	if got := storedCheckpoints(t, l); len(got) != len(stored) {
		t.Errorf("CheckpointAt stored checkpoints: %d before, %d after", len(stored), len(got))
	}
	if _, err := l.CheckpointAt(uint64(len(leaves)) + 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckpointAt beyond the log: %v, want ErrNotFound", err)
	}
	l.Close()

	// A checkpoint issued but lost before it was stored (the process died
	// first) is served again with the same bytes.
	var lost uint64
	for size := range issued {
		lost = max(lost, size)
	}
	if lost == uint64(len(leaves)) {
		t.Fatal("test needs an issued checkpoint below the head")
	}
	db, err := badger.Open(Options{}.withDefaults().badgerOptions(filepath.Join(dir, "badger")))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Delete(checkpointKey(lost)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	l = openTestLog(t, dir)
	if _, ok := storedCheckpoints(t, l)[lost]; ok {
		t.Fatal("checkpoint still stored")
	}
	if note, err := l.CheckpointAt(lost); err != nil || !bytes.Equal(note, issued[lost]) {
		t.Errorf("lost checkpoint of size %d: %v, same bytes %v", lost, err, bytes.Equal(note, issued[lost]))
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestRestartKeepsTree(t *testing.T) {
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(3, 4))
	leaves := randomLeaves(rnd, 777)
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	appendLeaves(t, l, leaves[:500], rnd)
	root, cp, vkey := l.Root(), l.Checkpoint(), l.VerifierKey()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(t.Context(), leafFunc([]byte("x"))); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close err = %v, want ErrClosed", err)
	}

	l2 := openTestLog(t, dir)
	if l2.Size() != 500 || !bytes.Equal(l2.Root(), root) || !bytes.Equal(l2.Checkpoint(), cp) || l2.VerifierKey() != vkey {
		t.Fatalf("after reopen: size %d root %x, want 500 %x", l2.Size(), l2.Root(), root)
	}
	rest := leaves[500:]
	for i, leaf := range rest {
		rc, err := l2.Append(t.Context(), leafFunc(leaf))
		if err != nil {
			t.Fatal(err)
		}
		if rc.Index != uint64(500+i) {
			t.Fatalf("append after reopen got index %d, want %d", rc.Index, 500+i)
		}
	}
	if !bytes.Equal(l2.Root(), mth(leaves)) {
		t.Error("root after reopen and more appends differs from the independent MTH")
	}
	if err := l2.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestOriginCannotChange(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := Open(dir, Options{Origin: "other.local/log"}); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Fatalf("Open with another origin: err = %v, want an origin error", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	openTestLog(t, dir)
	_, err := Open(dir, Options{Origin: testOrigin})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open err = %v, want ErrLocked", err)
	}
}

func TestAppendFuncSeesBatchAndIsolatesFailures(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	key := []byte("counter")
	bump := func(fail bool) AppendFunc {
		return func(tx *Tx, index uint64, at time.Time) ([]byte, error) {
			v, err := tx.Get(key)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			n := len(v)
			if err := tx.Set(key, bytes.Repeat([]byte{'x'}, n+1)); err != nil {
				return nil, err
			}
			if fail {
				return nil, errors.New("rule failed")
			}
			return fmt.Appendf(nil, `{"index":%d,"n":%d,"at":%q}`, index, n+1, at.Format(time.RFC3339Nano)), nil
		}
	}
	fns := []AppendFunc{bump(false), bump(true), bump(false), bump(false)}
	rcs, errs, err := l.AppendBatch(t.Context(), fns)
	if err != nil {
		t.Fatal(err)
	}
	if errs[1] == nil || errs[1].Error() != "rule failed" {
		t.Errorf("failing append err = %v", errs[1])
	}
	for _, i := range []int{0, 2, 3} {
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
	}
	if got := []uint64{rcs[0].Index, rcs[2].Index, rcs[3].Index}; !cmp.Equal(got, []uint64{0, 1, 2}) {
		t.Errorf("indexes = %v, want consecutive with no gap for the failure", got)
	}
	e, _ := l.Entry(2)
	if !bytes.Contains(e, []byte(`"index":2,"n":3`)) {
		t.Errorf("third append saw %s; want the two earlier successful rows only", e)
	}
	var got []byte
	l.View(func(r *Reader) error { got, _ = r.Get(key); return nil })
	if len(got) != 3 {
		t.Errorf("counter row = %q, want the failed append's write discarded", got)
	}
	// A reserved key is refused and nothing is appended.
	size := l.Size()
	_, err = l.Append(t.Context(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
		return []byte("x"), tx.Set([]byte("!e-fake"), []byte("x"))
	})
	if !errors.Is(err, ErrReservedKey) || l.Size() != size {
		t.Errorf("reserved key: err = %v size %d->%d", err, size, l.Size())
	}
	// A nil entry writes rows without using an index.
	rc, err := l.Append(t.Context(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
		return nil, tx.Set([]byte("row-only"), []byte("1"))
	})
	if err != nil || rc.Appended || l.Size() != size {
		t.Errorf("rows-only append: %+v %v, size %d", rc, err, l.Size())
	}
	// A panicking AppendFunc fails alone.
	_, err = l.Append(t.Context(), func(*Tx, uint64, time.Time) ([]byte, error) { panic("boom") })
	if err == nil || l.Size() != size {
		t.Errorf("panicking append: err = %v size %d", err, l.Size())
	}
	if _, err := l.Append(t.Context(), leafFunc([]byte("after"))); err != nil {
		t.Errorf("append after a panic: %v", err)
	}
}

func TestRecordedAtNeverGoesBack(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	l, err := Open(t.TempDir(), Options{Origin: testOrigin, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rc1, _ := l.Append(t.Context(), leafFunc([]byte("a")))
	mu.Lock()
	clock = clock.Add(-time.Hour)
	mu.Unlock()
	rc2, _ := l.Append(t.Context(), leafFunc([]byte("b")))
	if rc2.RecordedAt.Before(rc1.RecordedAt) || !rc1.RecordedAt.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("recorded_at %v then %v", rc1.RecordedAt, rc2.RecordedAt)
	}
	if got := l.LastRecordedAt(); !got.Equal(rc2.RecordedAt) {
		t.Errorf("LastRecordedAt = %v", got)
	}
}

func TestConcurrentAppends(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	const workers, each = 16, 100
	var mu sync.Mutex
	seen := map[uint64][]byte{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				leaf := fmt.Appendf(nil, "w%d-%d", w, i)
				rc, err := l.Append(context.Background(), leafFunc(leaf))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if _, dup := seen[rc.Index]; dup {
					t.Errorf("index %d given twice", rc.Index)
				}
				seen[rc.Index] = leaf
				mu.Unlock()
				if !bytes.Equal(rc.LeafHash, LeafHash(leaf)) {
					t.Errorf("leaf hash mismatch at %d", rc.Index)
				}
				if i%10 == 0 { // a checkpoint asked for now covers this append
					note, size := l.LatestCheckpoint()
					cp, err := OpenCheckpoint(note, testOrigin, l.VerifierKey())
					if err != nil || cp.Size != size || size <= rc.Index {
						t.Errorf("after append %d: checkpoint of size %d (%v)", rc.Index, size, err)
					}
				}
			}
		})
	}
	// Readers run alongside the appends.
	wg.Go(func() {
		for range 200 {
			size := l.Size()
			if size == 0 {
				continue
			}
			if _, err := l.InclusionProof(size-1, size); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	if l.Size() != workers*each || len(seen) != workers*each {
		t.Fatalf("size %d, distinct indexes %d", l.Size(), len(seen))
	}
	leaves := make([][]byte, len(seen))
	for i := range leaves {
		leaves[i] = seen[uint64(i)]
		e, err := l.Entry(uint64(i))
		if err != nil || !bytes.Equal(e, leaves[i]) {
			t.Fatalf("entry %d = %q %v, want %q", i, e, err, leaves[i])
		}
	}
	if !bytes.Equal(l.Root(), mth(leaves)) {
		t.Error("root differs from the independent MTH of the acknowledged entries")
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestEntries(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	leaves := randomLeaves(rand.New(rand.NewPCG(5, 6)), 50)
	appendLeaves(t, l, leaves, rand.New(rand.NewPCG(7, 8)))
	for _, tc := range []struct {
		start uint64
		limit int
		want  [][]byte
	}{
		{0, 10, leaves[:10]},
		{45, 10, leaves[45:]},
		{50, 10, nil},
		{99, 1, nil},
		{3, 0, nil},
	} {
		got, err := l.Entries(tc.start, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("Entries(%d,%d) = %d entries, want %d", tc.start, tc.limit, len(got), len(tc.want))
		}
	}
	if _, err := l.Entry(50); !errors.Is(err, ErrNotFound) {
		t.Errorf("Entry(50) err = %v", err)
	}
}

// tamper changes a stored value directly in Badger, with the log closed.
func tamper(t *testing.T, dir string, key []byte, change func([]byte) []byte) {
	t.Helper()
	db, err := badger.Open(Options{}.withDefaults().badgerOptions(filepath.Join(dir, "badger")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(txn *badger.Txn) error {
		v, err := getValue(txn, key)
		if err != nil {
			return err
		}
		return txn.Set(key, change(v))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	flip := func(v []byte) []byte { v = append([]byte(nil), v...); v[len(v)/2] ^= 1; return v }
	// rewrite changes an entry and stores the leaf hash of the new bytes
	// with it, as an attacker with write access to the store could.
	rewrite := func(v []byte) []byte {
		_, e, _ := splitEntryValue(v)
		e = flip(e)
		return entryValue(LeafHash(e), e)
	}
	for _, tc := range []struct {
		name      string
		key       []byte
		change    func([]byte) []byte
		wantIndex uint64 // the first index whose evidence covers the change
	}{
		{"entry bytes", entryKey(137), flip, 137},
		{"first entry", entryKey(0), flip, 0},
		{"interior node", nodeKey(compact.NewNodeID(4, 5)), flip, 80},
		// Caught by the checkpoint of size 202, the first that covers it.
		{"entry and its leaf hash together", entryKey(201), rewrite, 202},
		{"checkpoint", checkpointKey(100), flip, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rnd := rand.New(rand.NewPCG(9, 10))
			l, err := Open(dir, Options{Origin: testOrigin})
			if err != nil {
				t.Fatal(err)
			}
			// One commit per entry, and a checkpoint asked for (so issued
			// and stored) at every size.
			for i, leaf := range randomLeaves(rnd, 300) {
				if _, err := l.Append(t.Context(), leafFunc(leaf)); err != nil {
					t.Fatal(i, err)
				}
				l.Checkpoint()
			}
			if err := l.Verify(t.Context(), nil); err != nil {
				t.Fatalf("verify before tampering: %v", err)
			}
			l.Close()
			tamper(t, dir, tc.key, tc.change)

			l = openTestLog(t, dir)
			err = l.Verify(t.Context(), nil)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify after tampering = %v, want a *VerifyError", err)
			}
			if !ve.HasIndex || ve.Index != tc.wantIndex {
				t.Errorf("Verify names index %d (has %v), want %d: %v", ve.Index, ve.HasIndex, tc.wantIndex, err)
			}
		})
	}
}

func TestTamperedHeadRefusedOnOpen(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	appendLeaves(t, l, randomLeaves(rand.New(rand.NewPCG(1, 1)), 20), rand.New(rand.NewPCG(2, 2)))
	l.Close()
	tamper(t, dir, headKey, func(v []byte) []byte { v = append([]byte(nil), v...); v[len(v)-1] ^= 1; return v })
	if _, err := Open(dir, Options{Origin: testOrigin}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a tampered head: err = %v, want ErrCorrupt", err)
	}
}

func TestBackupRestore(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	rnd := rand.New(rand.NewPCG(11, 12))
	leaves := randomLeaves(rnd, 1000)
	// Checkpoints issued at 300 and 700 (stored by the commits after them)
	// and at 1000 (not stored yet when the backup starts).
	for _, part := range [][][]byte{leaves[:300], leaves[300:700], leaves[700:]} {
		appendLeaves(t, l, part, rnd)
		l.Checkpoint()
	}
	if err := os.WriteFile(filepath.Join(l.Dir(), "master.key"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	info, err := l.Backup(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 1000 || !bytes.Equal(info.Root, l.Root()) {
		t.Fatalf("backup info = %d %x", info.Size, info.Root)
	}
	dir2 := filepath.Join(t.TempDir(), "restored")
	got, err := Restore(dir2, bytes.NewReader(buf.Bytes()), Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got, info) {
		t.Errorf("restore info %+v, want %+v", got, info)
	}
	r := openTestLog(t, dir2)
	if r.Size() != l.Size() || !bytes.Equal(r.Root(), l.Root()) || !bytes.Equal(r.Checkpoint(), l.Checkpoint()) || r.VerifierKey() != l.VerifierKey() {
		t.Fatal("restored log differs in size, root, checkpoint or key")
	}
	fromLog, restored := storedCheckpoints(t, l), storedCheckpoints(t, r)
	for _, size := range []uint64{0, 300, 700, 1000} {
		if _, ok := fromLog[size]; !ok {
			t.Errorf("checkpoint issued at size %d is not stored in the log backed up", size)
		}
	}
	if !cmp.Equal(restored, fromLog) {
		t.Errorf("restored checkpoints (sizes %v) differ from the log's (sizes %v)", slices.Sorted(maps.Keys(restored)), slices.Sorted(maps.Keys(fromLog)))
	}
	if b, err := os.ReadFile(filepath.Join(dir2, "master.key")); err != nil || string(b) != "secret" {
		t.Errorf("key file beside the store not restored: %q %v", b, err)
	}
	if err := r.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(dir2, bytes.NewReader(buf.Bytes()), Options{Origin: testOrigin}); err == nil {
		t.Error("restore into a non-empty directory succeeded")
	}
	if _, err := Restore(t.TempDir(), strings.NewReader("not a backup"), Options{}); err == nil {
		t.Error("restore of garbage succeeded")
	}
}

func TestRebuild(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	count := func(tx *Tx, _ uint64, entry []byte) error {
		k := append([]byte("len/"), byte(len(entry)))
		v, err := tx.Get(k)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.Set(k, append(v, 'x'))
	}
	for i := range 3000 {
		leaf := bytes.Repeat([]byte{'a'}, 1+i%7)
		if i%500 == 0 {
			if _, err := l.Append(t.Context(), leafFunc(leaf)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		_, err := l.Append(t.Context(), func(tx *Tx, index uint64, _ time.Time) ([]byte, error) {
			return leaf, count(tx, index, leaf)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := func() map[string]int {
		m := map[string]int{}
		l.View(func(r *Reader) error {
			return r.Scan([]byte("len/"), nil, func(k, v []byte) error { m[string(k)] = len(v); return nil })
		})
		return m
	}
	before := rows()
	if err := l.Rebuild(t.Context(), [][]byte{[]byte("len/")}, count); err != nil {
		t.Fatal(err)
	}
	after := rows()
	// The rebuilt rows count every entry; the live rows skipped every 500th.
	total := 0
	for _, n := range after {
		total += n
	}
	if total != 3000 {
		t.Errorf("rebuilt rows count %d entries, want 3000", total)
	}
	if cmp.Equal(before, after) {
		t.Error("rebuild did not replace the rows")
	}
	if err := l.Rebuild(t.Context(), [][]byte{[]byte("!e")}, count); !errors.Is(err, ErrReservedKey) {
		t.Errorf("rebuild of a reserved prefix err = %v", err)
	}
}

// Reader.EntriesAt reads entries and their proofs in one view; they match
// Entry and InclusionProof, and bad indexes are ErrRange.
func TestEntriesAt(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	leaves := make([][]byte, 37)
	for i := range leaves {
		leaves[i] = fmt.Appendf(nil, "leaf %d", i)
	}
	appendLeaves(t, l, leaves, rand.New(rand.NewPCG(7, 8)))
	indexes := []uint64{0, 3, 17, 36, 3}
	for _, size := range []uint64{0, 37} {
		entries, proofs, err := entriesAt(l, indexes, size)
		if err != nil {
			t.Fatal(err)
		}
		for n, i := range indexes {
			if !bytes.Equal(entries[n], leaves[i]) {
				t.Errorf("entry %d = %q", i, entries[n])
			}
			if size == 0 {
				if proofs != nil {
					t.Fatal("proofs without a proof size")
				}
				continue
			}
			want, err := l.InclusionProof(i, size)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, proofs[n]); diff != "" {
				t.Errorf("proof of %d (-want +got):\n%s", i, diff)
			}
		}
	}
	for _, bad := range []struct {
		indexes []uint64
		size    uint64
	}{{[]uint64{37}, 0}, {[]uint64{20}, 10}, {[]uint64{1}, 38}} {
		if _, _, err := entriesAt(l, bad.indexes, bad.size); !errors.Is(err, ErrRange) {
			t.Errorf("EntriesAt(%v, %d) = %v, want ErrRange", bad.indexes, bad.size, err)
		}
	}
}

// entriesAt calls Reader.EntriesAt in a view of its own.
func entriesAt(l *Log, indexes []uint64, proofSize uint64) (entries [][]byte, proofs [][][]byte, err error) {
	err = l.View(func(r *Reader) error {
		entries, proofs, err = r.EntriesAt(indexes, proofSize)
		return err
	})
	return entries, proofs, err
}
