package tlog

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/transparency-dev/merkle/compact"
)

// AppendFunc prepares one append inside the writer goroutine. It is given
// the index the entry will have and its recorded_at time (UTC), reads and
// writes the caller's rows through tx, and returns the entry's bytes.
//
// Reads through tx see every row committed before and every row written by
// the appends before it in the same commit, so rules that depend on state
// (uniqueness, validity) are decided without races. If it returns an error,
// nothing it wrote is kept and that error is returned by Append. If it
// returns a nil entry and no error, its rows are written but no entry is
// appended and no index is used.
//
// An AppendFunc must not block or call the Log; it runs while every other
// append waits.
type AppendFunc func(tx *Tx, index uint64, recordedAt time.Time) (entry []byte, err error)

// Receipt is the durable result of one append.
type Receipt struct {
	Appended   bool      // false when the AppendFunc returned no entry
	Index      uint64    // index of the entry
	LeafHash   []byte    // RFC 6962 leaf hash of the entry
	RecordedAt time.Time // recorded_at given to the AppendFunc
	Size       uint64    // tree size of the commit that made it durable
}

type request struct {
	fns      []AppendFunc
	receipts []Receipt
	errs     []error
	pending  atomic.Int64 // items not answered yet
	done     chan struct{}
	// exclusive, when set, is run by the writer alone, between commits.
	exclusive func() error
}

// finish answers item i. The items of one request may be answered from
// several goroutines (the writer, and Badger's callbacks of the chunks in
// flight); the last one closes done.
func (r *request) finish(i int, rc Receipt, err error) {
	r.receipts[i], r.errs[i] = rc, err
	if r.pending.Add(-1) == 0 {
		close(r.done)
	}
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

// submit hands r to the writer and waits for its answer.
//
// Only one goroutine at a time holds the writer role (l.writing): the
// writer goroutine, or, when the queue is empty and no commit is running,
// the submitting goroutine itself, which then gathers whatever else is
// queued and commits like the writer would. A lone appender thus pays no
// hand-off between goroutines; concurrent appenders queue up during a
// commit and the next writer takes them all.
//
// The queue is buffered so that appenders do not wait for the writer to
// take their request; closeMu makes Close wait for sends and inline
// commits in progress, so that every queued request is answered before the
// writer stops.
func (l *Log) submit(ctx context.Context, r *request) error {
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return ErrClosed
	}
	if len(l.reqs) == 0 && l.writing.TryLock() {
		l.process(r)
		l.writing.Unlock()
		l.closeMu.RUnlock()
		<-r.done
		return nil
	}
	select {
	case l.reqs <- r:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return ctx.Err()
	}
	l.closeMu.RUnlock()
	<-r.done
	return nil
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
// progress, and returns its error. It is for maintenance that must not
// interleave with appends (rebuilding projections).
func (l *Log) Exclusive(ctx context.Context, fn func() error) error {
	var ferr error
	r := &request{done: make(chan struct{}), exclusive: func() error { ferr = fn(); return nil }}
	if err := l.submit(ctx, r); err != nil {
		return err
	}
	return ferr
}

// writer is the goroutine that appends whatever is queued. It commits as
// soon as it has work: requests that arrive during a commit form the next
// batch. When nothing has been appended for a while it stores the newest
// checkpoint.
func (l *Log) writer() {
	defer close(l.stopped)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		var first *request
		select {
		case first = <-l.reqs:
		case <-tick.C:
			// Once appends have paused, sign the head if no one asked for
			// its checkpoint yet, and store the checkpoints signed since
			// the last commit; until then each commit stores them.
			if time.Since(time.Unix(0, l.lastCommit.Load())) > 50*time.Millisecond && l.writing.TryLock() {
				l.signHead()
				if err := l.persistCheckpoints(); err != nil {
					l.opts.Logger.Error("tlog: store checkpoints", "err", err)
				}
				l.writing.Unlock()
			}
			continue
		case <-l.closing:
			select {
			case first = <-l.reqs: // answer what was queued before Close
			default:
				return
			}
		}
		l.writing.Lock()
		l.process(first)
		l.writing.Unlock()
	}
}

