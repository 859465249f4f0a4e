package report

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trazo-ledger/trazo/ledger"
)

func TestValidate(t *testing.T) {
	ok := Request{From: "2025-01-01", To: "2025-12-31", MinCell: 5}
	with := func(f func(r *Request)) Request {
		r := ok
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name        string
		req         Request
		code, field string
	}{
		{"valid", ok, "", ""},
		{"one day", with(func(r *Request) { r.To = r.From }), "", ""},
		{"every dimension", with(func(r *Request) { r.GroupBy = Dimensions }), "", ""},
		{"csv", with(func(r *Request) { r.Format = FormatCSV }), "", ""},
		{"season start", with(func(r *Request) { r.SeasonStart = "10-01" }), "", ""},
		{"no suppression", with(func(r *Request) { r.MinCell = 1 }), "", ""},
		{"no from", with(func(r *Request) { r.From = "" }), ledger.CodeRequired, "from"},
		{"no to", with(func(r *Request) { r.To = "" }), ledger.CodeRequired, "to"},
		{"not a real date", with(func(r *Request) { r.From = "2025-02-29" }), ledger.CodeInvalidDate, "from"},
		{"not a date", with(func(r *Request) { r.To = "31/12/2025" }), ledger.CodeInvalidDate, "to"},
		{"month 13", with(func(r *Request) { r.To = "2025-13-01" }), ledger.CodeInvalidDate, "to"},
		{"short date", with(func(r *Request) { r.From = "2025-1-1" }), ledger.CodeInvalidDate, "from"},
		{"out of range", with(func(r *Request) { r.From = "1899-12-31" }), ledger.CodeInvalidDate, "from"},
		{"from after to", with(func(r *Request) { r.From, r.To = "2025-02-01", "2025-01-31" }), ledger.CodeInvalidPeriod, "to"},
		{"unknown dimension", with(func(r *Request) { r.GroupBy = []string{"country"} }), CodeInvalidGroupBy, "group_by"},
		{"empty dimension", with(func(r *Request) { r.GroupBy = []string{"sex", ""} }), CodeInvalidGroupBy, "group_by"},
		{"case matters", with(func(r *Request) { r.GroupBy = []string{"Sex"} }), CodeInvalidGroupBy, "group_by"},
		{"repeated dimension", with(func(r *Request) { r.GroupBy = []string{"sex", "month", "sex"} }), CodeDuplicateDimension, "group_by"},
		{"xml", with(func(r *Request) { r.Format = "xml" }), CodeInvalidFormat, "format"},
		{"min_cell 0", with(func(r *Request) { r.MinCell = 0 }), CodeInvalidMinCell, "min_cell"},
		{"negative min_cell", with(func(r *Request) { r.MinCell = -5 }), CodeInvalidMinCell, "min_cell"},
		{"month 13 season", with(func(r *Request) { r.SeasonStart = "13-01" }), CodeInvalidSeasonStart, "season_start"},
		{"30 February", with(func(r *Request) { r.SeasonStart = "02-30" }), CodeInvalidSeasonStart, "season_start"},
		{"29 February", with(func(r *Request) { r.SeasonStart = "02-29" }), CodeInvalidSeasonStart, "season_start"},
		{"no zero padding", with(func(r *Request) { r.SeasonStart = "1-01" }), CodeInvalidSeasonStart, "season_start"},
		{"a date", with(func(r *Request) { r.SeasonStart = "2025-10-01" }), CodeInvalidSeasonStart, "season_start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.req.Validate()
			code, field := codeOf(err)
			if code != tc.code || field != tc.field {
				t.Errorf("Validate() = %v (code %q, field %q), want code %q field %q", err, code, field, tc.code, tc.field)
			}
		})
	}
	got, _ := ok.Validate()
	if got.Format != FormatJSON || got.SeasonStart != DefaultSeasonStart {
		t.Errorf("defaults not filled in: %+v", got)
	}
}

func codeOf(err error) (code, field string) {
	var ve *ledger.ValidationError
	if errors.As(err, &ve) {
		return ve.Code, ve.Field
	}
	if err != nil {
		return "other: " + err.Error(), ""
	}
	return "", ""
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		query       string
		want        Request
		code, field string
	}{
		{query: "from=2025-01-01&to=2025-12-31",
			want: Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{}, Format: "json", MinCell: 5, SeasonStart: "01-01"}},
		{query: "from=2025-01-01&to=2025-12-31&group_by=nationality,%20sex&format=csv&min_cell=1&season_start=10-01",
			want: Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{"nationality", "sex"}, Format: "csv", MinCell: 1, SeasonStart: "10-01"}},
		{query: "from=2025-01-01&to=2025-12-31&group_by=", want: Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{}, Format: "json", MinCell: 5, SeasonStart: "01-01"}},
		{query: "from=2025-01-01&to=2025-12-31&group_by=sex,", code: CodeInvalidGroupBy, field: "group_by"},
		{query: "from=2025-01-01&to=2025-12-31&group_by=sex,sex", code: CodeDuplicateDimension, field: "group_by"},
		{query: "from=2025-01-01&to=2025-12-31&purpose=x", code: CodeUnknownParameter, field: "purpose"},
		{query: "from=2025-01-01&from=2025-02-01&to=2025-12-31", code: CodeRepeatedParameter, field: "from"},
		{query: "from=2025-01-01&to=2025-12-31&min_cell=abc", code: CodeInvalidMinCell, field: "min_cell"},
		{query: "from=2025-01-01&to=2025-12-31&min_cell=", code: CodeInvalidMinCell, field: "min_cell"},
		{query: "from=2025-01-01&to=2025-12-31&min_cell=0", code: CodeInvalidMinCell, field: "min_cell"},
		{query: "from=2025-01-01&to=2025-12-31&format=", code: CodeInvalidFormat, field: "format"},
		{query: "from=2025-01-01&to=2025-12-31&season_start=", code: CodeInvalidSeasonStart, field: "season_start"},
		{query: "to=2025-12-31", code: ledger.CodeRequired, field: "from"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseQuery(q)
			code, field := codeOf(err)
			if code != tc.code || field != tc.field {
				t.Fatalf("ParseQuery = %v (code %q, field %q), want code %q field %q", err, code, field, tc.code, tc.field)
			}
			if err == nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("request (-want +got):\n%s", diff)
				}
			}
		})
	}
}
