package tlog

import (
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/transparency-dev/merkle/compact"
)

// item is one prepared append waiting for its chunk to commit.
type item struct {
	req     *request
	i       int
	receipt Receipt
	err     error
}

// chunk is one Badger transaction being filled by the writer.
type chunk struct {
	txn   *badger.Txn
	start *compact.Range // the tree before this chunk
	items []item
	keys  int
	bytes int
	at    int64

	// writes are the callers' rows this chunk writes (nil value: deleted);
	// prev are those of the chunk that was in flight when txn was made,
	// whose rows txn's snapshot does not see.
	writes map[string][]byte
	prev   map[string][]byte
}

// flight is a chunk sent to Badger and not yet known to be durable. err
// is set before done is closed.
type flight struct {
	c    *chunk
	done chan struct{}
	err  error
}

// spareTxn is a transaction made just before the chunk in flight was
// sent, for the chunk after it.
type spareTxn struct {
	txn  *badger.Txn
	prev map[string][]byte
}

// chunkItems is the most appends one transaction takes. Larger batches are
// cut so that Badger writes and syncs one part while the writer prepares
// the next: a batch of 1,000 costs four fsyncs instead of one, but its
// preparation and its writing overlap.
const chunkItems = 256

// commitBatch prepares every append of the batch and sends them to
// Badger, in transactions of at most chunkItems appends, fewer when
// Badger's transaction limits require it. Each transaction carries its entries,
// their nodes, the callers' rows, the new tree head and the checkpoint
// signed before it. The last transaction may still be in flight when
// commitBatch returns.
func (l *Log) commitBatch(batch []*request) {
	if len(batch) == 0 {
		return
	}
	if err := l.checkDiskSpace(); err != nil {
		l.mu.Lock()
		l.lastErr = err
		l.mu.Unlock()
		for _, r := range batch {
			for i := range r.fns {
				r.finish(i, Receipt{}, err)
			}
		}
		return
	}
	maxKeys, maxBytes := int(l.db.MaxBatchCount()), int(l.db.MaxBatchSize())
	now := max(l.opts.Now().UTC().UnixNano(), l.lastAt) // recorded_at never goes backwards
	l.lastAt = now
	at := time.Unix(0, now).UTC()

	c := l.newChunk(now)
	var failed error // set when a commit failed: the rest of the batch fails too
	for _, r := range batch {
		for i, fn := range r.fns {
			if failed != nil {
				r.finish(i, Receipt{}, failed)
				continue
			}
			index := l.rng.End()
			tx := &Tx{txn: c.txn, chunk: c, cache: l.rows}
			entry, err := callAppendFunc(fn, tx, index, at)
			if err != nil {
				c.items = append(c.items, item{req: r, i: i, err: err})
				continue
			}
			keys, size := tx.cost()
			newNodes := 0
			if entry != nil {
				newNodes = bits.TrailingZeros64(^index) // interior nodes it completes (at most)
				keys += 1 + newNodes
				size += 32 + len(entry) + 10 + newNodes*(11+32)
			}
			keys, size = keys+2, size+1024 // the head and checkpoint of the chunk
			if keys > maxKeys/2 || size > maxBytes/2 {
				c.items = append(c.items, item{req: r, i: i, err: ErrTooLarge})
				continue
			}
			if c.keys+keys > maxKeys/2 || c.bytes+size > maxBytes/2 || len(c.items) >= chunkItems {
				if failed = l.send(c, false); failed != nil {
					r.finish(i, Receipt{}, failed)
					continue
				}
				c = l.newChunk(now)
				// The rows this append wrote are kept in tx; it read
				// through the chunk just sent, whose rows the new chunk
				// sees as prev.
				tx.txn, tx.chunk = c.txn, c
			}
			it, err := l.write(c, tx, entry, at)
			if err != nil {
				// Writing into a transaction only fails on its size limits,
				// which were checked above; fail this append alone would
				// leave partial rows, so fail the chunk.
				c.items = append(c.items, item{req: r, i: i, err: err})
				failed = l.abortChunk(c, err, true)
				continue
			}
			it.req, it.i = r, i
			c.items = append(c.items, it)
			c.keys += keys
			c.bytes += size
		}
	}
	if failed == nil {
		l.send(c, true)
	}
}

