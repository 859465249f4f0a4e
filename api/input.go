package api

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/trazo-ledger/trazo/ledger"
)

// Limits on request input.
const (
	// maxBodyBytes is the largest request body read (413 beyond).
	maxBodyBytes = 1 << 20
	// maxJSONDepth is the deepest nesting of objects and arrays accepted.
	maxJSONDepth = 32
	// maxFieldEcho is how much of an unknown key an error echoes back.
	maxFieldEcho = 64
)

var (
	errMediaType  = &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json (UTF-8)", ""}
	errBodyTooBig = &apiError{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is larger than %d bytes", maxBodyBytes), ""}
	errBodyRead   = &apiError{http.StatusBadRequest, "invalid_body", "the request body could not be read", ""}
)

// decodeJSON is the one way a handler reads a JSON body into v (a pointer).
// It refuses, as an *apiError ready for writeError: a Content-Type other
// than application/json with an optional charset=utf-8 (415); a body over
// 1 MiB (413); and with 400: an empty body, invalid UTF-8, malformed JSON
// (invalid_json), data after the value (trailing_data), a key given twice
// in one object at any depth (duplicate_key), nesting deeper than 32
// (too_deep), a key that no field of v's type has, compared exactly, not
// case-insensitively as encoding/json does (unknown_field), and a value of
// the wrong JSON type (invalid_type). The field of an error is the path of
// the value at fault, as a.b[3].c.
func decodeJSON(c *gin.Context, v any) error {
	_, err := readJSON(c, v)
	return err
}

// readJSON is decodeJSON that also returns the body's bytes as received.
func readJSON(c *gin.Context, v any) ([]byte, error) {
	if err := checkMediaType(c.GetHeader("Content-Type")); err != nil {
		return nil, err
	}
	if c.Request.ContentLength > maxBodyBytes {
		return nil, errBodyTooBig
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errBodyTooBig
		}
		return nil, errBodyRead
	}
	if err := decodeStrict(data, v); err != nil {
		return nil, err
	}
	return data, nil
}

// checkMediaType accepts application/json with no parameter but an
// optional charset=utf-8.
func checkMediaType(ct string) *apiError {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	for k, val := range params {
		if k != "charset" || !strings.EqualFold(val, "utf-8") {
			return errMediaType
		}
	}
	return nil
}

// strictJSON is how json v2 decodes a request body: an object member no
// field of the target has, compared exactly (never case-insensitively as
// encoding/json does), is an error; so are a name given twice in one
// object and invalid UTF-8 (jsontext's defaults, stated here because the
// API promises them).
var strictJSON = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// decodeStrict decodes data into v (a pointer) with the rules of
// decodeJSON, and returns nil or an *apiError with status 400. The body is
// first read as JSON text alone (checkSyntax), so that a malformed body,
// a duplicate key, nesting too deep or trailing data is reported before
// what the value means; then json v2 decodes it into v, refusing unknown
// fields and values of the wrong type.
func decodeStrict(data []byte, v any) *apiError {
	if len(bytes.TrimSpace(data)) == 0 {
		return &apiError{http.StatusBadRequest, "invalid_json", "the body is empty", ""}
	}
	if !utf8.Valid(data) {
		return &apiError{http.StatusBadRequest, "invalid_json", "the body is not valid UTF-8", ""}
	}
	if err := checkSyntax(data); err != nil {
		return err
	}
	// checkSyntax has refused duplicate names in these very bytes: the
	// decoder need not track names a second time.
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), strictJSON, jsontext.AllowDuplicateNames(true))
	if err := json.UnmarshalDecode(dec, v); err != nil {
		return semanticError(dec, err)
	}
	return nil
}

// checkSyntax reads data token by token with jsontext, which refuses
// malformed JSON and duplicate names, and returns the first error in the
// order of the text: invalid_json, duplicate_key, too_deep, or
// trailing_data after the value. It is hand-written only for the depth:
// jsontext has no option to bound nesting (its own limit is 10,000).
func checkSyntax(data []byte) *apiError {
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), strictJSON)
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return syntaxError(dec, err)
		}
		if k := tok.Kind(); (k == '{' || k == '[') && dec.StackDepth() > maxJSONDepth {
			return &apiError{http.StatusBadRequest, "too_deep", fmt.Sprintf("the body nests deeper than %d levels", maxJSONDepth), fieldPath(dec, dec.StackPointer())}
		}
		if dec.StackDepth() == 0 {
			break
		}
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return &apiError{http.StatusBadRequest, "trailing_data", "the body has data after the JSON value", ""}
	}
	return nil
}

