package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// What the dashboard's browser test (ui_browser_test.go) runs on: the
// browser, where its screenshots go, the proxy that tampers with a
// history, and the record of what the page did.

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// browserOrSkip returns the browser to drive, or skips the test when there
// is none, unless TRAZO_REQUIRE_BROWSER=1 (CI), where that is a failure.
func browserOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives a real browser against a real server; skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("TRAZO_REQUIRE_BROWSER") == "1" {
			t.Fatalf("TRAZO_REQUIRE_BROWSER=1 but %s is missing (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: the dashboard's browser test is skipped (apt-get install chromium; TRAZO_REQUIRE_BROWSER=1 makes this a failure)", chromiumPath)
	}
	return chromiumPath
}

// artifactsDir is where the browser test saves its screenshots:
// $TRAZO_ARTIFACTS, or a new directory under the system's temp dir that is
// kept after the test (its path is logged).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TRAZO_ARTIFACTS")
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "trazo-ui-artifacts-")
	} else {
		dir = filepath.Join(dir, "ui")
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// tamperingProxy forwards to the server and, when armed, alters the next
// history answer: one proof hash ("proof") or one leaf byte ("leaf") of
// the entry at position entry.
type tamperingProxy struct {
	mode     atomic.Value // "", "proof" or "leaf"
	entry    int
	tampered atomic.Int64 // the index of the entry altered last, -1 before
}

var historyPath = regexp.MustCompile(`^/v1/workers/[^/]+/history$`)

func (tp *tamperingProxy) handler(t *testing.T, target string) http.Handler {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	tp.mode.Store("")
	tp.tampered.Store(-1)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		mode, _ := tp.mode.Load().(string)
		if mode == "" || resp.StatusCode != 200 || !historyPath.MatchString(resp.Request.URL.Path) {
			return nil
		}
		tp.mode.Store("")
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var h map[string]any
		if err := json.Unmarshal(b, &h); err != nil {
			return err
		}
		e := h["entries"].([]any)[tp.entry].(map[string]any)
		flip := func(s string) string {
			raw, _ := base64.StdEncoding.DecodeString(s)
			raw[len(raw)/2] ^= 0x01
			return base64.StdEncoding.EncodeToString(raw)
		}
		if mode == "proof" {
			proof := e["proof"].([]any)
			proof[0] = flip(proof[0].(string))
		} else {
			e["leaf"] = flip(e["leaf"].(string))
		}
		tp.tampered.Store(int64(e["index"].(float64)))
		if b, err = json.Marshal(h); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	return rp
}

// pageRecord is what the page did: every request it sent, and every
// exception, console error or browser error (a CSP violation) it caused.
type pageRecord struct {
	mu                 sync.Mutex
	requests, problems []string
}

func (p *pageRecord) note(list *[]string, s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*list = append(*list, s)
}

// Requests returns the URLs of the requests sent so far.
func (p *pageRecord) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Problems returns the errors seen so far.
func (p *pageRecord) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// startBrowser starts headless chromium with a fresh profile and no
// background networking, and returns a context of one tab (ending after
// 90 s, or with the test) and the record of what its page does.
func startBrowser(t *testing.T, chromium string) (context.Context, *pageRecord) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-pings", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelA)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", chromium, err)
	}

	// Every request the page sends, every exception and console error.
	page := &pageRecord{}
	go func() {
		for ev, err := range chromedp.Events(ctx, network.RequestWillBeSent) {
			if err != nil {
				return
			}
			page.note(&page.requests, ev.Request.URL)
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			page.note(&page.problems, "exception: "+text)
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ConsoleAPICalled) {
			if err != nil {
				return
			}
			if ev.Type == "error" {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				page.note(&page.problems, "console error: "+strings.Join(args, " "))
			}
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, cdplog.EntryAdded) {
			if err != nil {
				return
			}
			// Refused API calls (the 422 the test provokes) are logged as
			// network errors; anything else, such as a CSP violation, is
			// a problem.
			if e := ev.Entry; e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
				page.note(&page.problems, fmt.Sprintf("log %s: %s", e.Source, e.Text))
			}
		}
	}()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	return ctx, page
}

// checkCharts checks that the page shows n chart canvases, each with
// drawn pixels, and a table with rows behind each.
func checkCharts(t *testing.T, eval func(*testing.T, string, string, any), n int) {
	t.Helper()
	var charts []struct {
		ID     string
		Pixels int
		Rows   int
	}
	eval(t, "charts", `[...document.querySelectorAll('figure.panel')].map((f) => {
		const c = f.querySelector('canvas');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let px = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) px++;
		return { ID: f.id, Pixels: px, Rows: f.querySelectorAll('tbody tr').length };
	})`, &charts)
	if len(charts) != n {
		t.Errorf("%d charts, want %d", len(charts), n)
	}
	for _, c := range charts {
		if c.Pixels < 1000 || c.Rows == 0 {
			t.Errorf("chart %s: %d drawn pixels, %d table rows", c.ID, c.Pixels, c.Rows)
		}
	}
}
