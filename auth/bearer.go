package auth

import (
	"fmt"
	"strings"
)

// BearerToken returns the token of an Authorization header value of the
// form "Bearer <token>" (the scheme in any case, RFC 6750). It returns an
// *Error wrapping ErrUnauthenticated: CodeTokenTooLarge for a value over
// MaxTokenSize bytes (checked first), CodeTokenMissing for an empty value
// or a Bearer with no token, CodeSchemeUnsupported for any other scheme
// (Basic, …), and CodeTokenMalformed when the token contains whitespace.
func BearerToken(headerValue string) (string, error) {
	if len(headerValue) > MaxTokenSize {
		return "", refuse(CodeTokenTooLarge, fmt.Sprintf("authorization header is longer than %d bytes", MaxTokenSize), nil)
	}
	v := strings.TrimSpace(headerValue)
	if v == "" {
		return "", refuse(CodeTokenMissing, "no authorization header", nil)
	}
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", refuse(CodeSchemeUnsupported, "authorization scheme must be Bearer", nil)
	}
	tok := strings.TrimLeft(rest, " ")
	if tok == "" {
		return "", refuse(CodeTokenMissing, "no bearer token", nil)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", refuse(CodeTokenMalformed, "bearer token contains whitespace", nil)
	}
	return tok, nil
}
