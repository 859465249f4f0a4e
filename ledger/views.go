package ledger

import (
	"context"
	"errors"
	"time"
)

// ReadRequest qualifies a read of a worker. Purpose (free text, e.g. a
// case number) is required from inspectors and recorded in the log.
type ReadRequest struct {
	Purpose string `json:"purpose,omitempty"`
}

// Identity is a worker's personal data, decrypted.
type Identity struct {
	GivenNames  string   `json:"given_names"`
	FamilyNames string   `json:"family_names"`
	DateOfBirth string   `json:"date_of_birth"`
	Document    Document `json:"document"`
}

// Document is a worker's travel document.
type Document struct {
	Type           string `json:"type"`
	Number         string `json:"number"`
	IssuingCountry string `json:"issuing_country"`
}

// WorkerView is what a reader may see of a worker; which fields are set
// depends on the reader's role (see GetWorker).
type WorkerView struct {
	WorkerID    string       `json:"worker_id"`
	Erased      bool         `json:"erased"`
	Identity    *Identity    `json:"identity,omitempty"`
	Sex         string       `json:"sex"`
	Nationality string       `json:"nationality"`
	BirthYear   int          `json:"birth_year"`
	Status      WorkerStatus `json:"status"`
	Placements  []Placement  `json:"placements,omitempty"`
	Crossings   []Crossing   `json:"crossings,omitempty"`
	Stays       []Stay       `json:"stays,omitempty"`
	Seasons     []int        `json:"seasons,omitempty"`
	Employers   []string     `json:"employers,omitempty"`
	// AccessIndex is the index of the access.recorded entry appended for
	// an inspector's read.
	AccessIndex *uint64 `json:"access_index,omitempty"`
}

// WorkerStatus is a worker's current state.
type WorkerStatus struct {
	Present bool `json:"present"`
	// Since is the date of the worker's last entry or exit.
	Since string `json:"since,omitempty"`
	// SinceCrossing is that crossing (inspector and border only).
	SinceCrossing    *Crossing   `json:"since_crossing,omitempty"`
	ActivePlacements []Placement `json:"active_placements"`
	Permits          []Permit    `json:"permits"`
}

