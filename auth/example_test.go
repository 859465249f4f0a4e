package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/trazo-ledger/trazo/auth"
)

func Example() {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	// The application says which roles exist (Trazo: ledger.Roles()).
	cfg := auth.Config{Now: now, Roles: []string{"employer", "border", "inspector", "ministry"}}

	issuer, _ := auth.NewIssuer(key, cfg)
	verifier, _ := auth.NewVerifier(key.Public().(ed25519.PublicKey), cfg)

	tok, _ := issuer.Issue("officer-17", "border", "CRI-PPC", 8*time.Hour)
	raw, _ := auth.BearerToken("Bearer " + tok)
	p, err := verifier.Verify(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Subject, p.Role, p.Org, p.ExpiresAt.Format(time.RFC3339))

	other, _ := auth.NewVerifier(make(ed25519.PublicKey, ed25519.PublicKeySize), cfg)
	_, err = other.Verify(raw)
	var refusal *auth.Error
	if errors.As(err, &refusal) {
		fmt.Println(errors.Is(err, auth.ErrUnauthenticated), refusal.Code)
	}
	// Output:
	// officer-17 border CRI-PPC 2026-03-01T20:00:00Z
	// true token_invalid
}

func ExampleBearerToken() {
	_, err := auth.BearerToken("Basic dXNlcjpwYXNz")
	fmt.Println(err)
	// Output: unauthenticated: auth_scheme_unsupported: authorization scheme must be Bearer
}

func ExampleToken() {
	t := auth.Token("eyJhbGciOiJFZERTQSJ9.e30.c2ln")
	fmt.Println(t)
	fmt.Printf("%#v\n", t)
	// Output:
	// [redacted]
	// auth.Token("[redacted]")
}
