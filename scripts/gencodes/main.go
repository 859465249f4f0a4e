// Command gencodes writes the code lists embedded by package
// github.com/trazo-ledger/trazo/ledger/codes from their sources.
//
// It reads the ISO 3166 JSON files of the iso-codes project
// (iso_3166-1.json and iso_3166-2.json) and the checked ISCO-08 and ISIC
// Rev.4 CSV files, validates them, and writes into -out:
//
//	iso3166-1.csv  alpha3,alpha2,numeric,name        (sorted by alpha3)
//	iso3166-2.csv  code,country,name,type,parent     (sorted by code)
//	isco08.csv     code,level,title                  (as read, validated)
//	isic4.csv      code,level,title                  (as read, validated)
//
// The ICAO Doc 9303 codes (icao9303.csv) are kept by hand and not touched.
// It prints the row counts and the SHA-256 of every input and output, for
// the SOURCES.md beside the data. Run it through scripts/gen-codes.sh.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gencodes:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gencodes", flag.ContinueOnError)
	iso1 := fs.String("iso3166-1", "", "iso-codes `file` iso_3166-1.json")
	iso2 := fs.String("iso3166-2", "", "iso-codes `file` iso_3166-2.json")
	isco := fs.String("isco08", "", "checked ISCO-08 `file` (code,level,title)")
	isic := fs.String("isic4", "", "checked ISIC Rev.4 `file` (code,level,title)")
	out := fs.String("out", "", "output `directory`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *iso1 == "" || *iso2 == "" || *isco == "" || *isic == "" || *out == "" {
		return errors.New("-iso3166-1, -iso3166-2, -isco08, -isic4 and -out are all required")
	}

	in1, err := os.ReadFile(*iso1)
	if err != nil {
		return err
	}
	in2, err := os.ReadFile(*iso2)
	if err != nil {
		return err
	}
	countries, err := convertCountries(in1)
	if err != nil {
		return fmt.Errorf("%s: %w", *iso1, err)
	}
	alpha2 := make(map[string]bool, len(countries))
	for _, c := range countries {
		alpha2[c[1]] = true
	}
	subdivisions, err := convertSubdivisions(in2, alpha2)
	if err != nil {
		return fmt.Errorf("%s: %w", *iso2, err)
	}
	inISCO, err := os.ReadFile(*isco)
	if err != nil {
		return err
	}
	occupations, err := checkISCO(inISCO)
	if err != nil {
		return fmt.Errorf("%s: %w", *isco, err)
	}
	inISIC, err := os.ReadFile(*isic)
	if err != nil {
		return err
	}
	industries, err := checkISIC(inISIC)
	if err != nil {
		return fmt.Errorf("%s: %w", *isic, err)
	}

	for _, in := range []struct {
		path string
		data []byte
	}{{*iso1, in1}, {*iso2, in2}, {*isco, inISCO}, {*isic, inISIC}} {
		fmt.Fprintf(stdout, "in  %x  %s\n", sha256.Sum256(in.data), filepath.Base(in.path))
	}
	for _, o := range []struct {
		name   string
		header []string
		rows   [][]string
	}{
		{"iso3166-1.csv", []string{"alpha3", "alpha2", "numeric", "name"}, countries},
		{"iso3166-2.csv", []string{"code", "country", "name", "type", "parent"}, subdivisions},
		{"isco08.csv", []string{"code", "level", "title"}, occupations},
		{"isic4.csv", []string{"code", "level", "title"}, industries},
	} {
		data, err := encodeCSV(o.header, o.rows)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, o.name), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "out %x  %s  %d rows, %d bytes\n", sha256.Sum256(data), o.name, len(o.rows), len(data))
	}
	return nil
}

var (
	alpha2RE  = regexp.MustCompile(`^[A-Z]{2}$`)
	alpha3RE  = regexp.MustCompile(`^[A-Z]{3}$`)
	numericRE = regexp.MustCompile(`^[0-9]{3}$`)
	subRE     = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
)

