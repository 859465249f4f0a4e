package tlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// ErrStopScan, returned by a Scan callback, ends the scan without error.
var ErrStopScan = errors.New("tlog: stop scan")

// Reader is a read-only, consistent view of the committed rows and
// entries. It MUST NOT be used after the function given to View returns.
type Reader struct {
	txn  *badger.Txn
	size uint64 // the log's size when the view began: its entries are all in it
}

// View runs fn with a consistent read-only view of everything committed so
// far, and returns fn's error as it is (Reader.Get wraps storage failures
// in ErrStorage; Scan does not).
//
// Each view waits for the commit in flight, if any, to be applied: a read
// that needs several rows and entries should take them in one view. A
// commit is visible once Badger has synced it, possibly just before its
// appenders get their receipts.
func (l *Log) View(fn func(r *Reader) error) error {
	size := l.Size()
	return l.db.View(func(txn *badger.Txn) error { return fn(&Reader{txn: txn, size: size}) })
}

// Get returns a copy of key's value, ErrNotFound, or an error wrapping
// ErrStorage.
func (r *Reader) Get(key []byte) ([]byte, error) {
	v, err := getValue(r.txn, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return v, err
}

// Scan calls fn for every row whose key starts with prefix, in key order,
// starting at the first key >= start (or at prefix when start is nil).
// key and value are valid only during the call: fn MUST copy what it
// keeps. fn may return ErrStopScan to stop (Scan then returns nil); any
// other error stops the scan and is returned as it is, and so is Badger's
// error when a value cannot be read (not wrapped in ErrStorage).
func (r *Reader) Scan(prefix, start []byte, fn func(key, value []byte) error) error {
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix}) // values are small and inline: no prefetch goroutines
	defer it.Close()
	if start == nil || bytes.Compare(start, prefix) < 0 {
		start = prefix
	}
	for it.Seek(start); it.Valid(); it.Next() {
		item := it.Item()
		err := item.Value(func(v []byte) error { return fn(item.Key(), v) })
		if errors.Is(err, ErrStopScan) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Rebuild drops every row under the given prefixes, then calls apply for
// every entry of the log in order, with a Tx that reads what the earlier
// entries wrote and whose writes are committed in batches. It runs in the
// writer role (Exclusive): no append interleaves with it. The domain
// passes the function it applies to live appends, so that the rebuilt rows
// equal the live ones; the log does not check that.
//
// Prefixes in the log's reserved key space are refused with
// ErrReservedKey. It returns apply's first error, wrapped with the entry's
// index (rows of the batch in progress are discarded, those of earlier
// batches stay: the projections are incomplete until a Rebuild succeeds),
// the context's error, or an error wrapping ErrStorage.
func (l *Log) Rebuild(ctx context.Context, prefixes [][]byte, apply func(tx *Tx, index uint64, entry []byte) error) error {
	for _, p := range prefixes {
		if len(p) == 0 || p[0] == reservedPrefix {
			return ErrReservedKey
		}
	}
	return l.Exclusive(ctx, func() error {
		l.rows.reset() // rows change outside the writer's chunks
		if len(prefixes) > 0 {
			if err := l.db.DropPrefix(prefixes...); err != nil {
				return fmt.Errorf("%w: drop rows: %v", ErrStorage, err)
			}
		}
		size := l.Size()
		maxKeys, maxBytes := int(l.db.MaxBatchCount())/2, int(l.db.MaxBatchSize())/2
		txn := l.db.NewTransaction(true)
		defer func() { txn.Discard() }()
		keys, nbytes := 0, 0
		const page = 1024
		for start := uint64(0); start < size; start += page {
			if err := ctx.Err(); err != nil {
				return err
			}
			entries, err := l.Entries(start, page)
			if err != nil {
				return err
			}
			for i, e := range entries {
				tx := &Tx{txn: txn}
				if err := apply(tx, start+uint64(i), e); err != nil {
					return fmt.Errorf("tlog: rebuild at entry %d: %w", start+uint64(i), err)
				}
				k, b := tx.cost()
				if keys+k > maxKeys || nbytes+b > maxBytes {
					if err := txn.Commit(); err != nil {
						return fmt.Errorf("%w: rebuild commit: %v", ErrStorage, err)
					}
					txn = l.db.NewTransaction(true)
					tx.txn, keys, nbytes = txn, 0, 0
				}
				if err := tx.flush(nil); err != nil {
					return fmt.Errorf("%w: rebuild: %v", ErrStorage, err)
				}
				keys, nbytes = keys+k, nbytes+b
			}
		}
		if err := txn.Commit(); err != nil {
			return fmt.Errorf("%w: rebuild commit: %v", ErrStorage, err)
		}
		return nil
	})
}

// Purge removes every version of every row under the given prefixes from
// the store (Badger's DropPrefix), between commits. A plain Delete leaves
// the previous versions on disk until a compaction; Purge is for data that
// must be gone at once, such as an erased worker's wrapped key. It is slow
// (it flushes the memtables), so it is for rare operations. Prefixes in the
// log's reserved key space are refused with ErrReservedKey.
func (l *Log) Purge(ctx context.Context, prefixes ...[]byte) error {
	for _, p := range prefixes {
		if len(p) == 0 || p[0] == reservedPrefix {
			return ErrReservedKey
		}
	}
	return l.Exclusive(ctx, func() error {
		l.rows.reset() // rows change outside the writer's chunks
		// DropPrefix skips prefixes with no live key, and deleted rows
		// are not live: write a marker under each prefix first.
		err := l.db.Update(func(txn *badger.Txn) error {
			for _, p := range prefixes {
				if err := txn.Set(p, []byte("purge")); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			err = l.db.DropPrefix(prefixes...)
		}
		if err != nil {
			return fmt.Errorf("%w: purge: %v", ErrStorage, err)
		}
		return nil
	})
}
