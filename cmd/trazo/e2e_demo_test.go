package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoEndToEnd runs the real binary as a newcomer would: serve --demo
// on an empty directory, every demo token used for its role, a report over
// the demo with workers, circular returns and an overstay, verify --url;
// then, with the server stopped, backup, restore into a new directory, and
// verify --data-dir on both giving the same root.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real server process; skipped with -short")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(exe, "serve", "--demo", "--data-dir", dir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var base string
	sc := bufio.NewScanner(out)
	var printed strings.Builder
	for sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("no serving line:\n%s\n%s", printed.String(), stderr.String())
	}
	go io.Copy(io.Discard, out)
	if !strings.Contains(printed.String(), "TRAZO_URL="+base) || !strings.Contains(printed.String(), "curl") {
		t.Errorf("the try-this does not use the server's address:\n%s", printed.String())
	}

	env, err := readEnvFile(filepath.Join(dir, "demo-tokens.env"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, tc := range []struct{ role, token, path string }{
		{"employer", env["TRAZO_TOKEN_EMPLOYER"], "/v1/employers/" + env["TRAZO_DEMO_EMPLOYER"]},
		{"employer", env["TRAZO_TOKEN_EMPLOYER"], "/v1/findings"},
		{"border", env["TRAZO_TOKEN_BORDER"], "/v1/workers/" + env["TRAZO_DEMO_WORKER_RETURNING"]},
		{"inspector", env["TRAZO_TOKEN_INSPECTOR"], "/v1/workers/" + env["TRAZO_DEMO_WORKER_OVERSTAY"] + "/history?purpose=e2e&proofs=true"},
		{"inspector", env["TRAZO_TOKEN_INSPECTOR"], "/v1/log/entries?limit=5"},
		{"ministry", env["TRAZO_TOKEN_MINISTRY"], "/v1/employers"},
	} {
		if tc.token == "" {
			t.Fatalf("demo-tokens.env has no token for %s", tc.role)
		}
		if code, body := get(tc.path, tc.token); code != http.StatusOK {
			t.Errorf("%s GET %s = %d %s", tc.role, tc.path, code, body)
		}
	}
	// A role's token does not open another role's routes.
	if code, _ := get("/v1/employers", env["TRAZO_TOKEN_EMPLOYER"]); code != http.StatusForbidden {
		t.Errorf("employer token listing employers = %d, want 403", code)
	}

	today := time.Now().UTC().Format("2006-01-02")
	code, body := get("/v1/reports/circular?from="+env["TRAZO_DEMO_FROM"]+"&to="+today+"&min_cell=1", env["TRAZO_TOKEN_MINISTRY"])
	if code != http.StatusOK {
		t.Fatalf("report = %d %s", code, body)
	}
	var rep struct {
		Totals map[string]any `json:"totals"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"workers", "circular_returns", "overstays", "returning_workers"} {
		if v, ok := rep.Totals[m].(float64); !ok || v < 1 {
			t.Errorf("demo report %s = %v, want at least 1 (%s)", m, rep.Totals[m], body)
		}
	}

	var vout bytes.Buffer
	pub, err := os.ReadFile(filepath.Join(dir, "log.pub"))
	if err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), []string{"verify", "--url", base, "--token", env["TRAZO_TOKEN_INSPECTOR"],
		"--key", strings.TrimSpace(string(pub)), "--state", filepath.Join(t.TempDir(), "state")}, noEnv, nil, &vout, io.Discard)
	if err != nil {
		t.Fatalf("verify --url: %v", err)
	}

	// The narrated walkthrough runs against the same server and checks a
	// proof with sha256sum.
	walk := exec.Command("bash", "../../scripts/demo.sh")
	walk.Env = append(os.Environ(), "DATA_DIR="+dir, "TRAZO_URL="+base, "TRAZO=env "+asMainEnv+"=1 "+exe, "HOME="+t.TempDir())
	if b, err := walk.CombinedOutput(); err != nil {
		t.Fatalf("scripts/demo.sh: %v\n%s", err, b)
	} else if !strings.Contains(string(b), "is in the tree of size") || !strings.Contains(string(b), "ok: "+base) {
		t.Errorf("scripts/demo.sh did not verify a proof and the log:\n%s", b)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server exited with %v after SIGTERM\n%s", err, stderr.String())
	}

	backup := filepath.Join(t.TempDir(), "demo.bak")
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, "--out", backup}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if err := run(t.Context(), []string{"restore", "--data-dir", restored, "--in", backup}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	rootOf := func(d string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(t.Context(), []string{"verify", "--data-dir", d}, noEnv, nil, &out, io.Discard); err != nil {
			t.Fatalf("verify --data-dir %s: %v", d, err)
		}
		m := regexp.MustCompile(`ok: (\d+) entries, root ([0-9a-f]{64})`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("verify output %q", out.String())
		}
		return m[1] + " " + m[2]
	}
	if a, b := rootOf(dir), rootOf(restored); a != b {
		t.Errorf("restored log has size and root %s, original %s", b, a)
	}
}
