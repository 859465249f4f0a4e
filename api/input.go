package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"
)

// Limits on request input.
const (
	// maxBodyBytes is the largest request body read (413 beyond).
	maxBodyBytes = 1 << 20
	// maxJSONDepth is the deepest nesting of objects and arrays accepted.
	maxJSONDepth = 32
	// maxFieldEcho is how much of an unknown key an error echoes back.
	maxFieldEcho = 64
	// defaultLimit and maxLimit bound the ?limit= of every list.
	defaultLimit = 100
	maxLimit     = 1000
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
// in one object at any depth (duplicate_key), a key that no field of v's
// type has, compared exactly, not case-insensitively as encoding/json does
// (unknown_field, with its path in field), nesting deeper than 32
// (too_deep), and a value of the wrong JSON type (invalid_type).
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

// decodeStrict decodes data into v (a pointer) with the rules of
// decodeJSON, and returns nil or an *apiError with status 400.
func decodeStrict(data []byte, v any) *apiError {
	if len(bytes.TrimSpace(data)) == 0 {
		return &apiError{http.StatusBadRequest, "invalid_json", "the body is empty", ""}
	}
	if !utf8.Valid(data) {
		return &apiError{http.StatusBadRequest, "invalid_json", "the body is not valid UTF-8", ""}
	}
	// jsontext reads tokens without allocating; duplicate names are
	// checked by the walker, which knows the field path to report.
	w := walker{dec: jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true))}
	var t reflect.Type
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		t = rv.Type().Elem()
	}
	if err := w.value(t, 0); err != nil {
		return err
	}
	if _, err := w.dec.ReadToken(); err != io.EOF {
		return &apiError{http.StatusBadRequest, "trailing_data", "the body has data after the JSON value", ""}
	}
	// Every key now names a field exactly, so encoding/json's
	// case-insensitive matching cannot pick a different one.
	if err := json.Unmarshal(data, v); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			msg := "a value has the wrong JSON type"
			if te.Field == "" {
				msg = "the body has the wrong JSON type"
			} else if te.Type != nil {
				msg = "the value must be a JSON " + jsonKind(te.Type)
			}
			return &apiError{http.StatusBadRequest, "invalid_type", msg, te.Field}
		}
		return &apiError{http.StatusBadRequest, "invalid_json", "a value has the wrong format", ""}
	}
	return nil
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

// walker reads a JSON value token by token, alongside the Go type it will
// be decoded into, refusing syntax errors, duplicate keys, unknown fields
// and deep nesting. A nil type means "anything": only syntax, duplicates
// and depth are checked. The field path of an error (a.b[3].c) is built
// only when there is an error.
type walker struct {
	dec  *jsontext.Decoder
	path []pathStep
}

// pathStep is one step of a field path: an object key, or an array index
// when key is empty and index ≥ 0.
type pathStep struct {
	key   string
	index int
}

// fieldPath renders the path of the value being read.
func (w *walker) fieldPath() string {
	p := ""
	for _, s := range w.path {
		if s.index >= 0 {
			p += "[" + strconv.Itoa(s.index) + "]"
		} else {
			p = joinPath(p, s.key)
		}
	}
	return p
}

func (w *walker) value(t reflect.Type, depth int) *apiError {
	tok, err := w.dec.ReadToken()
	if err != nil {
		return syntaxError(err)
	}
	kind := tok.Kind()
	if kind != '{' && kind != '[' {
		return nil // a scalar
	}
	if depth >= maxJSONDepth {
		return &apiError{http.StatusBadRequest, "too_deep", fmt.Sprintf("the body nests deeper than %d levels", maxJSONDepth), w.fieldPath()}
	}
	t = indirect(t)
	if kind == '{' {
		return w.object(t, depth)
	}
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for i := 0; w.dec.PeekKind() != ']'; i++ {
		w.path = append(w.path, pathStep{index: i})
		if err := w.value(elem, depth+1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	if _, err := w.dec.ReadToken(); err != nil { // ']'
		return syntaxError(err)
	}
	return nil
}

// smallObject is the number of keys up to which an object's keys are
// checked for duplicates by a linear search rather than a map.
const smallObject = 16

func (w *walker) object(t reflect.Type, depth int) *apiError {
	var fields map[string]reflect.Type
	var elem reflect.Type
	checkFields := false
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields, checkFields = structFields(t), true
		case reflect.Map:
			elem = t.Elem()
		}
	}
	var keys []string // the first smallObject keys
	var seen map[string]struct{}
	for w.dec.PeekKind() != '}' {
		tok, err := w.dec.ReadToken()
		if err != nil {
			return syntaxError(err)
		}
		key := tok.String() // jsontext guarantees a string here
		w.path = append(w.path, pathStep{key: key, index: -1})
		dup := false
		if seen == nil {
			dup = slices.Contains(keys, key)
			if keys = append(keys, key); len(keys) > smallObject {
				seen = make(map[string]struct{}, 2*smallObject)
				for _, k := range keys {
					seen[k] = struct{}{}
				}
			}
		} else {
			_, dup = seen[key]
			seen[key] = struct{}{}
		}
		if dup {
			return &apiError{http.StatusBadRequest, "duplicate_key", "a key appears twice in the same object", w.fieldPath()}
		}
		vt := elem
		if checkFields {
			ft, known := fields[key]
			if !known {
				return &apiError{http.StatusBadRequest, "unknown_field", "unknown field", w.fieldPath()}
			}
			vt = ft
		}
		if err := w.value(vt, depth+1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	if _, err := w.dec.ReadToken(); err != nil { // '}'
		return syntaxError(err)
	}
	return nil
}

func syntaxError(err error) *apiError {
	if se, ok := errors.AsType[*jsontext.SyntacticError](err); ok && !errors.Is(se.Err, io.ErrUnexpectedEOF) {
		return &apiError{http.StatusBadRequest, "invalid_json", fmt.Sprintf("malformed JSON near byte %d", se.ByteOffset), ""}
	}
	return &apiError{http.StatusBadRequest, "invalid_json", "malformed JSON (unexpected end of the body)", ""}
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
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// indirect follows pointers, and returns nil for types whose content is not
// checked: interfaces, and types that decode themselves.
func indirect(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
			t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
			return nil
		}
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Interface:
			return nil
		default:
			return t
		}
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// structFields returns the JSON names of t's fields, as encoding/json sees
// them (tags, "-", promoted fields of embedded structs; at equal depth a
// name given twice is dropped, as encoding/json drops it).
func structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	type found struct {
		t     reflect.Type
		depth int
		count int
	}
	all := map[string]*found{}
	var walk func(t reflect.Type, depth int, visited map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, visited map[reflect.Type]bool) {
		if visited[t] {
			return
		}
		visited[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, depth+1, visited)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			switch f := all[name]; {
			case f == nil || depth < f.depth:
				all[name] = &found{ft, depth, 1}
			case depth == f.depth:
				f.count++
			}
		}
		delete(visited, t)
	}
	walk(t, 0, map[reflect.Type]bool{})
	fields := make(map[string]reflect.Type, len(all))
	for name, f := range all {
		if f.count == 1 {
			fields[name] = f.t
		}
	}
	fieldCache.Store(t, fields)
	return fields
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

// queryLimit returns ?limit= (default 100), refusing values outside 1..1000.
func queryLimit(c *gin.Context) (int, error) {
	n, err := queryUint(c, "limit", defaultLimit)
	if err != nil {
		return 0, err
	}
	if n < 1 || n > maxLimit {
		return 0, badQuery("limit", fmt.Sprintf("limit must be between 1 and %d", maxLimit))
	}
	return int(n), nil
}
