package tlog

import (
	"context"
	"sync/atomic"
	"time"
)

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
