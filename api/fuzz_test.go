package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// postRoute is an appending route with a role allowed on it and a valid
// body (scenario placeholders expanded at request time).
type postRoute struct {
	name string
	role ledger.Role
	path string
	body string
}

// postRoutes lists every POST route of the API, each with a role allowed
// on it (both roles where two may append), corrections against entries of
// several types.
var postRoutes = []postRoute{
	{"employers", ledger.RoleMinistry, "/v1/employers", `{"legal_name":"Finca X","tax_id":"3-101-999","country":"CRI","sector":"A","region":"CR-A"}`},
	{"suspend", ledger.RoleMinistry, "/v1/employers/{empC}/suspend", `{"reason":"audit"}`},
	{"workers-employer", ledger.RoleEmployer, "/v1/workers", `{"given_names":"Ana","family_names":"Paz","date_of_birth":"1990-01-01","sex":"F","nationality":"NIC","document":{"type":"passport","number":"F1","issuing_country":"NIC"}}`},
	{"workers-border", ledger.RoleBorder, "/v1/workers", `{"given_names":"Eva","family_names":"Paz","date_of_birth":"1990-01-01","sex":"F","nationality":"NIC","document":{"type":"passport","number":"F2","issuing_country":"NIC"}}`},
	{"erase", ledger.RoleMinistry, "/v1/workers/{wkrErase}/erase", `{"reason":"asked"}`},
	{"permits-ministry", ledger.RoleMinistry, "/v1/permits", `{"worker_id":"{wkr}","type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-12-31"}`},
	{"permits-border", ledger.RoleBorder, "/v1/permits", `{"worker_id":"{wkr}","type":"cross_border_card","valid_from":"2026-03-01","valid_to":"2026-08-31"}`},
	{"revoke", ledger.RoleMinistry, "/v1/permits/{prmRevoke}/revoke", `{"reason":"fraud"}`},
	{"crossings", ledger.RoleBorder, "/v1/crossings", `{"worker_id":"{wkr}","direction":"refused","occurred_at":"2026-03-02T08:00:00Z","post":"P1","reason":"no visa","client_ref":"f-1"}`},
	{"batch", ledger.RoleBorder, "/v1/crossings/batch", `{"crossings":[{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T08:00:00Z","client_ref":"fb-1"}]}`},
	{"placements", ledger.RoleEmployer, "/v1/placements", `{"worker_id":"{wkr}","start_date":"2026-03-02","expected_end_date":"2026-09-30","occupation":"9211","sector":"0113","region":"CR-A"}`},
	{"end", ledger.RoleEmployer, "/v1/placements/{plcA}/end", `{"end_date":"2026-03-02","reason":"completed"}`},
	{"correct-employer", ledger.RoleMinistry, "/v1/entries/0/corrections", `{"reason":"typo","changes":{"legal_name":"Finca A S.A.","sector":"A","region":"CR-A"}}`},
	{"correct-worker", ledger.RoleInspector, "/v1/entries/5/corrections", `{"reason":"typo","changes":{"given_names":"Ana","date_of_birth":"1994-07-16","sex":"F","nationality":"NIC"}}`},
	{"correct-permit", ledger.RoleInspector, "/v1/entries/8/corrections", `{"reason":"typo","changes":{"type":"seasonal_work","valid_from":"2026-03-01","valid_to":"2026-09-29"}}`},
	{"correct-crossing", ledger.RoleBorder, "/v1/entries/11/corrections", `{"reason":"typo","changes":{"direction":"entry","occurred_at":"2026-03-01T10:05:00Z","post":"P2"}}`},
	{"correct-placement", ledger.RoleEmployer, "/v1/entries/13/corrections", `{"reason":"typo","changes":{"start_date":"2026-03-01","expected_end_date":"2026-09-29","occupation":"9211"}}`},
	{"correct-beyond", ledger.RoleInspector, "/v1/entries/18446744073709551615/corrections", `{"reason":"typo","changes":{"region":"CR-A"}}`},
}

