package codes_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger/codes"
)

func TestOccupation(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
		want codes.OccupationInfo
		ok   bool
		unit bool
	}{
		{"crop farm labourers", "9211", codes.OccupationInfo{Code: "9211", Level: codes.UnitGroup, Title: "Crop farm labourers"}, true, true},
		{"field crop growers", "6111", codes.OccupationInfo{Code: "6111", Level: codes.UnitGroup, Title: "Field crop and vegetable growers"}, true, true},
		{"livestock labourers", "9212", codes.OccupationInfo{Code: "9212", Level: codes.UnitGroup, Title: "Livestock farm labourers"}, true, true},
		{"mobile plant operators", "8341", codes.OccupationInfo{Code: "8341", Level: codes.UnitGroup, Title: "Mobile farm and forestry plant operators"}, true, true},
		{"leading zero kept", "0110", codes.OccupationInfo{Code: "0110", Level: codes.UnitGroup, Title: "Commissioned armed forces officers"}, true, true},
		{"minor group", "921", codes.OccupationInfo{Code: "921", Level: codes.MinorGroup, Title: "Agricultural, forestry and fishery labourers"}, true, false},
		{"sub-major group", "92", codes.OccupationInfo{Code: "92", Level: codes.SubMajorGroup, Title: "Agricultural, forestry and fishery labourers"}, true, false},
		{"major group", "9", codes.OccupationInfo{Code: "9", Level: codes.MajorGroup, Title: "Elementary occupations"}, true, false},
		{"major group zero", "0", codes.OccupationInfo{Code: "0", Level: codes.MajorGroup, Title: "Armed forces occupations"}, true, false},
		{"leading zero dropped", "110", codes.OccupationInfo{}, false, false},
		{"empty", "", codes.OccupationInfo{}, false, false},
		{"leading space", " 9211", codes.OccupationInfo{}, false, false},
		{"trailing space", "9211 ", codes.OccupationInfo{}, false, false},
		{"five digits", "92110", codes.OccupationInfo{}, false, false},
		{"unassigned unit", "9999", codes.OccupationInfo{}, false, false},
		{"unassigned zeros", "0000", codes.OccupationInfo{}, false, false},
		{"letters", "ABCD", codes.OccupationInfo{}, false, false},
		{"ISCO-88 style suffix", "9211.1", codes.OccupationInfo{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := codes.Occupation(tc.code)
			if ok != tc.ok {
				t.Fatalf("Occupation(%q) ok = %v, want %v", tc.code, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Occupation(%q) mismatch (-want +got):\n%s", tc.code, diff)
			}
			if got := codes.IsOccupationUnit(tc.code); got != tc.unit {
				t.Errorf("IsOccupationUnit(%q) = %v, want %v", tc.code, got, tc.unit)
			}
		})
	}
}

func TestOccupationsCounts(t *testing.T) {
	all := codes.Occupations()
	if len(all) != 619 {
		t.Errorf("%d ISCO-08 groups, want 619", len(all))
	}
	got := map[codes.OccupationLevel]int{}
	for i, o := range all {
		got[o.Level]++
		if len(o.Code) != int(o.Level) || o.Title == "" {
			t.Errorf("group %+v is inconsistent", o)
		}
		if i > 0 && all[i-1].Code >= o.Code {
			t.Errorf("Occupations() not sorted at %s", o.Code)
		}
		if o.Level > codes.MajorGroup {
			if p, ok := codes.Occupation(o.Code[:len(o.Code)-1]); !ok || p.Level != o.Level-1 {
				t.Errorf("group %s has no parent", o.Code)
			}
		}
		if codes.IsOccupationUnit(o.Code) != (o.Level == codes.UnitGroup) {
			t.Errorf("IsOccupationUnit(%q) disagrees with level %v", o.Code, o.Level)
		}
	}
	want := map[codes.OccupationLevel]int{codes.MajorGroup: 10, codes.SubMajorGroup: 43, codes.MinorGroup: 130, codes.UnitGroup: 436}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups per level mismatch (-want +got):\n%s", diff)
	}
}

func TestOccupationLevelString(t *testing.T) {
	for l, want := range map[codes.OccupationLevel]string{
		codes.MajorGroup: "major group", codes.SubMajorGroup: "sub-major group",
		codes.MinorGroup: "minor group", codes.UnitGroup: "unit group", 7: "OccupationLevel(7)",
	} {
		if got := l.String(); got != want {
			t.Errorf("OccupationLevel(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}
