package codes_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger/codes"
)

func TestIndustry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		code   string
		want   codes.IndustryInfo
		ok     bool
		sector bool
	}{
		{"section A", "A", codes.IndustryInfo{Code: "A", Level: codes.IndustrySection, Title: "Agriculture, forestry and fishing", Section: "A"}, true, true},
		{"cereals", "0111", codes.IndustryInfo{Code: "0111", Level: codes.IndustryClass, Title: "Growing of cereals (except rice), leguminous crops and oil seeds", Section: "A"}, true, true},
		{"sugar cane", "0114", codes.IndustryInfo{Code: "0114", Level: codes.IndustryClass, Title: "Growing of sugar cane", Section: "A"}, true, true},
		{"tropical fruits", "0122", codes.IndustryInfo{Code: "0122", Level: codes.IndustryClass, Title: "Growing of tropical and subtropical fruits", Section: "A"}, true, true},
		{"oleaginous fruits", "0126", codes.IndustryInfo{Code: "0126", Level: codes.IndustryClass, Title: "Growing of oleaginous fruits", Section: "A"}, true, true},
		{"beverage crops", "0127", codes.IndustryInfo{Code: "0127", Level: codes.IndustryClass, Title: "Growing of beverage crops", Section: "A"}, true, true},
		{"division refused as sector", "01", codes.IndustryInfo{Code: "01", Level: codes.IndustryDivision, Title: "Crop and animal production, hunting and related service activities", Section: "A"}, true, false},
		{"group refused as sector", "012", codes.IndustryInfo{Code: "012", Level: codes.IndustryGroup, Title: "Growing of perennial crops", Section: "A"}, true, false},
		{"last section", "U", codes.IndustryInfo{Code: "U", Level: codes.IndustrySection, Title: "Activities of extraterritorial organizations and bodies", Section: "U"}, true, true},
		{"lowercase section", "a", codes.IndustryInfo{}, false, false},
		{"no such section", "V", codes.IndustryInfo{}, false, false},
		{"empty", "", codes.IndustryInfo{}, false, false},
		{"leading space", " A", codes.IndustryInfo{}, false, false},
		{"trailing space", "0127 ", codes.IndustryInfo{}, false, false},
		{"leading zero dropped", "127", codes.IndustryInfo{}, false, false},
		{"five digits", "01270", codes.IndustryInfo{}, false, false},
		{"unassigned class", "0100", codes.IndustryInfo{}, false, false},
		{"section and class", "A0127", codes.IndustryInfo{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := codes.Industry(tc.code)
			if ok != tc.ok {
				t.Fatalf("Industry(%q) ok = %v, want %v", tc.code, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Industry(%q) mismatch (-want +got):\n%s", tc.code, diff)
			}
			if got := codes.IsSector(tc.code); got != tc.sector {
				t.Errorf("IsSector(%q) = %v, want %v", tc.code, got, tc.sector)
			}
		})
	}
}

func TestSectionOf(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{"0127", "A"}, {"012", "A"}, {"01", "A"}, {"A", "A"},
		{"0510", "B"}, {"1071", "C"}, {"4711", "G"}, {"8610", "Q"}, {"9900", "U"},
		{"", ""}, {"a", ""}, {"127", ""}, {"0100", ""}, {"Z", ""},
	} {
		t.Run(tc.code, func(t *testing.T) {
			if got := codes.SectionOf(tc.code); got != tc.want {
				t.Errorf("SectionOf(%q) = %q, want %q", tc.code, got, tc.want)
			}
		})
	}
}

// officialSection maps an ISIC Rev.4 division to its section, from the
// published structure, to check the section the package derives from the
// order of its data.
func officialSection(division string) string {
	for _, r := range []struct{ last, section string }{
		{"03", "A"}, {"09", "B"}, {"33", "C"}, {"35", "D"}, {"39", "E"}, {"43", "F"}, {"47", "G"},
		{"53", "H"}, {"56", "I"}, {"63", "J"}, {"66", "K"}, {"68", "L"}, {"75", "M"}, {"82", "N"},
		{"84", "O"}, {"85", "P"}, {"88", "Q"}, {"93", "R"}, {"96", "S"}, {"98", "T"}, {"99", "U"},
	} {
		if division <= r.last {
			return r.section
		}
	}
	return ""
}

func TestIndustriesCounts(t *testing.T) {
	all := codes.Industries()
	if len(all) != 766 {
		t.Errorf("%d ISIC Rev.4 entries, want 766", len(all))
	}
	got := map[codes.IndustryLevel]int{}
	var sections string
	for _, in := range all {
		got[in.Level]++
		if in.Title == "" {
			t.Errorf("entry %s has no title", in.Code)
		}
		switch in.Level {
		case codes.IndustrySection:
			sections += in.Code
		default:
			if want := officialSection(in.Code[:2]); in.Section != want {
				t.Errorf("%s %s in section %q, want %q", in.Level, in.Code, in.Section, want)
			}
		}
		if want := in.Level == codes.IndustrySection || in.Level == codes.IndustryClass; codes.IsSector(in.Code) != want {
			t.Errorf("IsSector(%q) = %v, want %v", in.Code, !want, want)
		}
	}
	if sections != "ABCDEFGHIJKLMNOPQRSTU" {
		t.Errorf("sections in order %q, want A to U", sections)
	}
	want := map[codes.IndustryLevel]int{codes.IndustrySection: 21, codes.IndustryDivision: 88, codes.IndustryGroup: 238, codes.IndustryClass: 419}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries per level mismatch (-want +got):\n%s", diff)
	}
}
