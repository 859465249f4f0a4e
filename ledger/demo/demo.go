package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
)

// ErrNotEmpty is returned by Seed when the service already holds an
// employer or a worker.
var ErrNotEmpty = errors.New("demo: the log is not empty")

// Employer is one demo employer as registered.
type Employer struct {
	ID        string
	LegalName string
	TaxID     string
	Crop      string // coffee, banana, pineapple, sugar cane, oil palm
	Sector    string // ISIC Rev.4 class
	Region    string // ISO 3166-2 province
	Place     string
	Workers   int // distinct workers it placed
}

// Examples are one worker id of each kind the demo tells a story about;
// an id is empty when the current date left no such worker yet.
type Examples struct {
	Returning   string // placed in several seasons, by the same employer
	Transferred string // changed employer mid-season
	Overstay    string // still in the country, no valid permit
	LateExit    string // left weeks after the permit ended
	Minor       string // placed at 17
	Refused     string // refused entry at the border
	Erased      string // personal data erased
}

// Summary describes the seeded data set.
type Summary struct {
	Seasons []int  // the calendar years seeded
	From    string // first day of the first season (YYYY-MM-DD)
	To      string // the seeding date: nothing on or after it was recorded

	Employers []Employer

	Workers             int // registered
	Permits             int
	EntryCrossings      int
	ExitCrossings       int
	RefusedEntries      int
	Placements          int // started
	PlacementsEnded     int
	Transfers           int // placements ended "transferred"
	Returning           int // workers placed in more than one season
	SameEmployerReturns int // of those, placed again by an employer of an earlier season
	Overstays           int
	LateExits           int
	Minors              int
	Erased              int
	LogEntries          int // entries appended
	Examples            Examples
}

// Actors of the demo.
var (
	labourMinistry = ledger.Actor{Sub: "registro.patronal", Role: ledger.RoleMinistry, Org: "MTSS"}
	migration      = ledger.Actor{Sub: "permisos.trabajo", Role: ledger.RoleMinistry, Org: "DGME"}
	dataProtection = ledger.Actor{Sub: "proteccion.datos", Role: ledger.RoleMinistry, Org: "MTSS"}
)

func borderOfficer(post, n int) ledger.Actor {
	slug := strings.ToLower(strings.TrimPrefix(Posts[post].Code, "CR-"))
	return ledger.Actor{Sub: fmt.Sprintf("oficial.%s.%02d", slug, 1+n%7), Role: ledger.RoleBorder, Org: Posts[post].Code}
}

func employerActor(id string) ledger.Actor {
	return ledger.Actor{Sub: "rrhh.planillas", Role: ledger.RoleEmployer, Org: id}
}

// concurrency is how many workers are recorded at once; their appends
// share the ledger's commits.
const concurrency = 24

// Seed fills an empty log, through svc, with the demo data set drawn from
// rnd, as of now: the two previous calendar years of now and the current
// one up to the day before now. svc's clock must not be behind now, and its
// host country must be Costa Rica (CRI) or unset.
//
// It returns ErrNotEmpty, appending nothing, if svc already holds an
// employer or a worker; otherwise the first refusal or storage error of
// the service, wrapped with what was being recorded, in which case part of
// the data set has been appended; or the context's error.
func Seed(ctx context.Context, svc *ledger.Service, now time.Time, rnd *rand.Rand) (Summary, error) {
	if err := checkEmpty(ctx, svc); err != nil {
		return Summary{}, err
	}
	p := makePlan(now, rnd)
	s := &seeder{svc: svc, plan: p, today: day(now.UTC())}
	if err := s.registerEmployers(ctx); err != nil {
		return Summary{}, err
	}
	results := make([]workerResult, len(p.workers))
	if err := s.recordWorkers(ctx, results); err != nil {
		return Summary{}, err
	}
	return s.summarize(results), nil
}

