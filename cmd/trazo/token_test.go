package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// getWithToken sends GET url with a bearer token and returns the status.
func getWithToken(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// TestTokenCommandWhileServing mints tokens with "trazo token" while the
// server runs on the same data directory: the served API accepts them
// within their role.
func TestTokenCommandWhileServing(t *testing.T) {
	dir := t.TempDir()
	base, _ := startServe(t, dir)
	mint := func(role string) string {
		var out, errOut bytes.Buffer
		err := run(t.Context(), []string{"token", "--data-dir", dir, "--role", role, "--org", "MTSS", "--sub", "ana", "--ttl", "10m"}, noEnv, nil, &out, &errOut)
		if err != nil {
			t.Fatalf("token: %v\n%s", err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	insp := mint("inspector")
	if strings.Count(insp, ".") != 2 {
		t.Fatalf("not a JWT: %q", insp)
	}
	if code, body := getWithToken(t, base+"/v1/log/entries", insp); code != 200 || !strings.Contains(body, `"entries":[]`) {
		t.Errorf("inspector token: %d %s", code, body)
	}
	if code, _ := getWithToken(t, base+"/v1/log/entries", mint("ministry")); code != 403 {
		t.Errorf("ministry token on an inspector route: %d, want 403", code)
	}
	if code, _ := get(t, base+"/v1/log/entries"); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	if fi, err := os.Stat(filepath.Join(dir, tokenKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token key file: %v %v", fi, err)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "trazo_ledger_size 0") {
		t.Errorf("/metrics: %d, no trazo_ledger_size", code)
	}
}

// TestServeReloadsJWKSOnSIGHUP trusts a ministry identity provider's key
// through --jwks-file, then replaces the file and sends SIGHUP: the old
// key's tokens are refused and the new key's accepted.
func TestServeReloadsJWKSOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	_, keyA, _ := ed25519.GenerateKey(rand.Reader)
	_, keyB, _ := ed25519.GenerateKey(rand.Reader)
	writeJWKS := func(kid string, k ed25519.PrivateKey) {
		doc := map[string]any{"keys": []any{map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA",
			"x": base64.RawURLEncoding.EncodeToString(k.Public().(ed25519.PublicKey))}}}
		b, _ := json.Marshal(doc)
		if err := os.WriteFile(jwks, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sign := func(kid string, k ed25519.PrivateKey) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
			"iss": "trazo", "aud": "trazo-api", "sub": "idp-user", "role": "inspector", "org": "MTSS",
			"exp": time.Now().Add(time.Hour).Unix(),
		})
		tok.Header["kid"] = kid
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	writeJWKS("idp-a", keyA)
	base, _, logs := startServeLogs(t, dir, "--jwks-file", jwks)
	tokA, tokB := sign("idp-a", keyA), sign("idp-b", keyB)
	if code, body := getWithToken(t, base+"/v1/log/entries", tokA); code != 200 {
		t.Fatalf("JWKS key A: %d %s", code, body)
	}
	if code, _ := getWithToken(t, base+"/v1/log/entries", tokB); code != 401 {
		t.Fatalf("untrusted key B: %d", code)
	}
	writeJWKS("idp-b", keyB)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		codeA, _ := getWithToken(t, base+"/v1/log/entries", tokA)
		codeB, _ := getWithToken(t, base+"/v1/log/entries", tokB)
		if codeA == 401 && codeB == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: key A %d, key B %d", codeA, codeB)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), `"msg":"JWKS reloaded"`) {
		t.Errorf("no reload log line:\n%s", logs)
	}

	// A bad file is logged and the keys in use are kept.
	if err := os.WriteFile(jwks, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	for !strings.Contains(logs.String(), "JWKS reload failed") {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("no failure log line:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := getWithToken(t, base+"/v1/log/entries", tokB); code != 200 {
		t.Errorf("key B after a bad reload: %d", code)
	}
}
