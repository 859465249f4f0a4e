package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// TestServeWiresTheDomain runs "trazo serve" and speaks HTTP to it: the
// domain routes answer, employer tokens are checked against the
// registered employers, employers get inclusion proofs of their own
// entries only, and an idempotent request replayed after a restart on the
// same data directory answers the same body and appends nothing.
func TestServeWiresTheDomain(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, dir)
	key, err := auth.LoadKey(filepath.Join(dir, tokenKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := auth.NewIssuer(key, authConfig())
	if err != nil {
		t.Fatal(err)
	}
	tok := func(role ledger.Role, org string) string {
		s, err := iss.Issue("tester", string(role), org, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do := func(method, url, token, body, idemKey string) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, url, r)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if idemKey != "" {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	size := func(base string) uint64 {
		t.Helper()
		_, cp := get(t, base+"/v1/log/checkpoint")
		_, key := get(t, base+"/v1/log/key")
		c, err := tlog.OpenCheckpoint([]byte(cp), "trazo.cri.local/log", strings.TrimSpace(key))
		if err != nil {
			t.Fatal(err)
		}
		return c.Size
	}
	minis := tok(ledger.RoleMinistry, "MTSS")
	body := `{"legal_name":"Finca Serve","tax_id":"3-101-555","country":"CRI","sector":"A","region":"CR-A"}`
	code, first := do("POST", base+"/v1/employers", minis, body, "serve-1")
	if code != 201 {
		t.Fatalf("register employer: %d %s", code, first)
	}
	var emp struct {
		EmployerID string `json:"employer_id"`
		Index      uint64 `json:"index"`
	}
	json.Unmarshal(first, &emp)
	empTok := tok(ledger.RoleEmployer, emp.EmployerID)
	if code, b := do("GET", base+"/v1/employers/"+emp.EmployerID, empTok, "", ""); code != 200 || !strings.Contains(string(b), `"status":"active"`) {
		t.Errorf("employer reads itself: %d %s", code, b)
	}
	if code, b := do("GET", base+"/v1/findings", tok(ledger.RoleEmployer, "emp_01ARZ3NDEKTSV4RRFFQ69G5FAV"), "", ""); code != 401 || !strings.Contains(string(b), "employer_unknown") {
		t.Errorf("unregistered employer: %d %s", code, b)
	}
	code, b := do("POST", base+"/v1/employers", minis, strings.Replace(body, "555", "556", 1), "")
	if code != 201 {
		t.Fatalf("second employer: %d %s", code, b)
	}
	if code, _ := do("GET", base+"/v1/log/proof/inclusion?index=0", empTok, "", ""); code != 200 {
		t.Errorf("employer's own entry: %d", code)
	}
	if code, _ := do("GET", base+"/v1/log/proof/inclusion?index=1", empTok, "", ""); code != 404 {
		t.Errorf("another employer's entry: %d, want 404", code)
	}

	n := size(base)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	base, _ = startServe(t, dir)
	code, again := do("POST", base+"/v1/employers", minis, body, "serve-1")
	if code != 201 || !bytes.Equal(again, first) || size(base) != n {
		t.Fatalf("replay after restart: %d %s (first %s), size %d → %d", code, again, first, n, size(base))
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1536MiB": 1536 << 20, "2GiB": 2 << 30, "512KiB": 512 << 10, "1000": 1000, "64B": 64} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5GiB", "GiB", "1TB", "99999999999GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}