// checkDiskSpace returns an error wrapping ErrStorage and ErrDiskFull when
// the data directory's file system has less free space than the reserve.
// The answer is cached for 100 ms, so a busy writer asks the kernel at most
// ten times a second.
func (l *Log) checkDiskSpace() error {
	if l.opts.DiskReserve < 0 {
		return nil
	}
	now := time.Now().UnixNano()
	if now-l.diskCheckedAt < int64(100*time.Millisecond) {
		return l.diskErr
	}
	l.diskCheckedAt = now
	free, err := l.freeBytes(l.dir)
	switch {
	case err != nil:
		l.diskErr = fmt.Errorf("%w: free space of %s: %v", ErrStorage, l.dir, err)
	case int64(free) < l.opts.DiskReserve:
		l.diskErr = fmt.Errorf("%w: %w: %d bytes free, reserve is %d", ErrStorage, ErrDiskFull, free, l.opts.DiskReserve)
	default:
		l.diskErr = nil
	}
	return l.diskErr
}

// callAppendFunc runs fn, turning a panic into an error so that one bad
// append cannot stop the writer.
func callAppendFunc(fn AppendFunc, tx *Tx, index uint64, at time.Time) (entry []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			entry, err = nil, fmt.Errorf("tlog: append function panicked: %v", p)
		}
	}()
	return fn(tx, index, at)
}

// newChunk starts the next chunk, in the transaction made for it when the
// chunk in flight was sent, if any.
func (l *Log) newChunk(at int64) *chunk {
	if l.spare == nil {
		// The chunk before, if any, was committed without a spare: take
		// its outcome first (its rows into the cache, or the tree back if
		// it failed; its items have their answer already).
		l.drain()
	}
	c := &chunk{start: cloneRange(l.rng), at: at, writes: map[string][]byte{}}
	if l.spare != nil {
		c.txn, c.prev = l.spare.txn, l.spare.prev
		l.spare = nil
	} else {
		c.txn = l.db.NewTransaction(true)
	}
	return c
}

func cloneRange(r *compact.Range) *compact.Range {
	c, err := rangeFactory.NewRange(r.Begin(), r.End(), append([][]byte(nil), r.Hashes()...))
	if err != nil {
		panic(err) // unreachable: the hashes come from a valid range
	}
	return c
}

// write puts one prepared append into the chunk's transaction and extends
// the tree. The returned item has its receipt filled in, except Size.
func (l *Log) write(c *chunk, tx *Tx, entry []byte, at time.Time) (item, error) {
	if err := tx.flush(c); err != nil {
		return item{}, err
	}
	if entry == nil {
		return item{receipt: Receipt{RecordedAt: at}}, nil
	}
	index := l.rng.End()
	leafHash := hasher.HashLeaf(entry)
	if err := c.txn.Set(entryKey(index), entryValue(leafHash, entry)); err != nil {
		return item{}, err
	}
	var werr error
	visit := func(id compact.NodeID, hash []byte) {
		if werr == nil && storedNode(id) {
			werr = c.txn.Set(nodeKey(id), hash)
		}
	}
	if err := l.rng.Append(leafHash, visit); err != nil {
		return item{}, err
	}
	if werr != nil {
		return item{}, werr
	}
	return item{receipt: Receipt{Appended: true, Index: index, LeafHash: leafHash, RecordedAt: at}}, nil
}

