package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/trazo-ledger/trazo/ledger"
)

func loadOpenAPI(tb testing.TB) *openapi3.T {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc)
	if err != nil {
		tb.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaDefaultsValidation()); err != nil {
		tb.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// nonAPIRoutes are the mounted routes that are not part of the JSON API,
// so not in openapi.json: the dashboard's static files (api/ui). They
// must be public GETs.
var nonAPIRoutes = map[string]bool{
	"GET /ui":       true,
	"GET /ui/*file": true,
}

// TestOpenAPIMatchesRoutes checks that openapi.json is a valid OpenAPI 3
// document and that it documents exactly the mounted routes, each with
// the policy (public, or x-trazo-roles) and the query parameters of its
// routes.go entry.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newEnv(t, 0)
	mounted := map[string]route{}
	for _, r := range e.srv.routeTable() {
		mounted[r.method+" "+ginParam.ReplaceAllString(r.path, "{$1}")] = r
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			k := method + " " + path
			documented[k] = true
			r, ok := mounted[k]
			if !ok {
				t.Errorf("%s is documented but not mounted", k)
				continue
			}
			public := op.Security != nil && len(*op.Security) == 0
			if public != r.policy.Public {
				t.Errorf("%s: documented public=%v, routes.go public=%v", k, public, r.policy.Public)
			}
			var roles []string
			if raw, ok := op.Extensions["x-trazo-roles"].([]any); ok {
				for _, v := range raw {
					roles = append(roles, v.(string))
				}
			}
			var want []string
			for _, role := range r.policy.Roles {
				want = append(want, string(role))
			}
			slices.Sort(roles)
			slices.Sort(want)
			if !slices.Equal(roles, want) {
				t.Errorf("%s: documented roles %v, routes.go %v", k, roles, want)
			}
			var query []string
			for _, p := range op.Parameters {
				if p.Value.In == "query" {
					query = append(query, p.Value.Name)
				}
			}
			wantQuery := slices.Clone(r.query)
			slices.Sort(query)
			slices.Sort(wantQuery)
			if !slices.Equal(query, wantQuery) {
				t.Errorf("%s: documented query parameters %v, routes.go %v", k, query, wantQuery)
			}
			if op.Responses.Value("429") == nil {
				t.Errorf("%s: 429 not documented", k)
			}
			if !public && (op.Responses.Value("401") == nil || op.Responses.Value("403") == nil) {
				t.Errorf("%s: 401/403 not documented", k)
			}
		}
	}
	for k, r := range mounted {
		switch {
		case nonAPIRoutes[k] && documented[k]:
			t.Errorf("%s is not part of the JSON API but is documented", k)
		case nonAPIRoutes[k] && (!r.policy.Public || r.method != "GET"):
			t.Errorf("%s is not part of the JSON API but is not a public GET", k)
		case !nonAPIRoutes[k] && !documented[k]:
			t.Errorf("%s is mounted but not documented", k)
		}
	}
	for k := range nonAPIRoutes {
		if _, ok := mounted[k]; !ok {
			t.Errorf("%s is listed as a non-API route but not mounted", k)
		}
	}
	if doc.Components.SecuritySchemes["bearer"] == nil || doc.Components.SecuritySchemes["bearer"].Value.BearerFormat != "JWT" {
		t.Error("no bearer JWT security scheme")
	}
}

// TestServedAnswersMatchOpenAPI sends real requests and validates the
// requests and answers against openapi.json with kin-openapi's filter.
func TestServedAnswersMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, 5).start(HTTPLimits{})
	insp := e.token(ledger.RoleInspector, "MTSS")
	resp, body := e.get("/v1/openapi.json", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, openAPIDoc) {
		t.Fatalf("GET /v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, r := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/readyz"},
		{method: "GET", path: "/v1/log/checkpoint"},
		{method: "GET", path: "/v1/log/checkpoint?size=99"},
		{method: "GET", path: "/v1/log/key"},
		{method: "GET", path: "/v1/log/entries?start=1&limit=2", token: insp},
		{method: "GET", path: "/v1/log/entries?limit=5000", token: insp},
		{method: "GET", path: "/v1/log/entries"},
		{method: "GET", path: "/v1/log/entries", token: e.token(ledger.RoleMinistry, "DGME")},
		{method: "GET", path: "/v1/log/proof/inclusion?index=3", token: insp},
		{method: "GET", path: "/v1/log/proof/inclusion?index=3&size=4", token: insp, header: http.Header{"Accept": {"text/plain"}}},
		{method: "GET", path: "/v1/log/proof/consistency?from=2&to=5"},
		{method: "GET", path: "/v1/log/proof/consistency?from=0"},
		{method: "POST", path: "/v1/employers", token: e.token(ledger.RoleMinistry, "DGME"), ctype: "json", body: `{"legal_name":"x"`},
		{method: "POST", path: "/v1/crossings", token: e.token(ledger.RoleBorder, "P1"), ctype: "text/plain", body: `{}`},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			resp, b := e.do(r)
			checkAnswer(t, router, r, resp, b, false)
		})
	}
}

