package api

import (
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDashboardFiles checks what GET /ui serves: the page and its files
// with their types, strict security headers (a CSP of the page's own
// origin, no framing, no sniffing, no referrer), 404 for anything else,
// and every file the page and its modules name is embedded.
func TestDashboardFiles(t *testing.T) {
	e := newEnv(t, 0).start(HTTPLimits{})
	for _, tc := range []struct {
		path, ctype string
		status      int
	}{
		{"/ui", "text/html; charset=utf-8", 200},
		{"/ui/", "text/html; charset=utf-8", 200},
		{"/ui/index.html", "text/html; charset=utf-8", 200},
		{"/ui/app.js", "text/javascript; charset=utf-8", 200},
		{"/ui/style.css", "text/css; charset=utf-8", 200},
		{"/ui/vendor/chartjs/chart.umd.min.js", "text/javascript; charset=utf-8", 200},
		{"/ui/vendor/chartjs/LICENSE.md", "text/plain; charset=utf-8", 200},
		{"/ui/nope.js", "application/json; charset=utf-8", 404},
		{"/ui/../v1/openapi.json", "application/json; charset=utf-8", 404},
		{"/ui/..%2fv1%2fopenapi.json", "application/json; charset=utf-8", 404},
		{"/ui/vendor/", "application/json; charset=utf-8", 404},
		{"/ui/demo-tokens.json", "application/json; charset=utf-8", 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, _ := e.get(tc.path, "")
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.ctype)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
				t.Errorf("CSP %q allows inline code or another origin", csp)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
		})
	}

	// Every local file named by src/href/import in the page and its
	// modules is embedded; nothing names another origin.
	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"|from '(\./[^']+)'`)
	uiRoot, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(uiRoot, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(name, "vendor/") {
			return err
		}
		b, _ := fs.ReadFile(uiRoot, name)
		if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
			t.Errorf("%s names another origin", name)
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			target := m[1] + m[2]
			if strings.HasPrefix(target, "data:") || strings.HasPrefix(target, "#") {
				continue
			}
			target = strings.TrimPrefix(strings.TrimPrefix(target, "/ui/"), "./")
			if _, err := fs.Stat(uiRoot, target); err != nil {
				t.Errorf("%s names %s, which is not embedded", name, m[0])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDemoTokensOnlyInDemo checks that GET /ui/demo-tokens.json answers
// Config.DemoTokens, uncached, and is 404 on a server without it.
func TestDemoTokensOnlyInDemo(t *testing.T) {
	want := DemoTokens{Tokens: []DemoToken{{Role: "ministry", Token: "a.b.c"}}, Workers: map[string]string{"overstay": "wkr_1"}, From: "2024-01-01"}
	e := newEnv(t, 0, func(c *Config) {
		c.DemoTokens = func() (DemoTokens, error) { return want, nil }
	}).start(HTTPLimits{})
	resp, b := e.get("/ui/demo-tokens.json", "")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d, Cache-Control %q: %s", resp.StatusCode, resp.Header.Get("Cache-Control"), b)
	}
	var got DemoTokens
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("demo tokens (-want +got)\n%s", diff)
	}

	failing := newEnv(t, 0, func(c *Config) {
		c.DemoTokens = func() (DemoTokens, error) { return DemoTokens{}, errors.New("open demo-tokens.env: no such file") }
	}).start(HTTPLimits{})
	resp, b = failing.get("/ui/demo-tokens.json", "")
	if resp.StatusCode != 500 || strings.Contains(string(b), "demo-tokens.env") {
		t.Errorf("a failing DemoTokens: %d %s", resp.StatusCode, b)
	}
}
