package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Entry types: the "type" of every entry this package appends.
const (
	TypeEmployerRegistered = "employer.registered"
	TypeEmployerSuspended  = "employer.suspended"
	TypeWorkerRegistered   = "worker.registered"
	TypePermitIssued       = "permit.issued"
	TypePermitRevoked      = "permit.revoked"
	TypeCrossingRecorded   = "crossing.recorded"
	TypePlacementStarted   = "placement.started"
	TypePlacementEnded     = "placement.ended"
	TypeEntryCorrected     = "entry.corrected"
	TypeWorkerErased       = "worker.erased"
	TypeAccessRecorded     = "access.recorded"
)

// Role is what a caller may do: the "role" claim of its token. Only the
// roles Roles lists exist; the domain's operations decide which of them
// may call each.
type Role string

// The roles of the callers.
const (
	// RoleEmployer is an employer; the caller's org is its employer id.
	RoleEmployer Role = "employer"
	// RoleBorder is a border post; the org is the post's code.
	RoleBorder Role = "border"
	// RoleInspector is a labour inspector; the org is the agency's code.
	RoleInspector Role = "inspector"
	// RoleMinistry is a ministry official; the org is the agency's code.
	RoleMinistry Role = "ministry"
)

// Roles returns every role, in a new slice (cmd/trazo configures the
// token verifier with it). It cannot fail.
func Roles() []Role { return []Role{RoleEmployer, RoleBorder, RoleInspector, RoleMinistry} }

// Actor is who asks: the sub, role and org claims of the caller's token.
// For the employer role, Org is the caller's employer id; for border, the
// border post's code; otherwise an agency code.
type Actor struct {
	Sub  string `json:"sub"`
	Role Role   `json:"role"`
	Org  string `json:"org"`
}

// Entry is one log entry as this package encodes it: one JSON object whose
// exact bytes are the Merkle leaf. Data holds the non-identifying fields of
// the type (one of the *Data structs below); PII, when present, is the
// AES-256-GCM ciphertext (nonce ‖ ciphertext ‖ tag, base64 in JSON) of a
// Personal under the worker's data key, with the worker id as additional
// data.
type Entry struct {
	Index       uint64          `json:"index"`
	Type        string          `json:"type"`
	RecordedAt  time.Time       `json:"recorded_at"`
	Actor       Actor           `json:"actor"`
	WorkerID    string          `json:"worker_id,omitempty"`
	EmployerID  string          `json:"employer_id,omitempty"`
	PermitID    string          `json:"permit_id,omitempty"`
	PlacementID string          `json:"placement_id,omitempty"`
	Data        json.RawMessage `json:"data"`
	PII         []byte          `json:"pii,omitempty"`

	// What the entry's builder already read and decoded inside the
	// writer, so that apply need not do it again (live appends only;
	// never encoded, nil for entries decoded from the log).
	worker   *workerRow    // the worker row as it was before this entry
	crossing *CrossingData // Data, decoded
}

// DecodeEntry parses an entry's leaf bytes. It returns an error if they
// are not one JSON object of this package's shape (unknown fields
// included) or lack a type.
func DecodeEntry(b []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("decode entry: %w", err)
	}
	if dec.More() {
		return Entry{}, fmt.Errorf("decode entry: trailing data")
	}
	if e.Type == "" {
		return Entry{}, fmt.Errorf("decode entry: no type")
	}
	return e, nil
}

// encodeEntry returns the leaf bytes of e.
func encodeEntry(e *Entry) ([]byte, error) {
	e.RecordedAt = e.RecordedAt.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s entry: %w", e.Type, err)
	}
	return b, nil
}

// DecodeData parses the entry's data into v (one of the *Data types).
func (e *Entry) DecodeData(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("decode data of %s entry %d: %w", e.Type, e.Index, err)
	}
	return nil
}

// EmployerRegisteredData is the data of employer.registered.
type EmployerRegisteredData struct {
	LegalName string `json:"legal_name"`
	TaxID     string `json:"tax_id"`
	Country   string `json:"country"`
	Sector    string `json:"sector"`
	Region    string `json:"region"`
}

// ReasonData is the data of employer.suspended, permit.revoked and
// worker.erased.
type ReasonData struct {
	Reason string `json:"reason"`
}

// WorkerRegisteredData is the clear data of worker.registered: the
// attributes statistics need. Names, date of birth and document number are
// in the entry's PII.
type WorkerRegisteredData struct {
	Sex         string       `json:"sex"`
	Nationality string       `json:"nationality"`
	BirthYear   int          `json:"birth_year"`
	Document    DocumentData `json:"document"`
}

// DocumentData is the clear part of a travel document.
type DocumentData struct {
	Type           string `json:"type"`
	IssuingCountry string `json:"issuing_country"`
}

// Personal is the identifying data of a worker, only ever stored
// encrypted. In a correction's PII only the changed fields are set.
type Personal struct {
	GivenNames     string `json:"given_names,omitempty"`
	FamilyNames    string `json:"family_names,omitempty"`
	DateOfBirth    string `json:"date_of_birth,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
}

// PermitIssuedData is the data of permit.issued.
type PermitIssuedData struct {
	Type      string `json:"type"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

// CrossingData is the data of crossing.recorded. Warnings are the
// anomalies observed when it was recorded (entry_while_present,
// exit_without_entry).
type CrossingData struct {
	Direction  string   `json:"direction"`
	OccurredAt string   `json:"occurred_at"`
	Post       string   `json:"post,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	ClientRef  string   `json:"client_ref,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// PlacementStartedData is the data of placement.started. AgeAtStart is the
// worker's age in whole years on the start date, computed from the
// encrypted date of birth when the placement was recorded, so that
// minor_in_placement and age bands survive erasure.
type PlacementStartedData struct {
	StartDate       string `json:"start_date"`
	ExpectedEndDate string `json:"expected_end_date"`
	Occupation      string `json:"occupation"`
	Sector          string `json:"sector"`
	Region          string `json:"region"`
	AgeAtStart      *int   `json:"age_at_start,omitempty"`
}

// PlacementEndedData is the data of placement.ended.
type PlacementEndedData struct {
	EndDate string `json:"end_date"`
	Reason  string `json:"reason"`
}

// CorrectionData is the data of entry.corrected: which entry, of which
// type, why, and the new values of the clear fields it changes. Changed
// personal fields are in the correction's PII instead.
type CorrectionData struct {
	Corrects uint64                     `json:"corrects"`
	Type     string                     `json:"type"`
	Reason   string                     `json:"reason"`
	Changes  map[string]json.RawMessage `json:"changes"`
}

// AccessData is the data of access.recorded: an inspector read a worker's
// personal data, through which view, and why.
type AccessData struct {
	Purpose string `json:"purpose"`
	View    string `json:"view"` // "worker" or "history"
}
