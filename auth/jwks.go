package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
)

// Limits on the keys of a JWKS file.
const (
	// MinRSABits is the smallest RSA modulus accepted.
	MinRSABits = 2048
	// MaxRSABits is the largest RSA modulus accepted; bigger keys only make
	// every verification slower.
	MaxRSABits = 8192
	// maxJWKSFileSize bounds how much of a JWKS file is read.
	maxJWKSFileSize = 1 << 20
)

// ErrBadJWKS is wrapped by every error of LoadJWKS and ParseJWKS that is
// about the content of the key set rather than reading the file.
var ErrBadJWKS = errors.New("bad JWKS")

// KeySet is a set of trusted public keys read from a JWKS file, each with a
// key id and the one algorithm it may be used with. A nil *KeySet is an
// empty set. A KeySet is immutable and safe for concurrent use.
type KeySet struct {
	keys map[string]trustedKey
}

type trustedKey struct {
	alg string
	pub crypto.PublicKey // ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey
}

// Len returns the number of keys in s.
func (s *KeySet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.keys)
}

// KeyIDs returns the key ids of s, sorted.
func (s *KeySet) KeyIDs() []string {
	if s == nil {
		return nil
	}
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Alg returns the algorithm the key kid may be used with, and false when s
// has no such key.
func (s *KeySet) Alg(kid string) (string, bool) {
	k, ok := s.lookup(kid)
	return k.alg, ok
}

func (s *KeySet) lookup(kid string) (trustedKey, bool) {
	if s == nil {
		return trustedKey{}, false
	}
	k, ok := s.keys[kid]
	return k, ok
}

// algs returns the distinct algorithms used by the keys of s.
func (s *KeySet) algs() []string {
	var algs []string
	if s == nil {
		return algs
	}
	for _, k := range s.keys {
		if !slices.Contains(algs, k.alg) {
			algs = append(algs, k.alg)
		}
	}
	slices.Sort(algs)
	return algs
}

// LoadJWKS reads the RFC 7517 JWK Set at path; see ParseJWKS for what it
// accepts. It returns an error when the file cannot be read or is over
// 1 MiB, and the errors of ParseJWKS.
func LoadJWKS(path string) (*KeySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load JWKS: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJWKSFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load JWKS: %w", err)
	}
	if len(data) > maxJWKSFileSize {
		return nil, fmt.Errorf("load JWKS %s: %w: file is larger than %d bytes", path, ErrBadJWKS, maxJWKSFileSize)
	}
	ks, err := ParseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("load JWKS %s: %w", path, err)
	}
	return ks, nil
}

