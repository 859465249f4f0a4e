package tlog

import (
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
)

// InclusionProof returns the RFC 6962 inclusion proof of the entry at
// index in the tree of the given size, built from stored node hashes. It
// returns ErrRange unless index < size <= Size().
func (l *Log) InclusionProof(index, size uint64) ([][]byte, error) {
	if index >= size || size > l.Size() {
		return nil, fmt.Errorf("%w: inclusion of %d in tree of size %d (log size %d)", ErrRange, index, size, l.Size())
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRange, err)
	}
	return l.rehash(nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the trees
// of size1 and size2, built from stored node hashes. It returns ErrRange
// unless size1 <= size2 <= Size().
func (l *Log) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if size1 > size2 || size2 > l.Size() {
		return nil, fmt.Errorf("%w: consistency from %d to %d (log size %d)", ErrRange, size1, size2, l.Size())
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRange, err)
	}
	return l.rehash(nodes)
}

// RootAt returns the Merkle root of the tree of the given size, computed
// from stored nodes. It returns ErrRange for a size beyond Size().
func (l *Log) RootAt(size uint64) ([]byte, error) {
	if size > l.Size() {
		return nil, fmt.Errorf("%w: size %d beyond log size %d", ErrRange, size, l.Size())
	}
	if size == 0 {
		return hasher.EmptyRoot(), nil
	}
	rng, err := l.rangeAt(size)
	if err != nil {
		return nil, err
	}
	return rng.GetRootHash(nil)
}

// rehash fetches the stored hashes of a proof's nodes and folds the
// ephemeral node, as transparency-dev/merkle/proof prescribes.
func (l *Log) rehash(nodes proof.Nodes) ([][]byte, error) {
	hashes, err := l.nodeHashes(nodes.IDs)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, hashChildren)
}

// EntriesAt returns the entries at the given indexes and, when proofSize
// is not 0, the inclusion proof of each in the tree of that size, read
// from the view. One view instead of one per entry matters under load:
// each new view waits for the commit in flight. It returns ErrRange for an
// index at or beyond the log's size when the view began (or proofSize), or
// a proofSize beyond it; ErrCorrupt for a missing entry or node.
func (r *Reader) EntriesAt(indexes []uint64, proofSize uint64) (entries [][]byte, proofs [][][]byte, err error) {
	if proofSize > r.size {
		return nil, nil, fmt.Errorf("%w: proofs in a tree of size %d (log size %d)", ErrRange, proofSize, r.size)
	}
	for _, i := range indexes {
		if i >= r.size || (proofSize > 0 && i >= proofSize) {
			return nil, nil, fmt.Errorf("%w: entry %d (log size %d, proof size %d)", ErrRange, i, r.size, proofSize)
		}
	}
	entries = make([][]byte, len(indexes))
	if proofSize > 0 {
		proofs = make([][][]byte, len(indexes))
	}
	err = func() error {
		for n, i := range indexes {
			v, err := getValue(r.txn, entryKey(i))
			if err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
			if _, entries[n], err = splitEntryValue(v); err != nil {
				return err
			}
			if proofSize == 0 {
				continue
			}
			nodes, err := proof.Inclusion(i, proofSize)
			if err != nil {
				return err
			}
			hashes := make([][]byte, len(nodes.IDs))
			for k, id := range nodes.IDs {
				if hashes[k], err = nodeHash(r.txn, id); err != nil {
					return err
				}
			}
			if proofs[n], err = nodes.Rehash(hashes, hashChildren); err != nil {
				return err
			}
		}
		return nil
	}()
	if errors.Is(err, ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return entries, proofs, nil
}