// oddValues are JSON values that a careless or hostile client may put in
// any field: wrong types, empty, huge, control and bidi characters,
// impossible dates and times, numbers at the edge of what JSON can say.
var oddValues = []string{
	`null`, `""`, `" "`, `0`, `-1`, `1e400`, `true`, `[]`, `{}`, `[null]`, `{"a":{"b":[1]}}`,
	`"\u0000"`, `"\u202etxt"`, `"🦜🦜"`, `"` + strings.Repeat("x", 70_000) + `"`,
	`"0000-00-00"`, `"2026-02-29"`, `"2026-13-01"`, `"9999-12-31"`, `"0001-01-01"`, `"+02026-03-01"`,
	`"2026-03-01T10:00:00+25:00"`, `"9999-12-31T23:59:59.999999999Z"`, `"0001-01-01T00:00:00Z"`, `"2026-03-01 10:00"`,
	`"wkr_"`, `"wkr_00000000000000000000000000"`, `"wkr_7ZZZZZZZZZZZZZZZZZZZZZZZZZ"`, `"emp_01ARZ3NDEKTSV4RRFFQ69G5FAV"`,
	`"XXX"`, `"cri"`, `"CR-"`, `"00000"`,
}

// oddBodies are whole bodies that are valid JSON but not objects, or
// objects with nothing useful.
var oddBodies = []string{`{}`, `null`, `[]`, `0`, `""`, `true`, `[{}]`, `{"":""}`}

// mutations returns route's body with each field (nested ones by path)
// set in turn to each odd value, then the odd bodies.
func (r postRoute) mutations(tb testing.TB) []string {
	tb.Helper()
	var doc any
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		tb.Fatalf("%s: %v", r.name, err)
	}
	var out []string
	var walk func(path []any, v any)
	walk = func(path []any, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(append(slices.Clone(path), k), c)
			}
		case []any:
			for i, c := range v {
				walk(append(slices.Clone(path), i), c)
			}
		}
		if len(path) == 0 {
			return
		}
		for _, odd := range oddValues {
			var copyDoc any
			json.Unmarshal([]byte(r.body), &copyDoc)
			set(copyDoc, path, json.RawMessage(odd))
			b, err := json.Marshal(copyDoc)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	walk(nil, doc)
	slices.Sort(out)
	return append(out, oddBodies...)
}

// set puts v at path in doc.
func set(doc any, path []any, v any) {
	for i, p := range path {
		last := i == len(path)-1
		switch p := p.(type) {
		case string:
			m := doc.(map[string]any)
			if last {
				m[p] = v
				return
			}
			doc = m[p]
		case int:
			s := doc.([]any)
			if last {
				s[p] = v
				return
			}
			doc = s[p]
		}
	}
}

// TestOddBodiesNever5xx sends, over HTTP, every POST route's body with
// each field set to each odd value, and bodies that are JSON but not
// requests: no answer is a 5xx, and every refusal has the error body.
func TestOddBodiesNever5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about 2,900 requests")
	}
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	sent := 0
	for _, r := range postRoutes {
		for _, body := range r.mutations(t) {
			hr, _ := http.NewRequest("POST", e.url+sc.expand(r.path, ""), strings.NewReader(sc.expand(body, "odd")))
			hr.Header.Set("Authorization", "Bearer "+toks[r.role])
			hr.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			sent++
			if resp.StatusCode >= 500 {
				t.Errorf("%s: %d %s\nbody: %.300s", r.name, resp.StatusCode, b.Bytes(), body)
			} else if resp.StatusCode >= 400 {
				errorOf(t, b.Bytes())
				if b.Len() > 1024 {
					t.Errorf("%s: a %d answer of %d bytes echoes the request", r.name, resp.StatusCode, b.Len())
				}
			}
		}
	}
	t.Logf("%d requests", sent)
}

