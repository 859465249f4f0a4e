package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnknownRole is wrapped by the errors of an Issuer or a Verifier for a
// role that is not one of Config.Roles.
var ErrUnknownRole = errors.New("unknown role")

// Claims is the payload of a Trazo token: the registered JWT claims plus the
// caller's role and organisation.
type Claims struct {
	jwt.RegisteredClaims
	// Role is the caller's role, one of Config.Roles.
	Role string `json:"role"`
	// Org is the caller's organisation: the employer id of an employer,
	// the border-post code of a border post, an agency code otherwise.
	Org string `json:"org"`
}

// errInvalidClaims is wrapped by the errors of Claims.Validate.
var errInvalidClaims = errors.New("invalid claims")

// Validate implements jwt.ClaimsValidator; the parser calls it after the
// registered claims have been checked. It returns an error wrapping
// ErrUnknownRole for an empty role, and an error for an empty sub or an
// empty org. The errors name the claim, never its value. Whether a role
// is one of Config.Roles is the Verifier's check.
func (c Claims) Validate() error {
	var errs []error
	if c.Role == "" {
		errs = append(errs, fmt.Errorf("%w: %w", errInvalidClaims, ErrUnknownRole))
	}
	if c.Subject == "" {
		errs = append(errs, fmt.Errorf("%w: empty sub", errInvalidClaims))
	}
	if c.Org == "" {
		errs = append(errs, fmt.Errorf("%w: empty org", errInvalidClaims))
	}
	return errors.Join(errs...)
}

// Principal is the verified caller of a request.
type Principal struct {
	// Subject is the token's sub: who the caller is.
	Subject string
	// Role is what the caller may do: one of Config.Roles.
	Role string
	// Org is the caller's organisation (see Claims.Org).
	Org string
	// ExpiresAt is when the token stops being accepted (its exp, without
	// the leeway).
	ExpiresAt time.Time
	// TokenID is the token's jti; it may be empty for tokens of an
	// external identity provider.
	TokenID string
}

// LogValue implements slog.LogValuer. It shows the subject, role, org, expiry
// and token id, which identify but do not authenticate; it never shows the
// token itself.
func (p *Principal) LogValue() slog.Value {
	if p == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("sub", p.Subject),
		slog.String("role", p.Role),
		slog.String("org", p.Org),
		slog.Time("exp", p.ExpiresAt),
		slog.String("jti", p.TokenID),
	)
}

// Token is a raw bearer token held in a type that does not print itself:
// String, GoString, LogValue and every fmt verb show "[redacted]". Convert
// it with string(t) at the one place the text is needed.
type Token string

const redacted = "[redacted]"

// String returns "[redacted]".
func (Token) String() string { return redacted }

// GoString returns `auth.Token("[redacted]")`, so %#v does not show the token.
func (Token) GoString() string { return `auth.Token("[redacted]")` }

// LogValue implements slog.LogValuer and returns "[redacted]".
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// Format implements fmt.Formatter so that no verb (%s, %q, %x, %d, …)
// prints the token: it writes "[redacted]", or the GoString for %#v.
func (t Token) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, t.GoString())
		return
	}
	_, _ = io.WriteString(f, redacted)
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p. It cannot fail.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the Principal that WithPrincipal stored in ctx, and
// false (with a nil Principal) when there is none.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
