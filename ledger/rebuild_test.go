package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sim is one goroutine of the random scenario: its own workers, shared
// employers, random but mostly sensible requests. Refusals are expected
// (that is part of what is exercised); only unexpected errors fail.
type sim struct {
	e         *env
	rnd       *rand.Rand
	employers []Actor
	post      Actor
	g         int

	workers    []string
	docs       []string
	permits    []string
	placements []simPlacement
	crossings  []uint64 // indexes of own crossings (correctable by post)
	refs       []string
	nextDoc    int
	registered map[string]uint64 // worker → index of its registration
}

type simPlacement struct {
	id    string
	index uint64
	emp   Actor
}

func (s *sim) pick(n int) int { return s.rnd.IntN(n) }

func (s *sim) today() time.Time { return s.e.clock.Now() }

// date returns a date around today, from back days before to ahead after.
func (s *sim) date(back, ahead int) string {
	return dateOf(s.today().AddDate(0, 0, s.rnd.IntN(back+ahead+1)-back))
}

func (s *sim) worker() string { return s.workers[s.pick(len(s.workers))] }

// expected reports whether err is a refusal the random requests may earn.
func expected(err error) bool {
	var ve *ValidationError
	return err == nil || errors.As(err, &ve) || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden)
}

func (s *sim) step() error {
	e, ctx := s.e, s.e.ctx
	if len(s.workers) < 3 || s.pick(100) < 8 {
		emp := s.employers[s.pick(len(s.employers))]
		actor := s.post
		if s.pick(2) == 0 {
			actor = emp
		}
		var doc string
		if len(s.docs) > 0 && s.pick(10) == 0 {
			doc = s.docs[s.pick(len(s.docs))] // a returning worker
		} else {
			s.nextDoc++
			doc = fmt.Sprintf("G%dD%06d", s.g, s.nextDoc)
		}
		dob := fmt.Sprintf("%d-%02d-%02d", 1960+s.pick(50), 1+s.pick(12), 1+s.pick(28))
		sex := []string{"F", "M", "X"}[s.pick(3)]
		r, err := e.svc.RegisterWorker(ctx, actor, WorkerRequest{GivenNames: "N" + doc, FamilyNames: "F" + doc, DateOfBirth: dob, Sex: sex,
			Nationality: []string{"NIC", "PAN", "HND", "SLV"}[s.pick(4)], Document: DocumentRequest{Type: "passport", Number: doc, IssuingCountry: "NIC"}})
		if err == nil && !r.Existing {
			s.workers, s.docs = append(s.workers, r.WorkerID), append(s.docs, doc)
			s.registered[r.WorkerID] = r.Index
		}
		return err
	}
	switch op := s.pick(100); {
	case op < 12:
		from := s.date(60, 10)
		r, err := e.svc.IssuePermit(ctx, ministry, PermitRequest{WorkerID: s.worker(), Type: "seasonal_work",
			ValidFrom: from, ValidTo: addDays(from, 30+s.pick(200))})
		if err == nil {
			s.permits = append(s.permits, r.PermitID)
		}
		return err
	case op < 38:
		dir := []string{"entry", "exit", "entry", "exit", "refused"}[s.pick(5)]
		at := s.today().Add(-time.Duration(s.rnd.IntN(72*3600)) * time.Second)
		r, err := e.svc.RecordCrossing(ctx, s.post, CrossingRequest{WorkerID: s.worker(), Direction: dir,
			OccurredAt: at.Format(time.RFC3339), Reason: map[bool]string{true: "no permit"}[dir == "refused"]})
		if err == nil {
			s.crossings = append(s.crossings, r.Index)
		}
		return err
	case op < 48:
		var items []CrossingRequest
		for range 1 + s.pick(20) {
			ref := fmt.Sprintf("g%d-%d", s.g, len(s.refs))
			if len(s.refs) > 0 && s.pick(5) == 0 {
				ref = s.refs[s.pick(len(s.refs))] // replayed
			} else {
				s.refs = append(s.refs, ref)
			}
			items = append(items, CrossingRequest{WorkerID: s.worker(), Direction: []string{"entry", "exit"}[s.pick(2)],
				OccurredAt: s.today().Add(-time.Duration(s.rnd.IntN(96*3600)) * time.Second).Format(time.RFC3339), ClientRef: ref})
		}
		r, err := e.svc.RecordCrossings(ctx, s.post, BatchRequest{Crossings: items})
		for _, it := range r.Results {
			if !expected(it.Err) {
				return it.Err
			}
		}
		return err
	case op < 66:
		emp := s.employers[s.pick(len(s.employers))]
		start := s.date(20, 20)
		r, err := e.svc.StartPlacement(ctx, emp, PlacementRequest{WorkerID: s.worker(), StartDate: start,
			ExpectedEndDate: addDays(start, 30+s.pick(150)), Occupation: []string{"9211", "6111", "9212", "8341"}[s.pick(4)],
			Sector: []string{"A", "0127", "0122", "0113"}[s.pick(4)], Region: []string{"CR-A", "CR-G", "CR-P", "CR-L"}[s.pick(4)]})
		if err == nil {
			s.placements = append(s.placements, simPlacement{r.PlacementID, r.Index, emp})
		}
		return err
	case op < 78:
		if len(s.placements) == 0 {
			return nil
		}
		p := s.placements[s.pick(len(s.placements))]
		_, err := e.svc.EndPlacement(ctx, p.emp, p.id, EndPlacementRequest{EndDate: s.date(10, 30),
			Reason: endReasons[s.pick(len(endReasons))]})
		return err
	case op < 86:
		var actor Actor
		var index uint64
		changes := map[string]json.RawMessage{}
		switch s.pick(3) {
		case 0:
			if len(s.crossings) == 0 {
				return nil
			}
			actor, index = s.post, s.crossings[s.pick(len(s.crossings))]
			changes["occurred_at"] = json.RawMessage(`"` + s.today().Add(-time.Duration(s.rnd.IntN(96*3600))*time.Second).Format(time.RFC3339) + `"`)
			if s.pick(3) == 0 {
				changes["direction"] = json.RawMessage(`"` + []string{"entry", "exit"}[s.pick(2)] + `"`)
			}
		case 1:
			if len(s.placements) == 0 {
				return nil
			}
			p := s.placements[s.pick(len(s.placements))]
			actor, index = p.emp, p.index
			changes["start_date"] = json.RawMessage(`"` + s.date(30, 5) + `"`)
			changes["region"] = json.RawMessage(`"CR-SJ"`)
		case 2:
			w := s.worker()
			actor, index = inspector, s.registered[w]
			changes["given_names"] = json.RawMessage(`"Corrected"`)
			changes["date_of_birth"] = json.RawMessage(fmt.Sprintf(`"%d-01-15"`, 1960+s.pick(50)))
		}
		_, err := e.svc.CorrectEntry(ctx, actor, index, CorrectionRequest{Reason: "random", Changes: changes})
		return err
	case op < 90:
		if len(s.permits) == 0 {
			return nil
		}
		_, err := e.svc.RevokePermit(ctx, ministry, s.permits[s.pick(len(s.permits))], ReasonRequest{Reason: "random"})
		return err
	case op < 91:
		if s.pick(2) == 0 {
			return nil
		}
		_, err := e.svc.EraseWorker(ctx, ministry, s.worker(), ReasonRequest{Reason: "random"})
		return err
	case op < 92 && s.g == 0:
		// Only the last employer is ever suspended.
		_, err := e.svc.SuspendEmployer(ctx, ministry, s.employers[len(s.employers)-1].Org, ReasonRequest{Reason: "random"})
		return err
	case op < 95:
		_, err := e.svc.GetWorker(ctx, inspector, s.worker(), ReadRequest{Purpose: "random audit"})
		return err
	default:
		e.clock.Advance(time.Duration(1+s.rnd.IntN(48)) * time.Hour)
		return nil
	}
}