// convertCountries turns iso-codes' iso_3166-1.json into rows of
// alpha3,alpha2,numeric,name sorted by alpha3.
func convertCountries(data []byte) ([][]string, error) {
	var doc struct {
		List []struct {
			Alpha2  string `json:"alpha_2"`
			Alpha3  string `json:"alpha_3"`
			Numeric string `json:"numeric"`
			Name    string `json:"name"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var rows [][]string
	for _, c := range doc.List {
		name := clean(c.Name)
		switch {
		case !alpha2RE.MatchString(c.Alpha2), !alpha3RE.MatchString(c.Alpha3),
			!numericRE.MatchString(c.Numeric), name == "":
			return nil, fmt.Errorf("bad country entry %+v", c)
		case seen[c.Alpha2], seen[c.Alpha3], seen["n"+c.Numeric]:
			return nil, fmt.Errorf("duplicate country entry %+v", c)
		}
		seen[c.Alpha2], seen[c.Alpha3], seen["n"+c.Numeric] = true, true, true
		rows = append(rows, []string{c.Alpha3, c.Alpha2, c.Numeric, name})
	}
	if len(rows) != 249 {
		return nil, fmt.Errorf("%d countries, want 249", len(rows))
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return rows, nil
}

// convertSubdivisions turns iso-codes' iso_3166-2.json into rows of
// code,country,name,type,parent sorted by code. country is the alpha-2 code
// (which must be in alpha2); parent is the full code of the parent
// subdivision, or empty. iso-codes gives a parent either as a full code
// ("AZ-NX") or as the part after the hyphen ("ENG" for GB-ENG).
func convertSubdivisions(data []byte, alpha2 map[string]bool) ([][]string, error) {
	var doc struct {
		List []struct {
			Code   string `json:"code"`
			Name   string `json:"name"`
			Type   string `json:"type"`
			Parent string `json:"parent"`
		} `json:"3166-2"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var rows [][]string
	for _, s := range doc.List {
		name, typ := clean(s.Name), clean(s.Type)
		if !subRE.MatchString(s.Code) || name == "" || typ == "" {
			return nil, fmt.Errorf("bad subdivision entry %+v", s)
		}
		country := s.Code[:2]
		if !alpha2[country] {
			return nil, fmt.Errorf("subdivision %s: unknown country %s", s.Code, country)
		}
		if seen[s.Code] {
			return nil, fmt.Errorf("duplicate subdivision %s", s.Code)
		}
		seen[s.Code] = true
		parent := s.Parent
		if parent != "" && !strings.Contains(parent, "-") {
			parent = country + "-" + parent
		}
		rows = append(rows, []string{s.Code, country, name, typ, parent})
	}
	for _, r := range rows {
		if p := r[4]; p != "" && (!seen[p] || p[:2] != r[1] || p == r[0]) {
			return nil, fmt.Errorf("subdivision %s: bad parent %q", r[0], p)
		}
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return rows, nil
}

// checkISCO validates the ISCO-08 list: digits only, level equal to the
// number of digits, no duplicates, every parent present, sorted by code, and
// 10/43/130/436 groups.
func checkISCO(data []byte) ([][]string, error) {
	rows, err := decodeCSV(data, "code", "level", "title")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var count [5]int
	for i, r := range rows {
		code, title := r[0], r[2]
		level, err := strconv.Atoi(r[1])
		if err != nil || level < 1 || level > 4 || len(code) != level ||
			strings.Trim(code, "0123456789") != "" || title != clean(title) || title == "" {
			return nil, fmt.Errorf("bad row %q", r)
		}
		if seen[code] || (level > 1 && !seen[code[:level-1]]) || (i > 0 && rows[i-1][0] >= code) {
			return nil, fmt.Errorf("row %q: duplicate, out of order or without parent", r)
		}
		seen[code] = true
		count[level]++
	}
	if count != [5]int{0, 10, 43, 130, 436} {
		return nil, fmt.Errorf("counts by level %v, want 10/43/130/436", count[1:])
	}
	return rows, nil
}

// checkISIC validates the ISIC Rev.4 list: level matching the form of the
// code, no duplicates, every division after its section and every group
// and class after its parent, and 21/88/238/419 entries.
func checkISIC(data []byte) ([][]string, error) {
	rows, err := decodeCSV(data, "code", "level", "title")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	count := map[string]int{}
	section := ""
	for _, r := range rows {
		code, level, title := r[0], r[1], r[2]
		want := ""
		switch {
		case len(code) == 1 && code >= "A" && code <= "Z":
			want = "section"
		case strings.Trim(code, "0123456789") == "" && len(code) >= 2 && len(code) <= 4:
			want = []string{2: "division", 3: "group", 4: "class"}[len(code)]
		}
		if want == "" || level != want || title == "" || title != clean(title) || seen[code] {
			return nil, fmt.Errorf("bad or duplicate row %q", r)
		}
		switch level {
		case "section":
			section = code
		case "division":
			if section == "" {
				return nil, fmt.Errorf("division %s before any section", code)
			}
		default:
			if !seen[code[:len(code)-1]] {
				return nil, fmt.Errorf("%s %s without parent", level, code)
			}
		}
		seen[code] = true
		count[level]++
	}
	if count["section"] != 21 || count["division"] != 88 || count["group"] != 238 || count["class"] != 419 {
		return nil, fmt.Errorf("counts %v, want 21 sections, 88 divisions, 238 groups, 419 classes", count)
	}
	return rows, nil
}

// clean trims s and collapses runs of white space to one space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func decodeCSV(data []byte, header ...string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("header is not %q", header)
	}
	return rows[1:], nil
}

func encodeCSV(header []string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
