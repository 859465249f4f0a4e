// Package client is an HTTP client of a served Trazo log, as a mirror or
// an auditor uses it: it fetches the log's verifier key, its signed
// checkpoint, its entries and consistency proofs, verifies that every
// entry hashes to the signed root and that the log only grew since the
// checkpoint verified last time, and keeps that checkpoint in a state file.
//
// It speaks HTTP and the log's formats (C2SP signed checkpoints, RFC 6962
// hashes, the API's JSON for entries and proofs) and nothing else of the
// server.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// EntriesPage is how many entries one request asks for (the API's maximum).
const EntriesPage = 1000

// maxResponse bounds one response body.
const maxResponse = 64 << 20

// ErrURL is returned by New for a base URL that is not an absolute http://
// or https:// URL.
var ErrURL = errors.New("not an http:// or https:// URL")

// Client fetches a served log. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client of the log served at baseURL (trailing slashes
// dropped). token, when not empty, is the bearer token sent to read the
// log's entries (an inspector's); hc is the HTTP client to use
// (http.DefaultClient when nil). It returns an error wrapping ErrURL when
// baseURL is not an http:// or https:// URL with a host.
func New(baseURL, token string, hc *http.Client) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%q: %w", baseURL, ErrURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: base.String(), token: token, http: hc}, nil
}

// BaseURL returns the base URL of the served log, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// VerifierKey returns the note verifier key the server serves
// (GET /v1/log/key), trimmed of white space. The caller decides whether to
// trust it. It returns an error naming the request when the server cannot
// be reached or does not answer 200.
func (c *Client) VerifierKey(ctx context.Context) (string, error) {
	b, err := c.get(ctx, "/v1/log/key", nil, false)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// Checkpoint returns the signed checkpoint note of the log's current size
// (GET /v1/log/checkpoint), not yet verified. It returns an error naming
// the request when the server cannot be reached or does not answer 200.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "/v1/log/checkpoint", nil, false)
}

// Entry is one entry of the log as the server serves it: its index and its
// exact bytes, the Merkle leaf.
type Entry struct {
	Index uint64 `json:"index"`
	Leaf  []byte `json:"leaf"`
}

// Entries returns up to limit entries from index start
// (GET /v1/log/entries, with the client's token), as served: the caller
// checks their indexes. It returns an error naming the request when the
// server cannot be reached, does not answer 200 (the API's error code and
// message included) or answers something else than the API's JSON.
func (c *Client) Entries(ctx context.Context, start, limit uint64) ([]Entry, error) {
	q := url.Values{"start": {strconv.FormatUint(start, 10)}, "limit": {strconv.FormatUint(limit, 10)}}
	body, err := c.get(ctx, "/v1/log/entries", q, true)
	if err != nil {
		return nil, err
	}
	var page struct {
		Entries []Entry `json:"entries"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("entries from %d: not the API's JSON: %w", start, err)
	}
	return page.Entries, nil
}

// ConsistencyProof returns the RFC 6962 consistency proof between the
// trees of sizes from and to (GET /v1/log/proof/consistency), not yet
// verified. It returns an error naming the request when the server cannot
// be reached or does not answer 200, or when the answer is not the API's
// JSON or is a proof between other sizes.
func (c *Client) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "to": {strconv.FormatUint(to, 10)}}
	body, err := c.get(ctx, "/v1/log/proof/consistency", q, false)
	if err != nil {
		return nil, err
	}
	var p struct {
		From   uint64   `json:"from"`
		To     uint64   `json:"to"`
		Hashes [][]byte `json:"hashes"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: not the API's JSON: %w", err)
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("asked for the consistency proof from %d to %d, got one from %d to %d", from, to, p.From, p.To)
	}
	return p.Hashes, nil
}

// get fetches base+path and returns the body of a 200 answer. The token is
// sent when auth is set. Other answers are errors that carry the API's
// error code and message.
func (c *Client) get(ctx context.Context, path string, query url.Values, auth bool) ([]byte, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if auth && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("GET %s: answer larger than %d bytes", u, maxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code, Message string
			} `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("GET %s: %s: %s (%s)", u, resp.Status, e.Error.Message, e.Error.Code)
		}
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}
