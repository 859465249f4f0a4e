package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// CacheStats counts the work of a Verifier's cache of verified tokens.
type CacheStats struct {
	// Hits is the number of Verify calls answered from the cache.
	Hits uint64
	// Misses is the number of Verify calls that had to check a signature
	// (including hits on entries no longer valid).
	Misses uint64
	// Entries is the number of tokens cached now.
	Entries int
}

// cacheKey is the SHA-256 of a token: the cache never holds token text.
type cacheKey [sha256.Size]byte

type cacheEntry struct {
	p         Principal
	notBefore time.Time // latest of nbf and iat; zero if neither
}

// tokenCache holds the principals of verified tokens until they expire. It
// is bounded: when full it first drops expired entries and, if that frees
// nothing, an arbitrary eighth of the entries, so that the O(n) sweep runs
// at most once every n/8 insertions.
type tokenCache struct {
	max int

	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		return nil
	}
	return &tokenCache{max: max, entries: make(map[cacheKey]cacheEntry)}
}

// get returns a copy of the principal cached under k if it is still valid
// at now (exp plus leeway not reached, nbf/iat minus leeway passed). An entry
// no longer valid is dropped and reported as absent, so that the caller
// verifies the token afresh and gets the precise error.
func (c *tokenCache) get(k cacheKey, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	if !now.Before(e.p.ExpiresAt.Add(Leeway)) || now.Before(e.notBefore.Add(-Leeway)) {
		delete(c.entries, k)
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *tokenCache) put(k cacheKey, e cacheEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		c.evictLocked(now)
	}
	c.entries[k] = e
}

func (c *tokenCache) evictLocked(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.p.ExpiresAt.Add(Leeway)) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) < c.max {
		return
	}
	drop := max(1, c.max/8)
	for k := range c.entries { // map order is arbitrary
		delete(c.entries, k)
		if drop--; drop == 0 {
			break
		}
	}
}

func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
