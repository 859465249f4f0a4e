package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// maxLimiterKeys bounds the memory of a limiterSet: beyond it, the least
// recently used key is dropped.
const maxLimiterKeys = 100_000

// limiterSet is one token bucket per key (a token's subject, a client IP),
// created on first use and forgotten once idle long enough to be full
// again. A nil *limiterSet allows everything.
//
// The buckets are kept in a least-recently-used list (simplelru, under the
// set's lock): the least recently used key is also the one idle longest,
// so the idle ones are dropped from the list's old end, each at O(1), and
// a full set drops the key idle longest.
type limiterSet struct {
	limit rate.Limit
	burst int
	idle  time.Duration // after this long unused, a bucket is full again
	now   func() time.Time

	mu      sync.Mutex
	buckets *simplelru.LRU[string, *bucket]
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiterSet returns a set of buckets refilling perSecond tokens a
// second up to burst (at least 1), or nil when perSecond is not positive.
func newLimiterSet(perSecond float64, burst int, now func() time.Time) *limiterSet {
	if perSecond <= 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return nil
	}
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	buckets, err := simplelru.NewLRU[string, *bucket](maxLimiterKeys, nil)
	if err != nil { // only for a size that is not positive
		return nil
	}
	idle := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &limiterSet{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		idle:    max(idle, time.Minute),
		now:     now,
		buckets: buckets,
	}
}

// allow takes one token from key's bucket. When there is none it returns
// false and how long until there will be one.
func (s *limiterSet) allow(key string) (bool, time.Duration) {
	if s == nil {
		return true, 0
	}
	now := s.now()
	s.mu.Lock()
	b, ok := s.buckets.Get(key)
	if !ok {
		s.dropIdle(now)
		b = &bucket{lim: rate.NewLimiter(s.limit, s.burst)}
		s.buckets.Add(key, b) // drops the least recently used key when full
	}
	b.seen = now
	s.mu.Unlock()

	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// dropIdle drops the buckets idle for longer than s.idle, from the least
// recently used on. s.mu is held.
func (s *limiterSet) dropIdle(now time.Time) {
	for {
		_, b, ok := s.buckets.GetOldest()
		if !ok || now.Sub(b.seen) <= s.idle {
			return
		}
		s.buckets.RemoveOldest()
	}
}

// retryAfter is the Retry-After header value for a wait of d: whole
// seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}