// TestRebuildAfterRandomScenario appends 10,000 random events from four
// concurrent clients, then checks that Rebuild from the log alone gives
// projections identical to the live ones, and the same findings.
func TestRebuildAfterRandomScenario(t *testing.T) {
	events := uint64(10000)
	if testing.Short() {
		events = 2000
	}
	e := newEnv(t)
	e.setDate("2024-01-01")
	var employers []Actor
	for i := range 8 {
		employers = append(employers, e.employer(fmt.Sprintf("Finca %d", i), fmt.Sprint(i)))
	}
	runSims(t, e, employers, 4, 42, events)

	counts := map[string]int{}
	for i := uint64(0); i < e.log.Size(); i++ {
		counts[must(e.svc.entry(i))(t).Type]++
	}
	for _, typ := range []string{TypeEmployerRegistered, TypeEmployerSuspended, TypeWorkerRegistered, TypePermitIssued,
		TypePermitRevoked, TypeCrossingRecorded, TypePlacementStarted, TypePlacementEnded, TypeEntryCorrected,
		TypeWorkerErased, TypeAccessRecorded} {
		if counts[typ] == 0 {
			t.Errorf("no %s entry in the scenario", typ)
		}
	}
	t.Logf("%d entries: %v", e.log.Size(), counts)

	live := e.projectionRows()
	liveDigest := must(e.svc.ProjectionDigest(e.ctx))(t)
	liveFindings := must(e.svc.Findings(e.ctx, inspector, FindingsFilter{}))(t)
	if err := e.svc.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt := e.projectionRows()
	if len(live) != len(rebuilt) {
		t.Errorf("%d live rows, %d rebuilt", len(live), len(rebuilt))
	}
	var diffs []string
	for k, v := range live {
		if rebuilt[k] != v {
			diffs = append(diffs, fmt.Sprintf("%q:\n live    %s\n rebuilt %s", k, v, rebuilt[k]))
		}
	}
	for k := range rebuilt {
		if _, ok := live[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%q only rebuilt", k))
		}
	}
	sort.Strings(diffs)
	for i, d := range diffs {
		if i == 5 {
			t.Errorf("… and %d more", len(diffs)-5)
			break
		}
		t.Errorf("row differs: %s", d)
	}
	if got := must(e.svc.ProjectionDigest(e.ctx))(t); string(got) != string(liveDigest) {
		t.Error("projection digest differs after rebuild")
	}
	if diff := cmp.Diff(liveFindings, must(e.svc.Findings(e.ctx, inspector, FindingsFilter{}))(t)); diff != "" {
		t.Errorf("findings differ (-live +rebuilt)\n%s", diff)
	}
	if len(liveFindings) == 0 {
		t.Error("a random scenario with no findings")
	}
	if err := e.log.Verify(e.ctx, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// runSims runs clients random scenarios at once (each its own border post,
// drawing from PCG(client, seed)) until the log holds events entries, and
// fails the test on any error a scenario does not expect.
func runSims(t *testing.T, e *env, employers []Actor, clients int, seed, events uint64) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for g := range clients {
		s := &sim{e: e, rnd: rand.New(rand.NewPCG(uint64(g), seed)), employers: employers, g: g, registered: map[string]uint64{},
			post: Actor{Sub: fmt.Sprintf("officer%d", g), Role: RoleBorder, Org: fmt.Sprintf("POST-%d", g)}}
		wg.Go(func() {
			for e.log.Size() < events {
				if err := s.step(); !expected(err) {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("unexpected error: %v", err)
	}
}