// checkAnswer validates an answer to r against the document with
// kin-openapi's filter and, when request is set, r itself (its query and
// body) too.
func checkAnswer(t *testing.T, router routers.Router, r req, resp *http.Response, b []byte, request bool) {
	t.Helper()
	// Route with a path-only copy: the router matches paths, and the
	// served host is 127.0.0.1, not the document's server.
	rr, _ := http.NewRequest(r.method, r.path, strings.NewReader(r.body))
	if r.ctype == "json" {
		rr.Header.Set("Content-Type", "application/json")
	}
	route, params, err := router.FindRoute(rr)
	if err != nil {
		t.Fatalf("no documented route: %v", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: !request, ExcludeRequestQueryParams: !request},
	}
	if request {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("request does not match the document: %v\n%s", err, r.body)
		}
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(b)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		t.Errorf("answer %d does not match the document: %v\n%s", resp.StatusCode, err, b)
	}
}

// TestDomainAnswersMatchOpenAPI sends requests to every domain route on a
// seeded domain env, answered with successes and refusals, and validates
// the answers against openapi.json; the requests of successful calls are
// validated too, so that the documented request schemas accept what the
// server accepts.
func TestDomainAnswersMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := newDomainEnv(t).start(HTTPLimits{})
	sc := e.seed()
	toks := e.tokens(sc)
	minis, insp, bord, emp := toks[ledger.RoleMinistry], toks[ledger.RoleInspector], toks[ledger.RoleBorder], toks[ledger.RoleEmployer]
	post := func(tok, path, body string) req {
		return req{method: "POST", path: path, token: tok, ctype: "json", body: body}
	}
	get := func(tok, path string) req { return req{method: "GET", path: path, token: tok} }
	idem := func(r req, key string) req {
		r.header = http.Header{"Idempotency-Key": {key}}
		return r
	}
	statuses := map[string]bool{}
	for _, r := range []req{
		get(minis, "/v1/employers"),
		get(insp, "/v1/employers?limit=1"),
		get(insp, "/v1/employers?cursor=bad"),
		get(emp, "/v1/employers/{empA}"),
		get(minis, "/v1/employers/emp_01ARZ3NDEKTSV4RRFFQ69G5FAV"),
		get(emp, "/v1/employers/{empA}/workers"),
		get(insp, "/v1/employers/{empD}/workers?limit=1"),
		get(emp, "/v1/employers/{empA}/workers?cursor=bad"),
		post(minis, "/v1/employers", `{"legal_name":"Finca Doc","tax_id":"3-101-424242","country":"CRI","sector":"0113","region":"CR-P"}`),
		idem(post(minis, "/v1/employers", `{"legal_name":"Finca Idem","tax_id":"3-101-434343","country":"CRI","sector":"A","region":"CR-P"}`), "doc-1"),
		idem(post(minis, "/v1/employers", `{"legal_name":"Finca Idem","tax_id":"3-101-434343","country":"CRI","sector":"A","region":"CR-P"}`), "doc-1"),
		idem(post(minis, "/v1/employers", `{"legal_name":"Finca Otra","tax_id":"3-101-434343","country":"CRI","sector":"A","region":"CR-P"}`), "doc-1"),
		post(minis, "/v1/employers", `{"legal_name":"Finca Doc","tax_id":"3-101-424242","country":"CRI","sector":"0113","region":"CR-P"}`),
		post(minis, "/v1/employers", `{"legal_name":"Finca Doc","tax_id":"1","country":"CRI","sector":"A","region":"NI-MN"}`),
		post(minis, "/v1/employers", `{"legal_name":"Finca Doc","extra":1}`),
		{method: "POST", path: "/v1/employers", token: minis, ctype: "text/plain", body: `{}`},
		post(minis, "/v1/employers/{empC}/suspend", `{"reason":"audit"}`),
		post(minis, "/v1/employers/{empC}/suspend", `{"reason":"audit"}`),
		post(minis, "/v1/employers/emp_01ARZ3NDEKTSV4RRFFQ69G5FAV/suspend", `{"reason":"audit"}`),

		post(emp, "/v1/workers", `{"given_names":"Rosa","family_names":"Doc","date_of_birth":"2010-05-05","sex":"F","nationality":"NIC","document":{"type":"passport","number":"DOC1","issuing_country":"NIC"}}`),
		post(bord, "/v1/workers", `{"given_names":"Rosa","family_names":"Doc","date_of_birth":"2010-05-05","sex":"F","nationality":"NIC","document":{"type":"passport","number":"DOC1","issuing_country":"NIC"}}`),
		post(bord, "/v1/workers", `{"given_names":"Rosa","family_names":"Doc","date_of_birth":"2030-05-05","sex":"F","nationality":"NIC","document":{"type":"passport","number":"DOC2","issuing_country":"NIC"}}`),
		get(insp, "/v1/workers/{wkr}?purpose=case-9"),
		get(insp, "/v1/workers/{wkr}"),
		get(emp, "/v1/workers/{wkr}"),
		get(bord, "/v1/workers/{wkr}"),
		get(emp, "/v1/workers/{wkrD}"),
		get(insp, "/v1/workers/{wkr}/history?purpose=case-9&proofs=true"),
		get(emp, "/v1/workers/{wkr}/history?proofs=false"),
		get(insp, "/v1/workers/{wkr}/history?purpose=case-9&proofs=1"),
		get(minis, "/v1/workers/{wkr}/access"),
		get(insp, "/v1/workers/{wkr}/access?limit=1"),
		get(minis, "/v1/workers/wkr_01ARZ3NDEKTSV4RRFFQ69G5FAV/access"),

		post(minis, "/v1/permits", `{"worker_id":"{wkr}","type":"seasonal_work","valid_from":"2026-10-01","valid_to":"2027-03-31"}`),
		post(bord, "/v1/permits", `{"worker_id":"{wkr}","type":"cross_border_card","valid_from":"2026-10-01","valid_to":"2026-09-30"}`),
		post(minis, "/v1/permits", `{"worker_id":"wkr_01ARZ3NDEKTSV4RRFFQ69G5FAV","type":"seasonal_work","valid_from":"2026-10-01","valid_to":"2027-03-31"}`),
		post(minis, "/v1/permits/{prmRevoke}/revoke", `{"reason":"fraud"}`),
		post(minis, "/v1/permits/{prmRevoke}/revoke", `{"reason":"fraud"}`),
		post(bord, "/v1/crossings", `{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-02T08:00:00Z","client_ref":"doc-c1"}`),
		post(bord, "/v1/crossings", `{"worker_id":"{wkr}","direction":"entry","occurred_at":"2026-03-02T08:00:00Z","client_ref":"doc-c1"}`),
		post(bord, "/v1/crossings", `{"worker_id":"{wkr}","direction":"refused","occurred_at":"2026-03-02T08:00:00Z"}`),
		post(bord, "/v1/crossings/batch", `{"crossings":[{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T08:10:00Z","client_ref":"doc-b1"},{"worker_id":"{wkr}","direction":"exit","occurred_at":"2026-03-02T08:10:00Z","client_ref":"doc-b1"}]}`),
		post(bord, "/v1/crossings/batch", `{"crossings":[]}`),
		post(emp, "/v1/placements", `{"worker_id":"{wkr}","start_date":"2026-03-02","expected_end_date":"2026-06-30","occupation":"6111","sector":"A","region":"CR-A"}`),
		post(emp, "/v1/placements", `{"worker_id":"{wkr}","start_date":"2025-03-02","expected_end_date":"2026-06-30","occupation":"6111","sector":"A","region":"CR-A"}`),
		post(emp, "/v1/placements/{plcA}/end", `{"end_date":"2026-03-02","reason":"resigned"}`),
		post(emp, "/v1/placements/{plcA}/end", `{"end_date":"2026-03-02","reason":"resigned"}`),
		post(emp, "/v1/placements/{plcD}/end", `{"end_date":"2026-03-02","reason":"resigned"}`),
		post(insp, "/v1/entries/11/corrections", `{"reason":"wrong time","changes":{"occurred_at":"2026-03-01T10:30:00Z"}}`),
		post(insp, "/v1/entries/11/corrections", `{"reason":"wrong field","changes":{"legal_name":"x"}}`),
		post(minis, "/v1/workers/{wkrErase}/erase", `{"reason":"asked"}`),
		post(minis, "/v1/workers/{wkrErase}/erase", `{"reason":"asked"}`),
		get(bord, "/v1/workers/{wkrErase}"),
		get(insp, "/v1/findings"),
		get(insp, "/v1/findings?limit=1"),
		get(emp, "/v1/findings?type=minor_in_placement&from=2026-01-01&to=2026-12-31"),
		get(insp, "/v1/findings?type=nope"),
	} {
		r.path, r.body = sc.expand(r.path, ""), sc.expand(r.body, "")
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			resp, b := e.do(r)
			statuses[strconv.Itoa(resp.StatusCode)] = true
			checkAnswer(t, router, r, resp, b, resp.StatusCode < 300)
		})
	}
	for _, s := range []string{"200", "201", "400", "404", "409", "415", "422"} {
		if !statuses[s] {
			t.Errorf("no answer %s was checked", s)
		}
	}
}
