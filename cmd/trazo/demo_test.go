package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// demoEnv opens a ledger, a mobility service and a token issuer on dir, as
// serve does.
func demoEnv(t *testing.T, dir string) (*tlog.Log, *ledger.Service, *auth.Issuer) {
	t.Helper()
	l, err := tlog.Open(dir, tlog.Options{Origin: "trazo.cri.local/log"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	svc, err := ledger.New(l, ledger.Config{Country: "CRI"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.LoadOrCreateKey(filepath.Join(dir, tokenKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := auth.NewIssuer(key, authConfig())
	if err != nil {
		t.Fatal(err)
	}
	return l, svc, iss
}

// checkDemoTokens reads the tokens file and checks its mode and that every
// token verifies in its role.
func checkDemoTokens(t *testing.T, dir string, iss *auth.Issuer, svc *ledger.Service) map[string]string {
	t.Helper()
	path := filepath.Join(dir, demoTokensFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	vars, err := readEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(iss.PublicKey(), authConfig())
	if err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]ledger.Role{"TRAZO_TOKEN_EMPLOYER": ledger.RoleEmployer, "TRAZO_TOKEN_BORDER": ledger.RoleBorder,
		"TRAZO_TOKEN_INSPECTOR": ledger.RoleInspector, "TRAZO_TOKEN_MINISTRY": ledger.RoleMinistry} {
		p, err := v.Verify(vars[name])
		if err != nil {
			t.Errorf("%s does not verify: %v", name, err)
			continue
		}
		if ledger.Role(p.Role) != role {
			t.Errorf("%s has role %s", name, p.Role)
		}
		if role == ledger.RoleEmployer {
			if _, err := svc.GetEmployer(t.Context(), demoMinistry, p.Org); err != nil {
				t.Errorf("employer token's org %q: %v", p.Org, err)
			}
		}
	}
	for _, k := range demoOrder {
		if vars[k] == "" {
			t.Errorf("%s is missing", k)
		}
	}
	return vars
}

func TestSetupDemoSeedsThenReuses(t *testing.T) {
	dir := t.TempDir()
	l, svc, iss := demoEnv(t, dir)
	var out bytes.Buffer
	now := time.Now()
	if err := setupDemo(t.Context(), svc, l, dir, "http://127.0.0.1:8080", iss, now, &out); err != nil {
		t.Fatalf("first setupDemo: %v", err)
	}
	t.Log(out.String())
	size := l.Size()
	if size < 1000 {
		t.Errorf("seeded log has %d entries", size)
	}
	for _, want := range []string{"seeded into", "source " + filepath.Join(dir, demoTokensFile), "/v1/reports/circular?from=", "proofs=true", "/v1/log/checkpoint", "trazo verify --url"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if servingRE.MatchString(out.String()) {
		t.Errorf("output would be taken for serve's serving line:\n%s", out.String())
	}
	first := checkDemoTokens(t, dir, iss, svc)

	out.Reset()
	if err := setupDemo(t.Context(), svc, l, dir, "http://127.0.0.1:8080", iss, now.Add(time.Hour), &out); err != nil {
		t.Fatalf("second setupDemo: %v", err)
	}
	if l.Size() != size {
		t.Errorf("second setupDemo appended: size %d, was %d", l.Size(), size)
	}
	if !strings.Contains(out.String(), "already in") {
		t.Errorf("second output:\n%s", out.String())
	}
	second := checkDemoTokens(t, dir, iss, svc)
	if first["TRAZO_TOKEN_INSPECTOR"] == second["TRAZO_TOKEN_INSPECTOR"] {
		t.Errorf("tokens were not issued again")
	}
	for _, k := range demoOrder {
		if first[k] != second[k] {
			t.Errorf("%s changed from %q to %q", k, first[k], second[k])
		}
	}
}

func TestSetupDemoRefusesAnotherLog(t *testing.T) {
	dir := t.TempDir()
	l, svc, iss := demoEnv(t, dir)
	if _, err := svc.RegisterEmployer(t.Context(), demoMinistry, ledger.EmployerRequest{
		LegalName: "Finca Real S.A.", TaxID: "3-101-123456", Country: "CRI", Sector: "0127", Region: "CR-SJ",
	}); err != nil {
		t.Fatal(err)
	}
	err := setupDemo(t.Context(), svc, l, dir, "http://127.0.0.1:8080", iss, time.Now(), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "did not seed") {
		t.Fatalf("setupDemo on a log of real data: %v", err)
	}
	if l.Size() != 1 {
		t.Errorf("log size %d after a refused demo", l.Size())
	}
	if _, err := os.Stat(filepath.Join(dir, demoTokensFile)); !os.IsNotExist(err) {
		t.Errorf("tokens file written for a refused demo: %v", err)
	}
}
