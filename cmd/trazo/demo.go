package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/renameio/v2"
	"github.com/trazo-ledger/trazo/api"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/demo"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// demoTokensFile is written into the data directory by "serve --demo": one
// token per role, and the ids of the demo's example subjects.
const demoTokensFile = "demo-tokens.env"

// demoTokenTTL is how long the demo tokens are valid; they are issued
// again at every start.
const demoTokenTTL = 30 * 24 * time.Hour

// demoSeed seeds the demo's random source: every demo data set has the
// same people and dates (relative to the year it is seeded in).
const demoSeed = 20260

// Variables of the demo tokens file besides the tokens.
const (
	envDemoEmployer    = "TRAZO_DEMO_EMPLOYER"
	envDemoPost        = "TRAZO_DEMO_BORDER_POST"
	envDemoFrom        = "TRAZO_DEMO_FROM"
	envDemoOverstay    = "TRAZO_DEMO_WORKER_OVERSTAY"
	envDemoLateExit    = "TRAZO_DEMO_WORKER_LATE_EXIT"
	envDemoReturning   = "TRAZO_DEMO_WORKER_RETURNING"
	envDemoTransferred = "TRAZO_DEMO_WORKER_TRANSFERRED"
	envDemoMinor       = "TRAZO_DEMO_WORKER_MINOR"
	envDemoRefused     = "TRAZO_DEMO_WORKER_REFUSED"
	envDemoErased      = "TRAZO_DEMO_WORKER_ERASED"
)

// demoOrder is the order of the subject variables in the file.
var demoOrder = []string{envDemoEmployer, envDemoPost, envDemoFrom, envDemoReturning, envDemoTransferred,
	envDemoOverstay, envDemoLateExit, envDemoMinor, envDemoRefused, envDemoErased}

// setupDemo prepares a demo server's data: on an empty log it seeds the
// demo data set (package demo); on a log it seeded before (its data
// directory has demo-tokens.env) it keeps the data as they are. Either way
// it writes <dataDir>/demo-tokens.env (mode 0600) with a fresh token per
// role, valid 30 days (TRAZO_TOKEN_EMPLOYER for the demo's largest
// employer, TRAZO_TOKEN_BORDER for Peñas Blancas, TRAZO_TOKEN_INSPECTOR,
// TRAZO_TOKEN_MINISTRY) and the ids of the demo's example workers, and
// prints to stdout what was done and a few commands to try.
//
// It returns an error, appending nothing, for a non-empty log that is not
// a demo's; the seeding's error (part of the data set may then be in the
// log); or an error writing the file.
func setupDemo(ctx context.Context, svc *ledger.Service, log *tlog.Log, dataDir, baseURL string, issuer *auth.Issuer, now time.Time, stdout io.Writer) error {
	path := filepath.Join(dataDir, demoTokensFile)
	var vars map[string]string
	var seeded *demo.Summary
	if size := log.Size(); size > 0 {
		var err error
		vars, err = readEnvFile(path)
		if errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("--demo: %s already holds a log of %d entries that the demo did not seed (no %s); give --demo an empty or new data directory", dataDir, size, demoTokensFile)
		}
		if err != nil {
			return fmt.Errorf("--demo: %w", err)
		}
		id := vars[envDemoEmployer]
		if _, err := svc.GetEmployer(ctx, demoMinistry, id); err != nil {
			return fmt.Errorf("--demo: %s names employer %q, which this log does not hold: %w", path, id, err)
		}
	} else {
		sum, err := demo.Seed(ctx, svc, now, rand.New(rand.NewPCG(demoSeed, uint64(now.Year()))))
		if err != nil {
			return fmt.Errorf("--demo: seed the demo data set: %w", err)
		}
		seeded = &sum
		vars = demoVars(sum)
	}
	if vars[envDemoPost] == "" {
		vars[envDemoPost] = demo.Posts[0].Code
	}

	tokens := []struct {
		name string
		role ledger.Role
		org  string
		sub  string
	}{
		{"TRAZO_TOKEN_EMPLOYER", ledger.RoleEmployer, vars[envDemoEmployer], "demo.employer"},
		{"TRAZO_TOKEN_BORDER", ledger.RoleBorder, vars[envDemoPost], "demo.border"},
		{"TRAZO_TOKEN_INSPECTOR", ledger.RoleInspector, "MTSS-DNI", "demo.inspector"},
		{"TRAZO_TOKEN_MINISTRY", ledger.RoleMinistry, "MTSS", "demo.ministry"},
	}
	expires := now.Add(demoTokenTTL).UTC()
	var b strings.Builder
	fmt.Fprintf(&b, "# Trazo demo: one API token per role, valid until %s (issued again at every\n", expires.Format(time.RFC3339))
	fmt.Fprintf(&b, "# start of \"trazo serve --demo\"), and the ids of the demo's example subjects.\n")
	fmt.Fprintf(&b, "# Secret: anyone holding these tokens can use the API in these roles.\n")
	fmt.Fprintf(&b, "# Use: source %s\n", path)
	for _, t := range tokens {
		tok, err := issuer.Issue(t.sub, string(t.role), t.org, demoTokenTTL)
		if err != nil {
			return fmt.Errorf("--demo: issue the %s token: %w", t.role, err)
		}
		fmt.Fprintf(&b, "%s=%s\n", t.name, tok)
	}
	for _, k := range demoOrder {
		if v := vars[k]; v != "" {
			fmt.Fprintf(&b, "%s=%s\n", k, v)
		}
	}
	if err := writeFileAtomic(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("--demo: %w", err)
	}

	if seeded != nil {
		fmt.Fprintf(stdout, "trazo: demo data set seeded into %s: %d employers, %d workers, %d permits, %d placements, %d crossings, %d log entries, seasons %d to %d\n",
			dataDir, len(seeded.Employers), seeded.Workers, seeded.Permits, seeded.Placements,
			seeded.EntryCrossings+seeded.ExitCrossings+seeded.RefusedEntries, log.Size(), seeded.Seasons[0], seeded.Seasons[len(seeded.Seasons)-1])
	} else {
		fmt.Fprintf(stdout, "trazo: demo data set already in %s (%d log entries); tokens issued again\n", dataDir, log.Size())
	}
	printDemoTryThis(stdout, dataDir, baseURL, path, vars, now, expires)
	return nil
}

