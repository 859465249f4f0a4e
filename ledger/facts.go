package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// This file keeps the facts rows: a compact, fixed-width, binary record of
// every worker, rewritten by apply whenever the worker row changes, so that
// reports scan one small row per worker instead of decoding JSON.
//
//	rs/<shard:1><worker_id>   facts row (below)
//	rv/facts                  factsVersion, written when entry 0 is applied
//
// The shard byte (FNV-1a of the worker id, mod factShards) lets several
// goroutines scan disjoint key ranges of one snapshot.
//
// Facts row, big-endian:
//
//	0   version (1)
//	1   sex: 'F', 'M', 'X'
//	2   flags: bit 0 erased
//	3   estimated birthday: month (1-12), day (1-31)
//	5   birth year (uint16)
//	7   nationality (3 ASCII bytes)
//	10  number of placements, movements, permits (uint16 each)
//	16  placements, 38 bytes each: start, end (int32 days since 1970-01-01,
//	    end OpenEnd while not ended), employer (16-byte ULID), occupation (4
//	    ASCII), sector (4 ASCII, zero-padded), region (6 ASCII, zero-padded)
//	    movements, 4 bytes each (entries and exits by occurred_at, refused
//	    entries left out): int32 day × 2 + 1 for an exit
//	    permits, 8 bytes each: valid_from, last valid day (int32 days)
var (
	factsPrefix   = []byte("rs/")
	factsMetaPref = []byte("rv/")
	factsMetaKey  = []byte("rv/facts")
)

const (
	factsVersion   = 1
	factShards     = 16
	factsHeader    = 16
	factsPlacement = 38
)

// ErrProjectionsOutdated is returned by ScanFacts when the store was
// written by a version of Trazo that kept no facts rows: the projections
// must be rebuilt (Service.Rebuild, "trazo reindex") before reports can be
// computed.
var ErrProjectionsOutdated = errors.New("mobility: projections predate the report facts; rebuild them (trazo reindex)")

// Day is a date as a count of days since 1970-01-01 (negative before).
type Day int32

// OpenEnd is the end Day of a placement that has not ended.
const OpenEnd Day = math.MaxInt32

// DayOf returns the Day of a YYYY-MM-DD date, or false if it is not one.
func DayOf(date string) (Day, bool) {
	t, err := time.Parse(dateLayout, date)
	if err != nil || len(date) != len(dateLayout) {
		return 0, false
	}
	return Day(t.Unix() / 86400), true
}

// Time returns midnight UTC of the day.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String returns the day as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(dateLayout) }

// Code is a code of at most 8 ASCII bytes (a country, ISIC sector, ISCO
// occupation or ISO 3166-2 region) packed big-endian and left-aligned into
// a uint64, so that codes compare as their strings do. 0 is no code.
type Code uint64

// CodeOf packs s; it returns 0 for "" and for strings over 8 bytes.
func CodeOf(s string) Code {
	if len(s) > 8 {
		return 0
	}
	var c uint64
	for i := 0; i < 8; i++ {
		c <<= 8
		if i < len(s) {
			c |= uint64(s[i])
		}
	}
	return Code(c)
}

// String returns the code's text, "" for 0.
func (c Code) String() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(c))
	n := 8
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return string(b[:n])
}

// EmployerKey is an employer id in 16 bytes (the ULID after "emp_").
type EmployerKey [16]byte

// String returns the employer id, or "" for the zero key.
func (k EmployerKey) String() string {
	if k == (EmployerKey{}) {
		return ""
	}
	return employerIDPrefix + ulid.ULID(k).String()
}

// Facts is the compact record of one worker that reports are computed
// from: the clear attributes and, with corrections applied, every
// placement, movement and permit, as days. It holds no personal data and
// survives erasure.
type Facts struct {
	Sex         byte // 'F', 'M' or 'X'
	Nationality Code
	BirthYear   int
	// Birthday is the estimated month*100+day of the worker's birthday:
	// the date of birth is personal data, encrypted in the log, so it is
	// narrowed down from the birth year and the age at the start of each
	// placement (exact on those dates) and taken in the middle of what
	// remains. Ages computed with it are exact on every placement's start
	// date and off by at most one year elsewhere.
	Birthday   int
	Erased     bool
	Placements []FactPlacement // in start order (by entry index)
	Movements  []Movement      // entries and exits by occurred_at
	Permits    []FactPermit    // in issue order
}

