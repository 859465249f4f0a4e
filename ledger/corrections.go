package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// correctable lists, per entry type, the fields a correction may change.
// Identifiers, the employer of a placement, a worker's document and an
// employer's country and tax id are not correctable: they key indexes.
var correctable = map[string][]string{
	TypeCrossingRecorded:   {"direction", "occurred_at", "post", "reason"},
	TypePlacementStarted:   {"start_date", "expected_end_date", "occupation", "sector", "region"},
	TypePlacementEnded:     {"end_date", "reason"},
	TypePermitIssued:       {"type", "valid_from", "valid_to"},
	TypeWorkerRegistered:   {"given_names", "family_names", "date_of_birth", "sex", "nationality"},
	TypeEmployerRegistered: {"legal_name", "sector", "region"},
}

// CorrectableFields returns the fields a correction of an entry of type
// typ may change, or nil if that type cannot be corrected.
func CorrectableFields(typ string) []string { return slices.Clone(correctable[typ]) }

// CorrectionRequest is the body of a correction: why, and the new values
// (JSON strings) of some correctable fields of the corrected entry.
type CorrectionRequest struct {
	Reason  string                     `json:"reason"`
	Changes map[string]json.RawMessage `json:"changes"`
}

// changeSet is the decoded "changes" of a correction. Fields the server
// derives (age_at_start, birth_year) are set by the service, never by the
// caller.
type changeSet struct {
	Direction       *string `json:"direction"`
	OccurredAt      *string `json:"occurred_at"`
	Post            *string `json:"post"`
	Reason          *string `json:"reason"`
	StartDate       *string `json:"start_date"`
	ExpectedEndDate *string `json:"expected_end_date"`
	Occupation      *string `json:"occupation"`
	Sector          *string `json:"sector"`
	Region          *string `json:"region"`
	AgeAtStart      *int    `json:"age_at_start"`
	EndDate         *string `json:"end_date"`
	Type            *string `json:"type"`
	ValidFrom       *string `json:"valid_from"`
	ValidTo         *string `json:"valid_to"`
	Sex             *string `json:"sex"`
	Nationality     *string `json:"nationality"`
	BirthYear       *int    `json:"birth_year"`
	LegalName       *string `json:"legal_name"`
}

// CorrectEntry appends an entry.corrected for the entry at index, leaving
// the original in the log; projections then use the corrected values. An
// inspector may correct any entry; anyone else only entries appended by
// their own org in their own role (an employer asking about another's
// entry gets ErrNotFound, other roles ErrForbidden). Changed names and
// date of birth are encrypted into the correction's PII.
//
// It returns ErrNotFound for an index beyond the log, a *ValidationError
// for an entry type that cannot be corrected (not_correctable), a field
// that type does not allow (unknown_field, field "changes.<name>"), an
// invalid value, or a result that breaks a rule (invalid_period), and a
// *ValidationError worker_erased for personal fields of an erased worker.
func (s *Service) CorrectEntry(ctx context.Context, a Actor, index uint64, req CorrectionRequest) (Receipt, error) {
	if err := allow(a, RoleEmployer, RoleBorder, RoleInspector, RoleMinistry); err != nil {
		return Receipt{}, err
	}
	if a.Role == RoleEmployer {
		if err := s.checkEmployerActor(a); err != nil {
			return Receipt{}, err
		}
	}
	if res, ok, err := replay[Receipt](ctx, s, a); ok || err != nil {
		return res, err
	}
	orig, allowed, err := s.correctionTarget(a, index)
	if err != nil {
		return Receipt{}, err
	}
	reason, err := text("reason", req.Reason, true, maxText)
	if err != nil {
		return Receipt{}, err
	}
	vals, err := s.checkChanges(&orig, allowed, req.Changes)
	if err != nil {
		return Receipt{}, err
	}
	changes, pii, hasPersonal, err := s.correctionChanges(&orig, vals)
	if err != nil {
		return Receipt{}, err
	}

	return appendOnce(ctx, s, a, s.appendFunc(func(tx *tlog.Tx, _ uint64, _ time.Time) (*Entry, error) {
		if err := s.checkCorrection(tx, &orig, vals, hasPersonal); err != nil {
			return nil, err
		}
		data, err := json.Marshal(CorrectionData{Corrects: index, Type: orig.Type, Reason: reason, Changes: changes})
		if err != nil {
			return nil, err
		}
		return &Entry{Type: TypeEntryCorrected, Actor: a, WorkerID: orig.WorkerID, EmployerID: orig.EmployerID,
			PermitID: orig.PermitID, PlacementID: orig.PlacementID, Data: data, PII: pii}, nil
	}), receiptOf)
}

