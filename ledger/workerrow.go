package ledger

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The worker row (w/<worker_id>) is read and rewritten by every entry
// naming the worker, inside the ledger's single writer, so its encoding is
// on the hot path of every append: a compact binary form, about five times
// faster to decode than the JSON it replaced. Written by hand (like the
// facts rows) because the layout is internal, small and fixed, and a
// general encoder would either need generated code or pay for reflection.
//
// Layout (every integer a uvarint unless noted, every string a uvarint
// length and its bytes, every list a uvarint count and its items):
//
//	version (1 byte: workerRowVersion)
//	id, index, org, sex, nationality, birth year, doc type, doc country
//	pii: [index]
//	erased (1 byte: 0 or 1), erased index
//	crossings: [index, dir, at (varint, unix ns), post, reason, org]
//	permits: [id, index, type, from, to, revoked, revoked index]
//	placements: [id, index, employer, start, expected end, end, end reason,
//	             end index, occupation, sector, region, age (varint: -1 none)]
//
// Rows written before this encoding are JSON objects (first byte '{') and
// are still read; the next update of the worker rewrites them.
const workerRowVersion = 1

// errShortRow is the error of a truncated or malformed worker row.
var errShortRow = errors.New("truncated worker row")

// MarshalBinary encodes the row in its binary form.
func (w *workerRow) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 128+64*len(w.Crossings)+64*len(w.Permits)+96*len(w.Placements))
	b = append(b, workerRowVersion)
	b = appendString(b, w.ID)
	b = binary.AppendUvarint(b, w.Index)
	b = appendString(b, w.Org)
	b = appendString(b, w.Sex)
	b = appendString(b, w.Nationality)
	b = binary.AppendVarint(b, int64(w.BirthYear))
	b = appendString(b, w.DocType)
	b = appendString(b, w.DocCountry)
	b = binary.AppendUvarint(b, uint64(len(w.PII)))
	for _, i := range w.PII {
		b = binary.AppendUvarint(b, i)
	}
	b = appendBool(b, w.Erased)
	b = binary.AppendUvarint(b, w.ErasedIndex)
	b = binary.AppendUvarint(b, uint64(len(w.Crossings)))
	for i := range w.Crossings {
		c := &w.Crossings[i]
		b = binary.AppendUvarint(b, c.Index)
		b = appendString(b, c.Dir)
		b = binary.AppendVarint(b, c.At)
		b = appendString(b, c.Post)
		b = appendString(b, c.Reason)
		b = appendString(b, c.Org)
	}
	b = binary.AppendUvarint(b, uint64(len(w.Permits)))
	for i := range w.Permits {
		p := &w.Permits[i]
		b = appendString(b, p.ID)
		b = binary.AppendUvarint(b, p.Index)
		b = appendString(b, p.Type)
		b = appendString(b, p.From)
		b = appendString(b, p.To)
		b = appendString(b, p.Revoked)
		b = binary.AppendUvarint(b, p.RevokedIndex)
	}
	b = binary.AppendUvarint(b, uint64(len(w.Placements)))
	for i := range w.Placements {
		p := &w.Placements[i]
		b = appendString(b, p.ID)
		b = binary.AppendUvarint(b, p.Index)
		b = appendString(b, p.Employer)
		b = appendString(b, p.Start)
		b = appendString(b, p.ExpectedEnd)
		b = appendString(b, p.End)
		b = appendString(b, p.EndReason)
		b = binary.AppendUvarint(b, p.EndIndex)
		b = appendString(b, p.Occupation)
		b = appendString(b, p.Sector)
		b = appendString(b, p.Region)
		age := int64(-1)
		if p.Age != nil {
			age = int64(*p.Age)
		}
		b = binary.AppendVarint(b, age)
	}
	return b, nil
}

// UnmarshalBinary decodes a row written by MarshalBinary, or a JSON row
// written before it. It never panics on malformed input, and accepts only
// the one encoding MarshalBinary writes (minimal varints, booleans 0 or 1).
func (w *workerRow) UnmarshalBinary(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		*w = workerRow{}
		return json.Unmarshal(b, w)
	}
	if len(b) == 0 || b[0] != workerRowVersion {
		return errors.New("unknown worker row version")
	}
	d := rowDecoder{b: b[1:]}
	var r workerRow
	r.ID = d.string()
	r.Index = d.uvarint()
	r.Org = d.string()
	r.Sex = d.string()
	r.Nationality = d.string()
	r.BirthYear = d.int()
	r.DocType = d.string()
	r.DocCountry = d.string()
	if n := d.count(1); n > 0 {
		r.PII = make([]uint64, n)
		for i := range r.PII {
			r.PII[i] = d.uvarint()
		}
	}
	r.Erased = d.bool()
	r.ErasedIndex = d.uvarint()
	r.Crossings = d.crossings()
	r.Permits = d.permits()
	r.Placements = d.placements()
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%d bytes after the worker row", len(d.b))
	}
	*w = r
	return nil
}

// crossings reads a row's list of crossings; nil if it is empty.
func (d *rowDecoder) crossings() []crossingRow {
	n := d.count(6)
	if n == 0 {
		return nil
	}
	cs := make([]crossingRow, n)
	for i := range cs {
		c := &cs[i]
		c.Index = d.uvarint()
		c.Dir = d.string()
		c.At = d.varint()
		c.Post = d.string()
		c.Reason = d.string()
		c.Org = d.string()
	}
	return cs
}

// permits reads a row's list of permits; nil if it is empty.
func (d *rowDecoder) permits() []permitRow {
	n := d.count(7)
	if n == 0 {
		return nil
	}
	ps := make([]permitRow, n)
	for i := range ps {
		p := &ps[i]
		p.ID = d.string()
		p.Index = d.uvarint()
		p.Type = d.string()
		p.From = d.string()
		p.To = d.string()
		p.Revoked = d.string()
		p.RevokedIndex = d.uvarint()
	}
	return ps
}

// placements reads a row's list of placements; nil if it is empty.
func (d *rowDecoder) placements() []placementRow {
	n := d.count(12)
	if n == 0 {
		return nil
	}
	ps := make([]placementRow, n)
	for i := range ps {
		p := &ps[i]
		p.ID = d.string()
		p.Index = d.uvarint()
		p.Employer = d.string()
		p.Start = d.string()
		p.ExpectedEnd = d.string()
		p.End = d.string()
		p.EndReason = d.string()
		p.EndIndex = d.uvarint()
		p.Occupation = d.string()
		p.Sector = d.string()
		p.Region = d.string()
		if age := d.varint(); age >= 0 && age <= math.MaxInt32 {
			a := int(age)
			p.Age = &a
		} else if age != -1 {
			d.fail()
		}
	}
	return ps
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// rowDecoder reads the fields of a binary row; the first failure sticks
// and every later read returns a zero value.
type rowDecoder struct {
	b   []byte
	err error
}

func (d *rowDecoder) fail() {
	if d.err == nil {
		d.err = errShortRow
	}
	d.b = nil
}

func (d *rowDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || (n > 1 && d.b[n-1] == 0) { // truncated, overflowing or not minimal
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 || (n > 1 && d.b[n-1] == 0) { // truncated, overflowing or not minimal
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) int() int {
	v := d.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *rowDecoder) bool() bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail()
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *rowDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// count reads a list's length, refusing one that the remaining bytes
// cannot hold (each item takes at least minItem bytes), so that a corrupt
// count cannot make a huge allocation.
func (d *rowDecoder) count(minItem int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/minItem) {
		d.fail()
		return 0
	}
	return int(n)
}