// FactPlacement is one placement of a worker's Facts. End is OpenEnd
// while the placement has not ended.
type FactPlacement struct {
	Start, End Day
	Employer   EmployerKey
	Occupation Code
	Sector     Code
	Region     Code
}

// Movement is one entry or exit of a worker (refused entries are not
// movements).
type Movement struct {
	Day  Day
	Exit bool
}

// FactPermit is one permit of a worker's Facts: the first and last day it
// is valid (valid_to, or the day before its revocation when earlier; the
// last day may then be before the first: the permit was never valid).
type FactPermit struct {
	From, LastValid Day
}

// AgeOn returns the worker's age in whole years on day d, from the birth
// year and the estimated birthday (see Birthday).
func (f *Facts) AgeOn(d Day) int {
	y, m, dd := d.Time().Date()
	age := y - f.BirthYear
	if int(m)*100+dd < f.Birthday {
		age--
	}
	return age
}

func factsKey(workerID string) []byte {
	h := fnv.New32a()
	h.Write([]byte(workerID))
	k := append([]byte(nil), factsPrefix...)
	k = append(k, byte(h.Sum32()%factShards))
	return append(k, workerID...)
}

// putFacts writes the facts row of w.
func putFacts(tx setter, w *workerRow) error {
	b, err := w.facts()
	if err != nil {
		return fmt.Errorf("facts of %s: %w", w.ID, err)
	}
	return tx.Set(factsKey(w.ID), b)
}

// facts encodes the facts row of w.
func (w *workerRow) facts() ([]byte, error) {
	var movements []crossingRow
	for _, c := range w.Crossings {
		if c.Dir == "entry" || c.Dir == "exit" {
			movements = append(movements, c)
		}
	}
	if len(w.Placements) > math.MaxUint16 || len(movements) > math.MaxUint16 || len(w.Permits) > math.MaxUint16 {
		return nil, errors.New("too many records for a facts row")
	}
	if w.BirthYear < 0 || w.BirthYear > math.MaxUint16 {
		return nil, fmt.Errorf("birth year %d out of range", w.BirthYear)
	}
	b := make([]byte, factsHeader, factsHeader+factsPlacement*len(w.Placements)+4*len(movements)+8*len(w.Permits))
	b[0] = factsVersion
	if len(w.Sex) == 1 {
		b[1] = w.Sex[0]
	}
	if w.Erased {
		b[2] = 1
	}
	bd := w.birthday()
	b[3], b[4] = byte(bd/100), byte(bd%100)
	binary.BigEndian.PutUint16(b[5:], uint16(w.BirthYear))
	if err := putASCII(b[7:10], w.Nationality); err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint16(b[10:], uint16(len(w.Placements)))
	binary.BigEndian.PutUint16(b[12:], uint16(len(movements)))
	binary.BigEndian.PutUint16(b[14:], uint16(len(w.Permits)))
	for i := range w.Placements {
		var err error
		if b, err = appendFactsPlacement(b, &w.Placements[i]); err != nil {
			return nil, err
		}
	}
	for i := range movements {
		b = binary.BigEndian.AppendUint32(b, uint32(movementDay(&movements[i])))
	}
	for _, p := range w.Permits {
		from, ok1 := DayOf(p.From)
		last, ok2 := DayOf(p.lastValidDay())
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("permit %s dates %q %q", p.ID, p.From, p.lastValidDay())
		}
		b = binary.BigEndian.AppendUint32(b, uint32(from))
		b = binary.BigEndian.AppendUint32(b, uint32(last))
	}
	return b, nil
}