// correctionTarget reads the entry at index that a wants to correct and
// returns it with the fields a correction of it may change: ErrNotFound
// for an index beyond the log or another employer's entry, ErrForbidden
// for another org's or role's entry, not_correctable for its type.
func (s *Service) correctionTarget(a Actor, index uint64) (Entry, []string, error) {
	raw, err := s.log.Entry(index)
	if errors.Is(err, tlog.ErrNotFound) {
		return Entry{}, nil, notFound("entry")
	}
	if err != nil {
		return Entry{}, nil, err
	}
	orig, err := DecodeEntry(raw)
	if err != nil {
		return Entry{}, nil, err
	}
	if a.Role != RoleInspector && (a.Role != orig.Actor.Role || a.Org != orig.Actor.Org) {
		if a.Role == RoleEmployer {
			return Entry{}, nil, notFound("entry")
		}
		return Entry{}, nil, forbidden(CodeRoleNotAllowed, "only the org that appended an entry, or an inspector, may correct it")
	}
	allowed, ok := correctable[orig.Type]
	if !ok {
		return Entry{}, nil, invalid(CodeNotCorrectable, "index", "entries of type %s cannot be corrected", orig.Type)
	}
	return orig, allowed, nil
}

// checkChanges validates the requested changes, in the order of their
// names, against the fields allowed on orig's type, and returns their
// normalised values by field name.
func (s *Service) checkChanges(orig *Entry, allowed []string, req map[string]json.RawMessage) (map[string]string, error) {
	if len(req) == 0 {
		return nil, invalid(CodeRequired, "changes", "changes is required")
	}
	names := make([]string, 0, len(req))
	for k := range req {
		names = append(names, k)
	}
	slices.Sort(names)
	vals := make(map[string]string, len(names))
	for _, k := range names {
		field := "changes." + k
		if !slices.Contains(allowed, k) {
			return nil, invalid(CodeUnknownField, field, "%s cannot be corrected on a %s entry", k, orig.Type)
		}
		var v string
		if err := json.Unmarshal(req[k], &v); err != nil {
			return nil, invalid(CodeInvalidValue, field, "%s must be a string", field)
		}
		v, err := s.checkChange(orig.Type, k, v)
		if err != nil {
			return nil, err
		}
		vals[k] = v
	}
	return vals, nil
}

// correctionChanges splits checked values into the correction's clear
// changes, with the fields derived from them, and its sealed personal
// data (pii, and hasPersonal if there is any). It returns worker_erased
// for personal fields of an erased worker.
func (s *Service) correctionChanges(orig *Entry, vals map[string]string) (changes map[string]json.RawMessage, pii []byte, hasPersonal bool, err error) {
	// Personal fields go encrypted into the correction's PII; derived
	// clear fields follow them.
	clear := map[string]any{}
	var personal Personal
	for k, v := range vals {
		switch k {
		case "given_names":
			personal.GivenNames, hasPersonal = v, true
		case "family_names":
			personal.FamilyNames, hasPersonal = v, true
		case "date_of_birth":
			personal.DateOfBirth, hasPersonal = v, true
			y, _ := strconv.Atoi(v[:4])
			clear["birth_year"] = y
		default:
			clear[k] = v
		}
	}
	if hasPersonal {
		dk, err := s.readDataKey(orig.WorkerID)
		if errors.Is(err, errKeyGone) {
			return nil, nil, false, invalid(CodeWorkerErased, "", "the worker's personal data was erased")
		}
		if err != nil {
			return nil, nil, false, err
		}
		if pii, err = dk.sealPersonal(orig.WorkerID, personal); err != nil {
			return nil, nil, false, err
		}
	}
	if start, ok := vals["start_date"]; ok && orig.Type == TypePlacementStarted {
		if p, err := s.personal(orig.WorkerID); err == nil {
			if age, ok := ageOn(p.DateOfBirth, start); ok {
				clear["age_at_start"] = age
			}
		} else if !errors.Is(err, errKeyGone) {
			return nil, nil, false, err
		}
	}
	changes = make(map[string]json.RawMessage, len(clear))
	for k, v := range clear {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, false, err
		}
		changes[k] = b
	}
	return changes, pii, hasPersonal, nil
}

