package tlog

import (
	"context"
	"fmt"
	"math/bits"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/transparency-dev/merkle/compact"
)

// benchEntry is a ~300-byte entry, the size of a typical mobility entry.
func benchEntry(index uint64, at time.Time) []byte {
	return fmt.Appendf(nil, `{"index":%d,"type":"crossing.recorded","recorded_at":%q,"actor":{"sub":"officer-17","role":"border","org":"CR-PB"},"worker_id":"wkr_01JD2X8Y3ZK7Q5M9N4P6R8T0VW","data":{"direction":"entry","occurred_at":"2026-01-14T08:12:00Z","post":"CR-PB"},"pad":"%s"}`,
		index, at.Format(time.RFC3339Nano), strings.Repeat("x", 40))
}

// BenchmarkAppend measures durable appends (each acknowledged after its
// synced commit) from a number of concurrent appenders.
func BenchmarkAppend(b *testing.B) {
	for _, appenders := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			l, err := Open(b.TempDir(), Options{Origin: testOrigin})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			var batches, entries atomic.Int64
			l.opts.OnCommit = func(s CommitStats) { batches.Add(1); entries.Add(int64(s.Entries)) }
			fn := func(_ *Tx, index uint64, at time.Time) ([]byte, error) { return benchEntry(index, at), nil }
			var next atomic.Int64
			b.SetBytes(int64(len(benchEntry(0, time.Now()))))
			b.ResetTimer()
			var wg sync.WaitGroup
			for range appenders {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if _, err := l.Append(context.Background(), fn); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			if n := batches.Load(); n > 0 {
				b.ReportMetric(float64(entries.Load())/float64(n), "entries/commit")
			}
		})
	}
}

// BenchmarkRawBadger is the baseline: the same bytes written straight into
// Badger (synced writes, same options as the ledger) from one goroutine in
// transactions of the given size, one key per entry and nothing else.
func BenchmarkRawBadger(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := openRawBadger(b)
			now := time.Now()
			b.SetBytes(int64(len(benchEntry(0, now))))
			b.ResetTimer()
			for i := 0; i < b.N; {
				txn := db.NewTransaction(true)
				for j := 0; j < batch && i < b.N; j, i = j+1, i+1 {
					if err := txn.Set(entryKey(uint64(i)), benchEntry(uint64(i), now)); err != nil {
						b.Fatal(err)
					}
				}
				if err := txn.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkLoneAppender compares one appender, waiting for each append in
// turn, with raw Badger doing the same from one goroutine, one synced
// transaction per entry. The disk's fsync time drifts by more than the
// difference being measured, so the arms take turns in blocks of 50
// writes within one run, on three stores of the same options:
//
//   - ledger: Log.Append of the entry;
//   - raw: the entry alone, in a transaction of its own;
//   - raw-rows: the rows the ledger writes per append (the entry with its
//     leaf hash, the tree head, and an interior node for every third
//     entry, with placeholder hashes), without the ledger's work.
//
// ledger-%-of-raw is raw's time over the ledger's: 100 or more means the
// ledger is no slower.
func BenchmarkLoneAppender(b *testing.B) {
	l, err := Open(b.TempDir(), Options{Origin: testOrigin})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	raw, rows := openRawBadger(b), openRawBadger(b)
	fn := func(_ *Tx, index uint64, at time.Time) ([]byte, error) { return benchEntry(index, at), nil }
	placeholder := make([]byte, 32)
	arms := []func(i uint64) error{
		func(uint64) error {
			_, err := l.Append(context.Background(), fn)
			return err
		},
		func(i uint64) error {
			txn := raw.NewTransaction(true)
			defer txn.Discard()
			if err := txn.Set(entryKey(i), benchEntry(i, time.Now())); err != nil {
				return err
			}
			return txn.Commit()
		},
		func(i uint64) error {
			txn := rows.NewTransaction(true)
			defer txn.Discard()
			if err := txn.Set(entryKey(i), entryValue(placeholder, benchEntry(i, time.Now()))); err != nil {
				return err
			}
			// The interior nodes appending leaf i completes, at even levels.
			for level := uint(2); level <= uint(bits.TrailingZeros64(^i)); level += 2 {
				if err := txn.Set(nodeKey(compact.NewNodeID(level, i>>level)), placeholder); err != nil {
					return err
				}
			}
			h := head{size: i + 1, recordedAt: time.Now().UnixNano(), root: placeholder}
			if err := txn.Set(headKey, h.marshal()); err != nil {
				return err
			}
			return txn.Commit()
		},
	}
	spent := make([]time.Duration, len(arms))
	const block = 50
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		for a, arm := range arms {
			start := time.Now()
			for j := range n {
				if err := arm(uint64(i + j)); err != nil {
					b.Fatal(err)
				}
			}
			spent[a] += time.Since(start)
		}
	}
	b.StopTimer()
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / 1e3 }
	b.ReportMetric(perOp(spent[0]), "ledger-µs/op")
	b.ReportMetric(perOp(spent[1]), "raw-µs/op")
	b.ReportMetric(perOp(spent[2]), "raw-rows-µs/op")
	b.ReportMetric(100*float64(spent[1])/float64(spent[0]), "ledger-%-of-raw")
}

// openRawBadger opens a Badger store with the ledger's options.
func openRawBadger(b *testing.B) *badger.DB {
	opts := Options{}.withDefaults()
	db, err := badger.Open(opts.badgerOptions(filepath.Join(b.TempDir(), "badger")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkInclusionProof measures one proof on a log of 100,000 entries
// (scripts/bench-ledger.sh measures p99 on 10,000,000).
func BenchmarkInclusionProof(b *testing.B) {
	l, err := Open(b.TempDir(), Options{Origin: testOrigin})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const size = 100_000
	fns := make([]AppendFunc, 1000)
	for i := range fns {
		fns[i] = func(_ *Tx, index uint64, at time.Time) ([]byte, error) { return benchEntry(index, at), nil }
	}
	for l.Size() < size {
		if _, _, err := l.AppendBatch(context.Background(), fns); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := l.InclusionProof(uint64(i*7919)%size, size); err != nil {
			b.Fatal(err)
		}
	}
}