// appendFactsPlacement appends the facts record of placement p to b; an
// error if a date, the employer id or a code does not fit the record.
func appendFactsPlacement(b []byte, p *placementRow) ([]byte, error) {
	var rec [factsPlacement]byte
	start, ok := DayOf(p.Start)
	if !ok {
		return nil, fmt.Errorf("placement %s start %q", p.ID, p.Start)
	}
	end := OpenEnd
	if p.End != "" {
		if end, ok = DayOf(p.End); !ok {
			return nil, fmt.Errorf("placement %s end %q", p.ID, p.End)
		}
	}
	binary.BigEndian.PutUint32(rec[0:], uint32(start))
	binary.BigEndian.PutUint32(rec[4:], uint32(end))
	emp, err := ulid.ParseStrict(strings.TrimPrefix(p.Employer, employerIDPrefix))
	if err != nil || !strings.HasPrefix(p.Employer, employerIDPrefix) {
		return nil, fmt.Errorf("placement %s employer %q", p.ID, p.Employer)
	}
	copy(rec[8:24], emp[:])
	for _, f := range []struct {
		dst []byte
		v   string
	}{{rec[24:28], p.Occupation}, {rec[28:32], p.Sector}, {rec[32:38], p.Region}} {
		if err := putASCII(f.dst, f.v); err != nil {
			return nil, err
		}
	}
	return append(b, rec[:]...), nil
}

// movementDay encodes an entry or exit c as its day (floor of its time in
// days since 1970) times two, plus one for an exit.
func movementDay(c *crossingRow) int32 {
	const nsPerDay = 86400 * int64(time.Second)
	day := c.At / nsPerDay
	if c.At%nsPerDay < 0 {
		day-- // floor division for times before 1970
	}
	d := int32(day) * 2
	if c.Dir == "exit" {
		d++
	}
	return d
}

// putASCII copies v, zero-padded, into dst; v must fit.
func putASCII(dst []byte, v string) error {
	if len(v) > len(dst) {
		return fmt.Errorf("code %q longer than %d bytes", v, len(dst))
	}
	clear(dst)
	copy(dst, v)
	return nil
}

// birthday estimates the worker's birthday as month*100+day: the birth
// year and each placement's age at start tell whether the birthday falls
// on or before that start's month and day, or after it; the estimate is
// the middle of the window that leaves (1 July when nothing is known).
// Observations that contradict the birth year (after a correction of the
// date of birth) are ignored.
func (w *workerRow) birthday() int {
	lo, hi := 0, 1231 // the birthday is after lo and on or before hi
	for _, p := range w.Placements {
		if p.Age == nil {
			continue
		}
		t, err := time.Parse(dateLayout, p.Start)
		if err != nil {
			continue
		}
		md := int(t.Month())*100 + t.Day()
		switch t.Year() - w.BirthYear - *p.Age {
		case 0: // had the birthday by the start
			hi = min(hi, md)
		case 1: // had not
			lo = max(lo, md)
		}
	}
	if lo >= hi {
		lo, hi = 0, 1231
	}
	// Middle of (lo, hi] in the days of a leap year.
	first := mdTime(lo).AddDate(0, 0, 1)
	if lo == 0 {
		first = mdTime(101)
	}
	last := mdTime(hi)
	mid := first.AddDate(0, 0, int(last.Sub(first).Hours()/24)/2)
	return int(mid.Month())*100 + mid.Day()
}

func mdTime(md int) time.Time {
	return time.Date(2000, time.Month(md/100), md%100, 0, 0, 0, 0, time.UTC)
}

