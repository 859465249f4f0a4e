package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults for Config.
const (
	// DefaultIssuer is the iss claim when Config.Issuer is empty.
	DefaultIssuer = "trazo"
	// DefaultAudience is the aud claim when Config.Audience is empty.
	DefaultAudience = "trazo-api"
	// DefaultCacheSize is the number of verified tokens a Verifier keeps
	// when Config.CacheSize is zero.
	DefaultCacheSize = 10_000
	// Leeway is the clock skew allowed on exp, nbf and iat.
	Leeway = 30 * time.Second
	// MaxTokenSize is the longest token, or Authorization header value,
	// that is looked at; longer ones are refused before any parsing.
	MaxTokenSize = 8 << 10
)

// Config holds the settings shared by Issuer and Verifier. The zero value is
// ready to use.
type Config struct {
	// Issuer is the iss claim issued and required; DefaultIssuer if empty.
	Issuer string
	// Audience is the aud claim issued and required; DefaultAudience if
	// empty.
	Audience string
	// Now returns the current time; time.Now if nil. Tests inject a clock.
	Now func() time.Time
	// CacheSize bounds the Verifier's cache of verified tokens:
	// DefaultCacheSize if zero, no cache at all if negative.
	CacheSize int
	// Roles are the roles a token may carry in its "role" claim (the
	// application's list, compared exactly); a token of any other role is
	// refused. NewIssuer and NewVerifier refuse an empty list.
	Roles []string
}

// errNoRoles is returned by NewIssuer and NewVerifier for a Config without
// Roles.
var errNoRoles = errors.New("no roles configured (Config.Roles is empty)")

// knows reports whether role is one of c.Roles.
func (c Config) knows(role string) bool { return slices.Contains(c.Roles, role) }

func (c Config) withDefaults() Config {
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	return c
}

// Issuer signs Trazo tokens with the server's Ed25519 key. It is safe for
// concurrent use.
type Issuer struct {
	key ed25519.PrivateKey
	kid string
	cfg Config
}

// NewIssuer returns an Issuer that signs with key tokens of cfg.Roles. It
// returns an error when key is not a complete Ed25519 private key or
// cfg.Roles is empty.
func NewIssuer(key ed25519.PrivateKey, cfg Config) (*Issuer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("new issuer: Ed25519 private key has %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if len(cfg.Roles) == 0 {
		return nil, fmt.Errorf("new issuer: %w", errNoRoles)
	}
	pub, _ := key.Public().(ed25519.PublicKey)
	return &Issuer{key: key, kid: KeyID(pub), cfg: cfg.withDefaults()}, nil
}

// KeyID returns the kid the Issuer puts in every token's header.
func (i *Issuer) KeyID() string { return i.kid }

// PublicKey returns the public half of the Issuer's key.
func (i *Issuer) PublicKey() ed25519.PublicKey {
	pub, _ := i.key.Public().(ed25519.PublicKey)
	return pub
}

// Issue returns a signed token (alg EdDSA, the Issuer's kid) for subject
// sub acting as role for org, valid from now for ttl, with a random 128-bit
// jti. It returns an error, and no token, when role is not one of
// Config.Roles (wrapping ErrUnknownRole), sub or org is empty, or ttl is
// not positive.
func (i *Issuer) Issue(sub, role, org string, ttl time.Duration) (string, error) {
	if !i.cfg.knows(role) {
		return "", fmt.Errorf("issue token: %w %q (want one of %s)", ErrUnknownRole, role, strings.Join(i.cfg.Roles, ", "))
	}
	if sub == "" {
		return "", errors.New("issue token: empty subject")
	}
	if org == "" {
		return "", errors.New("issue token: empty org")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("issue token: ttl %v is not positive", ttl)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	now := i.cfg.Now()
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.cfg.Issuer,
			Subject:   sub,
			Audience:  jwt.ClaimStrings{i.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        base64.RawURLEncoding.EncodeToString(id[:]),
		},
		Role: role,
		Org:  org,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = i.kid
	s, err := t.SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return s, nil
}
