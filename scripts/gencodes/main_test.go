package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConvertSubdivisions(t *testing.T) {
	alpha2 := map[string]bool{"GB": true, "AZ": true, "CR": true}
	for _, tc := range []struct {
		name    string
		json    string
		want    [][]string
		wantErr bool
	}{
		{
			name: "parents as suffix and as full code, sorted",
			json: `{"3166-2":[
				{"code":"GB-KEN","name":"Kent","type":"Two-tier county","parent":"ENG"},
				{"code":"GB-ENG","name":"England","type":"Country"},
				{"code":"AZ-NX","name":"Naxçıvan","type":"Autonomous republic"},
				{"code":"AZ-BAB","name":" Babək ","type":"Rayon","parent":"AZ-NX"}]}`,
			want: [][]string{
				{"AZ-BAB", "AZ", "Babək", "Rayon", "AZ-NX"},
				{"AZ-NX", "AZ", "Naxçıvan", "Autonomous republic", ""},
				{"GB-ENG", "GB", "England", "Country", ""},
				{"GB-KEN", "GB", "Kent", "Two-tier county", "GB-ENG"},
			},
		},
		{name: "unknown country", json: `{"3166-2":[{"code":"ZZ-A","name":"A","type":"T"}]}`, wantErr: true},
		{name: "missing parent", json: `{"3166-2":[{"code":"CR-A","name":"A","type":"T","parent":"X"}]}`, wantErr: true},
		{name: "duplicate", json: `{"3166-2":[{"code":"CR-A","name":"A","type":"T"},{"code":"CR-A","name":"A","type":"T"}]}`, wantErr: true},
		{name: "lowercase code", json: `{"3166-2":[{"code":"cr-a","name":"A","type":"T"}]}`, wantErr: true},
		{name: "no type", json: `{"3166-2":[{"code":"CR-A","name":"A"}]}`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertSubdivisions([]byte(tc.json), alpha2)
			if (err != nil) != tc.wantErr {
				t.Fatalf("convertSubdivisions() error = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("convertSubdivisions() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckISCORefusesMissingParent(t *testing.T) {
	if _, err := checkISCO([]byte("code,level,title\n0,1,Armed forces occupations\n011,3,Officers\n")); err == nil {
		t.Error("checkISCO accepted a minor group without its sub-major group")
	}
}
