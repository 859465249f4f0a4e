package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCacheHit(t *testing.T) {
	f := newFixture(t, Config{})
	tok := f.issue(t, "s", RoleInspector, "I", time.Hour)
	for range 3 {
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(CacheStats{Hits: 2, Misses: 1, Entries: 1}, f.verif.CacheStats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	// A refused token is never cached.
	bad := tamper(tok)
	for range 2 {
		if _, err := f.verif.Verify(bad); err == nil {
			t.Fatal("tampered token accepted")
		}
	}
	if diff := cmp.Diff(CacheStats{Hits: 2, Misses: 3, Entries: 1}, f.verif.CacheStats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestCachedTokenExpires(t *testing.T) {
	f := newFixture(t, Config{})
	tok := f.issue(t, "s", RoleInspector, "I", time.Minute)
	if _, err := f.verif.Verify(tok); err != nil {
		t.Fatal(err)
	}
	// Within the leeway after exp, the cached token is still good.
	f.clock.Advance(time.Minute + Leeway - time.Second)
	if _, err := f.verif.Verify(tok); err != nil {
		t.Fatalf("refused within leeway: %v", err)
	}
	if got := f.verif.CacheStats().Hits; got != 1 {
		t.Errorf("hits = %d, want 1", got)
	}
	f.clock.Advance(time.Second)
	p, err := f.verif.Verify(tok)
	checkRefused(t, p, err, CodeTokenExpired, tok)
	if diff := cmp.Diff(CacheStats{Hits: 1, Misses: 2, Entries: 0}, f.verif.CacheStats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestCachedTokenClockGoesBack(t *testing.T) {
	f := newFixture(t, Config{})
	tok := f.issue(t, "s", RoleInspector, "I", time.Hour)
	if _, err := f.verif.Verify(tok); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(-time.Hour) // the clock is corrected backwards
	p, err := f.verif.Verify(tok)
	checkRefused(t, p, err, CodeTokenNotYetValid, tok)
}

func TestCacheBound(t *testing.T) {
	const size = 16
	f := newFixture(t, Config{CacheSize: size})
	var long []string
	for i := range 3 * size {
		tok := f.issue(t, fmt.Sprint("user-", i), RoleEmployer, "E", time.Hour)
		long = append(long, tok)
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
		if n := f.verif.CacheStats().Entries; n > size {
			t.Fatalf("after %d tokens the cache holds %d entries, bound %d", i+1, n, size)
		}
	}
	// Every token still verifies, cached or not.
	for _, tok := range long {
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	const size = 8
	f := newFixture(t, Config{CacheSize: size})
	var keep []string
	for i := range size {
		ttl := time.Minute // half expire soon …
		if i%2 == 0 {
			ttl = time.Hour // … half do not
		}
		tok := f.issue(t, fmt.Sprint("user-", i), RoleEmployer, "E", ttl)
		if ttl == time.Hour {
			keep = append(keep, tok)
		}
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(10 * time.Minute)
	if _, err := f.verif.Verify(f.issue(t, "new", RoleEmployer, "E", time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := f.verif.CacheStats().Entries, size/2+1; got != want {
		t.Errorf("entries = %d, want %d (expired ones dropped, live ones kept)", got, want)
	}
	before := f.verif.CacheStats().Hits
	for _, tok := range keep {
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.verif.CacheStats().Hits - before; got != uint64(len(keep)) {
		t.Errorf("%d of %d live tokens were still cached", got, len(keep))
	}
}

func TestCacheDropsLeastRecentlyUsed(t *testing.T) {
	const size = 4
	f := newFixture(t, Config{CacheSize: size})
	var toks []string
	for i := range size {
		toks = append(toks, f.issue(t, fmt.Sprint("user-", i), RoleEmployer, "E", time.Hour))
		if _, err := f.verif.Verify(toks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.verif.Verify(toks[0]); err != nil { // now the most recently used
		t.Fatal(err)
	}
	if _, err := f.verif.Verify(f.issue(t, "new", RoleEmployer, "E", time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		tok     string
		wantHit bool
	}{{"used again", toks[0], true}, {"least recently used", toks[1], false}} {
		before := f.verif.CacheStats().Hits
		if _, err := f.verif.Verify(tc.tok); err != nil {
			t.Fatal(err)
		}
		if hit := f.verif.CacheStats().Hits > before; hit != tc.wantHit {
			t.Errorf("%s token: cache hit %v, want %v", tc.name, hit, tc.wantHit)
		}
	}
}

func TestCacheDisabled(t *testing.T) {
	f := newFixture(t, Config{CacheSize: -1})
	tok := f.issue(t, "s", RoleInspector, "I", time.Hour)
	for range 2 {
		if _, err := f.verif.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(CacheStats{}, f.verif.CacheStats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

// tamper changes one fully significant character of the token's signature,
// so the result always differs in the signed bytes. (Replacing the last
// characters is not enough: the final base64url character of an Ed25519
// signature carries only two significant bits, and the replacement may equal
// the original.)
func tamper(tok string) string {
	i := len(tok) - 10
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
