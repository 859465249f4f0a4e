package demo

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/codes"
)

// BulkOptions configures Bulk. The zero value appends 1,000 workers over
// three seasons.
type BulkOptions struct {
	// Workers is the number of workers to register. Default 1,000.
	Workers int
	// Seasons is the number of seasons of activity. Default 3. About 10
	// entries per worker are appended with three seasons.
	Seasons int
	// FirstSeason is the year the first season starts in. Default: the
	// latest year whose seasons (some run into the next year's first
	// months) are all over by Now, minus Seasons-1.
	FirstSeason int
	// Employers is the number of employers. Default Workers/200, at
	// least 3.
	Employers int
	// Country is the host country (ISO 3166-1 alpha-3) whose regions the
	// employers and placements are in; it must be the service's
	// Config.Country when that is set. Default "CRI".
	Country string
	// Rand draws everything. Default: a PCG seeded with (1, 2).
	Rand *rand.Rand
	// Concurrency is the number of workers appended at once. Default 128.
	Concurrency int
	// Now must be the service's clock (crossings may not be in its
	// future). Default time.Now.
	Now func() time.Time
	// Progress, when set, is called now and then (about every 0.1%, and
	// at the end) with the number of workers done and the total. Calls are
	// serialised.
	Progress func(done, total int)
}

// BulkStats counts what Bulk appended.
type BulkStats struct {
	Employers  int
	Workers    int
	Permits    int
	Crossings  int // entries, exits and refused entries
	Placements int // placements started
	Ended      int // placements ended
	Transfers  int
	Overstays  int // workers who never left after their last season
	Erased     int
	Seasons    []int // the years of the seasons
}

// Entries returns the number of log entries Bulk appended.
func (s BulkStats) Entries() int {
	return s.Employers + s.Workers + s.Permits + s.Crossings + s.Placements + s.Ended + s.Erased
}

func (s *BulkStats) add(o *BulkStats) {
	s.Workers += o.Workers
	s.Permits += o.Permits
	s.Crossings += o.Crossings
	s.Placements += o.Placements
	s.Ended += o.Ended
	s.Transfers += o.Transfers
	s.Overstays += o.Overstays
	s.Erased += o.Erased
}

var (
	ministry = ledger.Actor{Sub: "seed", Role: ledger.RoleMinistry, Org: "SEED-MINISTRY"}
	borders  = []ledger.Actor{
		{Sub: "seed-officer-1", Role: ledger.RoleBorder, Org: "POST-NORTH"},
		{Sub: "seed-officer-2", Role: ledger.RoleBorder, Org: "POST-SOUTH"},
		{Sub: "seed-officer-3", Role: ledger.RoleBorder, Org: "POST-AIRPORT"},
	}
)

// kind is a kind of seasonal work: its sector, occupations and season.
type kind struct {
	sector      string
	occupations []string
	startMonth  time.Month // month the season starts in
	months      int        // typical length
	weight      int
}

var kinds = []kind{
	{"0127", []string{"9211", "6111"}, time.October, 5, 30},  // coffee harvest: October to February
	{"0122", []string{"9211", "8341"}, time.March, 8, 20},    // bananas and pineapples
	{"0113", []string{"9211", "9214"}, time.February, 6, 15}, // vegetables
	{"0114", []string{"9211", "8341"}, time.January, 5, 10},  // sugar cane
	{"4100", []string{"9313", "9312"}, time.March, 7, 10},    // building construction
	{"5510", []string{"9412", "5131"}, time.December, 4, 10}, // tourist season
	{"0141", []string{"9212", "9213"}, time.April, 6, 5},     // cattle
}

// nationalities of the workers, with weights.
var nationalities = []struct {
	code   string
	weight int
}{{"NIC", 60}, {"PAN", 12}, {"HND", 10}, {"SLV", 8}, {"GTM", 6}, {"COL", 3}, {"VEN", 1}}

type employer struct {
	actor  ledger.Actor
	kind   *kind
	region string
}

