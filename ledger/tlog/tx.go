package tlog

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Tx is the view of the store given to an AppendFunc (and to Rebuild's
// function): reads see committed rows plus every row written by the
// appends prepared earlier in the same group commit; writes are kept only
// if the AppendFunc succeeds and its commit is durable. Keys starting with
// the reserved prefix '!' are the log's: Set and Delete refuse them. A Tx
// MUST NOT be used after the function it was given to returns.
type Tx struct {
	txn    *badger.Txn
	chunk  *chunk
	cache  *rowCache         // the writer's, nil outside its chunks
	writes map[string][]byte // nil value: deleted
	order  []string
}

// Get returns a copy of key's value, ErrNotFound, or an error wrapping
// ErrStorage. It looks in this append's writes, then the chunk's, then
// those of the chunk in flight when the chunk's transaction was made, then
// the writer's row cache, then the transaction's snapshot.
func (t *Tx) Get(key []byte) ([]byte, error) {
	layers := [3]map[string][]byte{t.writes}
	if t.chunk != nil {
		layers[1], layers[2] = t.chunk.writes, t.chunk.prev
	}
	for _, m := range layers {
		if v, ok := m[string(key)]; ok {
			return copyRow(v)
		}
	}
	if t.cache != nil {
		if v, ok := t.cache.get(string(key)); ok {
			return copyRow(v)
		}
	}
	v, err := getValue(t.txn, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	if err == nil && t.cache != nil {
		// Neither this chunk nor the one in flight wrote the row: the
		// snapshot has its newest committed value.
		t.cache.put(string(key), v)
		return copyRow(v)
	}
	return v, err
}

// copyRow returns a copy of a row's value, or ErrNotFound for nil.
func copyRow(v []byte) ([]byte, error) {
	if v == nil {
		return nil, ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

// Set writes key = value (a copy of value) when the append succeeds. It
// returns ErrReservedKey for the empty key and keys starting with '!', the
// log's own key space.
func (t *Tx) Set(key, value []byte) error {
	if len(key) == 0 || key[0] == reservedPrefix {
		return ErrReservedKey
	}
	t.put(string(key), append([]byte{}, value...))
	return nil
}

// Delete removes key when the append succeeds. It returns ErrReservedKey
// for the empty key and keys starting with '!', the log's own key space.
func (t *Tx) Delete(key []byte) error {
	if len(key) == 0 || key[0] == reservedPrefix {
		return ErrReservedKey
	}
	t.put(string(key), nil)
	return nil
}

func (t *Tx) put(k string, v []byte) {
	if t.writes == nil {
		t.writes = make(map[string][]byte)
	}
	if _, ok := t.writes[k]; !ok {
		t.order = append(t.order, k)
	}
	t.writes[k] = v
}

// cost estimates the keys and bytes the pending writes add to a Badger
// transaction.
func (t *Tx) cost() (keys, size int) {
	for _, k := range t.order {
		size += len(k) + len(t.writes[k]) + 32
	}
	return len(t.order), size
}

// flush moves the pending writes into the Badger transaction, and records
// them in the chunk c, if any.
func (t *Tx) flush(c *chunk) error {
	for _, k := range t.order {
		var err error
		v := t.writes[k]
		if v == nil {
			err = t.txn.Delete([]byte(k))
		} else {
			err = t.txn.Set([]byte(k), v)
		}
		if err != nil {
			return err
		}
		if c != nil {
			c.writes[k] = v
		}
	}
	t.writes, t.order = nil, nil
	return nil
}
