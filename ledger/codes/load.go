package codes

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
)

//go:embed data/*.csv
var dataFS embed.FS

// Load parses every embedded list now, if that has not been done yet, and
// returns an error that joins the errors of the lists that could not be
// parsed, or nil. Lookups parse their list on first use anyway; Load lets a
// server pay that cost, and notice broken data, at start-up.
func Load() error {
	_, errC := countries()
	_, errS := subdivisions()
	_, errO := occupations()
	_, errI := industries()
	return errors.Join(errC, errS, errO, errI)
}

// readTable reads the embedded CSV file data/name, checks that its first
// row is header and that every row has as many fields, and returns the rows
// after the header.
func readTable(name string, header ...string) ([][]string, error) {
	f, err := dataFS.Open("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("codes: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("codes: read %s: %w", name, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("codes: read %s: header is not %q", name, header)
	}
	return rows[1:], nil
}
