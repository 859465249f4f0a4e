package main

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func TestReindex(t *testing.T) {
	dir := t.TempDir()
	appendEmployers(t, dir, "3-101", 20)

	// Lose one employer's projection row, as a bug or a bad restore would.
	l, svc, _ := demoEnv(t, dir)
	page, err := svc.ListEmployers(t.Context(), demoMinistry, ledger.ListRequest{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	lost := page.Employers[0].EmployerID
	if _, err := l.Append(t.Context(), func(tx *tlog.Tx, _ uint64, _ time.Time) ([]byte, error) {
		return nil, tx.Delete([]byte("e/" + lost))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetEmployer(t.Context(), demoMinistry, lost); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("employer row still there: %v", err)
	}
	l.Close()

	var out bytes.Buffer
	if err := run(t.Context(), []string{"reindex", "--data-dir", dir}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("reindex: %v", err)
	}
	if !regexp.MustCompile(`^reindexed 20 entries in \S+: 0 workers, 20 employers; the projections had drifted`).MatchString(out.String()) {
		t.Errorf("reindex said %q", out.String())
	}
	l, svc, _ = demoEnv(t, dir)
	if _, err := svc.GetEmployer(t.Context(), demoMinistry, lost); err != nil {
		t.Errorf("employer after reindex: %v", err)
	}
	l.Close()

	out.Reset()
	if err := run(t.Context(), []string{"reindex", "--data-dir", dir}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("second reindex: %v", err)
	}
	if !strings.Contains(out.String(), "already those of the log") {
		t.Errorf("second reindex said %q", out.String())
	}

	var stderr bytes.Buffer
	err = run(t.Context(), []string{"reindex", "--data-dir", "/nonexistent/trazo"}, noEnv, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(stderr.String(), "no such file") {
		t.Errorf("missing dir: exit %d, %q", code, stderr.String())
	}
}

func TestReindexHelp(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"reindex", "--help"}, noEnv, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 0 || !strings.Contains(stderr.String(), "Example:") {
		t.Errorf("reindex --help: exit %d\n%s", code, stderr.String())
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"help"}, noEnv, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "reindex") {
		t.Errorf("help does not list reindex: %v\n%s", err, out.String())
	}
}
