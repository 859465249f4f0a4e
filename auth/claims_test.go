package auth

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRolesAreConfigured checks that the roles a token may carry are the
// configured ones, compared exactly, and that no Issuer or Verifier is
// made without them.
func TestRolesAreConfigured(t *testing.T) {
	key := newEd25519(t)
	if _, err := NewIssuer(key, Config{}); err == nil {
		t.Error("NewIssuer accepted a Config without Roles")
	}
	if _, err := NewVerifier(key.Public().(ed25519.PublicKey), Config{}); err == nil {
		t.Error("NewVerifier accepted a Config without Roles")
	}
	f := newFixture(t, Config{Roles: []string{RoleBorder, RoleMinistry}})
	for _, tc := range []struct {
		role string
		ok   bool
	}{
		{RoleBorder, true},
		{RoleMinistry, true},
		{RoleInspector, false},
		{"Ministry", false},
		{"admin", false},
		{"", false},
		{" border", false},
	} {
		t.Run(tc.role, func(t *testing.T) {
			tok, err := f.issuer.Issue("s", tc.role, "o", time.Hour)
			if (err == nil) != tc.ok {
				t.Fatalf("Issue(%q) = %v", tc.role, err)
			}
			if err != nil && !errors.Is(err, ErrUnknownRole) {
				t.Errorf("error %v does not wrap ErrUnknownRole", err)
			}
			if !tc.ok {
				return
			}
			if p, err := f.verif.Verify(tok); err != nil || p.Role != tc.role {
				t.Errorf("Verify = %v, %v", p, err)
			}
		})
	}
	// A token of a role the Verifier was not configured with.
	other := newFixture(t, Config{})
	other.key = f.key
	tok := other.issue(t, "s", RoleInspector, "o", time.Hour)
	v, err := NewVerifier(other.issuer.PublicKey(), Config{Now: other.clock.Now, Roles: []string{RoleBorder}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(tok)
	checkRefused(t, p, err, CodeTokenClaimsInvalid, tok)
	if !errors.Is(err, ErrUnknownRole) {
		t.Errorf("error %v does not wrap ErrUnknownRole", err)
	}
}

func TestClaimsValidate(t *testing.T) {
	good := Claims{Role: RoleBorder, Org: "POST-1"}
	good.Subject = "s"
	for _, tc := range []struct {
		name string
		mod  func(*Claims)
		ok   bool
	}{
		{"good", func(*Claims) {}, true},
		{"empty role", func(c *Claims) { c.Role = "" }, false},
		{"empty sub", func(c *Claims) { c.Subject = "" }, false},
		{"empty org", func(c *Claims) { c.Org = "" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mod(&c)
			if err := c.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestLogValuesHideTheToken(t *testing.T) {
	f := newFixture(t, Config{})
	raw := f.issue(t, "alice", RoleInspector, "INSP-7", time.Hour)
	p, err := f.verif.Verify(raw)
	if err != nil {
		t.Fatal(err)
	}
	tok := Token(raw)

	var buf bytes.Buffer
	for _, h := range []slog.Handler{
		slog.NewJSONHandler(&buf, nil),
		slog.NewTextHandler(&buf, nil),
	} {
		log := slog.New(h)
		log.Info("request", "principal", p, "token", tok)
		log.Info("request", slog.Any("principal", p), slog.Any("token", tok))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		fmt.Fprintf(&buf, verb+"\n", tok)
	}
	fmt.Fprintln(&buf, tok, tok.String(), tok.GoString(), tok.LogValue())
	fmt.Fprintln(&buf, []Token{tok}, map[string]Token{"t": tok}, struct{ T Token }{tok})

	out := buf.String()
	for _, part := range strings.Split(raw, ".") {
		if strings.Contains(out, part) {
			t.Fatalf("output contains token text:\n%s", out)
		}
	}
	for _, want := range []string{"alice", "inspector", "INSP-7", "[redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if string(tok) != raw {
		t.Error("string(Token) does not give the token back")
	}
	var nilP *Principal
	if got := nilP.LogValue().String(); got != "<nil>" {
		t.Errorf("nil principal logs as %q", got)
	}
}

func TestPrincipalContext(t *testing.T) {
	ctx := context.Background()
	if p, ok := PrincipalFrom(ctx); ok || p != nil {
		t.Errorf("empty context gave %v, %v", p, ok)
	}
	want := &Principal{Subject: "s", Role: RoleMinistry, Org: "MTSS"}
	got, ok := PrincipalFrom(WithPrincipal(ctx, want))
	if !ok {
		t.Fatal("principal not found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := PrincipalFrom(WithPrincipal(ctx, nil)); ok {
		t.Error("a nil principal was reported as present")
	}
}

func TestErrorText(t *testing.T) {
	err := error(refuse(CodeTokenExpired, "token has expired", nil))
	if got, want := err.Error(), "unauthenticated: token_expired: token has expired"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(fmt.Errorf("handler: %w", err), ErrUnauthenticated) {
		t.Error("wrapped refusal does not match ErrUnauthenticated")
	}
	if code, ok := IsUnauthenticated(errors.New("disk full")); ok || code != "" {
		t.Errorf("IsUnauthenticated(other) = %q, %v", code, ok)
	}
}
