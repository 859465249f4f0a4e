package codes_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger/codes"
)

func TestCountry(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
		want codes.CountryInfo
		ok   bool
	}{
		{"Costa Rica", "CRI", codes.CountryInfo{Alpha3: "CRI", Alpha2: "CR", Numeric: "188", Name: "Costa Rica"}, true},
		{"Nicaragua", "NIC", codes.CountryInfo{Alpha3: "NIC", Alpha2: "NI", Numeric: "558", Name: "Nicaragua"}, true},
		{"Panama", "PAN", codes.CountryInfo{Alpha3: "PAN", Alpha2: "PA", Numeric: "591", Name: "Panama"}, true},
		{"Guatemala", "GTM", codes.CountryInfo{Alpha3: "GTM", Alpha2: "GT", Numeric: "320", Name: "Guatemala"}, true},
		{"Haiti", "HTI", codes.CountryInfo{Alpha3: "HTI", Alpha2: "HT", Numeric: "332", Name: "Haiti"}, true},
		{"Afghanistan numeric keeps zeros", "AFG", codes.CountryInfo{Alpha3: "AFG", Alpha2: "AF", Numeric: "004", Name: "Afghanistan"}, true},
		{"name with comma", "BOL", codes.CountryInfo{Alpha3: "BOL", Alpha2: "BO", Numeric: "068", Name: "Bolivia, Plurinational State of"}, true},
		{"ICAO stateless", "XXA", codes.CountryInfo{Alpha3: "XXA", Name: "Stateless person", ICAO: true}, true},
		{"ICAO refugee 1951", "XXB", codes.CountryInfo{Alpha3: "XXB", Name: "Refugee (1951 Convention)", ICAO: true}, true},
		{"ICAO refugee other", "XXC", codes.CountryInfo{Alpha3: "XXC", Name: "Refugee (other)", ICAO: true}, true},
		{"ICAO unspecified", "XXX", codes.CountryInfo{Alpha3: "XXX", Name: "Unspecified nationality", ICAO: true}, true},
		{"lowercase", "cri", codes.CountryInfo{}, false},
		{"mixed case", "Cri", codes.CountryInfo{}, false},
		{"leading space", " CRI", codes.CountryInfo{}, false},
		{"trailing newline", "CRI\n", codes.CountryInfo{}, false},
		{"empty", "", codes.CountryInfo{}, false},
		{"alpha-2", "CR", codes.CountryInfo{}, false},
		{"numeric", "188", codes.CountryInfo{}, false},
		{"too long", "CRIA", codes.CountryInfo{}, false},
		{"unassigned", "ZZZ", codes.CountryInfo{}, false},
		{"ICAO code not carried", "XXD", codes.CountryInfo{}, false},
		{"ICAO lowercase", "xxa", codes.CountryInfo{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := codes.Country(tc.code)
			if ok != tc.ok {
				t.Fatalf("Country(%q) ok = %v, want %v", tc.code, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Country(%q) mismatch (-want +got):\n%s", tc.code, diff)
			}
			if got := codes.IsCountry(tc.code); got != tc.ok {
				t.Errorf("IsCountry(%q) = %v, want %v", tc.code, got, tc.ok)
			}
		})
	}
}

func TestIsCountryAlpha2Refused(t *testing.T) {
	for _, c := range codes.Countries() {
		if c.ICAO {
			continue
		}
		if codes.IsCountry(c.Alpha2) {
			t.Errorf("IsCountry(%q) = true for an alpha-2 code", c.Alpha2)
		}
		if codes.IsCountry(strings.ToLower(c.Alpha3)) {
			t.Errorf("IsCountry(%q) = true for a lowercase code", strings.ToLower(c.Alpha3))
		}
	}
}

func TestCountryByAlpha2(t *testing.T) {
	for _, tc := range []struct {
		code string
		want string // alpha-3, "" if not found
	}{
		{"CR", "CRI"},
		{"NI", "NIC"},
		{"DO", "DOM"},
		{"cr", ""},
		{"CRI", ""},
		{" CR", ""},
		{"", ""},
		{"XX", ""},
	} {
		t.Run(tc.code, func(t *testing.T) {
			got, ok := codes.CountryByAlpha2(tc.code)
			if ok != (tc.want != "") || got.Alpha3 != tc.want {
				t.Errorf("CountryByAlpha2(%q) = %q, %v; want %q", tc.code, got.Alpha3, ok, tc.want)
			}
		})
	}
}

func TestCountries(t *testing.T) {
	all := codes.Countries()
	var iso, icao []string
	for _, c := range all {
		if c.ICAO {
			icao = append(icao, c.Alpha3)
			if c.Alpha2 != "" || c.Numeric != "" {
				t.Errorf("ICAO code %s has alpha-2 %q or numeric %q", c.Alpha3, c.Alpha2, c.Numeric)
			}
			continue
		}
		iso = append(iso, c.Alpha3)
		if len(c.Alpha2) != 2 || len(c.Numeric) != 3 || c.Name == "" {
			t.Errorf("ISO country %+v is incomplete", c)
		}
	}
	if len(iso) != 249 {
		t.Errorf("%d ISO 3166-1 countries, want 249", len(iso))
	}
	if diff := cmp.Diff([]string{"XXA", "XXB", "XXC", "XXX"}, icao); diff != "" {
		t.Errorf("ICAO codes mismatch (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(all, func(a, b codes.CountryInfo) int { return strings.Compare(a.Alpha3, b.Alpha3) }) {
		t.Error("Countries() is not sorted by Alpha3")
	}
	all[0].Name = "changed"
	if codes.Countries()[0].Name == "changed" {
		t.Error("Countries() shares its slice with the package")
	}
}
