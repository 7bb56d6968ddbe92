package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/platformhq/platform/domain"
)

// bind fills dst (a pointer to a struct) from the request: the JSON body
// first, then path, query and header parameters, which win over the body.
func bind(r *http.Request, body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeJSON(body, dst); err != nil {
			return err
		}
	}
	return bindParams(r, reflect.ValueOf(dst).Elem())
}

// decodeJSON decodes body keeping numbers exact (UseNumber) and ignoring
// unknown members; it tells malformed JSON (BAD_REQUEST) from wrong types
// (VALIDATION_FAILED naming the field).
func decodeJSON(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return domain.Errorf(domain.CodeBadRequest, "Malformed JSON: unexpected data after the top-level value.")
		}
		return nil
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return domain.Errorf(domain.CodeBadRequest, "Malformed JSON body.")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return domain.Errorf(domain.CodeBadRequest, "The request body must be a JSON %s.", jsonKind(typeErr.Type))
		}
		return domain.Invalid(field, "must be "+article(jsonKind(typeErr.Type)))
	default:
		// Custom unmarshalers (time.Time, ...) report bad values here,
		// without naming the member: find it by decoding member by member.
		if field, t := failingMember(body, dst); field != "" {
			return domain.Invalid(field, "must be "+article(jsonKind(t)))
		}
		return domain.Invalid("body", cleanMessage(err.Error()))
	}
}

// failingMember returns the JSON name and Go type of the first top-level
// member of body that does not decode into its field of dst's struct.
func failingMember(body []byte, dst any) (string, reflect.Type) {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return "", nil
	}
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return "", nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		raw, ok := members[name]
		if !ok {
			continue
		}
		if json.Unmarshal(raw, reflect.New(f.Type).Interface()) != nil {
			return name, valueType(f.Type)
		}
	}
	return "", nil
}

// valueType sees through domain.Optional[T] to T.
func valueType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Optional[") {
		if f, ok := t.FieldByName("Value"); ok {
			return f.Type
		}
	}
	return t
}

func cleanMessage(s string) string {
	s = strings.TrimPrefix(s, "json: ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.String() == "time.Time" {
		return "RFC 3339 timestamp"
	}
	// Domain value types describe themselves (a date, a decimal number).
	if m, ok := t.MethodByName("OpenAPISchema"); ok && m.Type.NumIn() == 1 {
		if schema, ok := reflect.Zero(t).MethodByName("OpenAPISchema").Call(nil)[0].Interface().(map[string]any); ok {
			if f, ok := schema["format"].(string); ok && f == "date" {
				return "date (YYYY-MM-DD)"
			}
			if ty, ok := schema["type"].(string); ok {
				return ty
			}
		}
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value of another type"
}

func article(kind string) string {
	if strings.HasPrefix(kind, "RFC") {
		return "an " + kind
	}
	switch kind[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + kind
	}
	return "a " + kind
}

// bindParams copies path, query and header parameters into tagged fields.
func bindParams(r *http.Request, v reflect.Value) error {
	t := v.Type()
	var val domain.Validation
	query := r.URL.Query()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := bindParams(r, v.Field(i)); err != nil {
				return err
			}
			continue
		}
		var raw []string
		var name string
		if name = f.Tag.Get("path"); name != "" {
			raw = []string{chi.URLParam(r, name)}
		} else if name = f.Tag.Get("query"); name != "" {
			raw = query[name]
		} else if name = f.Tag.Get("header"); name != "" {
			raw = r.Header.Values(name)
		} else {
			continue
		}
		if len(raw) == 0 {
			continue
		}
		if f.Tag.Get("path") == "" && !cleanParam(raw) {
			// Path parameters name resources: the domain answers 404 for
			// ids it cannot have; query and header values are inputs.
			val.Add(name, "must be valid UTF-8 without NUL bytes")
			continue
		}
		if err := setParam(v.Field(i), raw); err != nil {
			val.Add(name, err.Error())
		}
	}
	return val.Err()
}

func setParam(fv reflect.Value, raw []string) error {
	if fv.Kind() == reflect.Pointer {
		ptr := reflect.New(fv.Type().Elem())
		if err := setParam(ptr.Elem(), raw); err != nil {
			return err
		}
		fv.Set(ptr)
		return nil
	}
	s := raw[0]
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("must be an integer")
		}
		fv.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("must be true or false")
		}
		fv.SetBool(b)
	case reflect.Slice:
		var items []string
		for _, r := range raw {
			for _, p := range strings.Split(r, ",") {
				if p = strings.TrimSpace(p); p != "" {
					items = append(items, p)
				}
			}
		}
		fv.Set(reflect.ValueOf(items))
	default:
		return errors.New("has an unsupported type")
	}
	return nil
}

// cleanParam refuses parameter values Postgres could never store or match
// (NUL bytes, invalid UTF-8), so they fail as input errors, not in SQL.
func cleanParam(values []string) bool {
	for _, v := range values {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return false
		}
	}
	return true
}
