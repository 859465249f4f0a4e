package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestIssueVerifyRoundTrip(t *testing.T) {
	f := newFixture(t, Config{})
	for _, role := range testRoles {
		t.Run(role, func(t *testing.T) {
			tok := f.issue(t, "sub-"+role, role, "ORG-"+role, 8*time.Hour)
			p, err := f.verif.Verify(tok)
			if err != nil {
				t.Fatal(err)
			}
			want := &Principal{
				Subject:   "sub-" + role,
				Role:      role,
				Org:       "ORG-" + role,
				ExpiresAt: t0.Add(8 * time.Hour),
				TokenID:   p.TokenID,
			}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIssuedClaimsRoundTrip(t *testing.T) {
	f := newFixture(t, Config{Issuer: "trazo-test", Audience: "trazo-test-api"})
	tok := f.issue(t, "alice", RoleBorder, "CRI-PEÑAS-BLANCAS", time.Hour)

	var got Claims
	parsed, err := jwt.ParseWithClaims(tok, &got, func(*jwt.Token) (any, error) {
		return f.key.Public(), nil
	}, jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithTimeFunc(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": f.issuer.KeyID()}
	if diff := cmp.Diff(wantHeader, parsed.Header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	want := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "trazo-test",
			Subject:   "alice",
			Audience:  jwt.ClaimStrings{"trazo-test-api"},
			ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)),
			NotBefore: jwt.NewNumericDate(t0),
			IssuedAt:  jwt.NewNumericDate(t0),
			ID:        got.ID,
		},
		Role: RoleBorder,
		Org:  "CRI-PEÑAS-BLANCAS",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	id, err := base64.RawURLEncoding.DecodeString(got.ID)
	if err != nil || len(id) != 16 {
		t.Errorf("jti %q is not 128 bits of base64url (err %v)", got.ID, err)
	}
	// A Verifier with the default iss and aud refuses this token.
	v, err := NewVerifier(f.key.Public().(ed25519.PublicKey), Config{Now: f.clock.Now, Roles: testRoles})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(tok)
	checkRefused(t, p, err, CodeTokenClaimsInvalid, tok)
}

func TestKeyIDIsStable(t *testing.T) {
	pub := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	// SHA-256 of 32 zero bytes starts 66 68 7a ad f8 62 bd 77.
	if got, want := KeyID(pub), "Zmh6rfhivXc"; got != want {
		t.Errorf("KeyID = %q, want %q", got, want)
	}
}

func TestIssueRefusesBadInput(t *testing.T) {
	f := newFixture(t, Config{})
	for _, tc := range []struct {
		name, sub, org string
		role           string
		ttl            time.Duration
	}{
		{"unknown role", "s", "o", "admin", time.Hour},
		{"empty sub", "", "o", RoleMinistry, time.Hour},
		{"empty org", "s", "", RoleMinistry, time.Hour},
		{"zero ttl", "s", "o", RoleMinistry, 0},
		{"negative ttl", "s", "o", RoleMinistry, -time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := f.issuer.Issue(tc.sub, tc.role, tc.org, tc.ttl)
			if err == nil || tok != "" {
				t.Errorf("Issue = %q, %v; want an error and no token", tok, err)
			}
		})
	}
	if _, err := NewIssuer(ed25519.PrivateKey{1, 2, 3}, Config{Roles: testRoles}); err == nil {
		t.Error("NewIssuer accepted a 3-byte key")
	}
	if _, err := NewVerifier(ed25519.PublicKey{1, 2, 3}, Config{Roles: testRoles}); err == nil {
		t.Error("NewVerifier accepted a 3-byte key")
	}
}

// TestVerifyAttacks checks that every forged, stale or wrong token is
// refused with the right code, and that the good ones around the edges pass.
func TestVerifyAttacks(t *testing.T) {
	f := newFixture(t, Config{})
	now := t0
	serverPub := f.key.Public().(ed25519.PublicKey)
	serverKID := f.issuer.KeyID()
	stranger := newEd25519(t)
	ecKey := newP256(t)
	edTrusted := newEd25519(t)
	f.verif.SetKeySet(mustParseJWKS(t, jwksJSON(t,
		jwkP256(t, "ec1", &ecKey.PublicKey),
		jwkEd25519("ed1", edTrusted.Public().(ed25519.PublicKey)),
	)))

	with := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims(now)
		mod(c)
		return c
	}
	server := func(c jwt.MapClaims) string {
		return sign(t, jwt.SigningMethodEdDSA, f.key, map[string]any{"kid": serverKID}, c)
	}
	good := server(validClaims(now))
	parts := strings.Split(good, ".")

	for _, tc := range []struct {
		name  string
		token string
		code  string // "" means accepted
		cause error  // optional: errors.Is(err, cause) must hold
	}{
		{name: "good", token: good},
		{name: "good without kid", token: sign(t, jwt.SigningMethodEdDSA, f.key, nil, validClaims(now))},
		{name: "alg none", token: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil, validClaims(now)), code: CodeTokenInvalid},
		{name: "alg none with server kid", token: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": serverKID}, validClaims(now)), code: CodeTokenInvalid},
		{name: "alg none hand-made, empty signature", token: rawToken(`{"alg":"none","typ":"JWT"}`, `{"sub":"x"}`, nil), code: CodeTokenInvalid},
		{name: "HS256 keyed with server public key", token: sign(t, jwt.SigningMethodHS256, []byte(serverPub), nil, validClaims(now)), code: CodeTokenInvalid},
		{name: "HS256 keyed with server public key, server kid", token: sign(t, jwt.SigningMethodHS256, []byte(serverPub), map[string]any{"kid": serverKID}, validClaims(now)), code: CodeTokenInvalid},
		{name: "HS256 keyed with public key PEM-ish bytes", token: sign(t, jwt.SigningMethodHS256, []byte(base64.StdEncoding.EncodeToString(serverPub)), nil, validClaims(now)), code: CodeTokenInvalid},
		{name: "other Ed25519 key, no kid", token: sign(t, jwt.SigningMethodEdDSA, stranger, nil, validClaims(now)), code: CodeTokenInvalid, cause: jwt.ErrTokenSignatureInvalid},
		{name: "other Ed25519 key, server kid", token: sign(t, jwt.SigningMethodEdDSA, stranger, map[string]any{"kid": serverKID}, validClaims(now)), code: CodeTokenInvalid, cause: jwt.ErrTokenSignatureInvalid},
		{name: "other Ed25519 key, its own kid", token: sign(t, jwt.SigningMethodEdDSA, stranger, map[string]any{"kid": KeyID(stranger.Public().(ed25519.PublicKey))}, validClaims(now)), code: CodeTokenInvalid, cause: errUnknownKeyID},
		{name: "other Ed25519 key, trusted key's kid", token: sign(t, jwt.SigningMethodEdDSA, stranger, map[string]any{"kid": "ed1"}, validClaims(now)), code: CodeTokenInvalid, cause: jwt.ErrTokenSignatureInvalid},
		{name: "unknown kid", token: sign(t, jwt.SigningMethodEdDSA, f.key, map[string]any{"kid": "nope"}, validClaims(now)), code: CodeTokenInvalid, cause: errUnknownKeyID},
		{name: "kid is a number", token: sign(t, jwt.SigningMethodEdDSA, f.key, map[string]any{"kid": 7}, validClaims(now)), code: CodeTokenInvalid, cause: errBadKeyIDHeader},
		{name: "kid is empty", token: sign(t, jwt.SigningMethodEdDSA, f.key, map[string]any{"kid": ""}, validClaims(now)), code: CodeTokenInvalid, cause: errBadKeyIDHeader},
		{name: "crit header", token: sign(t, jwt.SigningMethodEdDSA, f.key, map[string]any{"crit": []string{"exp"}}, validClaims(now)), code: CodeTokenInvalid, cause: errCriticalHeaders},
		{name: "ES256 token naming an EdDSA JWKS key", token: sign(t, jwt.SigningMethodES256, ecKey, map[string]any{"kid": "ed1"}, validClaims(now)), code: CodeTokenInvalid, cause: errAlgNotForKey},
		{name: "EdDSA token naming an ES256 JWKS key", token: sign(t, jwt.SigningMethodEdDSA, edTrusted, map[string]any{"kid": "ec1"}, validClaims(now)), code: CodeTokenInvalid, cause: errAlgNotForKey},
		{name: "ES256 token naming the server kid", token: sign(t, jwt.SigningMethodES256, ecKey, map[string]any{"kid": serverKID}, validClaims(now)), code: CodeTokenInvalid, cause: errAlgNotForKey},
		{name: "ES256 token without kid", token: sign(t, jwt.SigningMethodES256, ecKey, nil, validClaims(now)), code: CodeTokenInvalid, cause: errAlgNotForKey},
		{name: "RS256 not offered by any key", token: rawToken(`{"alg":"RS256","kid":"ec1"}`, `{}`, []byte("sig")), code: CodeTokenInvalid},
		{name: "unknown alg", token: rawToken(`{"alg":"XX999"}`, `{}`, []byte("sig")), code: CodeTokenInvalid},
		{name: "expired beyond leeway", token: server(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-31 * time.Second).Unix() })), code: CodeTokenExpired, cause: jwt.ErrTokenExpired},
		{name: "expired within leeway", token: server(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-29 * time.Second).Unix() }))},
		{name: "no exp", token: server(with(func(c jwt.MapClaims) { delete(c, "exp") })), code: CodeTokenClaimsInvalid, cause: jwt.ErrTokenRequiredClaimMissing},
		{name: "exp null", token: server(with(func(c jwt.MapClaims) { c["exp"] = nil })), code: CodeTokenClaimsInvalid, cause: jwt.ErrTokenRequiredClaimMissing},
		{name: "exp 0", token: server(with(func(c jwt.MapClaims) { c["exp"] = 0 })), code: CodeTokenExpired},
		{name: "exp not a number", token: server(with(func(c jwt.MapClaims) { c["exp"] = true })), code: CodeTokenMalformed},
		{name: "wrong aud", token: server(with(func(c jwt.MapClaims) { c["aud"] = "other-api" })), code: CodeTokenClaimsInvalid, cause: jwt.ErrTokenInvalidAudience},
		{name: "no aud", token: server(with(func(c jwt.MapClaims) { delete(c, "aud") })), code: CodeTokenClaimsInvalid},
		{name: "aud as a string", token: server(with(func(c jwt.MapClaims) { c["aud"] = DefaultAudience }))},
		{name: "wrong iss", token: server(with(func(c jwt.MapClaims) { c["iss"] = "evil" })), code: CodeTokenClaimsInvalid, cause: jwt.ErrTokenInvalidIssuer},
		{name: "no iss", token: server(with(func(c jwt.MapClaims) { delete(c, "iss") })), code: CodeTokenClaimsInvalid},
		{name: "nbf in the future", token: server(with(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() })), code: CodeTokenNotYetValid, cause: jwt.ErrTokenNotValidYet},
		{name: "nbf within leeway", token: server(with(func(c jwt.MapClaims) { c["nbf"] = now.Add(20 * time.Second).Unix() }))},
		{name: "iat in the future", token: server(with(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() })), code: CodeTokenNotYetValid, cause: jwt.ErrTokenUsedBeforeIssued},
		{name: "unknown role", token: server(with(func(c jwt.MapClaims) { c["role"] = "admin" })), code: CodeTokenClaimsInvalid, cause: ErrUnknownRole},
		{name: "role in capitals", token: server(with(func(c jwt.MapClaims) { c["role"] = "Ministry" })), code: CodeTokenClaimsInvalid, cause: ErrUnknownRole},
		{name: "no role", token: server(with(func(c jwt.MapClaims) { delete(c, "role") })), code: CodeTokenClaimsInvalid, cause: ErrUnknownRole},
		{name: "role not a string", token: server(with(func(c jwt.MapClaims) { c["role"] = 1 })), code: CodeTokenMalformed},
		{name: "empty org", token: server(with(func(c jwt.MapClaims) { c["org"] = "" })), code: CodeTokenClaimsInvalid},
		{name: "no sub", token: server(with(func(c jwt.MapClaims) { delete(c, "sub") })), code: CodeTokenClaimsInvalid},
		{name: "empty token", token: "", code: CodeTokenMissing},
		{name: "1 MiB of dots", token: strings.Repeat(".", 1<<20), code: CodeTokenTooLarge},
		{name: "just over 8 KiB", token: good + "." + strings.Repeat("A", MaxTokenSize-len(good)), code: CodeTokenTooLarge},
		{name: "two segments", token: parts[0] + "." + parts[1], code: CodeTokenMalformed},
		{name: "four segments", token: good + ".x", code: CodeTokenMalformed},
		{name: "malformed base64 header", token: "e$J!." + parts[1] + "." + parts[2], code: CodeTokenMalformed},
		{name: "malformed base64 payload", token: parts[0] + ".eyJ%%%." + parts[2], code: CodeTokenMalformed},
		{name: "malformed base64 signature", token: parts[0] + "." + parts[1] + ".***", code: CodeTokenMalformed},
		{name: "padded base64", token: parts[0] + "=." + parts[1] + "." + parts[2], code: CodeTokenMalformed},
		{name: "payload not JSON", token: parts[0] + "." + b64([]byte("role=ministry")) + "." + parts[2], code: CodeTokenMalformed},
		{name: "payload a JSON array", token: parts[0] + "." + b64([]byte("[]")) + "." + parts[2], code: CodeTokenMalformed},
		{name: "payload swapped, signature kept", token: parts[0] + "." + b64([]byte(`{"iss":"trazo","aud":"trazo-api","sub":"x","role":"ministry","org":"M","exp":4102444800}`)) + "." + parts[2], code: CodeTokenInvalid, cause: jwt.ErrTokenSignatureInvalid},
		{name: "signature truncated", token: parts[0] + "." + parts[1] + "." + b64(mustDecode(t, parts[2])[:63]), code: CodeTokenInvalid},
		{name: "signature empty", token: parts[0] + "." + parts[1] + ".", code: CodeTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.verif.Verify(tc.token)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if p.Subject != "user-1" || p.Role != RoleInspector || p.Org != "INSP-01" {
					t.Errorf("principal = %+v", p)
				}
				return
			}
			checkRefused(t, p, err, tc.code, tc.token)
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("error %v does not wrap %v", err, tc.cause)
			}
		})
	}
}

