package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// testBody is the request of the test-only route /test/decode.
type testBody struct {
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Document struct {
		Number string `json:"number"`
	} `json:"document"`
	Items []struct {
		X int `json:"x"`
	} `json:"items"`
	Extra map[string]string `json:"extra,omitempty"`
	Any   any               `json:"any,omitempty"`
	When  *time.Time        `json:"when,omitempty"`
	//lint:ignore U1000 never set: the "unexported field" case checks that a JSON key cannot reach it
	hidden string
}

// mountDecodeRoute mounts POST /test/decode (ministry only): it decodes a
// testBody with decodeJSON and, only if that succeeds, appends it to the
// log and answers 201 with the index.
func mountDecodeRoute(e *env) {
	e.srv.mount(route{"POST", "/test/decode", roles(ministry), []string{"dry_run"}, func(s *Server) gin.HandlerFunc {
		return func(c *gin.Context) {
			var body testBody
			if err := decodeJSON(c, &body); err != nil {
				writeError(c, err)
				return
			}
			leaf, _ := json.Marshal(body)
			rc, err := e.log.Append(c.Request.Context(), func(*tlog.Tx, uint64, time.Time) ([]byte, error) { return leaf, nil })
			if err != nil {
				writeError(c, err)
				return
			}
			c.JSON(http.StatusCreated, gin.H{"index": rc.Index})
		}
	}})
}