// Crossing is one border crossing as projected (corrections applied).
type Crossing struct {
	Index      uint64 `json:"index"`
	Direction  string `json:"direction"`
	OccurredAt string `json:"occurred_at"`
	Post       string `json:"post,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Stay is an entry and the next exit (absent while the worker is in).
type Stay struct {
	Entry Crossing  `json:"entry"`
	Exit  *Crossing `json:"exit,omitempty"`
	Days  *int      `json:"days,omitempty"` // exit date − entry date
}

// Permit is a permit as projected. ValidToday is its validity on the
// service's date.
type Permit struct {
	PermitID   string `json:"permit_id"`
	Index      uint64 `json:"index"`
	Type       string `json:"type"`
	ValidFrom  string `json:"valid_from"`
	ValidTo    string `json:"valid_to"`
	Revoked    bool   `json:"revoked"`
	RevokedOn  string `json:"revoked_on,omitempty"`
	ValidToday bool   `json:"valid_today"`
}

// Placement is a placement as projected.
type Placement struct {
	PlacementID     string `json:"placement_id"`
	Index           uint64 `json:"index"`
	WorkerID        string `json:"worker_id"`
	EmployerID      string `json:"employer_id"`
	StartDate       string `json:"start_date"`
	ExpectedEndDate string `json:"expected_end_date"`
	EndDate         string `json:"end_date,omitempty"`
	EndReason       string `json:"end_reason,omitempty"`
	EndIndex        uint64 `json:"end_index,omitempty"`
	Occupation      string `json:"occupation"`
	Sector          string `json:"sector"`
	Region          string `json:"region"`
	Active          bool   `json:"active"`
}

func (c *crossingRow) view() Crossing {
	return Crossing{Index: c.Index, Direction: c.Dir, OccurredAt: formatTime(time.Unix(0, c.At)), Post: c.Post, Reason: c.Reason}
}

func (p *permitRow) view(today string) Permit {
	return Permit{PermitID: p.ID, Index: p.Index, Type: p.Type, ValidFrom: p.From, ValidTo: p.To,
		Revoked: p.Revoked != "", RevokedOn: p.Revoked, ValidToday: p.validOn(today)}
}

func (p *placementRow) active(today string) bool { return p.End == "" || p.End >= today }

func (p *placementRow) view(workerID, today string) Placement {
	return Placement{PlacementID: p.ID, Index: p.Index, WorkerID: workerID, EmployerID: p.Employer,
		StartDate: p.Start, ExpectedEndDate: p.ExpectedEnd, EndDate: p.End, EndReason: p.EndReason,
		EndIndex: p.EndIndex, Occupation: p.Occupation, Sector: p.Sector, Region: p.Region, Active: p.active(today)}
}

// view builds the role's view of a worker row, without identity.
func (w *workerRow) view(a Actor, today string) WorkerView {
	v := WorkerView{WorkerID: w.ID, Erased: w.Erased, Sex: w.Sex, Nationality: w.Nationality, BirthYear: w.BirthYear}
	full := a.Role == RoleInspector
	ownOnly := a.Role == RoleEmployer
	present, last := w.presence()
	v.Status = WorkerStatus{Present: present, ActivePlacements: []Placement{}, Permits: []Permit{}}
	if last != nil {
		v.Status.Since = last.date()
		if full || a.Role == RoleBorder {
			c := last.view()
			v.Status.SinceCrossing = &c
		}
	}
	for i := range w.Permits {
		v.Status.Permits = append(v.Status.Permits, w.Permits[i].view(today))
	}
	for i := range w.Placements {
		p := &w.Placements[i]
		if ownOnly && p.Employer != a.Org {
			continue
		}
		pv := p.view(w.ID, today)
		if pv.Active {
			v.Status.ActivePlacements = append(v.Status.ActivePlacements, pv)
		}
		if a.Role != RoleBorder {
			v.Placements = append(v.Placements, pv)
		}
	}
	if full || a.Role == RoleBorder {
		for i := range w.Crossings {
			v.Crossings = append(v.Crossings, w.Crossings[i].view())
		}
	}
	if full {
		for _, s := range w.stays() {
			st := Stay{Entry: s.entry.view()}
			if s.exit != nil {
				x := s.exit.view()
				days := daysBetween(s.entry.date(), s.exit.date())
				st.Exit, st.Days = &x, &days
			}
			v.Stays = append(v.Stays, st)
		}
	}
	if full || a.Role == RoleMinistry {
		v.Seasons, v.Employers = w.seasons(), w.employers()
	}
	return v
}

// GetWorker returns a worker as the caller's role may see them:
//
//   - inspector: everything (identity, presence and the crossing it dates
//     from, permits, every placement, crossings, stays, seasons,
//     employers). Purpose is required, and an access.recorded entry is
//     appended before the answer; if that append fails, so does the read.
//   - border: identity, presence and its crossing, permits, active
//     placements, crossings.
//   - employer (only a worker it registered or placed, else ErrNotFound):
//     identity, presence (in or out since which date), permits, its own
//     placements only; no crossings, no other employer's placements.
//   - ministry: no personal data: sex, nationality, birth year, presence
//     since a date, permits, placements, seasons, employers.
//
// An erased worker has no identity and Erased set. It returns ErrNotFound
// for an unknown worker, a *ValidationError purpose_required for an
// inspector without a purpose, ErrForbidden for an unregistered employer
// org, or the append's error.
func (s *Service) GetWorker(ctx context.Context, a Actor, id string, req ReadRequest) (WorkerView, error) {
	w, purpose, err := s.workerFor(a, id, req.Purpose, RoleInspector, RoleBorder, RoleEmployer, RoleMinistry)
	if err != nil {
		return WorkerView{}, err
	}
	var access *uint64
	if a.Role == RoleInspector {
		i, err := s.recordAccess(ctx, a, id, purpose, "worker")
		if err != nil {
			return WorkerView{}, err
		}
		access = &i
		if w, err = s.loadWorker(id); err != nil {
			return WorkerView{}, err
		}
	}
	v := w.view(a, dateOf(s.now()))
	v.AccessIndex = access
	if a.Role != RoleMinistry && !w.Erased {
		p, err := s.personal(id)
		switch {
		case errors.Is(err, errKeyGone):
			v.Erased = true
		case err != nil:
			return WorkerView{}, err
		default:
			v.Identity = &Identity{GivenNames: p.GivenNames, FamilyNames: p.FamilyNames, DateOfBirth: p.DateOfBirth,
				Document: Document{Type: w.DocType, Number: p.DocumentNumber, IssuingCountry: w.DocCountry}}
		}
	}
	return v, nil
}
