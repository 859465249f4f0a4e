package ledger

import (
	"errors"
	"fmt"
)

// Sentinel errors of the domain. Every refusal returned by a Service method
// wraps one of them, or is a *ValidationError; test with errors.Is and
// errors.As. Failures of the store wrap ledger.ErrStorage (answer 503).
var (
	// ErrNotFound: the subject does not exist, or the caller may not know
	// that it exists (an employer asking for another employer's worker,
	// placement or entry). HTTP 404.
	ErrNotFound = errors.New("mobility: not found")
	// ErrConflict: the request contradicts the current state (a second
	// employer with the same tax id, ending an ended placement). HTTP 409.
	ErrConflict = errors.New("mobility: conflict")
	// ErrForbidden: the caller's role may not do this, or an employer
	// caller's org is not a registered employer. HTTP 403.
	ErrForbidden = errors.New("mobility: forbidden")
)

// Error is a refusal that wraps ErrNotFound, ErrConflict or ErrForbidden
// and carries a stable snake_case Code and a human Message that are safe to
// show to a client.
type Error struct {
	Kind    error  // ErrNotFound, ErrConflict or ErrForbidden
	Code    string // e.g. "employer_exists", "placement_ended", "role_not_allowed"
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error's Kind, so that errors.Is(err, ErrConflict) holds.
func (e *Error) Unwrap() error { return e.Kind }

func notFound(what string) error {
	return &Error{Kind: ErrNotFound, Code: "not_found", Message: what + " not found"}
}

func conflict(code, format string, args ...any) error {
	return &Error{Kind: ErrConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

func forbidden(code, format string, args ...any) error {
	return &Error{Kind: ErrForbidden, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ValidationError is a request refused by a validation or domain rule
// (HTTP 422). Code is stable and snake_case; Field is the JSON path of the
// offending field ("document.issuing_country", "changes.occurred_at"), or
// empty when the rule concerns the request as a whole.
type ValidationError struct {
	Code    string
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func invalid(code, field, format string, args ...any) *ValidationError {
	return &ValidationError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validation and domain rule codes carried by ValidationError.
const (
	CodeRequired          = "required"           // a required field is missing or blank
	CodeTooLong           = "too_long"           // a text field is over its length limit
	CodeInvalidText       = "invalid_text"       // a text field has invalid UTF-8 or control characters
	CodeInvalidValue      = "invalid_value"      // a value of the wrong JSON type
	CodeInvalidCountry    = "invalid_country"    // not an ISO 3166-1 alpha-3 (or ICAO XXA/XXB/XXC/XXX) code
	CodeInvalidRegion     = "invalid_region"     // not an ISO 3166-2 code of the expected country
	CodeInvalidOccupation = "invalid_occupation" // not an ISCO-08 4-digit unit group
	CodeInvalidSector     = "invalid_sector"     // not an ISIC Rev.4 section letter or 4-digit class
	CodeInvalidDate       = "invalid_date"       // not a real YYYY-MM-DD date in range
	CodeInvalidTime       = "invalid_time"       // not an RFC 3339 time
	CodeInvalidSex        = "invalid_sex"        // not F, M or X
	CodeInvalidDocType    = "invalid_document_type"
	CodeInvalidDocNumber  = "invalid_document_number"
	CodeInvalidPermitType = "invalid_permit_type"
	CodeInvalidDirection  = "invalid_direction"  // not entry, exit or refused
	CodeInvalidEndReason  = "invalid_end_reason" // not one of the placement end reasons
	CodeInvalidPeriod     = "invalid_period"     // an end before its start
	CodeInvalidCursor     = "invalid_cursor"     // a pagination cursor this service did not issue
	CodeInvalidFilter     = "invalid_filter"     // an unknown finding type in a filter
	CodeDateInFuture      = "date_in_future"     // a date of birth after today
	CodeCrossingInFuture  = "crossing_in_future" // occurred_at more than 5 minutes ahead of the clock
	CodeNoValidPermit     = "no_valid_permit"    // no permit of the worker is valid on the start date
	CodeEmployerSuspended = "employer_suspended" // a suspended employer starts a placement
	CodeWorkerErased      = "worker_erased"      // the worker's personal data was erased
	CodeUnknownField      = "unknown_field"      // a correction changes a field that type does not allow
	CodeNotCorrectable    = "not_correctable"    // entries of that type cannot be corrected
	CodeTooManyItems      = "too_many_items"     // a batch over its limit
	CodePurposeRequired   = "purpose_required"   // an inspector read without a purpose
)

// Codes carried by *Error.
const (
	CodeNotFound              = "not_found"
	CodeRoleNotAllowed        = "role_not_allowed"
	CodeEmployerNotRegistered = "employer_not_registered"
	CodeEmployerExists        = "employer_exists"
	CodeAlreadySuspended      = "employer_already_suspended"
	CodeAlreadyRevoked        = "permit_already_revoked"
	CodeAlreadyErased         = "worker_already_erased"
	CodePlacementEnded        = "placement_ended"
)
