package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "trazo.cri.local/log"

// appendEmployers registers n employers in the log in dir (the server
// must not be running on it), several at a time.
func appendEmployers(t *testing.T, dir, taxPrefix string, n int) {
	t.Helper()
	l, err := tlog.Open(dir, tlog.Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	svc, err := ledger.New(l, ledger.Config{Country: "CRI"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < n; i += 8 {
				_, err := svc.RegisterEmployer(t.Context(), demoMinistry, ledger.EmployerRequest{
					LegalName: fmt.Sprintf("Finca %s %d S.A.", taxPrefix, i), TaxID: fmt.Sprintf("%s-%06d", taxPrefix, i),
					Country: "CRI", Sector: "0127", Region: "CR-SJ",
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// mintInspector returns an inspector token for the server of dir, made by
// "trazo token".
func mintInspector(t *testing.T, dir string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"token", "--data-dir", dir, "--role", "inspector", "--org", "MTSS-DNI", "--sub", "mirror", "--ttl", "10m"}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatalf("token: %v\n%s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// verifyURL runs "trazo verify --url" and returns its exit status, stdout
// and stderr.
func verifyURL(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), append([]string{"verify"}, args...), noEnv, nil, &out, &errOut)
	return exitCode(err, &errOut), out.String(), errOut.String()
}

func readKey(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "log.pub"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func copyFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyURL(t *testing.T) {
	dir := t.TempDir()
	appendEmployers(t, dir, "3-101", 1003) // more than one page of entries
	base, stop := startServe(t, dir)
	token := mintInspector(t, dir)
	state := filepath.Join(t.TempDir(), "mirror.state")

	// First run: the server's key is trusted on first use, with a warning.
	code, out, errOut := verifyURL(t, "--url", base, "--token", token, "--state", state)
	if code != 0 {
		t.Fatalf("first verify: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "ok: ") || !strings.Contains(out, "1003 entries") || !strings.Contains(out, "first verification") {
		t.Errorf("first verify said %q", out)
	}
	t.Logf("first: %s%s", out, errOut)
	if !strings.Contains(errOut, "warning: trusting the verifier key the server serves") {
		t.Errorf("no warning about the server's key: %q", errOut)
	}
	if strings.Contains(out+errOut, token) {
		t.Errorf("the token was printed")
	}
	key := readKey(t, dir)

	// A wrong --key fails, whatever the state says.
	_, wrongKey, err := note.GenerateKey(rand.Reader, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := verifyURL(t, "--url", base, "--token", token, "--key", wrongKey, "--state", filepath.Join(t.TempDir(), "s")); code != 1 {
		t.Errorf("wrong --key: exit %d\n%s%s", code, out, errOut)
	}

	// The log grows; the next run demands and checks a consistency proof,
	// with the key given out of band (TRAZO_KEY) and no warning.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	appendEmployers(t, dir, "3-102", 57)
	base, stop = startServe(t, dir)
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		return map[string]string{"TRAZO_URL": base, "TRAZO_TOKEN": token, "TRAZO_KEY": key, "TRAZO_STATE": state}[k]
	}
	if err := run(t.Context(), []string{"verify"}, env, nil, &stdout, &stderr); err != nil {
		t.Fatalf("second verify (flags from the environment): %v\n%s", err, stderr.String())
	}
	t.Logf("second: %s", stdout.String())
	if !strings.Contains(stdout.String(), "1060 entries") || !strings.Contains(stdout.String(), "consistent with the checkpoint of size 1003") {
		t.Errorf("second verify said %q", stdout.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("second verify warned: %q", stderr.String())
	}

	// A state file whose checkpoint was edited is refused.
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.state")
	edited := strings.Replace(string(b), `\n1060\n`, `\n1061\n`, 1)
	if edited == string(b) {
		t.Fatalf("state file has no size line to edit:\n%s", b)
	}
	if err := os.WriteFile(tampered, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := verifyURL(t, "--url", base, "--token", token, "--state", tampered); code != 1 || !strings.Contains(errOut, "does not verify") {
		t.Errorf("tampered state: exit %d\n%s%s", code, out, errOut)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// A server that rewrote history: another log with the same key (and
	// token key), more entries, none of them the same.
	forked := t.TempDir()
	copyFiles(t, dir, forked, "log.key", "log.pub", tokenKeyFile)
	appendEmployers(t, forked, "3-004", 1100)
	forkBase, _ := startServe(t, forked)
	code, out, errOut = verifyURL(t, "--url", forkBase, "--token", token, "--key", key, "--state", state)
	t.Logf("forked: %s", errOut)
	if code != 1 || !strings.Contains(errOut, "HISTORY REWRITTEN") {
		t.Errorf("forked log: exit %d\n%s%s", code, out, errOut)
	}

	// And a state taken from the fork, against the real log: it shrank.
	forkState := filepath.Join(t.TempDir(), "fork.state")
	if code, out, errOut := verifyURL(t, "--url", forkBase, "--token", token, "--key", key, "--state", forkState); code != 0 {
		t.Fatalf("verify the fork alone: exit %d\n%s%s", code, out, errOut)
	}
	base, _ = startServe(t, dir)
	if code, out, errOut := verifyURL(t, "--url", base, "--token", token, "--key", key, "--state", forkState); code != 1 || !strings.Contains(errOut, "shrank") {
		t.Errorf("shrunk log: exit %d\n%s%s", code, out, errOut)
	}
}

func TestVerifyURLUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"url and data dir", []string{"--url", "http://127.0.0.1:1", "--data-dir", "x"}, "not both"},
		{"no token", []string{"--url", "http://127.0.0.1:1"}, "--token is required"},
		{"bad url", []string{"--url", "127.0.0.1:8080", "--token", "t"}, "not an http"},
		{"token without url", []string{"--token", "t"}, "go with --url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(t.Context(), append([]string{"verify"}, tc.args...), noEnv, nil, io.Discard, &stderr)
			if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}
