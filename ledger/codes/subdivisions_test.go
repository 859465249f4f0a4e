package codes_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger/codes"
)

func TestSubdivision(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
		want codes.SubdivisionInfo
		ok   bool
	}{
		{"Costa Rica province", "CR-SJ", codes.SubdivisionInfo{Code: "CR-SJ", Name: "San José", Type: "Province", CountryAlpha2: "CR", CountryAlpha3: "CRI"}, true},
		{"Guatemala new code", "GT-16", codes.SubdivisionInfo{Code: "GT-16", Name: "Alta Verapaz", Type: "Department", CountryAlpha2: "GT", CountryAlpha3: "GTM"}, true},
		{"Panama Naso Tjër Di", "PA-NT", codes.SubdivisionInfo{Code: "PA-NT", Name: "Naso Tjër Di", Type: "Indigenous region", CountryAlpha2: "PA", CountryAlpha3: "PAN"}, true},
		{"Haiti new name", "HT-OU", codes.SubdivisionInfo{Code: "HT-OU", Name: "Ouest", Type: "Department", CountryAlpha2: "HT", CountryAlpha3: "HTI"}, true},
		{"Nicaragua autonomous region", "NI-AN", codes.SubdivisionInfo{Code: "NI-AN", Name: "Costa Caribe Norte", Type: "Autonomous region", CountryAlpha2: "NI", CountryAlpha3: "NIC"}, true},
		{"with parent", "GB-KEN", codes.SubdivisionInfo{Code: "GB-KEN", Name: "Kent", Type: "Two-tier county", Parent: "GB-ENG", CountryAlpha2: "GB", CountryAlpha3: "GBR"}, true},
		{"Guatemala old code", "GT-AV", codes.SubdivisionInfo{}, false},
		{"Guatemala out of range", "GT-23", codes.SubdivisionInfo{}, false},
		{"lowercase", "cr-sj", codes.SubdivisionInfo{}, false},
		{"leading space", " CR-SJ", codes.SubdivisionInfo{}, false},
		{"trailing space", "CR-SJ ", codes.SubdivisionInfo{}, false},
		{"empty", "", codes.SubdivisionInfo{}, false},
		{"country only", "CR", codes.SubdivisionInfo{}, false},
		{"hyphen only", "CR-", codes.SubdivisionInfo{}, false},
		{"alpha-3 prefix", "CRI-SJ", codes.SubdivisionInfo{}, false},
		{"underscore", "CR_SJ", codes.SubdivisionInfo{}, false},
		{"unknown", "CR-X", codes.SubdivisionInfo{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := codes.Subdivision(tc.code)
			if ok != tc.ok {
				t.Fatalf("Subdivision(%q) ok = %v, want %v", tc.code, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Subdivision(%q) mismatch (-want +got):\n%s", tc.code, diff)
			}
			if got := codes.IsSubdivision(tc.code); got != tc.ok {
				t.Errorf("IsSubdivision(%q) = %v, want %v", tc.code, got, tc.ok)
			}
		})
	}
}

func TestSubdivisionOf(t *testing.T) {
	for _, tc := range []struct {
		code, alpha3 string
		want         bool
	}{
		{"CR-A", "CRI", true},
		{"CR-A", "NIC", false},
		{"CR-A", "CR", false},
		{"CR-A", "cri", false},
		{"cr-a", "CRI", false},
		{"NI-MN", "NIC", true},
		{"PA-NT", "PAN", true},
		{"GT-01", "GTM", true},
		{"GT-AV", "GTM", false},
		{"", "CRI", false},
		{"CR-A", "", false},
		{"CR-A", "XXA", false},
	} {
		t.Run(tc.code+"/"+tc.alpha3, func(t *testing.T) {
			if got := codes.SubdivisionOf(tc.code, tc.alpha3); got != tc.want {
				t.Errorf("SubdivisionOf(%q, %q) = %v, want %v", tc.code, tc.alpha3, got, tc.want)
			}
		})
	}
}

func subdivisionCodes(alpha3 string) []string {
	var out []string
	for _, s := range codes.SubdivisionsOf(alpha3) {
		out = append(out, s.Code)
	}
	return out
}

