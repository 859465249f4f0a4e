package codes

import (
	"fmt"
	"slices"
	"sync"
)

// SubdivisionInfo describes one ISO 3166-2 subdivision code.
type SubdivisionInfo struct {
	// Code is the ISO 3166-2 code: the country's alpha-2 code, a hyphen and
	// one to three letters or digits ("CR-SJ", "GT-01", "PA-NT").
	Code string
	// Name is the name as ISO 3166-2 gives it, usually in a local language
	// ("San José", "Naso Tjër Di").
	Name string
	// Type is the kind of subdivision ("Province", "Department",
	// "Indigenous region").
	Type string
	// Parent is the code of the subdivision this one lies in ("GB-ENG" for
	// "GB-KEN"), or empty if it lies directly in the country.
	Parent string
	// CountryAlpha2 is the ISO 3166-1 alpha-2 code of the country ("CR").
	CountryAlpha2 string
	// CountryAlpha3 is the ISO 3166-1 alpha-3 code of the country ("CRI").
	CountryAlpha3 string
}

type subdivisionTable struct {
	sorted    []SubdivisionInfo            // by Code
	byCode    map[string]int               // index into sorted
	byCountry map[string][]SubdivisionInfo // by alpha-3: sub-slices of sorted
}

var subdivisions = sync.OnceValues(loadSubdivisions)

func loadSubdivisions() (*subdivisionTable, error) {
	ct, err := countries()
	if err != nil {
		return nil, err
	}
	rows, err := readTable("iso3166-2.csv", "code", "country", "name", "type", "parent")
	if err != nil {
		return nil, err
	}
	t := &subdivisionTable{
		sorted:    make([]SubdivisionInfo, 0, len(rows)),
		byCode:    make(map[string]int, len(rows)),
		byCountry: make(map[string][]SubdivisionInfo, len(ct.byAlpha2)),
	}
	// Rows are sorted by code, so the subdivisions of one country, which
	// share the code's alpha-2 prefix, are contiguous.
	start := 0
	for i, r := range rows {
		c, ok := ct.byAlpha2[r[1]]
		if !ok || len(r[0]) < 4 || r[0][:3] != r[1]+"-" {
			return nil, fmt.Errorf("codes: subdivision %q: bad country %q", r[0], r[1])
		}
		if i > 0 && rows[i-1][0] >= r[0] {
			return nil, fmt.Errorf("codes: subdivision %q duplicate or out of order", r[0])
		}
		t.byCode[r[0]] = i
		t.sorted = append(t.sorted, SubdivisionInfo{Code: r[0], Name: r[2], Type: r[3], Parent: r[4], CountryAlpha2: c.Alpha2, CountryAlpha3: c.Alpha3})
		if i+1 == len(rows) || rows[i+1][1] != r[1] {
			t.byCountry[c.Alpha3] = t.sorted[start : i+1 : i+1]
			start = i + 1
		}
	}
	return t, nil
}

// Subdivision returns the ISO 3166-2 subdivision whose code is code
// ("CR-A"), matched exactly (uppercase, no white space). It returns false
// if code is unknown or the embedded data could not be parsed (see [Load]).
func Subdivision(code string) (SubdivisionInfo, bool) {
	t, err := subdivisions()
	if err != nil {
		return SubdivisionInfo{}, false
	}
	i, ok := t.byCode[code]
	if !ok {
		return SubdivisionInfo{}, false
	}
	return t.sorted[i], true
}

// IsSubdivision reports whether code is an ISO 3166-2 subdivision code,
// written exactly. It returns false for anything else, and if the embedded
// data could not be parsed.
func IsSubdivision(code string) bool {
	_, ok := Subdivision(code)
	return ok
}

// SubdivisionOf reports whether code is an ISO 3166-2 subdivision of the
// country whose ISO 3166-1 alpha-3 code is alpha3: SubdivisionOf("CR-A",
// "CRI") is true, SubdivisionOf("CR-A", "NIC") is false. It returns false
// if either code is unknown or the embedded data could not be parsed.
func SubdivisionOf(code, alpha3 string) bool {
	s, ok := Subdivision(code)
	return ok && s.CountryAlpha3 == alpha3
}

// Subdivisions returns every ISO 3166-2 subdivision, sorted by Code in byte
// order ("PA-1", "PA-10", "PA-2", …), in a new slice the caller may keep or
// change. It returns nil if the embedded data could not be parsed.
func Subdivisions() []SubdivisionInfo {
	t, err := subdivisions()
	if err != nil {
		return nil
	}
	return slices.Clone(t.sorted)
}

// SubdivisionsOf returns the ISO 3166-2 subdivisions of the country whose
// ISO 3166-1 alpha-3 code is alpha3, at every level, sorted by Code, in a
// new slice the caller may keep or change. It returns nil if the country is
// unknown or has no subdivisions, or if the embedded data could not be
// parsed.
func SubdivisionsOf(alpha3 string) []SubdivisionInfo {
	t, err := subdivisions()
	if err != nil {
		return nil
	}
	return slices.Clone(t.byCountry[alpha3])
}
