package auth

import (
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestJWKSKeysVerify(t *testing.T) {
	f := newFixture(t, Config{})
	edKey := newEd25519(t)
	ecKey := newP256(t)
	rsaA, rsaB := rsaKeys()
	path := writeJWKS(t, t.TempDir(), "jwks.json",
		jwkEd25519("ed", edKey.Public().(ed25519.PublicKey)),
		jwkP256(t, "ec", &ecKey.PublicKey),
		jwkRSA("rs", "RS256", &rsaA.PublicKey),
		jwkRSA("ps", "PS256", &rsaB.PublicKey),
	)
	if err := f.verif.ReloadJWKS(path); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ec", "ed", "ps", "rs"}, f.verif.KeySet().KeyIDs()); diff != "" {
		t.Errorf("key ids (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		kid    string
		method jwt.SigningMethod
		key    any
		code   string
	}{
		{"ed", jwt.SigningMethodEdDSA, edKey, ""},
		{"ec", jwt.SigningMethodES256, ecKey, ""},
		{"rs", jwt.SigningMethodRS256, rsaA, ""},
		{"ps", jwt.SigningMethodPS256, rsaB, ""},
		// The right key, the wrong algorithm: the key decides.
		{"rs", jwt.SigningMethodPS256, rsaA, CodeTokenInvalid},
		{"ps", jwt.SigningMethodRS256, rsaB, CodeTokenInvalid},
		{"rs", jwt.SigningMethodRS384, rsaA, CodeTokenInvalid},
		// A key of the set, under another key's kid.
		{"ps", jwt.SigningMethodPS256, rsaA, CodeTokenInvalid},
		// The server's key is not reachable through a JWKS kid.
		{"ed", jwt.SigningMethodEdDSA, f.key, CodeTokenInvalid},
	} {
		t.Run(tc.kid+"/"+tc.method.Alg(), func(t *testing.T) {
			c := validClaims(t0)
			c["sub"] = "idp-user"
			tok := sign(t, tc.method, tc.key, map[string]any{"kid": tc.kid}, c)
			p, err := f.verif.Verify(tok)
			if tc.code != "" {
				checkRefused(t, p, err, tc.code, tok)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "idp-user" || p.Role != RoleInspector {
				t.Errorf("principal = %+v", p)
			}
		})
	}
	// The server's own tokens still pass.
	if _, err := f.verif.Verify(f.issue(t, "s", RoleMinistry, "M", time.Hour)); err != nil {
		t.Errorf("server token refused with a JWKS loaded: %v", err)
	}
}

func TestParseJWKSRefusals(t *testing.T) {
	edPub := newEd25519(t).Public().(ed25519.PublicKey)
	ecPub := &newP256(t).PublicKey
	rsaA, _ := rsaKeys()
	// An RSA-1024 modulus: its size is all that matters here.
	n1024 := new(big.Int).Lsh(big.NewInt(1), 1023)
	n1024.Add(n1024, big.NewInt(12345))
	rsa1024 := &rsa.PublicKey{N: n1024, E: 65537}

	set := func(mod func(map[string]any), base map[string]any) []byte {
		k := map[string]any{}
		for key, v := range base {
			k[key] = v
		}
		mod(k)
		return jwksJSON(t, k)
	}
	ed := func(mod func(map[string]any)) []byte { return set(mod, jwkEd25519("ed", edPub)) }
	ec := func(mod func(map[string]any)) []byte { return set(mod, jwkP256(t, "ec", ecPub)) }
	rs := func(mod func(map[string]any)) []byte { return set(mod, jwkRSA("rs", "RS256", &rsaA.PublicKey)) }

	for _, tc := range []struct {
		name, data, want string // want: a substring of the error
	}{
		{"RSA-1024", string(jwksJSON(t, jwkRSA("small", "RS256", rsa1024))), `key 0 (kid "small"): RSA modulus has 1024 bits`},
		{"missing kid", string(ed(func(k map[string]any) { delete(k, "kid") })), `key 0: missing "kid"`},
		{"empty kid", string(ed(func(k map[string]any) { k["kid"] = "" })), `missing "kid"`},
		{"missing alg", string(ec(func(k map[string]any) { delete(k, "alg") })), `kid "ec"): missing "alg"`},
		{"OKP with ES256", string(ed(func(k map[string]any) { k["alg"] = "ES256" })), `alg "ES256" does not fit an Ed25519 key`},
		{"EC with RS256", string(ec(func(k map[string]any) { k["alg"] = "RS256" })), `alg "RS256" does not fit a P-256 key`},
		{"EC with EdDSA", string(ec(func(k map[string]any) { k["alg"] = "EdDSA" })), `does not fit a P-256 key`},
		{"RSA with ES256", string(rs(func(k map[string]any) { k["alg"] = "ES256" })), `does not fit an RSA key`},
		{"RSA with HS256", string(rs(func(k map[string]any) { k["alg"] = "HS256" })), `does not fit an RSA key`},
		{"RSA with RS512", string(rs(func(k map[string]any) { k["alg"] = "RS512" })), `does not fit an RSA key`},
		{"RSA even exponent", string(rs(func(k map[string]any) { k["e"] = b64([]byte{1, 0, 0}) })), `RSA exponent`},
		{"RSA exponent 1", string(rs(func(k map[string]any) { k["e"] = b64([]byte{1}) })), `RSA exponent`},
		{"RSA missing n", string(rs(func(k map[string]any) { delete(k, "n") })), `missing "n"`},
		{"symmetric key", `{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"c2VjcmV0"}]}`, `private key material`},
		{"unknown kty", `{"keys":[{"kty":"oct","kid":"h","alg":"HS256"}]}`, `kty "oct" is not supported`},
		{"missing kty", string(ed(func(k map[string]any) { delete(k, "kty") })), `missing "kty"`},
		{"X25519", string(ed(func(k map[string]any) { k["crv"] = "X25519" })), `crv "X25519" is not supported`},
		{"P-384", string(ec(func(k map[string]any) { k["crv"] = "P-384" })), `crv "P-384" is not supported`},
		{"private d", string(ed(func(k map[string]any) { k["d"] = b64(make([]byte, 32)) })), `private key material`},
		{"use enc", string(ed(func(k map[string]any) { k["use"] = "enc" })), `"use" is "enc"`},
		{"key_ops sign only", string(ed(func(k map[string]any) { k["key_ops"] = []string{"sign"} })), `key_ops`},
		{"x not base64url", string(ed(func(k map[string]any) { k["x"] = "+/+/" })), `"x" is not unpadded base64url`},
		{"x padded", string(ed(func(k map[string]any) { k["x"] = b64(edPub) + "=" })), `"x" is not unpadded base64url`},
		{"x short", string(ed(func(k map[string]any) { k["x"] = b64(edPub[:31]) })), `x has 31 bytes`},
		{"EC point off the curve", string(ec(func(k map[string]any) { k["y"] = b64(make([]byte, 32)) })), `not a point on P-256`},
		{"EC y missing", string(ec(func(k map[string]any) { delete(k, "y") })), `missing "y"`},
		{"duplicate kid", string(jwksJSON(t, jwkEd25519("k", edPub), jwkP256(t, "k", ecPub))), `key 1 (kid "k"): duplicate kid`},
		{"second key bad", string(jwksJSON(t, jwkEd25519("good", edPub), jwkRSA("bad", "RS256", rsa1024))), `key 1 (kid "bad")`},
		{"no keys member", `{"kees":[]}`, `no "keys" member`},
		{"keys null", `{"keys":null}`, `no "keys" member`},
		{"not JSON", `keys:`, `not a JSON object`},
		{"trailing data", `{"keys":[]} {}`, `data after`},
		{"kid not a string", `{"keys":[{"kty":"OKP","kid":5}]}`, `key 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseJWKS([]byte(tc.data))
			if err == nil {
				t.Fatalf("accepted: %v", ks.KeyIDs())
			}
			if ks != nil {
				t.Error("a refused file returned a key set")
			}
			if !errors.Is(err, ErrBadJWKS) {
				t.Errorf("error %v does not wrap ErrBadJWKS", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseJWKSEmptyAndIgnoredMembers(t *testing.T) {
	ks, err := ParseJWKS([]byte(`{"keys":[]}`))
	if err != nil || ks.Len() != 0 {
		t.Errorf("empty set: %v, %d keys", err, ks.Len())
	}
	edPub := newEd25519(t).Public().(ed25519.PublicKey)
	k := jwkEd25519("ed", edPub)
	k["x5t"] = "whatever"
	k["key_ops"] = []string{"verify"}
	ks, err = ParseJWKS(jwksJSON(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if alg, ok := ks.Alg("ed"); !ok || alg != "EdDSA" {
		t.Errorf("Alg(ed) = %q, %v", alg, ok)
	}
	var none *KeySet
	if none.Len() != 0 || none.KeyIDs() != nil {
		t.Error("nil KeySet is not empty")
	}
}

func TestReloadJWKS(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, Config{})
	edA, edB := newEd25519(t), newEd25519(t)
	pubA, pubB := edA.Public().(ed25519.PublicKey), edB.Public().(ed25519.PublicKey)
	both := writeJWKS(t, dir, "both.json", jwkEd25519("a", pubA), jwkEd25519("b", pubB))
	onlyB := writeJWKS(t, dir, "only-b.json", jwkEd25519("b", pubB))
	rsa1024 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1023), E: 65537}
	bad := writeJWKS(t, dir, "bad.json", jwkEd25519("a", pubA), jwkRSA("small", "RS256", rsa1024))
	clash := writeJWKS(t, dir, "clash.json", jwkEd25519(f.verif.KeyID(), pubA))
	broken := writeFile(t, dir, "broken.json", []byte(`{"keys":[`))

	tokA := sign(t, jwt.SigningMethodEdDSA, edA, map[string]any{"kid": "a"}, validClaims(t0))
	tokB := sign(t, jwt.SigningMethodEdDSA, edB, map[string]any{"kid": "b"}, validClaims(t0))
	verify := func(tok string) error {
		t.Helper()
		_, err := f.verif.Verify(tok)
		return err
	}

	if err := verify(tokA); err == nil {
		t.Fatal("a JWKS token was accepted before any JWKS was loaded")
	}
	if err := f.verif.ReloadJWKS(both); err != nil {
		t.Fatal(err)
	}
	if err := verify(tokA); err != nil {
		t.Fatalf("token of key a: %v", err)
	}
	if err := verify(tokA); err != nil { // now cached
		t.Fatal(err)
	}
	if f.verif.CacheStats().Entries != 1 {
		t.Fatalf("cache: %+v", f.verif.CacheStats())
	}

	for _, path := range []string{bad, clash, broken, filepath.Join(dir, "missing.json")} {
		if err := f.verif.ReloadJWKS(path); err == nil {
			t.Errorf("ReloadJWKS(%s) succeeded", filepath.Base(path))
		}
		if diff := cmp.Diff([]string{"a", "b"}, f.verif.KeySet().KeyIDs()); diff != "" {
			t.Errorf("after a bad reload of %s, key ids (-want +got):\n%s", filepath.Base(path), diff)
		}
		if f.verif.CacheStats().Entries != 1 {
			t.Errorf("a failed reload emptied the cache")
		}
	}
	if err := verify(tokA); err != nil {
		t.Fatalf("token of key a after failed reloads: %v", err)
	}

	// Key a is removed: its token is refused even though it was cached.
	if err := f.verif.ReloadJWKS(onlyB); err != nil {
		t.Fatal(err)
	}
	if f.verif.CacheStats().Entries != 0 {
		t.Errorf("swap left %d cache entries", f.verif.CacheStats().Entries)
	}
	p, err := f.verif.Verify(tokA)
	checkRefused(t, p, err, CodeTokenInvalid, tokA)
	if err := verify(tokB); err != nil {
		t.Errorf("token of key b: %v", err)
	}

	f.verif.SetKeySet(nil)
	p, err = f.verif.Verify(tokB)
	checkRefused(t, p, err, CodeTokenInvalid, tokB)
}

// TestSwapWhileVerifying runs verifications against key-set swaps; run it
// with -race.
func TestSwapWhileVerifying(t *testing.T) {
	f := newFixture(t, Config{CacheSize: 8})
	ed := newEd25519(t)
	ks := mustParseJWKS(t, jwksJSON(t, jwkEd25519("x", ed.Public().(ed25519.PublicKey))))
	f.verif.SetKeySet(ks)
	server := f.issue(t, "s", RoleBorder, "POST-1", time.Hour)
	ext := sign(t, jwt.SigningMethodEdDSA, ed, map[string]any{"kid": "x"}, validClaims(t0))

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if _, err := f.verif.Verify(server); err != nil {
					t.Errorf("goroutine %d: server token refused: %v", g, err)
					return
				}
				_, _ = f.verif.Verify(ext) // accepted or refused, depending on the swap
				if i%50 == 0 {
					_ = f.verif.CacheStats()
				}
			}
		})
	}
	for i := range 100 {
		if i%2 == 0 {
			f.verif.SetKeySet(nil)
		} else {
			f.verif.SetKeySet(ks)
		}
	}
	wg.Wait()
}
