package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// refLedger is a ledger opened in this process, appended to straight (no
// HTTP, no domain) with ~300-byte entries: what the disk and the ledger
// allow on this machine at this moment, the reference for the HTTP
// appends measured in the same rounds. The server is idle meanwhile.
type refLedger struct {
	l   *tlog.Log
	pad string
}

// openRefLedger opens a new reference ledger in dir (removing what dir
// held).
func openRefLedger(dir string) (*refLedger, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	l, err := tlog.Open(dir, tlog.Options{Origin: "loadgen.trazo.local/log"})
	if err != nil {
		return nil, err
	}
	return &refLedger{l: l, pad: strings.Repeat("x", 240)}, nil
}

func (r *refLedger) close() error { return r.l.Close() }

// measure appends from clients goroutines for d. The CPU time it reports
// as the server's is this process's.
func (r *refLedger) measure(clients int, d time.Duration) result {
	c0 := selfCPU()
	res := runLoad("tlog.Append in process (reference, no HTTP)", clients, d, func(g, i int) (int, error) {
		leaf := fmt.Appendf(nil, `{"g":%d,"i":%d,"t":%d,"pad":%q}`, g, i, time.Now().UnixNano(), r.pad)
		if _, err := r.l.Append(context.Background(), func(*tlog.Tx, uint64, time.Time) ([]byte, error) { return leaf, nil }); err != nil {
			return 0, err
		}
		return 1, nil
	})
	res.serverCPU = selfCPU() - c0
	return res
}
