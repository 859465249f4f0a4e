package codes

import (
	"testing"
)

func TestLoad(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatalf("Load() = %v", err)
	}
}

func TestReadTableErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		header     []string
	}{
		{"missing file", "missing.csv", []string{"code"}},
		{"wrong header", "isco08.csv", []string{"code", "level", "name"}},
		{"wrong field count", "isco08.csv", []string{"code", "level"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readTable(tc.file, tc.header...); err == nil {
				t.Errorf("readTable(%q, %q) = nil error", tc.file, tc.header)
			}
		})
	}
}

// The Load… benchmarks measure the start-up cost: one full parse of each
// list, as done once per process.

func BenchmarkLoadCountries(b *testing.B) {
	for b.Loop() {
		if _, err := loadCountries(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSubdivisions(b *testing.B) {
	for b.Loop() {
		if _, err := loadSubdivisions(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadOccupations(b *testing.B) {
	for b.Loop() {
		if _, err := loadOccupations(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadIndustries(b *testing.B) {
	for b.Loop() {
		if _, err := loadIndustries(); err != nil {
			b.Fatal(err)
		}
	}
}

// The lookup benchmarks measure the hot path, after the first parse.

func BenchmarkIsCountry(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !IsCountry("NIC") {
			b.Fatal("NIC not found")
		}
	}
}

func BenchmarkSubdivisionOf(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !SubdivisionOf("CR-A", "CRI") {
			b.Fatal("CR-A not in CRI")
		}
	}
}

func BenchmarkIsSector(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !IsSector("0127") {
			b.Fatal("0127 refused")
		}
	}
}
