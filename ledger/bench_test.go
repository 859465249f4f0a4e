package ledger

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecordCrossings measures the domain's cost of a batch of 1,000
// crossings (POST /v1/crossings/batch without HTTP), spread over workers
// that already have a few seasons of crossings, in entries a second.
func BenchmarkRecordCrossings(b *testing.B) {
	e := newEnv(b)
	const workers, history = 2000, 8
	ids := make([]string, workers)
	for i := range ids {
		ids[i] = e.worker(border, workerReq("Ana", "Pérez", "1990-02-03", fmt.Sprintf("C%07d", i)))
	}
	at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	dirs := []string{"entry", "exit"}
	batch := func(n, round int) BatchRequest {
		req := BatchRequest{Crossings: make([]CrossingRequest, n)}
		for j := range req.Crossings {
			k := round*n + j
			req.Crossings[j] = CrossingRequest{
				WorkerID:   ids[k%workers],
				Direction:  dirs[(k/workers)%2],
				OccurredAt: at.Add(time.Duration(k) * time.Minute).Format(time.RFC3339),
				Post:       "CR-PB",
				ClientRef:  fmt.Sprintf("ref-%d", k),
			}
		}
		return req
	}
	for r := range workers * history / MaxBatch {
		if _, err := e.svc.RecordCrossings(e.ctx, border, batch(MaxBatch, r)); err != nil {
			b.Fatal(err)
		}
	}
	start := workers * history / MaxBatch
	b.ResetTimer()
	for i := range b.N {
		res, err := e.svc.RecordCrossings(e.ctx, border, batch(MaxBatch, start+i))
		if err != nil {
			b.Fatal(err)
		}
		if res.Results[0].Status != StatusCreated {
			b.Fatalf("status %s: %v", res.Results[0].Status, res.Results[0].Err)
		}
	}
	b.ReportMetric(float64(b.N*MaxBatch)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkRecordCrossing measures one crossing at a time from one caller
// (each durable before the next), the domain's share of a sequential
// client's POST /v1/crossings.
func BenchmarkRecordCrossing(b *testing.B) {
	e := newEnv(b)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = e.worker(border, workerReq("Ana", "Pérez", "1990-02-03", fmt.Sprintf("C%07d", i)))
	}
	at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := range b.N {
		_, err := e.svc.RecordCrossing(e.ctx, border, CrossingRequest{
			WorkerID: ids[i%len(ids)], Direction: []string{"entry", "exit"}[(i/len(ids))%2],
			OccurredAt: at.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), Post: "CR-PB"})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