func TestStrictJSONInput(t *testing.T) {
	e := newEnv(t, 1)
	mountDecodeRoute(e)
	e.start(HTTPLimits{})
	tok := e.token(ledger.RoleMinistry, "DGME")
	size := e.log.Size()
	big := `{"name":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	deep := strings.Repeat(`{"any":`, 40) + "1" + strings.Repeat("}", 40)

	for _, tc := range []struct {
		name, ctype, body string
		status            int
		code, field       string
	}{
		{"no content type", "", `{}`, 415, "unsupported_media_type", ""},
		{"text/plain", "text/plain", `{}`, 415, "unsupported_media_type", ""},
		{"form", "application/x-www-form-urlencoded", `name=x`, 415, "unsupported_media_type", ""},
		{"json with latin1", "application/json; charset=latin1", `{}`, 415, "unsupported_media_type", ""},
		{"json with another parameter", "application/json; foo=bar", `{}`, 415, "unsupported_media_type", ""},
		{"json+something", "application/json-patch+json", `{}`, 415, "unsupported_media_type", ""},
		{"over 1 MiB", "json", big, 413, "body_too_large", ""},
		{"empty body", "json", ``, 400, "invalid_json", ""},
		{"blank body", "json", "  \n", 400, "invalid_json", ""},
		{"malformed", "json", `{"name":}`, 400, "invalid_json", ""},
		{"truncated", "json", `{"name":"x"`, 400, "invalid_json", ""},
		{"not UTF-8", "json", "{\"name\":\"\xff\"}", 400, "invalid_json", ""},
		{"trailing value", "json", `{} {}`, 400, "trailing_data", ""},
		{"trailing garbage", "json", `{}x`, 400, "trailing_data", ""},
		{"trailing comma data", "json", `{},`, 400, "trailing_data", ""},
		{"unknown field", "json", `{"name":"a","nmae":"b"}`, 400, "unknown_field", "nmae"},
		{"unknown nested field", "json", `{"document":{"numbr":"1"}}`, 400, "unknown_field", "document.numbr"},
		{"unknown field in array", "json", `{"items":[{"x":1},{"y":2}]}`, 400, "unknown_field", "items[1].y"},
		{"case variant of a field", "json", `{"NAME":"a"}`, 400, "unknown_field", "NAME"},
		{"unexported field", "json", `{"hidden":"a"}`, 400, "unknown_field", "hidden"},
		{"long unknown key is cut", "json", `{"` + strings.Repeat("k", 100) + `":1}`, 400, "unknown_field", strings.Repeat("k", maxFieldEcho) + "…"},
		{"duplicate key", "json", `{"name":"a","name":"b"}`, 400, "duplicate_key", "name"},
		{"duplicate nested key", "json", `{"document":{"number":"1","number":"2"}}`, 400, "duplicate_key", "document.number"},
		{"duplicate key in a map", "json", `{"extra":{"k":"1","k":"2"}}`, 400, "duplicate_key", "extra.k"},
		{"duplicate key under any", "json", `{"any":[{"a":{"b":1,"b":2}}]}`, 400, "duplicate_key", "any[0].a.b"},
		{"wrong type", "json", `{"count":"7"}`, 400, "invalid_type", "count"},
		{"wrong nested type", "json", `{"document":{"number":7}}`, 400, "invalid_type", "document.number"},
		{"array body", "json", `[]`, 400, "invalid_type", ""},
		{"string body", "json", `"x"`, 400, "invalid_type", ""},
		{"bad time", "json", `{"when":"yesterday"}`, 400, "invalid_json", ""},
		{"too deep", "json", deep, 400, "too_deep", "-"},
		{"too deep at a path", "json", `{"items":[{"x":1}],"any":` + strings.Repeat(`[`, 32) + strings.Repeat(`]`, 32) + `}`, 400, "too_deep", "any" + strings.Repeat("[0]", 31)},
		{"not an integer", "json", `{"count":1.5}`, 400, "invalid_type", "count"},
		{"wrong type in an array", "json", `{"items":[{"x":1},{"x":"2"}]}`, 400, "invalid_type", "items[1].x"},
		{"wrong type in a map", "json", `{"extra":{"k":5}}`, 400, "invalid_type", "extra.k"},
		{"wrong type under any", "json", `{"any":{"a":[0,1e400]}}`, 400, "invalid_type", "any.a[1]"},
		{"time not a string", "json", `{"when":5}`, 400, "invalid_json", ""},
		{"duplicate numeric key in a map", "json", `{"extra":{"1":"a","1":"b"}}`, 400, "duplicate_key", "extra.1"},
		// The text is checked before the meaning; then the first fault
		// in the body's order is reported.
		{"wrong type, then trailing data", "json", `{"count":"7"} x`, 400, "trailing_data", ""},
		{"wrong type, then malformed", "json", `{"count":"7","name":}`, 400, "invalid_json", ""},
		{"unknown field, then duplicate key", "json", `{"nmae":1,"name":"a","name":"b"}`, 400, "duplicate_key", "name"},
		{"wrong type, then unknown field", "json", `{"count":"7","nmae":1}`, 400, "invalid_type", "count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.do(req{method: "POST", path: "/test/decode", token: tok, ctype: tc.ctype, body: tc.body})
			wantError(t, resp, b, tc.status, tc.code, tc.field)
			if strings.Contains(string(b), "json: ") || strings.Contains(string(b), "encoding/") {
				t.Errorf("body leaks encoding/json text: %s", b)
			}
		})
	}
	if got := e.log.Size(); got != size {
		t.Fatalf("refused requests appended: log size %d, want %d", got, size)
	}

	t.Run("chunked body over 1 MiB", func(t *testing.T) {
		hr, _ := http.NewRequest("POST", e.url+"/test/decode", struct{ *strings.Reader }{strings.NewReader(big)})
		hr.Header.Set("Authorization", "Bearer "+tok)
		hr.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
	t.Run("a good body appends", func(t *testing.T) {
		resp, b := e.do(req{method: "POST", path: "/test/decode", token: tok, ctype: "application/json; charset=UTF-8",
			body: `{"name":"a","document":{"number":"1"},"items":[{"x":1}],"extra":{"k":"v"},"any":{"a":[1,{"b":2}]}}` + "\n"})
		if resp.StatusCode != 201 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		if got := e.log.Size(); got != size+1 {
			t.Fatalf("log size %d, want %d", got, size+1)
		}
	})
	t.Run("input is checked after auth", func(t *testing.T) {
		resp, b := e.do(req{method: "POST", path: "/test/decode", ctype: "text/plain", body: "x"})
		wantError(t, resp, b, 401, auth.CodeTokenMissing, "")
		resp, b = e.do(req{method: "POST", path: "/test/decode", token: e.token(ledger.RoleBorder, "P1"), ctype: "text/plain", body: "x"})
		wantError(t, resp, b, 403, "forbidden", "")
	})
	t.Run("POST placeholders check the body before 501", func(t *testing.T) {
		resp, b := e.do(req{method: "POST", path: "/v1/employers", token: tok, ctype: "text/plain", body: "{}"})
		wantError(t, resp, b, 415, "unsupported_media_type", "")
		resp, b = e.do(req{method: "POST", path: "/v1/employers", token: tok, ctype: "json", body: `{"a":1,"a":2}`})
		wantError(t, resp, b, 400, "duplicate_key", "a")
		resp, b = e.do(req{method: "POST", path: "/v1/employers", token: tok, ctype: "json", body: `{"legal_name":"x"}`})
		wantError(t, resp, b, 501, "not_implemented", "")
	})
	t.Run("Idempotency-Key", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			values []string
		}{
			{"empty", []string{""}},
			{"too long", []string{strings.Repeat("k", 129)}},
			{"control character", []string{"a\tb"}},
			{"non-ASCII", []string{"clé"}},
			{"twice", []string{"a", "b"}},
		} {
			resp, b := e.do(req{method: "POST", path: "/test/decode", token: tok, ctype: "json", body: `{}`, header: http.Header{"Idempotency-Key": tc.values}})
			wantError(t, resp, b, 400, "invalid_header", "Idempotency-Key")
		}
		resp, b := e.do(req{method: "POST", path: "/test/decode", token: tok, ctype: "json", body: `{}`,
			header: http.Header{"Idempotency-Key": {strings.Repeat("k", 64) + " " + strings.Repeat("k", 63)}}})
		if resp.StatusCode != 201 {
			t.Errorf("128 printable characters: %d %s", resp.StatusCode, b)
		}
	})
	if got := e.log.Size(); got != size+2 {
		t.Fatalf("log size %d, want %d", got, size+2)
	}
}

func TestStrictQuery(t *testing.T) {
	e := newEnv(t, 3).start(HTTPLimits{})
	tok := e.token(ledger.RoleInspector, "MTSS")
	for _, tc := range []struct {
		path, field string
	}{
		{"/v1/log/entries?stat=1", "stat"},
		{"/v1/log/entries?start=1&start=2", "start"},
		{"/v1/log/entries?start=-1", "start"},
		{"/v1/log/entries?start=", "start"},
		{"/v1/log/entries?start=1e3", "start"},
		{"/v1/log/entries?start=18446744073709551616", "start"},
		{"/v1/log/entries?limit=0", "limit"},
		{"/v1/log/entries?limit=1001", "limit"},
		{"/v1/log/entries?limit=ten", "limit"},
		{"/v1/log/entries?start=%zz", ""},
		{"/v1/log/entries?start=1;limit=2", ""},
		{"/v1/log/proof/inclusion", "index"},
		{"/v1/log/proof/inclusion?index=0&size=x", "size"},
		{"/v1/log/proof/consistency", "from"},
		{"/v1/log/proof/consistency?from=3&to=1", "from"},
		{"/v1/log/checkpoint?size=x", "size"},
		{"/v1/log/checkpoint?sise=1", "sise"},
		{"/healthz?x=1", "x"},
		{"/v1/employers?limit=1&filter=x", "filter"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, b := e.get(tc.path, tok)
			wantError(t, resp, b, 400, "invalid_query", tc.field)
		})
	}
}

// FuzzDecodeJSON checks the strict decoder against encoding/json: it never
// panics; whatever it accepts is valid UTF-8 JSON that encoding/json
// decodes (with unknown fields refused) to the same value, once its
// strings are written without needless escapes where encoding/json's
// time.Time would not unescape them; and every refusal is a 400 with a
// known code.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"name":"a","count":1}`, `{"document":{"number":"x"}}`, `{"items":[{"x":1},{"x":2}]}`,
		`{"extra":{"a":"b"}}`, `{"any":{"a":[1,2,{"b":null}]}}`, `{"name":"a","name":"b"}`, `{"NAME":"a"}`,
		`{} {}`, `[]`, `{"count":1e400}`, `{"when":"2026-01-02T03:04:05Z"}`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	codes := map[string]bool{"invalid_json": true, "trailing_data": true, "duplicate_key": true,
		"unknown_field": true, "too_deep": true, "invalid_type": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got testBody
		err := decodeStrict(data, &got)
		if err != nil {
			if err.status != http.StatusBadRequest || !codes[err.code] {
				t.Fatalf("refusal %d %q", err.status, err.code)
			}
			if len(err.field) > 4*len(data)+8 {
				t.Fatalf("field %q longer than the input", err.field)
			}
			return
		}
		if !utf8.Valid(data) || !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var want testBody
		if err := decodeV1(data, &want); err != nil {
			// encoding/json hands time.Time.UnmarshalJSON the string
			// as written, escapes and all (go.dev/issue/47353); json
			// v2 unescapes it first. Such a body must decode the same
			// once its strings are written plainly.
			plain := jsontext.Value(slices.Clone(data))
			if _, ok := errors.AsType[*time.ParseError](err); !ok || plain.Format() != nil || bytes.Equal(plain, data) {
				t.Fatalf("accepted %q that encoding/json refuses: %v", data, err)
			}
			want = testBody{}
			if err := decodeV1(plain, &want); err != nil {
				t.Fatalf("accepted %q that encoding/json refuses, even as %s: %v", data, plain, err)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %+v, encoding/json %+v", got, want)
		}
	})
}

// decodeV1 decodes data into v as encoding/json does, refusing unknown
// fields.
func decodeV1(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
