package auth

import (
	"errors"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthenticated is wrapped by every error that refuses a credential:
// errors.Is(err, ErrUnauthenticated) tells an HTTP layer to answer 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// Codes carried by [Error]. They are stable, snake_case, and safe to show to
// a client.
const (
	// CodeTokenMissing: no Authorization header, or an empty token.
	CodeTokenMissing = "token_missing"
	// CodeSchemeUnsupported: an Authorization scheme other than Bearer.
	CodeSchemeUnsupported = "auth_scheme_unsupported"
	// CodeTokenTooLarge: a header value or token over MaxTokenSize bytes.
	CodeTokenTooLarge = "token_too_large"
	// CodeTokenMalformed: not three base64url segments of JSON.
	CodeTokenMalformed = "token_malformed"
	// CodeTokenInvalid: wrong algorithm, unknown kid, or bad signature.
	CodeTokenInvalid = "token_invalid"
	// CodeTokenExpired: exp is past, beyond the leeway.
	CodeTokenExpired = "token_expired"
	// CodeTokenNotYetValid: nbf or iat is in the future, beyond the leeway.
	CodeTokenNotYetValid = "token_not_yet_valid"
	// CodeTokenClaimsInvalid: a required claim is missing or wrong (exp,
	// iss, aud, sub, role, org).
	CodeTokenClaimsInvalid = "token_claims_invalid"
)

// Error is the refusal of a credential. Its message is "unauthenticated:
// <code>: <reason>", where reason is a fixed phrase of this package; it
// never contains the token text.
//
// Error wraps ErrUnauthenticated and, when there is one, the error of the
// JWT library that caused it (for example jwt.ErrTokenExpired), so that
// errors.Is works with both.
type Error struct {
	// Code is one of the Code… constants.
	Code string
	// Reason is a short human phrase, safe to show to a client.
	Reason string

	cause error
}

// Error returns "unauthenticated: <code>: <reason>".
func (e *Error) Error() string {
	if e.Reason == "" {
		return "unauthenticated: " + e.Code
	}
	return "unauthenticated: " + e.Code + ": " + e.Reason
}

// Unwrap returns ErrUnauthenticated and, when known, the underlying cause.
func (e *Error) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrUnauthenticated}
	}
	return []error{ErrUnauthenticated, e.cause}
}

func refuse(code, reason string, cause error) *Error {
	return &Error{Code: code, Reason: reason, cause: cause}
}

// Errors returned by the key function; they reach callers through
// Error.Unwrap and are mapped to CodeTokenInvalid.
var (
	errUnknownKeyID    = errors.New("unknown key id")
	errAlgNotForKey    = errors.New("algorithm does not match the key")
	errBadKeyIDHeader  = errors.New("kid header is not a non-empty string")
	errCriticalHeaders = errors.New("crit header is not supported")
)

// classify turns an error of jwt.Parser.ParseWithClaims into an *Error.
// The order matters: the JWT library joins several claim errors into one.
func classify(err error) *Error {
	switch {
	case errors.Is(err, errUnknownKeyID):
		return refuse(CodeTokenInvalid, "unknown key id", err)
	case errors.Is(err, errAlgNotForKey):
		return refuse(CodeTokenInvalid, "algorithm not accepted for this key", err)
	case errors.Is(err, errBadKeyIDHeader), errors.Is(err, errCriticalHeaders):
		return refuse(CodeTokenInvalid, "unsupported token header", err)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse(CodeTokenMalformed, "token is not a well-formed JWT", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return refuse(CodeTokenInvalid, "signature or algorithm not accepted", err)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(CodeTokenClaimsInvalid, "a required claim is missing", err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse(CodeTokenExpired, "token has expired", err)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(CodeTokenNotYetValid, "token is not valid yet", err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return refuse(CodeTokenClaimsInvalid, "token is not meant for this service", err)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return refuse(CodeTokenClaimsInvalid, "token issuer not accepted", err)
	case errors.Is(err, errInvalidClaims):
		return refuse(CodeTokenClaimsInvalid, "token claims are not valid", err)
	default:
		return refuse(CodeTokenInvalid, "token not accepted", err)
	}
}
