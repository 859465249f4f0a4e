package report

// store holds the counts of one tally's groups. When grouping by month
// over at most three years, a key is split in two: its month indexes a
// dense block of counts, one per month of the period, and the rest of it
// (nationality, sex, age band, placement values) finds that block through
// a map. A worker's events mostly fall in one block (one placement, one
// band), so most of them cost an array index instead of a map lookup;
// grouped by employer and month, that halves a report's time. Otherwise
// every key goes through the map.
type store struct {
	months int // slots per block: months of the period + 1 (slot 0: no month)

	blocks    map[key]int // outer key → block number, in dense mode
	outers    []key
	cells     []counts
	lastOuter key
	lastBlock int

	flat    map[key]*counts // otherwise
	lastKey key
	last    *counts
}

const monthMask = key(0xffff) << monthShift

// maxDenseMonths bounds the months of a dense block: beyond three years,
// most of a block's slots would stay empty.
const maxDenseMonths = 36

func newStore(g grouping, months int) *store {
	if g.month && months <= maxDenseMonths {
		return &store{months: months + 1, blocks: map[key]int{}, lastBlock: -1}
	}
	return &store{flat: map[key]*counts{}}
}

// at returns the counts of group k. The pointer is valid until the next
// call.
func (s *store) at(k key) *counts {
	if s.flat != nil {
		if s.last != nil && k == s.lastKey {
			return s.last
		}
		c := s.flat[k]
		if c == nil {
			c = &counts{}
			s.flat[k] = c
		}
		s.lastKey, s.last = k, c
		return c
	}
	outer, month := k&^monthMask, int(k>>monthShift&0xffff)
	if s.lastBlock < 0 || outer != s.lastOuter {
		b, ok := s.blocks[outer]
		if !ok {
			b = len(s.outers)
			s.blocks[outer] = b
			s.outers = append(s.outers, outer)
			s.cells = append(s.cells, make([]counts, s.months)...)
		}
		s.lastOuter, s.lastBlock = outer, b
	}
	return &s.cells[s.lastBlock*s.months+month]
}

// each calls fn for every group with a non-zero count.
func (s *store) each(fn func(k key, c *counts)) {
	if s.flat != nil {
		for k, c := range s.flat {
			fn(k, c)
		}
		return
	}
	for b, outer := range s.outers {
		for m := range s.months {
			if c := &s.cells[b*s.months+m]; *c != (counts{}) {
				fn(outer|key(m)<<monthShift, c)
			}
		}
	}
}
