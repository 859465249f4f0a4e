package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const algEdDSA = "EdDSA"

// Verifier checks tokens: the server's own EdDSA tokens, and tokens signed by
// the keys of a trusted KeySet. It is safe for concurrent use; the key set
// can be swapped while requests are being verified.
type Verifier struct {
	cfg       Config
	serverPub ed25519.PublicKey
	serverKID string

	state  atomic.Pointer[verifierState]
	hits   atomic.Uint64
	misses atomic.Uint64
}

// verifierState is what a key-set swap replaces as one: the keys, the parser
// that accepts exactly their algorithms, and the cache of tokens verified
// with them. A Verify in flight during a swap finishes with, and caches
// into, the state it started with, which is then dropped.
type verifierState struct {
	keys   *KeySet
	parser *jwt.Parser
	cache  *tokenCache
}

// NewVerifier returns a Verifier that accepts tokens of cfg.Roles signed
// by the private half of serverKey (EdDSA only) and, once SetKeySet or
// ReloadJWKS is called, by trusted keys. It returns an error when
// serverKey is not a 32-byte Ed25519 public key or cfg.Roles is empty.
func NewVerifier(serverKey ed25519.PublicKey, cfg Config) (*Verifier, error) {
	if len(serverKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("new verifier: Ed25519 public key has %d bytes, want %d", len(serverKey), ed25519.PublicKeySize)
	}
	if len(cfg.Roles) == 0 {
		return nil, fmt.Errorf("new verifier: %w", errNoRoles)
	}
	v := &Verifier{
		cfg:       cfg.withDefaults(),
		serverPub: serverKey,
		serverKID: KeyID(serverKey),
	}
	v.state.Store(v.newState(nil))
	return v, nil
}

func (v *Verifier) newState(ks *KeySet) *verifierState {
	methods := []string{algEdDSA}
	for _, alg := range ks.algs() {
		if alg != algEdDSA {
			methods = append(methods, alg)
		}
	}
	return &verifierState{
		keys: ks,
		parser: jwt.NewParser(
			jwt.WithValidMethods(methods),
			jwt.WithIssuer(v.cfg.Issuer),
			jwt.WithAudience(v.cfg.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(v.cfg.Now),
			jwt.WithStrictDecoding(),
		),
		cache: newTokenCache(v.cfg.CacheSize),
	}
}

// KeyID returns the kid of the server's own key.
func (v *Verifier) KeyID() string { return v.serverKID }

// KeySet returns the trusted key set in use; nil when there is none.
func (v *Verifier) KeySet() *KeySet { return v.state.Load().keys }

// SetKeySet replaces the trusted key set with ks (nil removes every trusted
// key) and empties the cache, so that a token of a removed key is refused
// from then on. A key of ks whose kid equals the server's kid is never used:
// that kid always means the server's key. It cannot fail.
func (v *Verifier) SetKeySet(ks *KeySet) {
	v.state.Store(v.newState(ks))
}

// ReloadJWKS reads the JWKS file at path and, if it is good, makes it the
// trusted key set as SetKeySet does. It returns the errors of LoadJWKS, or
// an error wrapping ErrBadJWKS when a key uses the server's kid; on any
// error the key set in use, and the cache, are kept unchanged.
func (v *Verifier) ReloadJWKS(path string) error {
	ks, err := LoadJWKS(path)
	if err != nil {
		return fmt.Errorf("reload JWKS: %w", err)
	}
	if _, clash := ks.lookup(v.serverKID); clash {
		return fmt.Errorf("reload JWKS %s: %w: kid %q is the server's own key id", path, ErrBadJWKS, v.serverKID)
	}
	v.SetKeySet(ks)
	return nil
}

// CacheStats returns the cache's hit and miss counts since the Verifier was
// made, and its current size.
func (v *Verifier) CacheStats() CacheStats {
	return CacheStats{
		Hits:    v.hits.Load(),
		Misses:  v.misses.Load(),
		Entries: v.state.Load().cache.len(),
	}
}

// Verify checks token and returns the Principal it names. A token is
// accepted only if it is at most MaxTokenSize bytes; its alg is EdDSA with
// no kid or the server's kid, or is the alg of the trusted key its kid
// names; its signature holds; it has exp, not past by more than Leeway; nbf
// and iat, if present, not in the future by more than Leeway; the
// configured iss and aud; a role of Config.Roles, a sub and an org.
//
// On refusal it returns a nil Principal and an *Error wrapping
// ErrUnauthenticated whose Code says why. Oversized tokens are refused
// before any parsing.
func (v *Verifier) Verify(token string) (*Principal, error) {
	if token == "" {
		return nil, refuse(CodeTokenMissing, "no token", nil)
	}
	if len(token) > MaxTokenSize {
		return nil, refuse(CodeTokenTooLarge, fmt.Sprintf("token is longer than %d bytes", MaxTokenSize), nil)
	}
	st := v.state.Load()
	var key cacheKey
	if st.cache != nil {
		key = sha256.Sum256([]byte(token))
		if p, ok := st.cache.get(key, v.cfg.Now()); ok {
			v.hits.Add(1)
			return p, nil
		}
		v.misses.Add(1)
	}

	var c Claims
	if _, err := st.parser.ParseWithClaims(token, &c, v.keyFunc(st)); err != nil {
		return nil, classify(err)
	}
	// WithExpirationRequired guarantees exp; check anyway rather than panic.
	if c.ExpiresAt == nil {
		return nil, refuse(CodeTokenClaimsInvalid, "a required claim is missing", jwt.ErrTokenRequiredClaimMissing)
	}
	if !v.cfg.knows(c.Role) {
		return nil, classify(fmt.Errorf("%w: %w", errInvalidClaims, ErrUnknownRole))
	}
	p := Principal{
		Subject:   c.Subject,
		Role:      c.Role,
		Org:       c.Org,
		ExpiresAt: c.ExpiresAt.Time,
		TokenID:   c.ID,
	}
	if st.cache != nil {
		var nb time.Time
		if c.NotBefore != nil {
			nb = c.NotBefore.Time
		}
		if c.IssuedAt != nil && c.IssuedAt.After(nb) {
			nb = c.IssuedAt.Time
		}
		st.cache.put(key, cacheEntry{p: p, notBefore: nb}, v.cfg.Now())
	}
	return &p, nil
}

// keyFunc picks the verification key for a parsed, not yet verified token.
// The key decides the algorithm: the token's alg must equal it.
func (v *Verifier) keyFunc(st *verifierState) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, errCriticalHeaders
		}
		alg := t.Method.Alg()
		raw, hasKID := t.Header["kid"]
		if !hasKID {
			if alg != algEdDSA {
				return nil, errAlgNotForKey
			}
			return v.serverPub, nil
		}
		kid, ok := raw.(string)
		if !ok || kid == "" {
			return nil, errBadKeyIDHeader
		}
		if kid == v.serverKID {
			if alg != algEdDSA {
				return nil, errAlgNotForKey
			}
			return v.serverPub, nil
		}
		k, ok := st.keys.lookup(kid)
		if !ok {
			return nil, errUnknownKeyID
		}
		if alg != k.alg {
			return nil, errAlgNotForKey
		}
		return k.pub, nil
	}
}

// IsUnauthenticated reports whether err refuses a credential, that is
// whether it wraps ErrUnauthenticated, and returns its Code ("" if not).
func IsUnauthenticated(err error) (code string, ok bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	if errors.Is(err, ErrUnauthenticated) {
		return "", true
	}
	return "", false
}
