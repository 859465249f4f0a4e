package report

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/demo"
)

// BenchmarkReport is the short version of scripts/bench-report.sh: 10,000
// seeded workers (about 100,000 entries, three seasons), an annual report
// ungrouped and grouped by two dimensions, against a full scan of the log
// (every entry read and decoded), the least a report that replays the
// log would cost.
//
//	go test -run '^$' -bench BenchmarkReport -benchtime 20x ./ledger/report
func BenchmarkReport(b *testing.B) {
	e := newEnv(b)
	st, err := demo.Bulk(e.ctx, e.svc, demo.BulkOptions{Workers: 10_000, Rand: rand.New(rand.NewPCG(1, 2)), Concurrency: 128, Now: e.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	year := st.Seasons[len(st.Seasons)-1]
	req := Request{From: dateOf(year, 1, 1), To: dateOf(year, 12, 31), MinCell: DefaultMinCell}
	b.Logf("%d workers, %d entries; annual report of %d", st.Workers, e.log.Size(), year)
	for _, g := range []struct {
		name string
		dims []string
	}{
		{"ungrouped", nil},
		{"by=nationality,sex", []string{DimNationality, DimSex}},
		{"by=employer,month", []string{DimEmployer, DimMonth}},
	} {
		b.Run(g.name, func(b *testing.B) {
			req := req
			req.GroupBy = g.dims
			for b.Loop() {
				r, err := e.engine.Compute(e.ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if err := Write(io.Discard, r, FormatJSON); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Workers)*float64(b.N)/b.Elapsed().Seconds(), "workers/s")
		})
	}
	b.Run("logscan", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for start := uint64(0); start < e.log.Size(); {
				entries, err := e.log.Entries(start, 1000)
				if err != nil || len(entries) == 0 {
					b.Fatal(err)
				}
				for _, en := range entries {
					if _, err := ledger.DecodeEntry(en); err != nil {
						b.Fatal(err)
					}
					n++
				}
				start += uint64(len(entries))
			}
		}
		b.ReportMetric(float64(e.log.Size())*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

func dateOf(y, m, d int) string { return days(y, m, d).String() }
