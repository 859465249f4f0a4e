package codes

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// OccupationLevel is the level of an ISCO-08 group, which is also the
// number of digits of its code.
type OccupationLevel int

// The four levels of ISCO-08.
const (
	// MajorGroup is a 1-digit group ("9" Elementary occupations).
	MajorGroup OccupationLevel = 1
	// SubMajorGroup is a 2-digit group ("92").
	SubMajorGroup OccupationLevel = 2
	// MinorGroup is a 3-digit group ("921").
	MinorGroup OccupationLevel = 3
	// UnitGroup is a 4-digit group ("9211" Crop farm labourers): the level
	// that a worker's occupation is recorded at.
	UnitGroup OccupationLevel = 4
)

// String returns "major group", "sub-major group", "minor group" or "unit
// group", or "OccupationLevel(n)" for any other value.
func (l OccupationLevel) String() string {
	switch l {
	case MajorGroup:
		return "major group"
	case SubMajorGroup:
		return "sub-major group"
	case MinorGroup:
		return "minor group"
	case UnitGroup:
		return "unit group"
	}
	return "OccupationLevel(" + strconv.Itoa(int(l)) + ")"
}

// OccupationInfo describes one group of ILO ISCO-08, the International
// Standard Classification of Occupations.
type OccupationInfo struct {
	// Code is the group's code, 1 to 4 digits with leading zeros kept
	// ("0110").
	Code string
	// Level is the group's level, equal to len(Code).
	Level OccupationLevel
	// Title is the English title ("Crop farm labourers").
	Title string
}

type occupationTable struct {
	byCode map[string]OccupationInfo
	sorted []OccupationInfo // by Code
}

var occupations = sync.OnceValues(loadOccupations)

func loadOccupations() (*occupationTable, error) {
	rows, err := readTable("isco08.csv", "code", "level", "title")
	if err != nil {
		return nil, err
	}
	t := &occupationTable{
		byCode: make(map[string]OccupationInfo, len(rows)),
		sorted: make([]OccupationInfo, 0, len(rows)),
	}
	for i, r := range rows {
		level, err := strconv.Atoi(r[1])
		if err != nil || level < int(MajorGroup) || level > int(UnitGroup) || len(r[0]) != level || !allDigits(r[0]) {
			return nil, fmt.Errorf("codes: isco08.csv: bad row %q", r)
		}
		if _, dup := t.byCode[r[0]]; dup || (i > 0 && rows[i-1][0] >= r[0]) {
			return nil, fmt.Errorf("codes: isco08.csv: %q duplicate or out of order", r[0])
		}
		o := OccupationInfo{Code: r[0], Level: OccupationLevel(level), Title: r[2]}
		t.byCode[o.Code] = o
		t.sorted = append(t.sorted, o)
	}
	return t, nil
}

// Occupation returns the ISCO-08 group whose code is code, at any level
// ("9", "92", "921" or "9211"), matched exactly. It returns false if code
// is unknown (including a code without its leading zero, such as "110"),
// or if the embedded data could not be parsed (see [Load]).
func Occupation(code string) (OccupationInfo, bool) {
	t, err := occupations()
	if err != nil {
		return OccupationInfo{}, false
	}
	o, ok := t.byCode[code]
	return o, ok
}

// IsOccupationUnit reports whether code is a 4-digit ISCO-08 unit group,
// the only level a worker's occupation may be recorded at. It returns
// false for major, sub-major and minor groups, for anything that is not an
// ISCO-08 code, and if the embedded data could not be parsed.
func IsOccupationUnit(code string) bool {
	o, ok := Occupation(code)
	return ok && o.Level == UnitGroup
}

// Occupations returns all 619 ISCO-08 groups, every level, sorted by Code
// (so each group comes right after its parent), in a new slice the caller
// may keep or change. It returns nil if the embedded data could not be
// parsed.
func Occupations() []OccupationInfo {
	t, err := occupations()
	if err != nil {
		return nil
	}
	return slices.Clone(t.sorted)
}

// allDigits reports whether s is made of ASCII digits only.
func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