// DecodeFacts decodes a facts row into f, reusing f's slices. It returns
// an error wrapping tlog.ErrCorrupt for a row it cannot read.
func DecodeFacts(b []byte, f *Facts) error {
	if len(b) < factsHeader || b[0] != factsVersion {
		return fmt.Errorf("%w: facts row of %d bytes, version %d", tlog.ErrCorrupt, len(b), firstByte(b))
	}
	np := int(binary.BigEndian.Uint16(b[10:]))
	nm := int(binary.BigEndian.Uint16(b[12:]))
	nq := int(binary.BigEndian.Uint16(b[14:]))
	if len(b) != factsHeader+np*factsPlacement+4*nm+8*nq {
		return fmt.Errorf("%w: facts row length %d", tlog.ErrCorrupt, len(b))
	}
	f.Sex = b[1]
	f.Erased = b[2]&1 != 0
	f.Birthday = int(b[3])*100 + int(b[4])
	f.BirthYear = int(binary.BigEndian.Uint16(b[5:]))
	f.Nationality = Code(uint64(b[7])<<56 | uint64(b[8])<<48 | uint64(b[9])<<40)
	f.Placements = f.Placements[:0]
	p := b[factsHeader:]
	for range np {
		var fp FactPlacement
		fp.Start = Day(int32(binary.BigEndian.Uint32(p[0:])))
		fp.End = Day(int32(binary.BigEndian.Uint32(p[4:])))
		copy(fp.Employer[:], p[8:24])
		fp.Occupation = Code(uint64(binary.BigEndian.Uint32(p[24:])) << 32)
		fp.Sector = Code(uint64(binary.BigEndian.Uint32(p[28:])) << 32)
		fp.Region = Code(uint64(binary.BigEndian.Uint32(p[32:]))<<32 | uint64(binary.BigEndian.Uint16(p[36:]))<<16)
		f.Placements = append(f.Placements, fp)
		p = p[factsPlacement:]
	}
	f.Movements = f.Movements[:0]
	for range nm {
		v := int32(binary.BigEndian.Uint32(p))
		f.Movements = append(f.Movements, Movement{Day: Day(v >> 1), Exit: v&1 != 0})
		p = p[4:]
	}
	f.Permits = f.Permits[:0]
	for range nq {
		f.Permits = append(f.Permits, FactPermit{From: Day(int32(binary.BigEndian.Uint32(p))), LastValid: Day(int32(binary.BigEndian.Uint32(p[4:])))})
		p = p[8:]
	}
	return nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

// ScanFacts calls fn with the Facts of every worker (erased ones
// included), on one consistent snapshot, from parts goroutines (1 to 16)
// that scan disjoint sets of workers: fn is called concurrently with
// different part numbers (0 to parts-1), and sequentially for one part.
// The Facts are reused between calls: fn must not keep them.
//
// It is for reports: it checks no role, and callers must only ever let
// aggregates out. It returns ErrProjectionsOutdated if the store was
// written before facts rows existed, fn's first error, the context's
// error, or an error wrapping tlog.ErrStorage or tlog.ErrCorrupt.
func (s *Service) ScanFacts(ctx context.Context, parts int, fn func(part int, f *Facts) error) error {
	parts = max(1, min(parts, factShards))
	return s.log.View(func(r *tlog.Reader) error {
		v, err := r.Get(factsMetaKey)
		if errors.Is(err, tlog.ErrNotFound) {
			if s.log.Size() == 0 {
				return nil
			}
			return ErrProjectionsOutdated
		}
		if err != nil {
			return err
		}
		if len(v) != 1 || v[0] != factsVersion {
			return ErrProjectionsOutdated
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errs := make([]error, parts)
		var wg sync.WaitGroup
		for part := range parts {
			first, stop := byte(part*factShards/parts), byte((part+1)*factShards/parts)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var f Facts
				n := 0
				start := append(append([]byte(nil), factsPrefix...), first)
				errs[part] = r.Scan(factsPrefix, start, func(k, v []byte) error {
					if len(k) <= len(factsPrefix) || k[len(factsPrefix)] >= stop {
						return tlog.ErrStopScan
					}
					if n++; n%1024 == 0 {
						if err := ctx.Err(); err != nil {
							return err
						}
					}
					if err := DecodeFacts(v, &f); err != nil {
						return fmt.Errorf("row %q: %w", k, err)
					}
					return fn(part, &f)
				})
				if errs[part] != nil {
					cancel()
				}
			}()
		}
		wg.Wait()
		// A part that failed cancels the others: report its error, not
		// theirs.
		var first error
		for _, e := range errs {
			if e != nil && !errors.Is(e, context.Canceled) {
				return e
			}
			if first == nil {
				first = e
			}
		}
		return first
	})
}
