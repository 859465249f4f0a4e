package tlog

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRowCacheGenerations(t *testing.T) {
	c := newRowCache(8 * (rowOverhead + 10)) // each generation holds ~4 rows of 10 bytes
	for i := range 4 {
		c.put(fmt.Sprintf("k%04d", i), []byte("12345"))
	}
	// k0000..k0003 filled the first generation and moved to the old one.
	if _, ok := c.get("k0000"); !ok {
		t.Fatal("k0000 dropped too early")
	}
	for i := 4; i < 20; i++ {
		c.put(fmt.Sprintf("k%04d", i), []byte("12345"))
	}
	if _, ok := c.get("k0001"); ok {
		t.Error("k0001 still cached after two generations")
	}
	if v, ok := c.get("k0019"); !ok || string(v) != "12345" {
		t.Errorf("k0019 = %q, %v", v, ok)
	}
	c.put("k0019", nil)
	if v, ok := c.get("k0019"); !ok || v != nil {
		t.Errorf("deleted row = %q, %v; want nil, true", v, ok)
	}
	c.put("big", make([]byte, 1000))
	if _, ok := c.get("big"); ok {
		t.Error("a row larger than an eighth of the cache was cached")
	}
	c.reset()
	if _, ok := c.get("k0018"); ok {
		t.Error("reset kept a row")
	}
	off := newRowCache(-1)
	off.put("k", []byte("v"))
	if _, ok := off.get("k"); ok {
		t.Error("a disabled cache cached")
	}
}

// Purge changes rows outside the writer's chunks: the writer must not
// serve a purged row from its cache.
func TestRowCacheAfterPurge(t *testing.T) {
	l := openTestLog(t, t.TempDir())
	read := func() (string, error) {
		var got string
		_, err := l.Append(t.Context(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
			v, err := tx.Get([]byte("p/row"))
			if err != nil {
				return nil, err
			}
			got = string(v)
			return nil, nil
		})
		return got, err
	}
	_, err := l.Append(t.Context(), func(tx *Tx, _ uint64, _ time.Time) ([]byte, error) {
		return []byte("e"), tx.Set([]byte("p/row"), []byte("v1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := read(); err != nil || got != "v1" {
		t.Fatalf("row = %q, %v", got, err)
	}
	if err := l.Purge(t.Context(), []byte("p/")); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("purged row read as %q, %v; want ErrNotFound", got, err)
	}
}