func checkEmpty(ctx context.Context, svc *ledger.Service) error {
	page, err := svc.ListEmployers(ctx, labourMinistry, ledger.ListRequest{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: list employers: %w", err)
	}
	if len(page.Employers) > 0 {
		return ErrNotEmpty
	}
	errFound := errors.New("found")
	err = svc.ScanWorkerSummaries(ctx, func(*ledger.WorkerSummary) error { return errFound })
	if errors.Is(err, errFound) {
		return ErrNotEmpty
	}
	if err != nil {
		return fmt.Errorf("demo: scan workers: %w", err)
	}
	return nil
}

// seeder records the demo plan through the service: the state of one
// Seed call.
type seeder struct {
	svc         *ledger.Service
	plan        *plan
	today       string
	employerIDs []string
	appended    int
}

func (s *seeder) registerEmployers(ctx context.Context) error {
	for i, e := range employerSpecs {
		res, err := s.svc.RegisterEmployer(ctx, labourMinistry, ledger.EmployerRequest{
			LegalName: e.name, TaxID: s.plan.taxIDs[i], Country: "CRI", Sector: e.crop.sector, Region: e.region,
		})
		if err != nil {
			return fmt.Errorf("demo: register employer %q: %w", e.name, err)
		}
		s.employerIDs = append(s.employerIDs, res.EmployerID)
		s.appended++
	}
	return nil
}

// recordWorkers records every worker's plan, several workers at a time;
// each worker's own events are recorded in order. It stops at the first
// error.
func (s *seeder) recordWorkers(ctx context.Context, results []workerResult) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				if err := s.recordWorker(ctx, i, &results[i]); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range s.plan.workers {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// workerResult is what was recorded of one worker's plan.
type workerResult struct {
	id                                                                      string
	permits, entries, exits, refused, placements, ended, transfers, appends int
	employers                                                               map[int][]int // season year → employers placed
	overstay, lateExit, minor, erased                                       bool
}

// recordWorker records what of worker i's plan happened before today.
func (s *seeder) recordWorker(ctx context.Context, i int, res *workerResult) error {
	w := s.plan.workers[i]
	if w.regDate >= s.today {
		return nil
	}
	registrar := borderOfficer(max(w.regByPost, 0), i)
	if w.regByEmp >= 0 {
		registrar = employerActor(s.employerIDs[w.regByEmp])
	}
	reg, err := s.svc.RegisterWorker(ctx, registrar, w.req)
	if err != nil {
		return planError(i, "register", err)
	}
	if reg.Existing {
		return planError(i, "register", errors.New("document already registered"))
	}
	res.id, res.appends, res.employers = reg.WorkerID, 1, map[int][]int{}
	for _, sp := range w.seasons {
		begun, err := s.recordSeason(ctx, i, w, &sp, res)
		if err != nil {
			return err
		}
		if !begun {
			break
		}
	}
	if w.kind == kindErased {
		if _, err := s.svc.EraseWorker(ctx, dataProtection, res.id, ledger.ReasonRequest{
			Reason: "request of the data subject under Ley 8968 (protection of personal data); no permit or placement active",
		}); err != nil {
			return planError(i, "erase", err)
		}
		res.erased = true
		res.appends++
	}
	return nil
}

// planError wraps an error of the service while recording worker i's
// plan, saying what was being recorded.
func planError(i int, what string, err error) error {
	return fmt.Errorf("demo: worker %d of the plan: %s: %w", i, what, err)
}

// recordSeason records what of season sp of worker i (plan w) happened
// before today: its permit, its entry (or refused entry), its placements
// and its exit. It returns false if the season had not begun by today,
// and so neither had the worker's later seasons.
func (s *seeder) recordSeason(ctx context.Context, i int, w *workerPlan, sp *seasonPlan, res *workerResult) (bool, error) {
	if sp.permit != nil {
		if sp.permit.issued >= s.today {
			return false, nil
		}
		issuer := migration
		if sp.permit.byPost >= 0 {
			issuer = borderOfficer(sp.permit.byPost, i)
		}
		if _, err := s.svc.IssuePermit(ctx, issuer, ledger.PermitRequest{WorkerID: res.id, Type: sp.permit.typ, ValidFrom: sp.permit.from, ValidTo: sp.permit.to}); err != nil {
			return false, planError(i, "issue permit", err)
		}
		res.permits++
		res.appends++
	}
	if day(sp.entry) >= s.today {
		return false, nil
	}
	officer := borderOfficer(sp.post, i)
	if sp.refused != "" {
		if _, err := s.svc.RecordCrossing(ctx, officer, ledger.CrossingRequest{
			WorkerID: res.id, Direction: "refused", OccurredAt: sp.entry.Format(time.RFC3339), Post: Posts[sp.post].Code, Reason: sp.refused,
		}); err != nil {
			return false, planError(i, "record refused entry", err)
		}
		res.refused++
		res.appends++
		return true, nil
	}
	if err := s.crossing(ctx, officer, res, "entry", sp.entry, sp.post); err != nil {
		return false, planError(i, "record entry", err)
	}
	res.entries++
	if w.kind == kindOverstay {
		res.overstay = true
	}
	done, err := s.recordStints(ctx, i, w, sp, res)
	if err != nil {
		return false, err
	}
	if done && sp.exit != nil && day(*sp.exit) < s.today {
		if err := s.crossing(ctx, officer, res, "exit", *sp.exit, sp.post); err != nil {
			return false, planError(i, "record exit", err)
		}
		res.exits++
		if w.kind == kindLateExit {
			res.lateExit = true
		}
	}
	return true, nil
}

// recordStints starts and ends the placements of season sp of worker i
// that happened before today, and reports whether all of them did.
func (s *seeder) recordStints(ctx context.Context, i int, w *workerPlan, sp *seasonPlan, res *workerResult) (bool, error) {
	for _, st := range sp.stints {
		if st.start >= s.today {
			return false, nil
		}
		emp := employerActor(s.employerIDs[st.employer])
		pl, err := s.svc.StartPlacement(ctx, emp, ledger.PlacementRequest{
			WorkerID: res.id, StartDate: st.start, ExpectedEndDate: st.expectedEnd,
			Occupation: st.occupation, Sector: employerSpecs[st.employer].crop.sector, Region: employerSpecs[st.employer].region,
		})
		if err != nil {
			return false, planError(i, "start placement", err)
		}
		res.placements++
		res.appends++
		res.employers[sp.year] = append(res.employers[sp.year], st.employer)
		switch {
		case w.kind == kindMinor && slices.Equal(pl.Warnings, []string{ledger.FindingMinorInPlacement}):
			res.minor = true
		case len(pl.Warnings) > 0:
			return false, planError(i, "start placement", fmt.Errorf("unexpected warnings %v", pl.Warnings))
		}
		if st.end >= s.today {
			return false, nil
		}
		if _, err := s.svc.EndPlacement(ctx, emp, pl.PlacementID, ledger.EndPlacementRequest{EndDate: st.end, Reason: st.reason}); err != nil {
			return false, planError(i, "end placement", err)
		}
		res.ended++
		res.appends++
		if st.reason == "transferred" {
			res.transfers++
		}
	}
	return true, nil
}

func (s *seeder) crossing(ctx context.Context, officer ledger.Actor, res *workerResult, dir string, t time.Time, post int) error {
	c, err := s.svc.RecordCrossing(ctx, officer, ledger.CrossingRequest{
		WorkerID: res.id, Direction: dir, OccurredAt: t.Format(time.RFC3339), Post: Posts[post].Code,
	})
	if err != nil {
		return err
	}
	if len(c.Warnings) > 0 {
		return fmt.Errorf("unexpected warnings %v", c.Warnings)
	}
	res.appends++
	return nil
}

// summarize adds up the results, in plan order.
func (s *seeder) summarize(results []workerResult) Summary {
	sum := Summary{Seasons: s.plan.years, From: fmt.Sprintf("%04d-01-01", s.plan.years[0]), To: s.today, LogEntries: s.appended}
	placed := make([]map[string]bool, len(employerSpecs))
	for i := range placed {
		placed[i] = map[string]bool{}
	}
	ex := &sum.Examples
	bestReturn := 0
	for i, r := range results {
		if r.id == "" {
			continue
		}
		w := s.plan.workers[i]
		sum.Workers++
		sum.Permits += r.permits
		sum.EntryCrossings += r.entries
		sum.ExitCrossings += r.exits
		sum.RefusedEntries += r.refused
		sum.Placements += r.placements
		sum.PlacementsEnded += r.ended
		sum.Transfers += r.transfers
		sum.LogEntries += r.appends
		for _, es := range r.employers {
			for _, e := range es {
				placed[e][r.id] = true
			}
		}
		if len(r.employers) > 1 {
			sum.Returning++
			same, seasons := sameEmployerReturn(r.employers)
			if same {
				sum.SameEmployerReturns++
				if w.kind == kindRegular && r.transfers == 0 && seasons > bestReturn {
					ex.Returning, bestReturn = r.id, seasons
				}
			}
		}
		if r.transfers > 0 && w.kind == kindRegular && ex.Transferred == "" {
			ex.Transferred = r.id
		}
		count := func(ok bool, n *int, id *string) {
			if ok {
				*n++
				if *id == "" {
					*id = r.id
				}
			}
		}
		count(r.overstay, &sum.Overstays, &ex.Overstay)
		count(r.lateExit, &sum.LateExits, &ex.LateExit)
		count(r.minor, &sum.Minors, &ex.Minor)
		count(r.erased, &sum.Erased, &ex.Erased)
		if r.refused > 0 && ex.Refused == "" {
			ex.Refused = r.id
		}
	}
	for i, e := range employerSpecs {
		sum.Employers = append(sum.Employers, Employer{
			ID: s.employerIDs[i], LegalName: e.name, TaxID: s.plan.taxIDs[i], Crop: e.crop.name,
			Sector: e.crop.sector, Region: e.region, Place: e.place, Workers: len(placed[i]),
		})
	}
	return sum
}

// sameEmployerReturn reports whether a worker was placed in some season by
// an employer of an earlier season, and in how many seasons it was placed
// by the employer of its first season.
func sameEmployerReturn(bySeason map[int][]int) (bool, int) {
	years := make([]int, 0, len(bySeason))
	for y := range bySeason {
		years = append(years, y)
	}
	slices.Sort(years)
	same := false
	seen := map[int]bool{}
	first, n := bySeason[years[0]][0], 0
	for _, y := range years {
		for _, e := range bySeason[y] {
			if seen[e] {
				same = true
			}
		}
		if slices.Contains(bySeason[y], first) {
			n++
		}
		for _, e := range bySeason[y] {
			seen[e] = true
		}
	}
	return same, n
}
