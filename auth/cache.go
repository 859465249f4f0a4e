package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
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

// expiresAt is the instant from which e is no longer valid.
func (e cacheEntry) expiresAt() time.Time { return e.p.ExpiresAt.Add(Leeway) }

// sweepEvery is the least time between two sweeps of a full cache for
// expired entries, so that a full cache of live tokens costs one O(n) sweep
// a second at most rather than one per insertion.
const sweepEvery = time.Second

// tokenCache holds the principals of verified tokens until they expire, in
// a least-recently-used list of bounded length. It uses simplelru under its
// own lock rather than lru.Cache, whose lock is its own, because the sweep
// and its bookkeeping must change the list and nextExp together. When it is full it first drops the expired entries, at
// most once every sweepEvery and only when one may have expired, and then,
// if that freed nothing, the least recently used one.
//
// golang-lru's expirable.LRU does not fit: it has one TTL for every entry,
// where each token here is valid until its own exp; it reads the wall clock,
// where the Verifier's clock is injected; and each instance starts a
// goroutine that never ends, where the Verifier makes a new cache on every
// key set change.
type tokenCache struct {
	max int

	mu        sync.Mutex
	lru       *simplelru.LRU[cacheKey, cacheEntry]
	nextExp   time.Time // no entry expires before this; zero if none cached
	lastSweep time.Time
}

// newTokenCache returns a cache of at most max tokens, or nil (no cache)
// when max is not positive.
func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		return nil
	}
	l, err := simplelru.NewLRU[cacheKey, cacheEntry](max, nil)
	if err != nil { // only for a size that is not positive
		return nil
	}
	return &tokenCache{max: max, lru: l}
}

// get returns a copy of the principal cached under k if it is still valid
// at now (exp plus leeway not reached, nbf/iat minus leeway passed). An entry
// no longer valid is dropped and reported as absent, so that the caller
// verifies the token afresh and gets the precise error.
func (c *tokenCache) get(k cacheKey, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(k)
	if !ok {
		return nil, false
	}
	if !now.Before(e.expiresAt()) || now.Before(e.notBefore.Add(-Leeway)) {
		c.lru.Remove(k)
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *tokenCache) put(k cacheKey, e cacheEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Len() >= c.max && !c.lru.Contains(k) {
		c.dropExpiredLocked(now)
	}
	if c.nextExp.IsZero() || e.expiresAt().Before(c.nextExp) {
		c.nextExp = e.expiresAt()
	}
	c.lru.Add(k, e) // evicts the least recently used entry if still full
}

// dropExpiredLocked removes every entry expired at now, unless none can
// have expired yet or the last sweep was less than sweepEvery ago (a clock
// set back before the last sweep allows a sweep). It recomputes nextExp.
// c.mu is held.
func (c *tokenCache) dropExpiredLocked(now time.Time) {
	if since := now.Sub(c.lastSweep); now.Before(c.nextExp) || (since >= 0 && since < sweepEvery) {
		return
	}
	c.lastSweep = now
	c.nextExp = time.Time{}
	for _, k := range c.lru.Keys() {
		e, _ := c.lru.Peek(k)
		switch exp := e.expiresAt(); {
		case !now.Before(exp):
			c.lru.Remove(k)
		case c.nextExp.IsZero() || exp.Before(c.nextExp):
			c.nextExp = exp
		}
	}
}

func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
