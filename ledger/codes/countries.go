package codes

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// CountryInfo describes one nationality or country code: an ISO 3166-1
// country, or one of the ICAO Doc 9303 codes XXA, XXB, XXC and XXX.
type CountryInfo struct {
	// Alpha3 is the ISO 3166-1 alpha-3 code ("CRI") or the ICAO code
	// ("XXA").
	Alpha3 string
	// Alpha2 is the ISO 3166-1 alpha-2 code ("CR"); empty for ICAO codes.
	Alpha2 string
	// Numeric is the ISO 3166-1 numeric code ("188"), three digits with
	// leading zeros; empty for ICAO codes.
	Numeric string
	// Name is the English short name ("Costa Rica", "Bolivia,
	// Plurinational State of"), or the ICAO meaning ("Stateless person").
	Name string
	// ICAO is true for the ICAO Doc 9303 codes, which are not ISO 3166-1
	// codes and name no country: XXA (stateless person), XXB (refugee as
	// defined in the 1951 Convention), XXC (other refugee) and XXX
	// (unspecified nationality).
	ICAO bool
}

type countryTable struct {
	byAlpha3 map[string]CountryInfo
	byAlpha2 map[string]CountryInfo
	sorted   []CountryInfo // by Alpha3
}

var countries = sync.OnceValues(loadCountries)

func loadCountries() (*countryTable, error) {
	iso, err := readTable("iso3166-1.csv", "alpha3", "alpha2", "numeric", "name")
	if err != nil {
		return nil, err
	}
	icao, err := readTable("icao9303.csv", "alpha3", "name")
	if err != nil {
		return nil, err
	}
	t := &countryTable{
		byAlpha3: make(map[string]CountryInfo, len(iso)+len(icao)),
		byAlpha2: make(map[string]CountryInfo, len(iso)),
		sorted:   make([]CountryInfo, 0, len(iso)+len(icao)),
	}
	add := func(c CountryInfo) error {
		if _, dup := t.byAlpha3[c.Alpha3]; dup || c.Alpha3 == "" || c.Name == "" {
			return fmt.Errorf("codes: bad or duplicate country %q", c.Alpha3)
		}
		t.byAlpha3[c.Alpha3] = c
		t.sorted = append(t.sorted, c)
		if c.Alpha2 != "" {
			if _, dup := t.byAlpha2[c.Alpha2]; dup {
				return fmt.Errorf("codes: duplicate alpha-2 code %q", c.Alpha2)
			}
			t.byAlpha2[c.Alpha2] = c
		}
		return nil
	}
	for _, r := range iso {
		if err := add(CountryInfo{Alpha3: r[0], Alpha2: r[1], Numeric: r[2], Name: r[3]}); err != nil {
			return nil, err
		}
	}
	for _, r := range icao {
		if err := add(CountryInfo{Alpha3: r[0], Name: r[1], ICAO: true}); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(t.sorted, func(a, b CountryInfo) int { return strings.Compare(a.Alpha3, b.Alpha3) })
	return t, nil
}

// Country returns the country whose ISO 3166-1 alpha-3 code is code, or the
// ICAO entry for XXA, XXB, XXC or XXX. The match is exact: a lowercase,
// padded or alpha-2 code is not found. It returns false if code is unknown
// or the embedded data could not be parsed (see [Load]).
func Country(code string) (CountryInfo, bool) {
	t, err := countries()
	if err != nil {
		return CountryInfo{}, false
	}
	c, ok := t.byAlpha3[code]
	return c, ok
}

// IsCountry reports whether alpha3 is an ISO 3166-1 alpha-3 code or one of
// the ICAO Doc 9303 codes XXA, XXB, XXC and XXX, written exactly (uppercase,
// no white space). It returns false for anything else, including alpha-2
// codes, and if the embedded data could not be parsed.
func IsCountry(alpha3 string) bool {
	_, ok := Country(alpha3)
	return ok
}

// CountryByAlpha2 returns the ISO 3166-1 country whose alpha-2 code is
// alpha2 ("CR"), matched exactly. The ICAO codes have no alpha-2 code. It
// returns false if alpha2 is unknown or the embedded data could not be
// parsed.
func CountryByAlpha2(alpha2 string) (CountryInfo, bool) {
	t, err := countries()
	if err != nil {
		return CountryInfo{}, false
	}
	c, ok := t.byAlpha2[alpha2]
	return c, ok
}

// Countries returns every country code, the 249 ISO 3166-1 countries and
// the 4 ICAO codes, sorted by Alpha3, in a new slice the caller may keep or
// change. It returns nil if the embedded data could not be parsed.
func Countries() []CountryInfo {
	t, err := countries()
	if err != nil {
		return nil
	}
	return slices.Clone(t.sorted)
}