// TestVerifyOversizedBeforeParsing checks that a huge token is refused on
// its length alone: it never reaches the cache or the parser.
func TestVerifyOversizedBeforeParsing(t *testing.T) {
	f := newFixture(t, Config{})
	for _, tok := range []string{
		strings.Repeat(".", 1<<20),
		strings.Repeat("A", MaxTokenSize+1),
	} {
		p, err := f.verif.Verify(tok)
		checkRefused(t, p, err, CodeTokenTooLarge, tok)
		if len(err.Error()) > 100 {
			t.Errorf("error text is %d bytes long", len(err.Error()))
		}
	}
	if diff := cmp.Diff(CacheStats{}, f.verif.CacheStats()); diff != "" {
		t.Errorf("oversized tokens touched the cache (-want +got):\n%s", diff)
	}
	// Exactly MaxTokenSize bytes goes on to parsing, and fails there.
	tok := strings.Repeat("A", MaxTokenSize)
	p, err := f.verif.Verify(tok)
	checkRefused(t, p, err, CodeTokenMalformed, tok)
}

func TestVerifyReturnsCopies(t *testing.T) {
	f := newFixture(t, Config{})
	tok := f.issue(t, "s", RoleMinistry, "MTSS", time.Hour)
	p1, err := f.verif.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	p1.Role = RoleEmployer // a caller scribbling on its principal
	p2, err := f.verif.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Role != RoleMinistry {
		t.Errorf("cached principal was changed through a returned pointer: role %q", p2.Role)
	}
}

func mustDecode(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustParseJWKS(tb testing.TB, data []byte) *KeySet {
	tb.Helper()
	ks, err := ParseJWKS(data)
	if err != nil {
		tb.Fatal(err)
	}
	return ks
}

func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name      string
		cacheSize int
	}{
		{"cold", -1},
		{"cached", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, Config{CacheSize: bc.cacheSize})
			tok := f.issue(b, "bench", RoleInspector, "INSP", time.Hour)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.verif.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
