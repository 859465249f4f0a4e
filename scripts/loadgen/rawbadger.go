package main

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// rawBadger is a plain Badger store opened in this process with the
// ledger's Badger options (tlog.BadgerOptions: synced writes, checksums,
// no conflict detection, the ledger's default memory): the reference for batched
// ingestion, writing the same number of bytes a batch of crossings
// appends (one ~450-byte key per entry, 1,000 in one transaction) and
// nothing else: no Merkle tree, no projections, no HTTP.
type rawBadger struct {
	db   *badger.DB
	next atomic.Uint64
	pad  string
}

func openRawBadger(dir string) (*rawBadger, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	opts := tlog.BadgerOptions(dir, tlog.Options{})
	db, err := badger.Open(opts)
	if err != nil {
		return nil, err
	}
	return &rawBadger{db: db, pad: strings.Repeat("x", 300)}, nil
}

func (r *rawBadger) close() error { return r.db.Close() }

// measureBatches writes transactions of 1,000 entries from clients
// goroutines for d; the rate is in entries.
func (r *rawBadger) measureBatches(clients int, d time.Duration) result {
	c0 := selfCPU()
	res := runLoad("raw Badger, 1,000 keys a synced transaction (reference, no HTTP)", clients, d, func(g, i int) (int, error) {
		err := r.db.Update(func(txn *badger.Txn) error {
			for range 1000 {
				n := r.next.Add(1)
				k := fmt.Appendf(nil, "!e%016x", n)
				v := fmt.Appendf(nil, `{"index":%d,"type":"crossing.recorded","recorded_at":%q,"g":%d,"pad":%q}`, n, time.Now().UTC().Format(time.RFC3339Nano), g, r.pad)
				if err := txn.Set(k, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		return 1000, nil
	})
	res.serverCPU = selfCPU() - c0
	return res
}