func TestSubdivisionsOfRegion(t *testing.T) {
	// Counts from the source list; each country must have subdivisions.
	for _, tc := range []struct {
		alpha3 string
		want   int
	}{
		{"CRI", 7}, {"NIC", 17}, {"PAN", 14}, {"GTM", 22}, {"HND", 18},
		{"SLV", 14}, {"BLZ", 6}, {"MEX", 32}, {"DOM", 42}, {"HTI", 10},
	} {
		t.Run(tc.alpha3, func(t *testing.T) {
			subs := codes.SubdivisionsOf(tc.alpha3)
			if len(subs) != tc.want {
				t.Errorf("SubdivisionsOf(%q) has %d entries, want %d", tc.alpha3, len(subs), tc.want)
			}
			for _, s := range subs {
				if s.CountryAlpha3 != tc.alpha3 || !codes.SubdivisionOf(s.Code, tc.alpha3) {
					t.Errorf("%s listed for %s but belongs to %s", s.Code, tc.alpha3, s.CountryAlpha3)
				}
			}
		})
	}
	for _, code := range []string{"", "cri", "CR", "XXA", "ZZZ", "ATA"} {
		if got := codes.SubdivisionsOf(code); got != nil {
			t.Errorf("SubdivisionsOf(%q) = %d entries, want nil", code, len(got))
		}
	}
}

func TestCostaRicaProvinces(t *testing.T) {
	want := []string{"CR-A", "CR-C", "CR-G", "CR-H", "CR-L", "CR-P", "CR-SJ"}
	if diff := cmp.Diff(want, subdivisionCodes("CRI")); diff != "" {
		t.Errorf("Costa Rica subdivisions mismatch (-want +got):\n%s", diff)
	}
}

func TestGuatemalaNumericCodes(t *testing.T) {
	var want []string
	for i := 1; i <= 22; i++ {
		want = append(want, fmt.Sprintf("GT-%02d", i))
	}
	if diff := cmp.Diff(want, subdivisionCodes("GTM")); diff != "" {
		t.Errorf("Guatemala subdivisions mismatch (-want +got):\n%s", diff)
	}
	for _, old := range []string{"GT-AV", "GT-BV", "GT-GU", "GT-PE", "GT-ZA"} {
		if codes.IsSubdivision(old) {
			t.Errorf("IsSubdivision(%q) = true; the letter codes were replaced by GT-01…GT-22", old)
		}
	}
}

func TestPanamaAndHaiti(t *testing.T) {
	want := []string{"PA-1", "PA-10", "PA-2", "PA-3", "PA-4", "PA-5", "PA-6", "PA-7", "PA-8", "PA-9", "PA-EM", "PA-KY", "PA-NB", "PA-NT"}
	if diff := cmp.Diff(want, subdivisionCodes("PAN")); diff != "" {
		t.Errorf("Panama subdivisions mismatch (-want +got):\n%s", diff)
	}
	// Newer iso-codes releases give Haiti's departments their French names.
	for code, name := range map[string]string{"HT-GA": "Grande’Anse", "HT-NI": "Nippes", "HT-OU": "Ouest", "HT-SD": "Sud", "HT-SE": "Sud-Est"} {
		if s, _ := codes.Subdivision(code); s.Name != name {
			t.Errorf("Subdivision(%q).Name = %q, want %q", code, s.Name, name)
		}
	}
}

func TestSubdivisionsConsistent(t *testing.T) {
	all := codes.Subdivisions()
	if len(all) != 5046 {
		t.Errorf("%d subdivisions, want 5046", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b codes.SubdivisionInfo) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Subdivisions() is not sorted by Code")
	}
	perCountry := 0
	for _, c := range codes.Countries() {
		perCountry += len(codes.SubdivisionsOf(c.Alpha3))
	}
	if perCountry != len(all) {
		t.Errorf("SubdivisionsOf over all countries gives %d, Subdivisions gives %d", perCountry, len(all))
	}
	for _, s := range all {
		c, ok := codes.Country(s.CountryAlpha3)
		if !ok || c.Alpha2 != s.CountryAlpha2 || !strings.HasPrefix(s.Code, c.Alpha2+"-") || s.Name == "" || s.Type == "" {
			t.Errorf("subdivision %+v is inconsistent", s)
		}
		if s.Parent != "" && !codes.SubdivisionOf(s.Parent, s.CountryAlpha3) {
			t.Errorf("subdivision %s: parent %q is not a subdivision of %s", s.Code, s.Parent, s.CountryAlpha3)
		}
	}
}
