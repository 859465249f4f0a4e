package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// ContentType returns the media type of a report format: application/json
// or text/csv (RFC 4180, with a header row).
func ContentType(format string) string {
	if format == FormatCSV {
		return "text/csv; charset=utf-8; header=present"
	}
	return "application/json"
}

// Write writes r to w as JSON (format "json" or "") or CSV ("csv"). It
// returns w's error, or an error for another format.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case FormatJSON, "":
		return r.WriteJSON(w)
	case FormatCSV:
		return r.WriteCSV(w)
	}
	return fmt.Errorf("report: unknown format %q", format)
}

// WriteJSON writes the report as one JSON object:
//
//	{"from","to","group_by":[…],"season_start","min_cell",
//	 "rows":[{<dimension>:<value>,…,<metric>:<count or null>,…,
//	          "mean_stay_days":<number or null>,"suppressed":<bool>}],
//	 "totals":{<metric>:…,"mean_stay_days":…,"suppressed":<bool>}}
//
// Keys keep the order of the columns. A suppressed value is null, and its
// row (or the totals) has "suppressed": true. It returns w's error.
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	b := make([]byte, 0, 512)
	b = append(b, `{"from":`...)
	b = strconv.AppendQuote(b, r.From)
	b = append(b, `,"to":`...)
	b = strconv.AppendQuote(b, r.To)
	b = append(b, `,"group_by":`...)
	gb, _ := json.Marshal(nonNil(r.GroupBy))
	b = append(b, gb...)
	b = append(b, `,"season_start":`...)
	b = strconv.AppendQuote(b, r.SeasonStart)
	b = append(b, `,"min_cell":`...)
	b = strconv.AppendInt(b, int64(r.MinCell), 10)
	b = append(b, `,"rows":[`...)
	for i := range r.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, d := range r.GroupBy {
			b = appendJSONString(b, d)
			b = append(b, ':')
			b = appendJSONString(b, r.Rows[i].Dims[j])
			b = append(b, ',')
		}
		b = appendMetrics(b, &r.Rows[i].Metrics)
		b = append(b, '}')
		if len(b) > 32<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, `],"totals":{`...)
	b = appendMetrics(b, &r.Totals)
	b = append(b, "}}\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // escapes as encoding/json does
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMetrics(b []byte, m *Metrics) []byte {
	for i, c := range m.Counts {
		b = append(b, '"')
		b = append(b, countNames[i]...)
		b = append(b, `":`...)
		b = appendCount(b, c)
		b = append(b, ',')
	}
	b = append(b, `"mean_stay_days":`...)
	b = appendMean(b, m.MeanStayDays, "null")
	b = append(b, `,"suppressed":`...)
	b = strconv.AppendBool(b, m.Suppressed)
	return b
}

func appendCount(b []byte, c Count) []byte {
	if c.Suppressed {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, c.N, 10)
}

func appendMean(b []byte, m Mean, null string) []byte {
	if !m.Valid || m.Suppressed {
		return append(b, null...)
	}
	return strconv.AppendFloat(b, m.Days, 'f', -1, 64)
}

// WriteCSV writes the report as CSV (RFC 4180, encoding/csv): a header row
// with the dimensions of GroupBy, every metric and "suppressed", then one
// row per group. A null value is an empty field. Totals are not a row
// (an ungrouped report's one row is its totals). It returns w's error.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), r.GroupBy...), MetricNames()...)
	header = append(header, "suppressed")
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for i := range r.Rows {
		row := &r.Rows[i]
		n := copy(rec, row.Dims)
		for _, c := range row.Counts {
			rec[n] = string(appendCount(nil, c))
			if c.Suppressed {
				rec[n] = ""
			}
			n++
		}
		rec[n] = string(appendMean(nil, row.MeanStayDays, ""))
		rec[n+1] = strconv.FormatBool(row.Suppressed)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