// process answers first and everything else queued, up to MaxBatch
// appends per commit. The caller holds the writer role.
//
// Commits are pipelined, one deep: while Badger writes and syncs one
// commit on its own goroutine, the writer prepares the next batch from
// whatever queued meanwhile, reading the rows of the commit in flight from
// memory. A commit is sent only once the one before it is durable, and
// each is answered as soon as it is. process returns when nothing is
// queued and no commit is in flight.
func (l *Log) process(first *request) {
	defer l.drainAll()
	for r := first; r != nil; {
		if r.exclusive != nil {
			l.drainAll()
			r.exclusive()
			close(r.done)
			r = l.nextRequest()
			continue
		}
		batch := []*request{r}
		n := len(r.fns)
		r = nil
		for n < l.opts.MaxBatch {
			next := l.nextRequest()
			if next == nil {
				break
			}
			if next.exclusive != nil {
				r = next // after this batch
				break
			}
			batch = append(batch, next)
			n += len(next.fns)
		}
		l.commitBatch(batch)
		if r == nil {
			r = l.nextRequest()
		}
	}
}

// nextRequest returns a queued request, or nil if none is queued.
func (l *Log) nextRequest() *request {
	select {
	case r := <-l.reqs:
		return r
	default:
		return nil
	}
}

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

// signedCheckpoint is a checkpoint signed but not yet stored.
type signedCheckpoint struct {
	size uint64
	note []byte
}

// signHead signs the checkpoint of the durable head if none was signed
// for it yet, and returns the newest signed checkpoint and its size.
// Signatures are made one at a time; the checkpoint joins the unsaved ones,
// stored with the next commit or when the writer goes idle. Ed25519
// signatures are deterministic, so a checkpoint lost by a crash before it
// was stored is signed again, with the same bytes, by Open (for the head)
// or CheckpointAt.
func (l *Log) signHead() ([]byte, uint64) {
	l.mu.RLock()
	h, cp, size := l.head, l.checkpoint, l.cpSize
	l.mu.RUnlock()
	if size == h.size {
		return cp, size
	}
	l.signMu.Lock()
	defer l.signMu.Unlock()
	l.mu.RLock()
	h, cp, size = l.head, l.checkpoint, l.cpSize
	l.mu.RUnlock()
	if size == h.size { // signed while this call waited
		return cp, size
	}
	note, err := signCheckpoint(l.signer, l.opts.Origin, h.size, h.root)
	if err != nil {
		// Unreachable with a key that loaded: the older checkpoint is
		// still valid, and Open signs the head again.
		l.opts.Logger.Error("tlog: sign checkpoint", "err", err, "size", h.size)
		return cp, size
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checkpoint, l.cpSize = note, h.size // heads only grow, and signMu orders the signatures
	l.unsaved = append(l.unsaved, signedCheckpoint{size: h.size, note: note})
	return note, h.size
}

// persistCheckpoints stores the checkpoints signed since the last commit
// in a transaction of their own. The writer calls it when it is idle, and
// Close after the writer has stopped.
func (l *Log) persistCheckpoints() error {
	l.mu.RLock()
	pending := l.unsaved
	l.mu.RUnlock()
	if len(pending) == 0 {
		return nil
	}
	err := l.db.Update(func(txn *badger.Txn) error {
		for _, u := range pending {
			if err := txn.Set(checkpointKey(u.size), u.note); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: store checkpoints: %v", ErrStorage, err)
	}
	l.mu.Lock()
	l.unsaved = l.unsaved[len(pending):]
	l.mu.Unlock()
	return nil
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
	l.opts.Logger.Error("ledger commit failed", "err", cause, "appends", len(c.items))
	for _, it := range c.items {
		if it.err != nil {
			it.req.finish(it.i, Receipt{}, it.err)
		} else {
			it.req.finish(it.i, Receipt{}, err)
		}
	}
	return err
}

// Tx is the view of the store given to an AppendFunc: reads see committed
// rows plus every row written earlier in the same commit; writes are kept
// only if the AppendFunc succeeds.
type Tx struct {
	txn    *badger.Txn
	chunk  *chunk
	cache  *rowCache         // the writer's, nil outside its chunks
	writes map[string][]byte // nil value: deleted
	order  []string
}

// Get returns a copy of key's value, or ErrNotFound. It looks in this
// append's writes, then the chunk's, then those of the chunk in flight
// when the chunk's transaction was made, then the transaction's snapshot.
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

// Set writes key = value when the append succeeds. It returns
// ErrReservedKey for keys in the ledger's own key space.
func (t *Tx) Set(key, value []byte) error {
	if len(key) == 0 || key[0] == reservedPrefix {
		return ErrReservedKey
	}
	t.put(string(key), append([]byte{}, value...))
	return nil
}

// Delete removes key when the append succeeds. It returns ErrReservedKey
// for keys in the ledger's own key space.
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
