package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiterKeys bounds the memory of a limiterSet: beyond it, idle keys
// are dropped first, then arbitrary ones.
const maxLimiterKeys = 100_000

// limiterSet is one token bucket per key (a token's subject, a client IP),
// created on first use and forgotten once idle long enough to be full
// again. A nil *limiterSet allows everything.
type limiterSet struct {
	limit rate.Limit
	burst int
	idle  time.Duration // after this long unused, a bucket is full again
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
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
	idle := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &limiterSet{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		idle:    max(idle, time.Minute),
		now:     now,
		buckets: map[string]*bucket{},
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
	b := s.buckets[key]
	if b == nil {
		s.makeRoom(now)
		b = &bucket{lim: rate.NewLimiter(s.limit, s.burst)}
		s.buckets[key] = b
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

// makeRoom drops idle buckets now and then, and an arbitrary one when the
// set is full. s.mu is held.
func (s *limiterSet) makeRoom(now time.Time) {
	if now.Sub(s.lastSweep) > time.Minute || len(s.buckets) >= maxLimiterKeys {
		s.lastSweep = now
		for k, b := range s.buckets {
			if now.Sub(b.seen) > s.idle {
				delete(s.buckets, k)
			}
		}
	}
	for k := range s.buckets {
		if len(s.buckets) < maxLimiterKeys {
			break
		}
		delete(s.buckets, k)
	}
}

// retryAfter is the Retry-After header value for a wait of d: whole
// seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}
