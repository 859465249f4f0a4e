// Package auth issues and verifies the bearer tokens that guard Trazo's API.
//
// Tokens are JWTs signed with the server's own Ed25519 key (alg EdDSA). An
// operator may also trust the keys of other identity providers, such as a
// ministry's, by listing them in an RFC 7517 JWKS file; a token signed by one
// of those keys must name it in its kid header, and its alg must be the alg
// the file gives for that key. Nothing else is accepted: not alg "none", not
// HMAC, not a key the token brings with it.
//
// The pieces:
//
//   - [LoadOrCreateKey] and [LoadKey] read (or once create) the server's key
//     file, which must be readable by its owner only.
//   - [Issuer] signs tokens; [Verifier] checks them and returns a
//     [Principal]: who is calling, in which role, for which org. The
//     roles are the application's: [Config].Roles lists them (cmd/trazo
//     gives the ledger's), and a token of any other role is refused.
//   - [LoadJWKS] reads the extra trusted keys; [Verifier.ReloadJWKS] swaps
//     them at run time (on SIGHUP) and keeps the old set if the new file is
//     bad.
//   - [BearerToken] takes the token out of an Authorization header value.
//   - [WithPrincipal] and [PrincipalFrom] carry the caller in a context.
//
// Every refusal is an [*Error] that wraps [ErrUnauthenticated] and carries a
// short snake_case Code (token_expired, token_invalid, …) that an HTTP layer
// can put in its error body. No error, and no log value of a [Principal] or a
// [Token], ever contains the token text.
//
// A Verifier keeps the principals of tokens it has verified, keyed by the
// SHA-256 of the token, until they expire, so that a client that sends the
// same token on every request pays for one signature check. The cache is
// bounded, checks the expiry again on every hit, and is emptied whenever the
// trusted key set changes.
//
// The package knows nothing about HTTP frameworks; the api package maps
// errors to 401 and 403 responses.
package auth
