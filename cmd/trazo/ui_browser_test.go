package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

// TestDashboardInBrowser drives the dashboard (GET /ui) in headless
// Chromium against "trazo serve --demo" (a real process on real Badger),
// through a proxy that can tamper with a history answer: each demo token
// signs in; the ministry's charts render with data, in Spanish and in
// English, and on a phone-sized screen; the inspector's history shows
// every entry verified in the browser, then a tampered proof and a
// tampered leaf each show as failed; the employer's placement refused
// with 422 shows the error next to its field. No request leaves the
// server's origin, and no script error or CSP violation occurs.
func TestDashboardInBrowser(t *testing.T) {
	chromium := browserOrSkip(t)
	shots := artifactsDir(t)
	dir := filepath.Join(t.TempDir(), "data")
	srv := startTrazo(t, dir, "--demo")
	demo, err := readEnvFile(filepath.Join(dir, demoTokensFile))
	if err != nil {
		t.Fatal(err)
	}
	tp := &tamperingProxy{entry: 1}
	proxy := httptest.NewServer(tp.handler(t, srv.url))
	defer proxy.Close()
	origin := proxy.URL

	ctx, page := startBrowser(t, chromium)

	run := func(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			b, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), b, 0o644)
		})
	}
	elemShot := func(sel, name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			b, err := chromedp.Screenshot(chromedp.CSS(sel))(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), b, 0o644)
		})
	}
	js := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](expr)(ctx, tg)
			return err
		})
	}
	eval := func(t *testing.T, what, expr string, out any) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := json.Unmarshal(v, out); err != nil {
			t.Fatalf("%s: %v (%s)", what, err, v)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	setLang := func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.SetValue(css(`#lang`), lang), js(`document.querySelector('#lang').dispatchEvent(new Event('change'))`))
	}
	signIn := func(t *testing.T, role string) {
		t.Helper()
		run(t, "sign in as "+role,
			chromedp.WaitVisible(css(`button.demo-token[data-role="`+role+`"]`)),
			chromedp.Click(css(`button.demo-token[data-role="`+role+`"]`)),
			chromedp.WaitVisible(css(`#signout`)),
		)
		var who string
		eval(t, "who", `document.querySelector('#who').dataset.role + ' ' + document.querySelector('#who').textContent`, &who)
		if !strings.HasPrefix(who, role+" ") {
			t.Errorf("signed in as %s, the page shows %q", role, who)
		}
	}
	signOut := func(t *testing.T) {
		t.Helper()
		run(t, "sign out", chromedp.Click(css(`#signout`)), chromedp.WaitVisible(css(`#signin`)))
	}

	// onPhone shows the page on a 390 px wide phone screen: a
	// screenshot, no horizontal overflow, then check, then back to the
	// desktop size.
	onPhone := func(t *testing.T, name string, check func()) {
		t.Helper()
		run(t, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Sleep(300*time.Millisecond), shot(name))
		var overflow int
		eval(t, "overflow", `document.documentElement.scrollWidth - window.innerWidth`, &overflow)
		if overflow > 1 {
			t.Errorf("on a 390 px wide screen the page is %d px too wide", overflow)
		}
		check()
		run(t, "desktop", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
			return err
		}))
	}

	run(t, "open the dashboard",
		chromedp.Navigate(origin+"/ui"),
		chromedp.WaitReady(css(`body[data-ready]`)),
		setLang("es"),
		shot("01-signin"),
	)
	var demoButtons int
	eval(t, "demo buttons", `document.querySelectorAll('button.demo-token').length`, &demoButtons)
	if demoButtons != 4 {
		t.Errorf("%d demo tokens offered, want one per role (4)", demoButtons)
	}

	t.Run("verify.js", func(t *testing.T) {
		// The page's proof check against transparency-dev/merkle's, on
		// every index of trees of 1 to 17 leaves (a wrong index must
		// fail), and the checkpoint check on the server's checkpoint,
		// as served and with its root changed.
		type incl struct {
			Index, Size uint64
			Leaf        []byte
			Proof       [][]byte
			Root        []byte
		}
		var cases []incl
		tree := testonly.New(rfc6962.DefaultHasher)
		for size := uint64(1); size <= 17; size++ {
			tree.AppendData([]byte(fmt.Sprintf("leaf %d", size-1)))
			for i := range size {
				proof, err := tree.InclusionProof(i, size)
				if err != nil {
					t.Fatal(err)
				}
				cases = append(cases, incl{i, size, []byte(fmt.Sprintf("leaf %d", i)), proof, tree.HashAt(size)})
			}
		}
		in, err := json.Marshal(cases)
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Good, Bad, Total  int
			CheckpointOK      string
			CheckpointChanged string
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`import('/ui/verify.js').then(async (m) => {
			const cases = `+string(in)+`;
			const b = m.b64decode;
			let good = 0, bad = 0;
			for (const c of cases) {
				const proof = c.Proof.map(b);
				if (await m.verifyInclusion(b(c.Leaf), c.Index, c.Size, proof, b(c.Root))) good++;
				if (c.Size > 1 && await m.verifyInclusion(b(c.Leaf), (c.Index + 1) % c.Size, c.Size, proof, b(c.Root))) bad++;
			}
			const key = await m.parseVerifierKey(await (await fetch('/v1/log/key')).text());
			const note = await (await fetch('/v1/log/checkpoint')).text();
			const check = async (n) => { try { return await m.verifyCheckpoint(m.parseCheckpoint(n), key); } catch (e) { return 'refused: ' + e.message; } };
			const lines = note.split('\n');
			lines[2] = lines[2].startsWith('A') ? 'B' + lines[2].slice(1) : 'A' + lines[2].slice(1);
			return { Good: good, Bad: bad, Total: cases.length, CheckpointOK: await check(note), CheckpointChanged: await check(lines.join('\n')) };
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(v, &res); err != nil {
			t.Fatal(err)
		}
		if res.Good != res.Total || res.Bad != 0 || res.Total != 153 {
			t.Errorf("verify.js: %d of %d proofs verified, %d wrong indexes accepted", res.Good, res.Total, res.Bad)
		}
		if res.CheckpointOK != "browser" || res.CheckpointChanged != "refused: bad signature" {
			t.Errorf("checkpoint as served: %q; with its root changed: %q", res.CheckpointOK, res.CheckpointChanged)
		}
	})

	t.Run("i18n", func(t *testing.T) {
		missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`import('/ui/i18n.js').then((m) => m.missingKeys())`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) != 0 {
			t.Errorf("strings missing from a language: %v", missing)
		}
	})

	t.Run("ministry", func(t *testing.T) {
		signIn(t, "ministry")
		run(t, "charts", chromedp.WaitReady(css(`#view[data-loaded="true"]`)), shot("02-ministry-es"))
		checkCharts(t, eval, 6)
		var suppressed int
		eval(t, "suppressed cells", `document.querySelectorAll('td.suppressed').length`, &suppressed)
		if suppressed == 0 {
			t.Error("no suppressed cell is marked (the demo's monthly report has some)")
		}
		run(t, "english", setLang("en"), chromedp.WaitReady(css(`#view[data-loaded="true"]`)))
		var lang, title string
		eval(t, "lang", `document.documentElement.lang`, &lang)
		eval(t, "title", `document.querySelector('#view h2').textContent`, &title)
		if lang != "en" || title != "Circular labour mobility" {
			t.Errorf("after switching to English: lang %q, heading %q", lang, title)
		}
		checkCharts(t, eval, 6)
		run(t, "screenshot", shot("03-ministry-en"))
		onPhone(t, "04-ministry-phone", func() {
			checkCharts(t, eval, 6)
			run(t, "csv", chromedp.Click(css(`#panel-sex button.secondary`)))
			csvAsked := func() bool {
				return slices.ContainsFunc(page.Requests(), func(r string) bool {
					return strings.Contains(r, "/v1/reports/circular?") && strings.Contains(r, "group_by=sex") && strings.Contains(r, "format=csv")
				})
			}
			for deadline := time.Now().Add(5 * time.Second); !csvAsked() && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			if !csvAsked() {
				t.Error("Download CSV did not ask the server for its CSV")
			}
		})
		signOut(t)
	})

	t.Run("inspector", func(t *testing.T) {
		// Signed in by pasting the token; something that is not a JWT is
		// refused next to the field first.
		run(t, "paste a token",
			chromedp.SetValue(css(`#token`), "not-a-token"),
			chromedp.Click(css(`#signin-form button[type="submit"]`)),
			chromedp.WaitVisible(css(`#token[aria-invalid="true"]`)),
			chromedp.SetValue(css(`#token`), demo["TRAZO_TOKEN_INSPECTOR"]),
			chromedp.Click(css(`#signin-form button[type="submit"]`)),
			chromedp.WaitVisible(css(`#signout`)),
		)
		worker := demo[envDemoOverstay]
		read := func(purpose string) (ok, total int, sig string, failed []int) {
			t.Helper()
			run(t, "read history",
				chromedp.WaitVisible(css(`#i-worker`)),
				chromedp.SetValue(css(`#i-worker`), worker),
				js(`document.querySelector('#i-purpose').value = ''`),
				chromedp.Focus(css(`#i-purpose`)),
				chromedp.SendKeys(css(`#i-purpose`), purpose+"\r"), // submitted from the keyboard
				chromedp.WaitVisible(css(`#verify-summary`)),
			)
			var res struct {
				OK, Total int
				Sig       string
				Failed    []int
			}
			eval(t, "verification", `(() => { const s = document.querySelector('#verify-summary').dataset;
				return { OK: +s.ok, Total: +s.total, Sig: s.sig,
					Failed: [...document.querySelectorAll('li.entry[data-verified="false"]')].map((li) => +li.dataset.index) }; })()`, &res)
			return res.OK, res.Total, res.Sig, res.Failed
		}
		ok, total, sig, failed := read("case-ui-001")
		if total < 5 || ok != total || len(failed) != 0 {
			t.Errorf("untouched history: %d of %d entries verified (failed %v)", ok, total, failed)
		}
		if sig != "browser" {
			t.Errorf("checkpoint signature checked by %q, want the browser (Chromium has Ed25519 in WebCrypto)", sig)
		}
		var findings int
		eval(t, "findings", `document.querySelectorAll('#findings li').length`, &findings)
		if findings == 0 {
			t.Error("the overstaying worker's findings are not listed")
		}
		run(t, "screenshot", shot("05-inspector-verified"))
		onPhone(t, "05-inspector-phone", func() {})

		for _, mode := range []string{"proof", "leaf"} {
			tp.mode.Store(mode)
			ok, total, _, failed = read("case-ui-tampered-" + mode)
			want := int(tp.tampered.Load())
			if len(failed) != 1 || failed[0] != want || ok != total-1 {
				t.Errorf("tampered %s of entry %d: %d of %d verified, failed %v", mode, want, ok, total, failed)
			}
			run(t, "screenshot", shot("06-inspector-tampered-"+mode))
		}
		signOut(t)
	})

	t.Run("employer", func(t *testing.T) {
		signIn(t, "employer")
		run(t, "my workers", chromedp.WaitVisible(css(`#my-workers-table tbody tr`)), shot("07-employer"))
		onPhone(t, "07-employer-phone", func() {})
		var worker string
		eval(t, "a worker", `document.querySelector('#my-workers-table tbody tr').dataset.worker`, &worker)
		// No permit is valid on 2020-01-06: the API answers 422
		// no_valid_permit for start_date, shown next to that field.
		run(t, "start a placement",
			chromedp.SetValue(css(`#s-worker`), worker),
			chromedp.SetValue(css(`#s-start`), "2020-01-06"),
			chromedp.SetValue(css(`#s-end`), "2020-03-31"),
			chromedp.SetValue(css(`#s-region`), "CR-A"),
			chromedp.Click(css(`#start-form button[type="submit"]`)),
			chromedp.WaitVisible(css(`#s-start-error[data-code]`)),
			shot("08-employer-422"),
			elemShot(`#start-form`, "09-employer-422-field"),
		)
		var res struct {
			Code, Text, Invalid, Focused string
		}
		eval(t, "the error", `(() => { const e = document.querySelector('#s-start-error');
			return { Code: e.dataset.code, Text: e.textContent, Invalid: document.querySelector('#s-start').getAttribute('aria-invalid'),
				Focused: document.activeElement.id }; })()`, &res)
		if res.Code != "no_valid_permit" || !strings.Contains(res.Text, "2020-01-06") || res.Invalid != "true" || res.Focused != "s-start" {
			t.Errorf("the 422 is not shown next to start_date: %+v", res)
		}
		// In Spanish, the refusal is told by its code.
		run(t, "again in Spanish", setLang("es"),
			chromedp.Click(css(`#start-form button[type="submit"]`)),
			chromedp.WaitVisible(css(`#s-start-error[data-code]`)))
		var es string
		eval(t, "the error in Spanish", `document.querySelector('#s-start-error').textContent`, &es)
		if es != "El trabajador no tiene un permiso vigente en esa fecha." {
			t.Errorf("the 422 in Spanish: %q", es)
		}
		run(t, "back to English", setLang("en"))

		// With a permit valid today (issued by the ministry through the
		// API), the placement starts, and then ends.
		today := time.Now().UTC()
		body := fmt.Sprintf(`{"worker_id":%q,"type":"seasonal_work","valid_from":%q,"valid_to":%q}`,
			worker, today.Format(time.DateOnly), today.AddDate(0, 3, 0).Format(time.DateOnly))
		req, _ := http.NewRequest("POST", srv.url+"/v1/permits", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demo["TRAZO_TOKEN_MINISTRY"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("issue a permit: %d", resp.StatusCode)
		}
		run(t, "start a placement",
			chromedp.SetValue(css(`#s-worker`), worker),
			chromedp.SetValue(css(`#s-start`), today.Format(time.DateOnly)),
			chromedp.SetValue(css(`#s-end`), today.AddDate(0, 2, 0).Format(time.DateOnly)),
			chromedp.SetValue(css(`#s-region`), "CR-A"),
			chromedp.Click(css(`#start-form button[type="submit"]`)),
			chromedp.WaitVisible(css(`#employer-status.ok`)),
		)
		var started string
		eval(t, "started", `document.querySelector('#employer-status').textContent`, &started)
		placement := regexp.MustCompile(`plc_[0-9A-Z]+`).FindString(started)
		if placement == "" {
			t.Fatalf("no placement id in %q", started)
		}
		run(t, "end it",
			chromedp.Click(css(`button[data-end="`+placement+`"]`)),
			chromedp.WaitVisible(css(`form.end-form[data-placement="`+placement+`"]`)),
			chromedp.Click(css(`form.end-form[data-placement="`+placement+`"] button[type="submit"]`)),
			chromedp.WaitNotPresent(css(`form.end-form[data-placement="`+placement+`"]`)),
			shot("10-employer-ended"),
		)
		var ended string
		eval(t, "ended", `document.querySelector('#employer-status').textContent`, &ended)
		if !strings.Contains(ended, "ended") {
			t.Errorf("after ending %s the page says %q", placement, ended)
		}
		signOut(t)
	})

	t.Run("border", func(t *testing.T) {
		run(t, "sign in from the keyboard",
			chromedp.Focus(css(`button.demo-token[data-role="border"]`)),
			chromedp.SendKeys(css(`button.demo-token[data-role="border"]`), "\r"),
			chromedp.WaitVisible(css(`#signout`)),
		)
		var note string
		eval(t, "note", `document.querySelector('#view').textContent`, &note)
		if note == "" {
			t.Error("a border token sees nothing")
		}
		signOut(t)
	})

	requests := page.Requests()
	if len(requests) == 0 {
		t.Fatal("no network request was recorded")
	}
	for _, r := range requests {
		if !strings.HasPrefix(r, origin+"/") && !strings.HasPrefix(r, "data:") && !strings.HasPrefix(r, "blob:"+origin+"/") {
			t.Errorf("a request left the server's origin %s: %s", origin, r)
		}
	}
	for _, p := range page.Problems() {
		t.Errorf("in the page: %s", p)
	}
	t.Logf("%d requests, all to %s", len(requests), origin)
}

// TestDashboardWithoutDemo checks that a server started without --demo
// serves the dashboard but not the demo tokens.
func TestDashboardWithoutDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real server process; skipped with -short")
	}
	srv := startTrazo(t, filepath.Join(t.TempDir(), "data"))
	for path, want := range map[string]int{"/ui": 200, "/ui/demo-tokens.json": 404} {
		resp, err := http.Get(srv.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
