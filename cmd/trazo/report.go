package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/report"
)

func runReport(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "Computes the circular-mobility report of a period offline, from the projections of a data directory (the server must not be running on it): totals and one row per group, as CSV or JSON, with small counts suppressed.",
		"trazo report --data-dir ./data --from 2025-01-01 --to 2025-12-31 --group-by nationality,sex --format csv", stderr)
	var lf ledgerFlags
	lf.register(fs)
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the period, YYYY-MM-DD")
	groupBy := fs.String("group-by", "", "dimensions, comma-separated: "+strings.Join(report.Dimensions, ", "))
	format := fs.String("format", "csv", "csv or json")
	minCell := fs.Int("min-cell", report.DefaultMinCell, "smallest count shown; 1 turns suppression off")
	seasonStart := fs.String("season-start", "", "first day of every season, MM-DD (default 01-01)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := required(fs, "from", "to"); err != nil {
		return err
	}
	req := report.Request{From: *from, To: *to, Format: *format, MinCell: *minCell, SeasonStart: *seasonStart}
	if *groupBy != "" {
		req.GroupBy = strings.Split(*groupBy, ",")
	}
	req, err := req.Validate()
	if err != nil {
		var ve *ledger.ValidationError
		if errors.As(err, &ve) {
			return usageError("--%s: %s", flagOf(ve.Field), ve.Message)
		}
		return usageError("%v", err)
	}
	l, svc, err := lf.openService(true)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := report.New(svc, report.Options{}).Run(ctx, req, stdout); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// flagOf names the command-line flag of a report query parameter.
func flagOf(param string) string {
	if param == "" {
		return "from"
	}
	return strings.ReplaceAll(param, "_", "-")
}
