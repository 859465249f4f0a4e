package ledger

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oklog/ulid/v2"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func TestCode(t *testing.T) {
	for _, s := range []string{"", "A", "NIC", "0127", "9211", "CR-SJ", "GB-ABE", "12345678"} {
		if got := CodeOf(s).String(); got != s {
			t.Errorf("CodeOf(%q).String() = %q", s, got)
		}
	}
	if CodeOf("123456789") != 0 {
		t.Error("a 9-byte code packs")
	}
	// Codes compare as their strings.
	codes := []string{"0122", "0127", "4100", "A", "CR-A", "CR-AB", "CR-SJ", "F"}
	for i := 1; i < len(codes); i++ {
		if CodeOf(codes[i-1]) >= CodeOf(codes[i]) {
			t.Errorf("%q >= %q as codes", codes[i-1], codes[i])
		}
	}
}

func TestDay(t *testing.T) {
	for _, s := range []string{"1900-01-01", "1969-12-31", "1970-01-01", "2024-02-29", "2199-12-31"} {
		d, ok := DayOf(s)
		if !ok || d.String() != s {
			t.Errorf("DayOf(%q) = %d, %v; String %q", s, d, ok, d.String())
		}
	}
	if _, ok := DayOf("2025-02-29"); ok {
		t.Error("2025-02-29 is a day")
	}
}

// TestBirthday checks the birthday estimate and the ages it gives: exact
// on every placement's start date.
func TestBirthday(t *testing.T) {
	age := func(n int) *int { return &n }
	for _, tc := range []struct {
		name       string
		birthYear  int
		placements []placementRow
		want       int
	}{
		{"nothing known: mid-year", 1990, nil, 701},
		// Born 1990-05-10: 34 on 2025-03-02 (not yet), 35 on 2025-08-01.
		{"between two starts", 1990, []placementRow{{Start: "2025-03-02", Age: age(34)}, {Start: "2025-08-01", Age: age(35)}}, 517},
		{"after a start", 2007, []placementRow{{Start: "2025-03-02", Age: age(17)}}, 801},
		{"before a start", 1970, []placementRow{{Start: "2025-06-02", Age: age(55)}}, 317},
		{"contradicting observations are ignored", 1990, []placementRow{{Start: "2025-03-02", Age: age(40)}}, 701},
		{"inconsistent window falls back", 1990, []placementRow{{Start: "2025-03-02", Age: age(35)}, {Start: "2025-08-01", Age: age(34)}}, 701},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &workerRow{BirthYear: tc.birthYear, Placements: tc.placements}
			if got := w.birthday(); got != tc.want {
				t.Errorf("birthday = %04d, want %04d", got, tc.want)
			}
			f := &Facts{BirthYear: tc.birthYear, Birthday: w.birthday()}
			for _, p := range tc.placements {
				d, _ := DayOf(p.Start)
				if got := f.AgeOn(d); tc.name[:4] != "cont" && tc.name[:4] != "inco" && got != *p.Age {
					t.Errorf("age on %s = %d, want %d", p.Start, got, *p.Age)
				}
			}
		})
	}
}

// factsOfSummary is what a worker's facts must hold, derived from its
// summary.
func factsOfSummary(t *testing.T, s *WorkerSummary) Facts {
	t.Helper()
	day := func(d string) Day {
		if d == "" {
			return OpenEnd
		}
		v, ok := DayOf(d)
		if !ok {
			t.Fatalf("bad date %q", d)
		}
		return v
	}
	f := Facts{Sex: s.Sex[0], Nationality: CodeOf(s.Nationality), BirthYear: s.BirthYear, Erased: s.Erased}
	for _, p := range s.Placements {
		u := must(ulid.ParseStrict(strings.TrimPrefix(p.EmployerID, employerIDPrefix)))(t)
		f.Placements = append(f.Placements, FactPlacement{Start: day(p.StartDate), End: day(p.EndDate), Employer: EmployerKey(u),
			Occupation: CodeOf(p.Occupation), Sector: CodeOf(p.Sector), Region: CodeOf(p.Region)})
	}
	for _, c := range s.Crossings {
		if c.Direction != "refused" {
			f.Movements = append(f.Movements, Movement{Day: day(c.Date), Exit: c.Direction == "exit"})
		}
	}
	for _, p := range s.Permits {
		f.Permits = append(f.Permits, FactPermit{From: day(p.ValidFrom), LastValid: day(p.LastValidDay)})
	}
	return f
}

