package api

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// BenchmarkDecodeStrictBatch decodes the body of a batch of 1,000
// crossings with every strict check (POST /v1/crossings/batch).
func BenchmarkDecodeStrictBatch(b *testing.B) {
	var body bytes.Buffer
	body.WriteString(`{"crossings":[`)
	for i := range 1000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"worker_id":"wkr_01JD2X8Y3ZK7Q5M9N4P6R8T0VW","direction":"entry","occurred_at":"2026-01-14T08:12:00Z","post":"PASO-CANOAS","client_ref":"ref-%d"}`, i)
	}
	body.WriteString(`]}`)
	b.SetBytes(int64(body.Len()))
	for b.Loop() {
		var req ledger.BatchRequest
		if err := decodeStrict(body.Bytes(), &req); err != nil {
			b.Fatal(err)
		}
	}
}