// syntaxError turns an error of jsontext's dec into a 400: duplicate_key
// with the path of the name given twice, or invalid_json.
func syntaxError(dec *jsontext.Decoder, err error) *apiError {
	se, ok := errors.AsType[*jsontext.SyntacticError](err)
	switch {
	case ok && errors.Is(se.Err, jsontext.ErrDuplicateName):
		return &apiError{http.StatusBadRequest, "duplicate_key", "a key appears twice in the same object", fieldPath(dec, se.JSONPointer)}
	case ok && !errors.Is(se.Err, io.ErrUnexpectedEOF):
		return &apiError{http.StatusBadRequest, "invalid_json", fmt.Sprintf("malformed JSON near byte %d", se.ByteOffset), ""}
	}
	return &apiError{http.StatusBadRequest, "invalid_json", "malformed JSON (unexpected end of the body)", ""}
}

// semanticError turns an error of json v2 decoding from dec into a 400:
// unknown_field with its path; invalid_json for a value that a type which
// decodes itself (time.Time, json.RawMessage…) refused; otherwise
// invalid_type, saying which JSON type the field takes.
func semanticError(dec *jsontext.Decoder, err error) *apiError {
	se, ok := errors.AsType[*json.SemanticError](err)
	switch {
	case !ok:
		// The text was checked first, so this is not the client's JSON
		// syntax but a target json v2 cannot decode into.
		return &apiError{http.StatusBadRequest, "invalid_json", "a value has the wrong format", ""}
	case errors.Is(se.Err, json.ErrUnknownName):
		return &apiError{http.StatusBadRequest, "unknown_field", "unknown field", fieldPath(dec, se.JSONPointer)}
	case decodesItself(se.GoType):
		return &apiError{http.StatusBadRequest, "invalid_json", "a value has the wrong format", ""}
	}
	field := fieldPath(dec, se.JSONPointer)
	msg := "a value has the wrong JSON type"
	if field == "" {
		msg = "the body has the wrong JSON type"
	} else if se.GoType != nil {
		msg = "the value must be a JSON " + jsonKind(se.GoType)
	}
	return &apiError{http.StatusBadRequest, "invalid_type", msg, field}
}

// fieldPath renders ptr, a JSON pointer within the value dec is reading,
// as the API's field path: a.b[3].c. A token is an array index or an
// object key according to the kind of dec's stack at its level (the
// pointer alone cannot tell "3" the index from "3" the key); long keys are
// cut by joinPath.
func fieldPath(dec *jsontext.Decoder, ptr jsontext.Pointer) string {
	p, level := "", 0
	for tok := range ptr.Tokens() {
		level++
		if level <= dec.StackDepth() {
			if k, _ := dec.StackIndex(level); k == '[' {
				p += "[" + tok + "]"
				continue
			}
		}
		p = joinPath(p, tok)
	}
	return p
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "value"
}

// joinPath appends an object key to a field path, cutting long keys so
// that an error never echoes much of what the client sent.
func joinPath(path, key string) string {
	if len(key) > maxFieldEcho {
		key = strings.ToValidUTF8(key[:maxFieldEcho], "") + "…"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	jsonUnmarshaler = reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodesItself reports whether t (or a pointer to it) has its own
// UnmarshalJSON or UnmarshalText, as time.Time does: its refusals are of
// the value's format, not of its JSON type.
func decodesItself(t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return false
	}
	pt := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || pt.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || pt.Implements(textUnmarshaler)
}

// queryUint returns the query parameter name as a non-negative integer,
// def when it is absent, and a 400 invalid_query error when it is empty
// or not a decimal integer.
func queryUint(c *gin.Context, name string, def uint64) (uint64, error) {
	q, ok := c.GetQuery(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseUint(q, 10, 64)
	if err != nil {
		return 0, badQuery(name, name+" must be a non-negative integer")
	}
	return n, nil
}

// requiredQueryUint is queryUint for a parameter that must be given.
func requiredQueryUint(c *gin.Context, name string) (uint64, error) {
	if _, ok := c.GetQuery(name); !ok {
		return 0, badQuery(name, name+" is required")
	}
	return queryUint(c, name, 0)
}

// queryLimit returns ?limit= by the domain's rule for every list
// (ledger.ParseLimit; ledger.DefaultLimit when absent), a 400 otherwise.
func queryLimit(c *gin.Context) (int, error) {
	q, ok := c.GetQuery("limit")
	if !ok {
		return ledger.DefaultLimit, nil
	}
	n, err := ledger.ParseLimit(q)
	if err != nil {
		return 0, queryError(err)
	}
	return n, nil
}
