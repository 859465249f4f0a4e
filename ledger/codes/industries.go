package codes

import (
	"fmt"
	"slices"
	"sync"
)

// IndustryLevel is the level of an ISIC Rev.4 entry.
type IndustryLevel string

// The four levels of ISIC Rev.4.
const (
	// IndustrySection is a letter, A to U ("A" Agriculture, forestry and
	// fishing).
	IndustrySection IndustryLevel = "section"
	// IndustryDivision is a 2-digit code ("01").
	IndustryDivision IndustryLevel = "division"
	// IndustryGroup is a 3-digit code ("012").
	IndustryGroup IndustryLevel = "group"
	// IndustryClass is a 4-digit code ("0127" Growing of beverage crops).
	IndustryClass IndustryLevel = "class"
)

// IndustryInfo describes one entry of UN ISIC Rev.4, the International
// Standard Industrial Classification of All Economic Activities.
type IndustryInfo struct {
	// Code is the entry's code: a section letter or 2 to 4 digits with
	// leading zeros kept ("0127").
	Code string
	// Level is the entry's level.
	Level IndustryLevel
	// Title is the English title ("Growing of beverage crops").
	Title string
	// Section is the letter of the section the entry belongs to ("A" for
	// "0127"); for a section, its own letter.
	Section string
}

type industryTable struct {
	byCode  map[string]IndustryInfo
	ordered []IndustryInfo // in the official order
}

var industries = sync.OnceValues(loadIndustries)

func loadIndustries() (*industryTable, error) {
	rows, err := readTable("isic4.csv", "code", "level", "title")
	if err != nil {
		return nil, err
	}
	t := &industryTable{
		byCode:  make(map[string]IndustryInfo, len(rows)),
		ordered: make([]IndustryInfo, 0, len(rows)),
	}
	// The file keeps the official hierarchical order: each section is
	// followed by its divisions, each division by its groups and each group
	// by its classes. A division takes the section above it; a group or
	// class takes its parent's.
	section := ""
	for _, r := range rows {
		code, level := r[0], IndustryLevel(r[1])
		if _, dup := t.byCode[code]; dup {
			return nil, fmt.Errorf("codes: isic4.csv: duplicate %q", code)
		}
		in := IndustryInfo{Code: code, Level: level, Title: r[2]}
		switch {
		case level == IndustrySection && len(code) == 1 && code[0] >= 'A' && code[0] <= 'Z':
			section = code
			in.Section = code
		case level == IndustryDivision && len(code) == 2 && allDigits(code) && section != "":
			in.Section = section
		case (level == IndustryGroup && len(code) == 3 || level == IndustryClass && len(code) == 4) && allDigits(code):
			parent, ok := t.byCode[code[:len(code)-1]]
			if !ok {
				return nil, fmt.Errorf("codes: isic4.csv: %s %q has no parent", level, code)
			}
			in.Section = parent.Section
		default:
			return nil, fmt.Errorf("codes: isic4.csv: bad row %q", r)
		}
		t.byCode[code] = in
		t.ordered = append(t.ordered, in)
	}
	return t, nil
}

// Industry returns the ISIC Rev.4 entry whose code is code, at any level
// ("A", "01", "012" or "0127"), matched exactly. It returns false if code
// is unknown (including a lowercase letter or a code without its leading
// zero, such as "127"), or if the embedded data could not be parsed (see
// [Load]).
func Industry(code string) (IndustryInfo, bool) {
	t, err := industries()
	if err != nil {
		return IndustryInfo{}, false
	}
	in, ok := t.byCode[code]
	return in, ok
}

// IsSector reports whether code may be recorded as an employer's sector: an
// ISIC Rev.4 section letter (A to U) or a 4-digit class ("0127"). It
// returns false for divisions ("01") and groups ("012"), for anything that
// is not an ISIC Rev.4 code, and if the embedded data could not be parsed.
func IsSector(code string) bool {
	in, ok := Industry(code)
	return ok && (in.Level == IndustrySection || in.Level == IndustryClass)
}

// SectionOf returns the letter of the ISIC Rev.4 section that code belongs
// to: "A" for the class "0127" (and for its division "01" and group "012";
// a section letter returns itself). It returns "" if code is not an ISIC
// Rev.4 code or the embedded data could not be parsed.
func SectionOf(code string) string {
	in, _ := Industry(code)
	return in.Section
}

// Industries returns all 766 ISIC Rev.4 entries, every level, in the
// official order (each section followed by its divisions, groups and
// classes), in a new slice the caller may keep or change. It returns nil if
// the embedded data could not be parsed.
func Industries() []IndustryInfo {
	t, err := industries()
	if err != nil {
		return nil
	}
	return slices.Clone(t.ordered)
}