// demoMinistry is the caller setupDemo checks the demo employer with.
var demoMinistry = ledger.Actor{Sub: "trazo-demo", Role: ledger.RoleMinistry, Org: "MTSS"}

// demoVars returns the file's subject variables for a seeded data set;
// the employer is the one that placed the most workers.
func demoVars(sum demo.Summary) map[string]string {
	best := sum.Employers[0]
	for _, e := range sum.Employers[1:] {
		if e.Workers > best.Workers {
			best = e
		}
	}
	ex := sum.Examples
	return map[string]string{
		envDemoEmployer: best.ID, envDemoPost: demo.Posts[0].Code, envDemoFrom: sum.From,
		envDemoReturning: ex.Returning, envDemoTransferred: ex.Transferred, envDemoOverstay: ex.Overstay,
		envDemoLateExit: ex.LateExit, envDemoMinor: ex.Minor, envDemoRefused: ex.Refused, envDemoErased: ex.Erased,
	}
}

// printDemoTryThis prints a few commands that use the demo tokens against
// the server at baseURL.
func printDemoTryThis(w io.Writer, dataDir, baseURL, tokensPath string, vars map[string]string, now, expires time.Time) {
	from := vars[envDemoFrom]
	if from == "" {
		from = fmt.Sprintf("%04d-01-01", now.Year()-2)
	}
	to := now.UTC().Format("2006-01-02")
	worker, story := "$"+envDemoOverstay, "a worker who stayed on after their permit ended"
	if vars[envDemoOverstay] == "" {
		worker, story = "$"+envDemoReturning, "a worker who comes back every season"
	}
	fmt.Fprintf(w, `trazo: demo tokens (valid until %s) are in %s. Try:

  source %s; TRAZO_URL=%s
  # circular mobility by nationality, as a ministry sees it (aggregates only)
  curl -s -H "Authorization: Bearer $TRAZO_TOKEN_MINISTRY" "$TRAZO_URL/v1/reports/circular?from=%s&to=%s&group_by=nationality"
  # %s: history with inclusion proofs, as an inspector (the read is itself logged)
  curl -s -H "Authorization: Bearer $TRAZO_TOKEN_INSPECTOR" "$TRAZO_URL/v1/workers/%s/history?purpose=demo-case-001&proofs=true"
  # the signed checkpoint anyone may fetch, and the whole log checked as a mirror would
  curl -s "$TRAZO_URL/v1/log/checkpoint"
  trazo verify --url "$TRAZO_URL" --token "$TRAZO_TOKEN_INSPECTOR" --key "$(cat %s)"

`, expires.Format("2006-01-02"), tokensPath, tokensPath, baseURL, from, to, story, worker, filepath.Join(dataDir, "log.pub"))
}

// demoTokensFor returns what a demo server's dashboard offers to sign in
// with: the tokens and example workers of the demo tokens file at path,
// read at each call (setupDemo writes it before the server serves).
func demoTokensFor(path string) func() (api.DemoTokens, error) {
	return func() (api.DemoTokens, error) {
		vars, err := readEnvFile(path)
		if err != nil {
			return api.DemoTokens{}, fmt.Errorf("demo tokens: %w", err)
		}
		d := api.DemoTokens{Tokens: []api.DemoToken{}, Workers: map[string]string{}, From: vars[envDemoFrom]}
		for _, role := range []ledger.Role{ledger.RoleMinistry, ledger.RoleInspector, ledger.RoleEmployer, ledger.RoleBorder} {
			if tok := vars["TRAZO_TOKEN_"+strings.ToUpper(string(role))]; tok != "" {
				d.Tokens = append(d.Tokens, api.DemoToken{Role: string(role), Token: tok})
			}
		}
		for _, k := range demoOrder {
			if story, ok := strings.CutPrefix(k, "TRAZO_DEMO_WORKER_"); ok && vars[k] != "" {
				d.Workers[strings.ToLower(story)] = vars[k]
			}
		}
		return d, nil
	}
}

// readEnvFile reads KEY=VALUE lines, skipping blanks and # comments.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: not a KEY=VALUE line", path, n)
		}
		vars[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return vars, nil
}

// writeFileAtomic replaces path with data, atomically: a pending file
// (renameio) of mode perm is written and synced in path's directory, then
// renamed over path. It returns an error naming path if any step fails.
//
// It does not use renameio.WriteFile, which would keep the mode of the file
// it replaces: a secrets file left world-readable would stay so.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := renameio.NewPendingFile(path,
		renameio.WithTempDir(filepath.Dir(path)), renameio.WithStaticPermissions(perm))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer f.Cleanup() // removes the pending file unless it was renamed
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
