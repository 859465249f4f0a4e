package api

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
)

// TestJWTAttacks sends forged and broken tokens to an inspector route over
// HTTP. Each is refused 401 with the auth package's code, and the body is
// the error shape with no library error text.
func TestJWTAttacks(t *testing.T) {
	e := newEnv(t, 2).start(HTTPLimits{})
	const path = "/v1/log/entries"
	pub := e.key.Public().(ed25519.PublicKey)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	with := func(k string, v any) jwt.MapClaims {
		c := goodClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	now := time.Now()
	verifier, err := auth.NewVerifier(pub, auth.Config{CacheSize: -1, Roles: testAuth().Roles})
	if err != nil {
		t.Fatal(err)
	}

	// Control: the crafting helper makes tokens the server accepts.
	if resp, b := e.get(path, e.sign(jwt.SigningMethodEdDSA, nil, nil, goodClaims())); resp.StatusCode != 200 {
		t.Fatalf("control token refused: %d %s", resp.StatusCode, b)
	}

	for _, tc := range []struct {
		name, token, code string
	}{
		{"alg none", e.sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil, goodClaims()), auth.CodeTokenInvalid},
		{"alg none, kid of the server", e.sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": auth.KeyID(pub)}, goodClaims()), auth.CodeTokenInvalid},
		{"HS256 keyed with the raw public key", e.sign(jwt.SigningMethodHS256, []byte(pub), nil, goodClaims()), auth.CodeTokenInvalid},
		{"HS256 keyed with the PEM public key", e.sign(jwt.SigningMethodHS256, pubPEM, map[string]any{"kid": auth.KeyID(pub)}, goodClaims()), auth.CodeTokenInvalid},
		{"another key", e.sign(jwt.SigningMethodEdDSA, otherKey, nil, goodClaims()), auth.CodeTokenInvalid},
		{"another key with the server's kid", e.sign(jwt.SigningMethodEdDSA, otherKey, map[string]any{"kid": auth.KeyID(pub)}, goodClaims()), auth.CodeTokenInvalid},
		{"expired", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("exp", now.Add(-time.Hour).Unix())), auth.CodeTokenExpired},
		{"no exp", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("exp", nil)), auth.CodeTokenClaimsInvalid},
		{"exp 0", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("exp", 0)), auth.CodeTokenExpired},
		{"wrong aud", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("aud", "someone-else")), auth.CodeTokenClaimsInvalid},
		{"no aud", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("aud", nil)), auth.CodeTokenClaimsInvalid},
		{"wrong iss", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("iss", "evil")), auth.CodeTokenClaimsInvalid},
		{"nbf in the future", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("nbf", now.Add(time.Hour).Unix())), auth.CodeTokenNotYetValid},
		{"unknown role", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("role", "admin")), auth.CodeTokenClaimsInvalid},
		{"role in upper case", e.sign(jwt.SigningMethodEdDSA, nil, nil, with("role", "INSPECTOR")), auth.CodeTokenClaimsInvalid},
		{"unknown kid", e.sign(jwt.SigningMethodEdDSA, nil, map[string]any{"kid": "nope"}, goodClaims()), auth.CodeTokenInvalid},
		{"signature stripped", strings.Join(strings.Split(e.sign(jwt.SigningMethodEdDSA, nil, nil, goodClaims()), ".")[:2], ".") + ".", auth.CodeTokenInvalid},
		{"garbage", "not.a.jwt", auth.CodeTokenMalformed},
		{"10 KiB token", strings.Repeat("a", 10<<10), auth.CodeTokenTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.get(path, tc.token)
			wantError(t, resp, b, 401, tc.code, "")
			// The message is the auth package's fixed reason, never the
			// text of the error it wraps.
			_, verr := auth.BearerToken("Bearer " + tc.token)
			if verr == nil {
				_, verr = verifier.Verify(tc.token)
			}
			ae, ok := errors.AsType[*auth.Error](verr)
			if !ok {
				t.Fatalf("direct Verify: %v", verr)
			}
			if got := errorOf(t, b).Message; got != ae.Reason {
				t.Errorf("message %q, want the fixed reason %q", got, ae.Reason)
			}
			for _, cause := range ae.Unwrap()[1:] {
				if strings.Contains(string(b), cause.Error()) {
					t.Errorf("body leaks the wrapped error %q", cause)
				}
			}
			for _, leak := range []string{"verification error", "ed25519:", "token has invalid claims", "unverifiable", "crypto/"} {
				if strings.Contains(string(b), leak) {
					t.Errorf("body leaks library text %q: %s", leak, b)
				}
			}
		})
	}

	good := e.token(ledger.RoleInspector, "MTSS")
	for _, tc := range []struct {
		name   string
		header http.Header
		query  string
		code   string
	}{
		{"token in access_token", nil, "?access_token=" + url.QueryEscape(good), "token_in_query"},
		{"token in token", nil, "?token=" + good, "token_in_query"},
		{"token in query and header", http.Header{"Authorization": {"Bearer " + good}}, "?access_token=" + good, "token_in_query"},
		{"token in query, escaped name", http.Header{"Authorization": {"Bearer " + good}}, "?access%5Ftoken=" + good, "token_in_query"},
		{"Basic scheme", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, "", auth.CodeSchemeUnsupported},
		{"Bearer with no token", http.Header{"Authorization": {"Bearer "}}, "", auth.CodeTokenMissing},
		{"two Authorization headers", http.Header{"Authorization": {"Bearer " + good, "Bearer " + good}}, "", auth.CodeTokenMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.do(req{method: "GET", path: path + tc.query, header: tc.header})
			wantError(t, resp, b, 401, tc.code, "")
		})
	}
	t.Run("token in query on a public route", func(t *testing.T) {
		resp, b := e.get("/v1/log/checkpoint?token="+good, "")
		wantError(t, resp, b, 401, "token_in_query", "")
	})
}

// TestHugeAuthorizationHeader sends a megabyte of dots as the
// Authorization header on a raw connection: the server refuses it at its
// header limit (431) without reading it all, and quickly.
func TestHugeAuthorizationHeader(t *testing.T) {
	e := newEnv(t, 0).start(HTTPLimits{})
	u, _ := url.Parse(e.url)
	conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	go func() {
		fmt.Fprintf(conn, "GET /v1/log/entries HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer ", u.Host)
		dots := strings.Repeat(".", 64<<10)
		for range 16 { // 1 MiB; the server stops reading long before
			if _, err := io.WriteString(conn, dots); err != nil {
				return
			}
		}
		io.WriteString(conn, "\r\n\r\n")
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge && resp.StatusCode != 401 {
		t.Fatalf("status %d, want 431 or 401", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s to refuse", d)
	}
	if e.http.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes %d: header memory is not bounded tightly", e.http.MaxHeaderBytes)
	}
}
