package ledger

import (
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
	return nodes.Rehash(hashes, hasher.HashChildren)
}