// checkChange validates and normalises one changed value on its own.
func (s *Service) checkChange(typ, k, v string) (string, error) {
	field := "changes." + k
	switch k {
	case "direction":
		return oneOf(CodeInvalidDirection, field, v, directions...)
	case "occurred_at":
		t, err := parseTime(field, v)
		if err != nil {
			return "", err
		}
		if t.After(s.now().Add(maxFutureCrossing)) {
			return "", invalid(CodeCrossingInFuture, field, "%s is more than 5 minutes in the future", field)
		}
		return formatTime(t), nil
	case "post":
		return text(field, v, false, maxShort)
	case "reason":
		if typ == TypePlacementEnded {
			return oneOf(CodeInvalidEndReason, field, v, endReasons...)
		}
		return text(field, v, false, maxText)
	case "start_date", "expected_end_date", "end_date", "valid_from", "valid_to":
		_, err := parseDate(field, v)
		return v, err
	case "date_of_birth":
		t, err := parseDate(field, v)
		if err == nil && dateOf(t) > dateOf(s.now()) {
			err = invalid(CodeDateInFuture, field, "%s is in the future", field)
		}
		return v, err
	case "occupation":
		return occupation(field, v)
	case "sector":
		return sector(field, v)
	case "region":
		if typ == TypeEmployerRegistered {
			return region(field, v, "") // checked against the employer's country later
		}
		return region(field, v, s.cfg.Country)
	case "type":
		return oneOf(CodeInvalidPermitType, field, v, permitTypes...)
	case "given_names", "family_names", "legal_name":
		return text(field, v, true, maxName)
	case "sex":
		return oneOf(CodeInvalidSex, field, v, sexes...)
	case "nationality":
		return country(field, v)
	}
	return "", invalid(CodeUnknownField, field, "%s cannot be corrected", k)
}

// checkCorrection checks, inside the writer, that the corrected entry's
// subject is still there and that the corrected values keep its rules.
func (s *Service) checkCorrection(tx *tlog.Tx, orig *Entry, vals map[string]string, personal bool) error {
	if orig.Type == TypeEmployerRegistered {
		var r employerRow
		found, err := getRow(tx, employerKey(orig.EmployerID), &r)
		if err != nil {
			return err
		}
		if !found {
			return notFound("employer")
		}
		if v, ok := vals["region"]; ok && !regionOf(v, r.Country) {
			return invalid(CodeInvalidRegion, "changes.region", "changes.region %q is not a subdivision of %s", v, r.Country)
		}
		return nil
	}
	var w workerRow
	found, err := getRow(tx, workerKey(orig.WorkerID), &w)
	if err != nil {
		return err
	}
	if !found {
		return notFound("worker")
	}
	pick := func(k, cur string) string {
		if v, ok := vals[k]; ok {
			return v
		}
		return cur
	}
	switch orig.Type {
	case TypeWorkerRegistered:
		if personal && w.Erased {
			return invalid(CodeWorkerErased, "", "the worker's personal data was erased")
		}
	case TypeCrossingRecorded:
		if !slices.ContainsFunc(w.Crossings, func(c crossingRow) bool { return c.Index == orig.Index }) {
			return notFound("crossing")
		}
	case TypePermitIssued:
		p := w.permit(orig.PermitID)
		if p == nil {
			return notFound("permit")
		}
		if pick("valid_to", p.To) < pick("valid_from", p.From) {
			return invalid(CodeInvalidPeriod, "changes.valid_to", "valid_to is before valid_from")
		}
	case TypePlacementStarted, TypePlacementEnded:
		p := w.placement(orig.PlacementID)
		if p == nil {
			return notFound("placement")
		}
		start := pick("start_date", p.Start)
		if pick("expected_end_date", p.ExpectedEnd) < start {
			return invalid(CodeInvalidPeriod, "changes.expected_end_date", "expected_end_date is before start_date")
		}
		if p.End != "" && pick("end_date", p.End) < start {
			field := "changes.end_date"
			if orig.Type == TypePlacementStarted {
				field = "changes.start_date"
			}
			return invalid(CodeInvalidPeriod, field, "end_date is before start_date")
		}
	}
	return nil
}

