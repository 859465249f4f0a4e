package ledger

import (
	"context"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// WorkerSummary is the non-identifying record of one worker that reports
// are computed from: the clear attributes, and every crossing, permit and
// placement with corrections applied. It survives erasure. Dates are
// YYYY-MM-DD (UTC).
type WorkerSummary struct {
	WorkerID    string
	Sex         string
	Nationality string
	BirthYear   int
	Erased      bool
	Crossings   []CrossingSummary // by occurred_at, then index
	Permits     []PermitSummary   // in issue order
	Placements  []PlacementSummary
}

// CrossingSummary is one crossing of a WorkerSummary.
type CrossingSummary struct {
	Index      uint64
	Direction  string // entry, exit, refused
	OccurredAt time.Time
	Date       string
}

// PermitSummary is one permit of a WorkerSummary. LastValidDay is ValidTo,
// or the day before the revocation when that is earlier (it may then be
// before ValidFrom: the permit was never valid).
type PermitSummary struct {
	PermitID     string
	Type         string
	ValidFrom    string
	ValidTo      string
	RevokedOn    string
	LastValidDay string
}

// PlacementSummary is one placement of a WorkerSummary. EndDate is empty
// while the placement has not ended; AgeAtStart is nil when the date of
// birth could not be read when it was recorded.
type PlacementSummary struct {
	PlacementID     string
	EmployerID      string
	StartDate       string
	ExpectedEndDate string
	EndDate         string
	EndReason       string
	Occupation      string
	Sector          string
	Region          string
	AgeAtStart      *int
}

func (w *workerRow) summary() *WorkerSummary {
	s := &WorkerSummary{WorkerID: w.ID, Sex: w.Sex, Nationality: w.Nationality, BirthYear: w.BirthYear, Erased: w.Erased,
		Crossings:  make([]CrossingSummary, 0, len(w.Crossings)),
		Permits:    make([]PermitSummary, 0, len(w.Permits)),
		Placements: make([]PlacementSummary, 0, len(w.Placements)),
	}
	for _, c := range w.Crossings {
		at := time.Unix(0, c.At).UTC()
		s.Crossings = append(s.Crossings, CrossingSummary{Index: c.Index, Direction: c.Dir, OccurredAt: at, Date: dateOf(at)})
	}
	for _, p := range w.Permits {
		s.Permits = append(s.Permits, PermitSummary{PermitID: p.ID, Type: p.Type, ValidFrom: p.From, ValidTo: p.To,
			RevokedOn: p.Revoked, LastValidDay: p.lastValidDay()})
	}
	for _, p := range w.Placements {
		s.Placements = append(s.Placements, PlacementSummary{PlacementID: p.ID, EmployerID: p.Employer, StartDate: p.Start,
			ExpectedEndDate: p.ExpectedEnd, EndDate: p.End, EndReason: p.EndReason, Occupation: p.Occupation,
			Sector: p.Sector, Region: p.Region, AgeAtStart: p.Age})
	}
	return s
}

// ScanWorkerSummaries calls fn with the summary of every worker, in worker
// id order, on one consistent snapshot. It is for reports: it checks no
// role, and callers must only ever let aggregates out. It returns fn's
// first error, the context's error, or an error wrapping
// tlog.ErrStorage.
func (s *Service) ScanWorkerSummaries(ctx context.Context, fn func(*WorkerSummary) error) error {
	return s.log.View(func(r *tlog.Reader) error {
		return s.scanWorkers(ctx, r, func(w *workerRow) error { return fn(w.summary()) })
	})
}
