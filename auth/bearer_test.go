package auth

import (
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	const jwtText = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"
	for _, tc := range []struct {
		name, header, want, code string
	}{
		{name: "good", header: "Bearer " + jwtText, want: jwtText},
		{name: "lowercase scheme", header: "bearer " + jwtText, want: jwtText},
		{name: "shouting scheme", header: "BEARER " + jwtText, want: jwtText},
		{name: "extra spaces", header: "  Bearer   " + jwtText + " ", want: jwtText},
		{name: "missing", header: "", code: CodeTokenMissing},
		{name: "blank", header: "   ", code: CodeTokenMissing},
		{name: "scheme only", header: "Bearer", code: CodeTokenMissing},
		{name: "scheme and space", header: "Bearer ", code: CodeTokenMissing},
		{name: "Basic", header: "Basic dXNlcjpwYXNz", code: CodeSchemeUnsupported},
		{name: "no scheme", header: jwtText, code: CodeSchemeUnsupported},
		{name: "Bearer glued", header: "Bearer" + jwtText, code: CodeSchemeUnsupported},
		{name: "two tokens", header: "Bearer a.b.c d.e.f", code: CodeTokenMalformed},
		{name: "over 8 KiB", header: "Bearer " + strings.Repeat("A", MaxTokenSize), code: CodeTokenTooLarge},
		{name: "1 MiB of dots", header: "Bearer " + strings.Repeat(".", 1<<20), code: CodeTokenTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BearerToken(tc.header)
			if tc.code == "" {
				if err != nil || got != tc.want {
					t.Errorf("BearerToken = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if got != "" {
				t.Errorf("refusal returned token %q", got)
			}
			code, ok := IsUnauthenticated(err)
			if !ok || code != tc.code {
				t.Errorf("error %v: code %q, want %q", err, code, tc.code)
			}
			if err != nil && len(err.Error()) > 100 {
				t.Errorf("error text is %d bytes", len(err.Error()))
			}
		})
	}
	// Exactly MaxTokenSize bytes is looked at.
	h := "Bearer " + strings.Repeat("A", MaxTokenSize-len("Bearer "))
	if _, err := BearerToken(h); err != nil {
		t.Errorf("header of exactly %d bytes refused: %v", MaxTokenSize, err)
	}
}