// FuzzPOSTBodies sends fuzzed bodies to every POST route (route picks one
// of postRoutes; {wkr}-style placeholders in body are the scenario's ids)
// through the whole handler stack on a real domain and ledger: no answer
// is a 5xx (a panic would be one: recovery answers 500), and every refusal
// has the error body. Run it with
//
//	go test ./api -run '^$' -fuzz '^FuzzPOSTBodies$' -fuzztime 30s
//
// Its seed corpus (testdata/fuzz/FuzzPOSTBodies) is each route's valid
// body and the odd whole bodies; scripts/gen-fuzz-corpus.sh rewrites it.
func FuzzPOSTBodies(f *testing.F) {
	e := newDomainEnv(f)
	sc := e.seed()
	toks := e.tokens(sc)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := postRoutes[int(route)%len(postRoutes)]
		hr := httptest.NewRequest("POST", sc.expand(r.path, ""), bytes.NewReader([]byte(sc.expand(string(body), "fuzz"))))
		hr.Header.Set("Authorization", "Bearer "+toks[r.role])
		hr.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, hr)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", r.name, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var eb struct {
				Error *errorDetail `json:"error"`
			}
			dec := json.NewDecoder(w.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&eb); err != nil || eb.Error == nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s: %d without an error body (%v)", r.name, w.Code, err)
			}
		}
	})
}

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzPOSTBodies from postRoutes")

// TestFuzzCorpusIsCurrent holds the committed seed corpus of
// FuzzPOSTBodies to postRoutes and oddBodies: one file per route's valid
// body, and one per odd body sent to each route. With -update-corpus
// (scripts/gen-fuzz-corpus.sh) it rewrites them.
func TestFuzzCorpusIsCurrent(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzPOSTBodies")
	want := map[string]string{}
	for i, r := range postRoutes {
		want[r.name] = corpusFile(i, r.body)
		for j, b := range oddBodies {
			want[fmt.Sprintf("%s-odd-%d", r.name, j)] = corpusFile(i, b)
		}
	}
	if *updateCorpus {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range want {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("no seed corpus (run scripts/gen-fuzz-corpus.sh): %v", err)
	}
	got := map[string]bool{}
	for _, f := range files {
		got[f.Name()] = true
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[f.Name()]; !ok || string(b) != w {
			t.Errorf("seed %s is stale (run scripts/gen-fuzz-corpus.sh)", f.Name())
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("seed %s is missing (run scripts/gen-fuzz-corpus.sh)", name)
		}
	}
}

// corpusFile is a seed in the format of go test's fuzzing corpus.
func corpusFile(route int, body string) string {
	return fmt.Sprintf("go test fuzz v1\nbyte(%s)\n[]byte(%s)\n", strconv.QuoteRune(rune(route)), strconv.Quote(body))
}

// TestOddQueriesNever5xx sends every domain GET with odd path ids and odd
// values of each query parameter it declares: no answer is a 5xx.
func TestOddQueriesNever5xx(t *testing.T) {
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	ids := []string{"x", "wkr_", "wkr_00000000000000000000000000", "emp_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "%00", "%E2%80%AE", strings.Repeat("a", 2000), "{empA}", "{wkr}", "{wkrD}"}
	values := []string{"", "%00", "%FF", "-1", "0", "1001", "9999-12-31", "0000-00-00", "2026-02-30", strings.Repeat("z", 5000), "true", "%22%3Cscript%3E"}
	for _, r := range e.srv.routeTable() {
		if r.method != "GET" || r.policy.Public || !strings.Contains(r.path, "/v1/") || strings.Contains(r.path, "/log/") || strings.Contains(r.path, "reports") {
			continue
		}
		role := r.policy.Roles[0]
		var paths []string
		if strings.Contains(r.path, ":id") {
			for _, id := range ids {
				paths = append(paths, strings.Replace(r.path, ":id", sc.expand(id, ""), 1))
			}
		} else {
			paths = append(paths, r.path)
		}
		for _, p := range paths {
			urls := []string{p}
			base, _, _ := strings.Cut(p, "?")
			if slices.Contains(r.query, "purpose") {
				base += "?purpose=odd&"
			} else {
				base += "?"
			}
			for _, q := range r.query {
				for _, v := range values {
					if q == "purpose" {
						urls = append(urls, strings.Replace(base, "purpose=odd&", "", 1)+"purpose="+v)
					} else {
						urls = append(urls, base+q+"="+v)
					}
				}
			}
			for _, u := range urls {
				resp, b := e.get(u, toks[role])
				if resp.StatusCode >= 500 {
					t.Errorf("GET %.120s: %d %s", u, resp.StatusCode, b)
				}
			}
		}
	}
}
