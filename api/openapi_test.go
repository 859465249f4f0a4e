package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/trazo-ledger/trazo/auth"
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
	for k := range mounted {
		if !documented[k] {
			t.Errorf("%s is mounted but not documented", k)
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
	insp := e.token(auth.RoleInspector, "MTSS")
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
		{method: "GET", path: "/v1/log/entries", token: e.token(auth.RoleMinistry, "DGME")},
		{method: "GET", path: "/v1/log/proof/inclusion?index=3", token: insp},
		{method: "GET", path: "/v1/log/proof/inclusion?index=3&size=4", token: insp, header: http.Header{"Accept": {"text/plain"}}},
		{method: "GET", path: "/v1/log/proof/consistency?from=2&to=5"},
		{method: "GET", path: "/v1/log/proof/consistency?from=0"},
		{method: "POST", path: "/v1/employers", token: e.token(auth.RoleMinistry, "DGME"), ctype: "json", body: `{"legal_name":"x"`},
		{method: "POST", path: "/v1/crossings", token: e.token(auth.RoleBorder, "P1"), ctype: "text/plain", body: `{}`},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			hr, _ := http.NewRequest(r.method, e.url+r.path, strings.NewReader(r.body))
			for k, v := range r.header {
				hr.Header[k] = v
			}
			if r.token != "" {
				hr.Header.Set("Authorization", "Bearer "+r.token)
			}
			if r.ctype == "json" {
				hr.Header.Set("Content-Type", "application/json")
			} else if r.ctype != "" {
				hr.Header.Set("Content-Type", r.ctype)
			}
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// Route with a path-only copy: the router matches paths, and the
			// served host is 127.0.0.1, not the document's server.
			rr, _ := http.NewRequest(r.method, r.path, nil)
			route, params, err := router.FindRoute(rr)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{
				Request: rr, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true, ExcludeRequestQueryParams: true},
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
		})
	}
}