// jwk is the subset of RFC 7517/7518/8037 members this package reads.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    *string  `json:"kid"`
	Alg    *string  `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	// Private members: their presence refuses the key.
	D  *json.RawMessage `json:"d"`
	P  *json.RawMessage `json:"p"`
	Q  *json.RawMessage `json:"q"`
	K  *json.RawMessage `json:"k"`
	DP *json.RawMessage `json:"dp"`
}

// ParseJWKS parses an RFC 7517 JWK Set ({"keys":[…]}) of public signing
// keys. Each key must have a non-empty, unique "kid" and an "alg" that fits
// it:
//
//   - kty "OKP", crv "Ed25519": alg "EdDSA";
//   - kty "EC", crv "P-256": alg "ES256";
//   - kty "RSA" with a modulus of MinRSABits to MaxRSABits bits and an odd
//     exponent: alg "RS256" or "PS256".
//
// A "use" other than "sig", "key_ops" without "verify", or private key
// members (d, p, q, dp, k) refuse the key. Other members are ignored, as RFC
// 7517 asks. An empty "keys" list is a valid, empty set.
//
// It returns an error wrapping ErrBadJWKS, naming the first bad key by its
// index and kid, and no KeySet, when anything is wrong.
func ParseJWKS(data []byte) (*KeySet, error) {
	var doc struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrBadJWKS, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadJWKS)
	}
	if doc.Keys == nil {
		return nil, fmt.Errorf(`%w: no "keys" member`, ErrBadJWKS)
	}
	ks := &KeySet{keys: make(map[string]trustedKey, len(*doc.Keys))}
	for i, raw := range *doc.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("%w: key %d: %v", ErrBadJWKS, i, err)
		}
		name := fmt.Sprintf("key %d", i)
		if k.Kid != nil {
			name = fmt.Sprintf("key %d (kid %q)", i, *k.Kid)
		}
		tk, err := parseJWK(k)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadJWKS, name, err)
		}
		if _, dup := ks.keys[*k.Kid]; dup {
			return nil, fmt.Errorf("%w: %s: duplicate kid", ErrBadJWKS, name)
		}
		ks.keys[*k.Kid] = tk
	}
	return ks, nil
}

// parseJWK checks the members common to every key type and hands the key to
// the parser of its kty. It returns an error naming the first bad member.
func parseJWK(k jwk) (trustedKey, error) {
	if k.Kid == nil || *k.Kid == "" {
		return trustedKey{}, errors.New(`missing "kid"`)
	}
	if k.Alg == nil || *k.Alg == "" {
		return trustedKey{}, errors.New(`missing "alg"`)
	}
	if k.D != nil || k.P != nil || k.Q != nil || k.K != nil || k.DP != nil {
		return trustedKey{}, errors.New("contains private key material; list public keys only")
	}
	if k.Use != "" && k.Use != "sig" {
		return trustedKey{}, fmt.Errorf(`"use" is %q, want "sig"`, k.Use)
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify") {
		return trustedKey{}, errors.New(`"key_ops" does not include "verify"`)
	}
	switch k.Kty {
	case "OKP":
		return parseOKP(k, *k.Alg)
	case "EC":
		return parseEC(k, *k.Alg)
	case "RSA":
		return parseRSA(k, *k.Alg)
	case "":
		return trustedKey{}, errors.New(`missing "kty"`)
	default:
		return trustedKey{}, fmt.Errorf("kty %q is not supported, want OKP, EC or RSA", k.Kty)
	}
}

// parseOKP reads an Ed25519 key (kty OKP) for alg, or returns an error
// naming the first bad member.
func parseOKP(k jwk, alg string) (trustedKey, error) {
	if k.Crv != "Ed25519" {
		return trustedKey{}, fmt.Errorf("kty OKP: crv %q is not supported, want Ed25519", k.Crv)
	}
	if alg != "EdDSA" {
		return trustedKey{}, fmt.Errorf("alg %q does not fit an Ed25519 key, want EdDSA", alg)
	}
	x, err := decodeMember("x", k.X)
	if err != nil {
		return trustedKey{}, err
	}
	if len(x) != ed25519.PublicKeySize {
		return trustedKey{}, fmt.Errorf("x has %d bytes, want %d", len(x), ed25519.PublicKeySize)
	}
	return trustedKey{alg: alg, pub: ed25519.PublicKey(x)}, nil
}

// parseEC reads a P-256 key (kty EC) for alg, or returns an error naming the
// first bad member.
func parseEC(k jwk, alg string) (trustedKey, error) {
	if k.Crv != "P-256" {
		return trustedKey{}, fmt.Errorf("kty EC: crv %q is not supported, want P-256", k.Crv)
	}
	if alg != "ES256" {
		return trustedKey{}, fmt.Errorf("alg %q does not fit a P-256 key, want ES256", alg)
	}
	x, err := decodeMember("x", k.X)
	if err != nil {
		return trustedKey{}, err
	}
	y, err := decodeMember("y", k.Y)
	if err != nil {
		return trustedKey{}, err
	}
	if len(x) != 32 || len(y) != 32 {
		return trustedKey{}, fmt.Errorf("x and y must have 32 bytes each, have %d and %d", len(x), len(y))
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return trustedKey{}, errors.New("x, y is not a point on P-256")
	}
	return trustedKey{alg: alg, pub: pub}, nil
}

// parseRSA reads an RSA key for alg, or returns an error naming the first
// bad member.
func parseRSA(k jwk, alg string) (trustedKey, error) {
	if alg != "RS256" && alg != "PS256" {
		return trustedKey{}, fmt.Errorf("alg %q does not fit an RSA key, want RS256 or PS256", alg)
	}
	nb, err := decodeMember("n", k.N)
	if err != nil {
		return trustedKey{}, err
	}
	eb, err := decodeMember("e", k.E)
	if err != nil {
		return trustedKey{}, err
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return trustedKey{}, fmt.Errorf("RSA modulus has %d bits, want %d to %d", bits, MinRSABits, MaxRSABits)
	}
	if len(eb) > 4 {
		return trustedKey{}, errors.New("RSA exponent is too large")
	}
	var e int64
	for _, b := range eb {
		e = e<<8 | int64(b)
	}
	if e < 3 || e > 1<<31-1 || e%2 == 0 {
		return trustedKey{}, fmt.Errorf("RSA exponent %d is not an odd number from 3 to 2^31-1", e)
	}
	return trustedKey{alg: alg, pub: &rsa.PublicKey{N: n, E: int(e)}}, nil
}

// decodeMember decodes the unpadded base64url member name of a JWK.
func decodeMember(name, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("missing %q", name)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not unpadded base64url", name)
	}
	return b, nil
}