// send writes the new tree head into the chunk's transaction, with the
// checkpoints signed since the last commit, and hands it to Badger, which
// writes and syncs it on its own goroutine; the chunk is answered from
// there once durable (finishFlight). The new head's checkpoint is signed
// when someone asks for it (Checkpoint) or when the writer goes idle, not
// here: a lone appender does not wait for a signature, and a busy log signs
// once per reader's request instead of once per commit.
//
// last says that c ends its batch: then, if nothing is queued either, send
// commits on the caller's goroutine and returns once c is answered.
//
// The chunk was prepared on the state of the chunk in flight, so send
// first waits for that one: if it failed, this chunk fails with it. On
// failure send restores the tree, fails every item with an error wrapping
// ErrStorage, and returns it.
func (l *Log) send(c *chunk, last bool) error {
	if err := l.drain(); err != nil {
		return l.abortChunk(c, err, false) // the tree is back before the failed chunk
	}
	size := l.rng.End()
	entries := 0
	for _, it := range c.items {
		if it.err == nil && it.receipt.Appended {
			entries++
		}
	}
	l.mu.RLock()
	h := l.head
	pending := l.unsaved
	l.mu.RUnlock()
	if entries > 0 {
		root, err := l.rng.GetRootHash(nil)
		if err != nil {
			return l.abortChunk(c, err, true)
		}
		h = head{size: size, recordedAt: c.at, root: root}
		if err := c.txn.Set(headKey, h.marshal()); err != nil {
			return l.abortChunk(c, err, true)
		}
	}
	for _, u := range pending {
		if err := c.txn.Set(checkpointKey(u.size), u.note); err != nil {
			return l.abortChunk(c, err, true)
		}
	}
	if l.failCommit != nil {
		if err := l.failCommit(); err != nil {
			return l.abortChunk(c, err, true)
		}
	}
	f := &flight{c: c, done: make(chan struct{})}
	l.inflight = f
	started := time.Now()
	if last && len(l.reqs) == 0 && l.failFlight == nil {
		// Nothing to prepare meanwhile: commit on this goroutine, as a
		// lone appender would, without a spare transaction or a hand-off
		// to Badger's callback goroutine.
		err := c.txn.Commit()
		l.finishFlight(f, err, h, entries, len(pending), started)
		return nil
	}
	// The next chunk's transaction is made before this one is sent: made
	// after, it would wait for this commit to be durable.
	l.spare = &spareTxn{txn: l.db.NewTransaction(true), prev: c.writes}
	if l.failFlight != nil {
		if delay, err := l.failFlight(len(c.items)); err != nil {
			c.txn.Discard()
			time.AfterFunc(delay, func() { l.finishFlight(f, err, h, entries, len(pending), started) })
			return nil
		}
	}
	c.txn.CommitWith(func(err error) {
		l.finishFlight(f, err, h, entries, len(pending), started)
	})
	return nil
}

// finishFlight answers the items of a sent chunk once Badger has committed
// (or failed to commit) it. It runs on Badger's callback goroutine; the
// tree, owned by the writer, is restored by drain.
func (l *Log) finishFlight(f *flight, err error, h head, entries, stored int, started time.Time) {
	defer close(f.done)
	c := f.c
	if err != nil {
		f.err = l.failItems(c, err)
		return
	}
	took := time.Since(started)
	l.lastCommit.Store(time.Now().UnixNano())
	l.mu.Lock()
	l.head, l.lastErr = h, nil
	l.unsaved = l.unsaved[stored:]
	l.mu.Unlock()
	for _, it := range c.items {
		it.receipt.Size = h.size
		it.req.finish(it.i, it.receipt, it.err)
	}
	if l.opts.OnCommit != nil {
		l.opts.OnCommit(CommitStats{Entries: entries, Requests: len(c.items), Duration: took, Size: h.size})
	}
}

// drain waits for the chunk in flight, if any. If it failed, drain puts
// the tree back as it was before that chunk, drops the spare transaction
// (made on the failed chunk's state) and returns the chunk's error.
func (l *Log) drain() error {
	f := l.inflight
	if f == nil {
		return nil
	}
	<-f.done
	l.inflight = nil
	if f.err == nil {
		for k, v := range f.c.writes {
			l.rows.put(k, v)
		}
	}
	if f.err != nil {
		l.rng = f.c.start
		if l.spare != nil {
			l.spare.txn.Discard()
			l.spare = nil
		}
		return f.err
	}
	return nil
}

// drainAll waits for the chunk in flight and drops the spare transaction:
// after it, the writer holds nothing across calls.
func (l *Log) drainAll() {
	l.drain()
	if l.spare != nil {
		l.spare.txn.Discard()
		l.spare = nil
	}
}

// abortChunk discards a chunk that was not sent, fails every item that
// had not failed on its own, and returns the error wrapping ErrStorage
// they got. With restore, the tree goes back to the chunk's start (drain
// has already put it further back when the chunk before failed).
func (l *Log) abortChunk(c *chunk, cause error, restore bool) error {
	c.txn.Discard()
	if restore {
		l.rng = c.start
	}
	return l.failItems(c, cause)
}

// failItems records a failed commit and fails the chunk's items.
func (l *Log) failItems(c *chunk, cause error) error {
	l.mu.Lock()
	l.lastErr = cause
	l.mu.Unlock()
	err := fmt.Errorf("%w: commit: %v", ErrStorage, cause)
	if errors.Is(cause, ErrStorage) {
		err = cause // already wrapped: the chunk before this one failed
	}
	l.opts.Logger.Error("tlog: commit failed", "err", cause, "appends", len(c.items))
	for _, it := range c.items {
		if it.err != nil {
			it.req.finish(it.i, Receipt{}, it.err)
		} else {
			it.req.finish(it.i, Receipt{}, err)
		}
	}
	return err
}