// applyCorrection applies an entry.corrected to the projection of the
// corrected entry's subject.
func (s *Service) applyCorrection(tx setter, e *Entry) error {
	var d struct {
		Corrects uint64    `json:"corrects"`
		Type     string    `json:"type"`
		Changes  changeSet `json:"changes"`
	}
	if err := e.DecodeData(&d); err != nil {
		return err
	}
	c := &d.Changes
	if d.Type == TypeEmployerRegistered {
		return updateEmployer(tx, e.EmployerID, func(r *employerRow) error {
			setIfChanged(&r.LegalName, c.LegalName)
			setIfChanged(&r.Sector, c.Sector)
			setIfChanged(&r.Region, c.Region)
			return nil
		})
	}
	return updateWorker(tx, e, func(w *workerRow) error {
		return correctWorkerRow(w, e, d.Type, d.Corrects, c)
	})
}

// setIfChanged sets *dst to *v if a correction changed it (v not nil).
func setIfChanged(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// correctWorkerRow applies the changes c of correction e, which corrects
// the entry of type typ at index corrects, to the worker's row.
func correctWorkerRow(w *workerRow, e *Entry, typ string, corrects uint64, c *changeSet) error {
	switch typ {
	case TypeWorkerRegistered:
		setIfChanged(&w.Sex, c.Sex)
		setIfChanged(&w.Nationality, c.Nationality)
		if c.BirthYear != nil {
			w.BirthYear = *c.BirthYear
		}
		if len(e.PII) > 0 {
			w.PII = append(w.PII, e.Index)
		}
	case TypeCrossingRecorded:
		return correctCrossing(w, corrects, c)
	case TypePermitIssued:
		p := w.permit(e.PermitID)
		if p == nil {
			return errors.New("corrected permit missing")
		}
		setIfChanged(&p.Type, c.Type)
		setIfChanged(&p.From, c.ValidFrom)
		setIfChanged(&p.To, c.ValidTo)
	case TypePlacementStarted:
		p := w.placement(e.PlacementID)
		if p == nil {
			return errors.New("corrected placement missing")
		}
		setIfChanged(&p.Start, c.StartDate)
		setIfChanged(&p.ExpectedEnd, c.ExpectedEndDate)
		setIfChanged(&p.Occupation, c.Occupation)
		setIfChanged(&p.Sector, c.Sector)
		setIfChanged(&p.Region, c.Region)
		if c.AgeAtStart != nil {
			p.Age = c.AgeAtStart
		}
	case TypePlacementEnded:
		p := w.placement(e.PlacementID)
		if p == nil {
			return errors.New("corrected placement missing")
		}
		setIfChanged(&p.End, c.EndDate)
		setIfChanged(&p.EndReason, c.Reason)
	default:
		return errors.New("entries of type " + typ + " cannot be corrected")
	}
	return nil
}

// correctCrossing applies the changes c to the worker's crossing at index
// corrects and keeps the crossings in order.
func correctCrossing(w *workerRow, corrects uint64, c *changeSet) error {
	i := slices.IndexFunc(w.Crossings, func(x crossingRow) bool { return x.Index == corrects })
	if i < 0 {
		return errors.New("corrected crossing missing")
	}
	x := &w.Crossings[i]
	setIfChanged(&x.Dir, c.Direction)
	setIfChanged(&x.Post, c.Post)
	setIfChanged(&x.Reason, c.Reason)
	if c.OccurredAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *c.OccurredAt)
		if err != nil {
			return err
		}
		x.At = t.UnixNano()
	}
	sortCrossings(w.Crossings)
	return nil
}
