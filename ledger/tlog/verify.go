package tlog

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/transparency-dev/merkle/compact"
)

// VerifyError reports the first inconsistency Verify found.
type VerifyError struct {
	// Index is the entry the problem shows in (for a node, the first entry
	// it covers; for a checkpoint, its size), when HasIndex is set.
	Index    uint64
	HasIndex bool
	Problem  string
}

func (e *VerifyError) Error() string {
	if e.HasIndex {
		return fmt.Sprintf("tlog: verify: at index %d: %s", e.Index, e.Problem)
	}
	return "tlog: verify: " + e.Problem
}

func verifyErr(index uint64, format string, args ...any) error {
	return &VerifyError{Index: index, HasIndex: true, Problem: fmt.Sprintf(format, args...)}
}

// Verify recomputes every leaf hash, every stored node and the root from
// the entries alone, and checks every stored checkpoint's signature, origin,
// size and root, on a consistent snapshot of the log. It returns a
// *VerifyError naming the first entry (or checkpoint) that does not hold,
// the context's error if cancelled, or an error wrapping ErrStorage when the
// store cannot be read. progress, when not nil, is called now and then with
// the number of entries checked and the total.
func (l *Log) Verify(ctx context.Context, progress func(done, total uint64)) error {
	err := l.db.View(func(txn *badger.Txn) error {
		hb, err := getValue(txn, headKey)
		if err != nil {
			return &VerifyError{Problem: fmt.Sprintf("tree head unreadable: %v", err)}
		}
		h, err := unmarshalHead(hb)
		if err != nil {
			return &VerifyError{Problem: "tree head malformed"}
		}
		return l.verifySnapshot(ctx, txn, h, progress)
	})
	var ve *VerifyError
	if err == nil || errors.As(err, &ve) || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: verify: %v", ErrStorage, err)
}

// snapshotCheck is the state of verifySnapshot's walk over one snapshot:
// the tree rebuilt from the entries so far, and the stored checkpoints not
// yet checked.
type snapshotCheck struct {
	l       *Log
	txn     *badger.Txn
	cps     *badger.Iterator // stored checkpoints, in size order
	rng     *compact.Range
	nodeErr error // the first stored node found wrong, if any
}

func (l *Log) verifySnapshot(ctx context.Context, txn *badger.Txn, h head, progress func(done, total uint64)) error {
	entries := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256, Prefix: entryPrefix})
	defer entries.Close()
	cps := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 16, Prefix: checkpointPrefix})
	defer cps.Close()
	cps.Rewind()
	s := &snapshotCheck{l: l, txn: txn, cps: cps, rng: rangeFactory.NewEmptyRange(0)}

	var index uint64
	for entries.Rewind(); entries.Valid(); entries.Next() {
		if index%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(index, h.size)
			}
		}
		key := entries.Item().Key()
		got := binary.BigEndian.Uint64(key[2:])
		if got >= h.size {
			return verifyErr(got, "entry beyond the tree head's size %d", h.size)
		}
		if got != index {
			return verifyErr(index, "entry is missing")
		}
		if err := s.checkCheckpoints(index); err != nil {
			return err
		}
		if err := s.checkEntry(index, entries.Item()); err != nil {
			return err
		}
		index++
	}
	if index != h.size {
		return verifyErr(index, "entry is missing (tree head says size %d)", h.size)
	}
	if err := s.checkCheckpoints(h.size); err != nil {
		return err
	}
	root := hasher.EmptyRoot()
	if h.size > 0 {
		var err error
		if root, err = s.rng.GetRootHash(nil); err != nil {
			return err
		}
	}
	if !bytes.Equal(root, h.root) {
		return &VerifyError{Problem: fmt.Sprintf("tree head root %x is not the root of the entries %x", h.root, root)}
	}
	if progress != nil {
		progress(h.size, h.size)
	}
	return nil
}

// checkEntry checks the stored entry at index against its stored leaf
// hash, adds it to the tree and checks the stored nodes it completes.
func (s *snapshotCheck) checkEntry(index uint64, item *badger.Item) error {
	v, err := item.ValueCopy(nil)
	if err != nil {
		return err
	}
	storedLeafHash, entry, err := splitEntryValue(v)
	if err != nil {
		return verifyErr(index, "entry row is truncated")
	}
	leafHash := hasher.HashLeaf(entry)
	if !bytes.Equal(leafHash, storedLeafHash) {
		return verifyErr(index, "entry bytes do not match the leaf hash stored when it was appended (entry changed)")
	}
	if err := s.rng.Append(leafHash, s.checkNode); err != nil {
		return err
	}
	return s.nodeErr
}

// checkNode compares a node the tree just completed with its stored row,
// for the nodes that have one, and keeps the first mismatch in nodeErr.
func (s *snapshotCheck) checkNode(id compact.NodeID, hash []byte) {
	if s.nodeErr != nil || !storedNode(id) {
		return
	}
	stored, err := getValue(s.txn, nodeKey(id))
	first, _ := id.Coverage()
	switch {
	case errors.Is(err, ErrNotFound):
		s.nodeErr = verifyErr(first, "node (level %d, index %d) is missing", id.Level, id.Index)
	case err != nil:
		s.nodeErr = err
	case !bytes.Equal(stored, hash):
		s.nodeErr = verifyErr(first, "stored node (level %d, index %d) does not match the hash of its entries", id.Level, id.Index)
	}
}

// checkCheckpoints checks every stored checkpoint of size <= size not
// checked yet; the tree is then of that size.
func (s *snapshotCheck) checkCheckpoints(size uint64) error {
	for ; s.cps.Valid(); s.cps.Next() {
		cpSize := checkpointSize(s.cps.Item().Key())
		if cpSize > size {
			return nil
		}
		signed, err := s.cps.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := s.l.checkCheckpoint(signed, cpSize, s.rng); err != nil {
			return err
		}
	}
	return nil
}

// checkCheckpoint checks one stored checkpoint against the tree rng, whose
// size equals the checkpoint's.
func (l *Log) checkCheckpoint(signed []byte, size uint64, rng *compact.Range) error {
	if rng.End() != size {
		return verifyErr(size, "checkpoint of size %d is out of order", size)
	}
	cp, err := OpenCheckpoint(signed, l.opts.Origin, l.vkey)
	if err != nil {
		return verifyErr(size, "checkpoint of size %d does not verify: %v", size, err)
	}
	if cp.Size != size {
		return verifyErr(size, "checkpoint stored at size %d says size %d", size, cp.Size)
	}
	root := hasher.EmptyRoot()
	if size > 0 {
		if root, err = rng.GetRootHash(nil); err != nil {
			return err
		}
	}
	if !bytes.Equal(cp.Hash, root) {
		return verifyErr(size, "checkpoint of size %d signs root %x, entries give %x", size, cp.Hash, root)
	}
	return nil
}