// Bulk appends the synthetic data set through svc and returns what it
// appended. It stops at the first error the service returns (a refusal
// would mean a bug in the generator), or when ctx is done, and returns
// that error with what it appended so far.
func Bulk(ctx context.Context, svc *ledger.Service, opts BulkOptions) (BulkStats, error) {
	opts.setDefaults()
	now := opts.Now().UTC()
	if opts.FirstSeason == 0 {
		opts.FirstSeason = lastSeasonOver(now) - opts.Seasons + 1
	}
	var regions []string
	for _, s := range codes.SubdivisionsOf(opts.Country) {
		regions = append(regions, s.Code)
	}
	if len(regions) == 0 {
		return BulkStats{}, fmt.Errorf("bulk: country %q has no subdivisions", opts.Country)
	}
	stats := BulkStats{}
	for s := range opts.Seasons {
		stats.Seasons = append(stats.Seasons, opts.FirstSeason+s)
	}

	// A random tag keeps the documents and tax ids of two runs on one
	// ledger apart (without drawing from opts.Rand, so the data stay the
	// same).
	var tag [3]byte
	if _, err := crand.Read(tag[:]); err != nil {
		return BulkStats{}, fmt.Errorf("bulk: %w", err)
	}
	run := fmt.Sprintf("%X", tag)
	emps, err := registerEmployers(ctx, svc, &opts, regions, run)
	stats.Employers = len(emps)
	if err != nil {
		return stats, err
	}
	err = appendWorkers(ctx, svc, &opts, emps, run, now, &stats)
	return stats, err
}

// setDefaults fills in the zero fields of o but FirstSeason, which
// depends on the clock.
func (o *BulkOptions) setDefaults() {
	if o.Workers <= 0 {
		o.Workers = 1000
	}
	if o.Seasons <= 0 {
		o.Seasons = 3
	}
	if o.Employers <= 0 {
		o.Employers = max(3, o.Workers/200)
	}
	if o.Country == "" {
		o.Country = "CRI"
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 128
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// lastSeasonOver returns the latest year whose seasons are all over by
// now: the seasons of year Y are over by September of Y+1, late exits
// after renewed permits included.
func lastSeasonOver(now time.Time) int {
	last := now.Year() - 1
	if now.Before(time.Date(now.Year(), time.September, 1, 0, 0, 0, 0, time.UTC)) {
		last--
	}
	return last
}

// appendWorkers draws and appends opts.Workers workers' lives,
// opts.Concurrency at a time, each from its own random stream drawn in
// order from opts.Rand, and adds what they appended to stats. It returns
// the first error, or the context's.
func appendWorkers(ctx context.Context, svc *ledger.Service, opts *BulkOptions, emps []employer, run string, now time.Time, stats *BulkStats) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan job, opts.Concurrency)
	var (
		mu       sync.Mutex
		done     atomic.Int64
		wg       sync.WaitGroup
		reported int64
	)
	step := int64(max(1, opts.Workers/1000))
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local BulkStats
			for j := range jobs {
				g := &gen{svc: svc, opts: opts, emps: emps, rnd: rand.New(rand.NewPCG(j.streamSeed, uint64(j.n))), stats: &local, run: run, n: j.n, now: now}
				if err := g.worker(ctx); err != nil {
					cancel(err)
					break
				}
				if n := done.Add(1); opts.Progress != nil && (n%step == 0 || n == int64(opts.Workers)) {
					mu.Lock()
					if n > reported {
						reported = n
						opts.Progress(int(n), opts.Workers)
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			stats.add(&local)
			mu.Unlock()
		}()
	}
	for n := range opts.Workers {
		select {
		case jobs <- job{n: n, streamSeed: opts.Rand.Uint64()}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	return nil
}

// registerEmployers registers opts.Employers employers, drawn in order
// from opts.Rand, opts.Concurrency at a time.
func registerEmployers(ctx context.Context, svc *ledger.Service, opts *BulkOptions, regions []string, run string) ([]employer, error) {
	totalWeight := 0
	for _, k := range kinds {
		totalWeight += k.weight
	}
	emps := make([]employer, opts.Employers)
	for i := range emps {
		emps[i] = employer{kind: pickKind(opts.Rand, totalWeight), region: regions[opts.Rand.IntN(len(regions))]}
	}
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		errMu sync.Mutex
		first error
	)
	for range min(opts.Concurrency, len(emps)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(emps) || ctx.Err() != nil {
					return
				}
				e := &emps[i]
				r, err := svc.RegisterEmployer(ctx, ministry, ledger.EmployerRequest{
					LegalName: fmt.Sprintf("Finca %s %d", run, i), TaxID: fmt.Sprintf("SEED%s%07d", run, i),
					Country: opts.Country, Sector: e.kind.sector, Region: e.region})
				if err != nil {
					errMu.Lock()
					if first == nil {
						first = fmt.Errorf("bulk: register employer: %w", err)
					}
					errMu.Unlock()
					return
				}
				e.actor = ledger.Actor{Sub: "hr", Role: ledger.RoleEmployer, Org: r.EmployerID}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return nil, first
	}
	return emps, nil
}

// job is one worker to draw: its number, and the seed of its random
// stream.
type job struct {
	n          int
	streamSeed uint64
}

func pickKind(rnd *rand.Rand, total int) *kind {
	x := rnd.IntN(total)
	for i := range kinds {
		if x < kinds[i].weight {
			return &kinds[i]
		}
		x -= kinds[i].weight
	}
	return &kinds[0]
}
