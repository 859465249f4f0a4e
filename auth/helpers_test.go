package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// t0 is the time every test starts at.
var t0 = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newEd25519(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return priv
}

func newP256(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// rsaKeys are generated once per test binary: RSA key generation is slow.
var rsaKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return a, b
})

// fixture is a server key with an Issuer and a Verifier on a shared clock.
type fixture struct {
	key    ed25519.PrivateKey
	clock  *clock
	issuer *Issuer
	verif  *Verifier
}

// The roles of the tests' tokens: the application configures its own
// (Config.Roles).
const (
	RoleEmployer  = "employer"
	RoleBorder    = "border"
	RoleInspector = "inspector"
	RoleMinistry  = "ministry"
)

var testRoles = []string{RoleEmployer, RoleBorder, RoleInspector, RoleMinistry}

func newFixture(tb testing.TB, cfg Config) *fixture {
	tb.Helper()
	f := &fixture{key: newEd25519(tb), clock: newClock()}
	cfg.Now = f.clock.Now
	if cfg.Roles == nil {
		cfg.Roles = testRoles
	}
	var err error
	if f.issuer, err = NewIssuer(f.key, cfg); err != nil {
		tb.Fatal(err)
	}
	if f.verif, err = NewVerifier(f.key.Public().(ed25519.PublicKey), cfg); err != nil {
		tb.Fatal(err)
	}
	return f
}

func (f *fixture) issue(tb testing.TB, sub, role, org string, ttl time.Duration) string {
	tb.Helper()
	tok, err := f.issuer.Issue(sub, role, org, ttl)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// validClaims returns the claims of a good one-hour token issued at now.
func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  DefaultIssuer,
		"aud":  []string{DefaultAudience},
		"sub":  "user-1",
		"exp":  now.Add(time.Hour).Unix(),
		"iat":  now.Unix(),
		"nbf":  now.Unix(),
		"jti":  "jti-1",
		"role": "inspector",
		"org":  "INSP-01",
	}
}

// sign signs claims with method and key, setting or deleting header fields
// (a nil value deletes).
func sign(tb testing.TB, method jwt.SigningMethod, key any, hdr map[string]any, claims jwt.Claims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range hdr {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rawToken assembles a token from a JSON header and payload and a signature,
// none of them checked.
func rawToken(header, payload string, sig []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jwkEd25519(kid string, pub ed25519.PublicKey) map[string]any {
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig", "x": b64(pub)}
}

func jwkP256(tb testing.TB, kid string, pub *ecdsa.PublicKey) map[string]any {
	tb.Helper()
	pt, err := pub.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]any{"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "x": b64(pt[1:33]), "y": b64(pt[33:])}
}

func jwkRSA(kid, alg string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "alg": alg, "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
}

func jwksJSON(tb testing.TB, keys ...map[string]any) []byte {
	tb.Helper()
	if keys == nil {
		keys = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeJWKS(tb testing.TB, dir, name string, keys ...map[string]any) string {
	tb.Helper()
	return writeFile(tb, dir, name, jwksJSON(tb, keys...))
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// checkRefused asserts that err refuses a credential with code and that its
// text shows no part of tok.
func checkRefused(tb testing.TB, p *Principal, err error, code, tok string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("accepted, principal %+v; want refusal %s", p, code)
	}
	if p != nil {
		tb.Errorf("refusal returned a principal: %+v", p)
	}
	got, ok := IsUnauthenticated(err)
	if !ok {
		tb.Fatalf("error %v does not wrap ErrUnauthenticated", err)
	}
	if got != code {
		tb.Errorf("code = %q, want %q (error: %v)", got, code, err)
	}
	for _, part := range strings.Split(tok, ".") {
		if len(part) >= 8 && strings.Contains(err.Error(), part) {
			tb.Errorf("error text %q contains token text", err)
		}
	}
}
