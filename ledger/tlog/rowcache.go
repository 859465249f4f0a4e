package tlog

// rowCache keeps the values of the callers' rows that the writer recently
// read from the store or committed, so that an AppendFunc reading a hot
// row (a worker's projection, read and rewritten by every entry naming
// the worker) does not search every Badger memtable and level each time:
// Badger's Get looks through all of them for the newest version, about
// 10 µs a row under sustained writes.
//
// Only the holder of the writer role uses it, and it only ever holds the
// newest committed value of a row: a row read from a transaction's
// snapshot is cached only when neither the chunk being prepared nor the
// chunk in flight wrote it (those are looked up first), and the rows a
// chunk wrote enter the cache once that chunk is durable (drain).
// Rebuild and Purge, which change rows outside the writer's chunks, empty
// it.
//
// It has two generations of at most max/2 bytes each: a row found in the
// old generation moves to the new one, and when the new one is full the
// old one is dropped. That keeps the rows in use at O(1) cost, with no
// list to maintain.
//
// Why not a library:
//   - github.com/hashicorp/golang-lru/v2 (v2.0.7) bounds the number of
//     entries, not their bytes, and has no cost function; rows differ
//     widely in size (a worker's projection grows with its crossings,
//     permits and placements), and Memory.RowCacheSize is a byte budget. Its lru.Cache
//     also takes a mutex on every Get (Lock, not RLock: Get moves the entry
//     to the front) and Add, on the writer's path, where only the holder of
//     the writer role ever touches this cache. Its lock-free simplelru.LRU
//     would need a byte count kept through its eviction callback and a
//     RemoveOldest loop, and allocates a list element (an 88-byte
//     internal.Entry, with an unused ExpiresAt) for every new key it caches,
//     that is for most rows the writer reads or commits; these two maps
//     allocate only as they grow after a generation is dropped.
//   - A general-purpose concurrent cache such as Ristretto admits and
//     applies writes asynchronously, so a lookup could return an older
//     value than the one last committed; this one is exact.
type rowCache struct {
	cur, old map[string][]byte // nil value: the row does not exist
	curBytes int
	max      int
}

// rowOverhead approximates a map entry's memory beyond its key and value.
const rowOverhead = 64

func newRowCache(max int64) *rowCache {
	return &rowCache{cur: map[string][]byte{}, max: int(max)}
}

// get returns the cached value of k (nil if the row does not exist) and
// whether k is cached. The value must not be modified.
func (c *rowCache) get(k string) ([]byte, bool) {
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	if v, ok := c.old[k]; ok {
		c.store(k, v)
		return v, true
	}
	return nil, false
}

// put caches a copy of the newest committed value of k (nil: the row does
// not exist). The copy is made here, so that the cache's memory is
// allocated by the cache (a heap profile can tell it from the rest).
func (c *rowCache) put(k string, v []byte) {
	if c.max <= 0 {
		return
	}
	if v != nil {
		v = append(make([]byte, 0, len(v)), v...)
	}
	c.store(k, v)
}

// store caches v, which the cache owns, as the value of k.
func (c *rowCache) store(k string, v []byte) {
	size := len(k) + len(v) + rowOverhead
	if size > c.max/8 {
		delete(c.cur, k) // too large to be worth it; drop any older value
		delete(c.old, k)
		return
	}
	if old, ok := c.cur[k]; ok {
		c.curBytes -= len(k) + len(old) + rowOverhead
	}
	c.cur[k] = v
	c.curBytes += size
	if c.curBytes > c.max/2 {
		c.old, c.cur, c.curBytes = c.cur, map[string][]byte{}, 0
	}
}

// reset empties the cache.
func (c *rowCache) reset() {
	c.cur, c.old, c.curBytes = map[string][]byte{}, nil, 0
}