// TestFactsMatchSummaries runs a random scenario (corrections, erasures,
// revocations included) and checks that every worker's facts row holds
// what its summary says, that ScanFacts visits every worker exactly once
// however many parts scan, and that a rebuild writes the same rows.
func TestFactsMatchSummaries(t *testing.T) {
	e := newEnv(t)
	e.setDate("2024-01-01")
	var employers []Actor
	for i := range 4 {
		employers = append(employers, e.employer(fmt.Sprintf("Finca %d", i), fmt.Sprint(i)))
	}
	runSims(t, e, employers, 2, 7, 1500)

	var want []Facts
	err := e.log.View(func(r *tlog.Reader) error {
		return e.svc.scanWorkers(e.ctx, r, func(w *workerRow) error {
			f := factsOfSummary(t, w.summary())
			f.Birthday = w.birthday()
			want = append(want, f)
			b, err := r.Get(factsKey(w.ID))
			if err != nil {
				return fmt.Errorf("facts row of %s: %w", w.ID, err)
			}
			var got Facts
			if err := DecodeFacts(b, &got); err != nil {
				return err
			}
			if diff := cmp.Diff(f, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("facts of %s (-summary +row):\n%s", w.ID, diff)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 50 {
		t.Fatalf("only %d workers", len(want))
	}

	for _, parts := range []int{1, 2, 3, 16, 40} {
		var mu sync.Mutex
		seen, perPart := 0, map[int]int{}
		err := e.svc.ScanFacts(e.ctx, parts, func(part int, f *Facts) error {
			mu.Lock()
			defer mu.Unlock()
			seen++
			perPart[part]++
			return nil
		})
		if err != nil || seen != len(want) {
			t.Errorf("ScanFacts with %d parts: %d workers, want %d (%v)", parts, seen, len(want), err)
		}
		// Workers fall into shards by their id, so a part may find none;
		// but no part number is out of range.
		for part := range perPart {
			if part < 0 || part >= min(parts, factShards) {
				t.Errorf("ScanFacts with %d parts called fn with part %d", parts, part)
			}
		}
	}
	boom := errors.New("boom")
	if err := e.svc.ScanFacts(e.ctx, 2, func(int, *Facts) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("ScanFacts returned %v, want fn's error", err)
	}
}

// TestFactsOutdated: a store without the facts marker (written before
// facts rows existed) is refused until it is rebuilt.
func TestFactsOutdated(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.ScanFacts(e.ctx, 2, func(int, *Facts) error { return nil }); err != nil {
		t.Errorf("empty log: %v", err)
	}
	a := e.employer("Finca", "1")
	w := e.worker(a, workerReq("Ana", "Ruiz", "1990-01-01", "P1"))
	_, err := e.log.Append(e.ctx, func(tx *tlog.Tx, _ uint64, _ time.Time) ([]byte, error) {
		return nil, tx.Delete(factsMetaKey)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ScanFacts(e.ctx, 2, func(int, *Facts) error { return nil }); !errors.Is(err, ErrProjectionsOutdated) {
		t.Errorf("without the marker: %v, want ErrProjectionsOutdated", err)
	}
	if err := e.svc.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := e.svc.ScanFacts(e.ctx, 2, func(int, *Facts) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("after a rebuild: %d workers, %v (worker %s)", n, err, w)
	}
}
