package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() *Report {
	row := func(dims []string, n ...int64) Row {
		var m Metrics
		for i, v := range n {
			if v < 0 {
				m.Counts[i] = Count{Suppressed: true}
				m.Suppressed = true
			} else {
				m.Counts[i] = Count{N: v}
			}
		}
		return Row{Dims: dims, Metrics: m}
	}
	r := &Report{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{"nationality", "region"}, SeasonStart: "10-01", MinCell: 5,
		Rows: []Row{
			row([]string{"NIC", "CR-A"}, 12, 10, 9, 11, 8, 6, 5, -1, 0),
			row([]string{"PAN", "unknown"}, 0, 0, 0, 7, 0, 0, 0, 0, -1),
		}}
	r.Rows[0].MeanStayDays = Mean{Days: 123.45, Valid: true}
	r.Rows[1].MeanStayDays = Mean{Suppressed: true}
	r.Totals = row(nil, 12, 10, 9, 18, 8, 6, 5, 7, 0).Metrics
	r.Totals.MeanStayDays = Mean{Days: 120, Valid: true}
	return r
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample(), "json"); err != nil {
		t.Fatal(err)
	}
	want := `{"from":"2025-01-01","to":"2025-12-31","group_by":["nationality","region"],"season_start":"10-01","min_cell":5,"rows":[` +
		`{"nationality":"NIC","region":"CR-A","workers":12,"placements_started":10,"placements_ended":9,"entries":11,"exits":8,"returning_workers":6,"same_employer_returns":5,"circular_returns":null,"overstays":0,"mean_stay_days":123.45,"suppressed":true},` +
		`{"nationality":"PAN","region":"unknown","workers":0,"placements_started":0,"placements_ended":0,"entries":7,"exits":0,"returning_workers":0,"same_employer_returns":0,"circular_returns":0,"overstays":null,"mean_stay_days":null,"suppressed":true}],` +
		`"totals":{"workers":12,"placements_started":10,"placements_ended":9,"entries":18,"exits":8,"returning_workers":6,"same_employer_returns":5,"circular_returns":7,"overstays":0,"mean_stay_days":120,"suppressed":false}}` + "\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var v map[string]any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Errorf("not JSON: %v", err)
	}
	// Values that need escaping are escaped as encoding/json does.
	r := sample()
	r.Rows[0].Dims[0] = "a\"b<\x01é"
	b.Reset()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Rows[0]["nationality"] != "a\"b<\x01é" {
		t.Errorf("escaping: %v %v", err, back.Rows)
	}
	// An ungrouped report has "group_by":[], never null.
	b.Reset()
	if err := (&Report{From: "2025-01-01", To: "2025-01-01", SeasonStart: "01-01", MinCell: 5}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"group_by":[],"season_start"`)) || !bytes.Contains(b.Bytes(), []byte(`"rows":[]`)) {
		t.Errorf("empty report: %s", b.String())
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample(), "csv"); err != nil {
		t.Fatal(err)
	}
	want := "nationality,region,workers,placements_started,placements_ended,entries,exits,returning_workers,same_employer_returns,circular_returns,overstays,mean_stay_days,suppressed\n" +
		"NIC,CR-A,12,10,9,11,8,6,5,,0,123.45,true\n" +
		"PAN,unknown,0,0,0,7,0,0,0,0,,,true\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
	// RFC 4180 quoting, through encoding/csv.
	r := sample()
	r.Rows[0].Dims[1] = `a "quoted", value`
	b.Reset()
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][1] != `a "quoted", value` {
		t.Errorf("CSV does not read back: %v %q", err, recs)
	}
}

// TestReportFormats runs the scenario through Engine.Run with the default
// threshold: small counts come out as null, in JSON and in CSV.
func TestReportFormats(t *testing.T) {
	e := newEnv(t)
	buildScenario(e)
	for _, format := range []string{"json", "csv"} {
		var b bytes.Buffer
		err := e.engine.Run(e.ctx, Request{From: "2025-01-01", To: "2025-12-31", GroupBy: []string{DimNationality}, Format: format, MinCell: DefaultMinCell}, &b)
		if err != nil {
			t.Fatal(err)
		}
		switch format {
		case "json":
			var v struct {
				Rows   []map[string]any `json:"rows"`
				Totals map[string]any   `json:"totals"`
			}
			if err := json.Unmarshal(b.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			// Totals: 9 workers shown; 2 returning, 1 overstay suppressed.
			if v.Totals["workers"] != 9.0 || v.Totals["returning_workers"] != nil || v.Totals["overstays"] != nil || v.Totals["suppressed"] != true {
				t.Errorf("totals: %v", v.Totals)
			}
			if len(v.Rows) != 3 {
				t.Errorf("rows: %v", v.Rows)
			}
		case "csv":
			recs, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 4 || recs[0][0] != "nationality" || recs[0][len(recs[0])-1] != "suppressed" {
				t.Errorf("csv: %q", recs)
			}
		}
	}
}
