package objects

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The in-memory evaluator of the filter language: the semantics of the SQL
// compiler (db/objects_filter.go) over one object held in memory, for what
// never reaches SQL (subscription events, POST /v1/policies/simulate). A
// table test runs both over the same documents and compares.
//
// Semantics mirrored from the compiler:
//   - a property's value counts only when its JSON type fits the property's
//     kind (text: a string; number kinds: a JSON number, currency by its
//     "amount"; datetime: a string that is a date or RFC 3339 datetime;
//     boolean: true/false; multi_enum: an array; json/array/geo_point: any
//     non-null value, compared by the filter value's JSON type);
//   - a comparison with no value is false, and neq, not_in and not_exists
//     are its negation (so they hold when there is no value);
//   - eq null holds when there is no value;
//   - contains, starts_with and ends_with ignore case (ILIKE);
//   - text orders by code point (the database collation is C.UTF-8).
//
// Not mirrored: datetime strings Postgres would also read in other formats
// ("Jan 1 2024") count as no value here; case-insensitive matching of
// non-ASCII letters follows Go's Unicode folding, not the database's.

// errEval is a condition the compiler would refuse (callers compile first).
var errEval = errors.New("objects: condition cannot be evaluated")

// EvalFilters reports whether row satisfies filters (ANDed; none is true).
// row is an object as the API answers it ({"id", "properties", ...}), or a
// bare properties document (built-in fields then read from it too).
func EvalFilters(filters []Filter, row any) (bool, error) {
	m, _ := row.(map[string]any)
	doc := m
	if props, ok := m["properties"].(map[string]any); ok {
		doc = props
	}
	ev := evaluator{row: m, doc: doc}
	return ev.all(filters, true)
}

type evaluator struct {
	row, doc map[string]any
}

func (e evaluator) all(fs []Filter, and bool) (bool, error) {
	for i := range fs {
		ok, err := e.one(&fs[i])
		if err != nil {
			return false, err
		}
		if ok != and {
			return ok, nil
		}
	}
	return and, nil
}

func (e evaluator) one(f *Filter) (bool, error) {
	switch {
	case f.And != nil:
		return e.all(f.And, true)
	case f.Or != nil:
		return e.all(f.Or, false)
	}
	op, neg := f.Operator, false
	switch op {
	case OpNeq:
		op, neg = OpEq, true
	case OpNotIn:
		op, neg = OpIn, true
	case OpNotExists:
		op, neg = OpExists, true
	}
	ok, err := e.condition(f, op)
	return ok != neg, err
}

// condition evaluates a positive operator; "no value" is false.
func (e evaluator) condition(f *Filter, op string) (bool, error) {
	if f.Builtin {
		return e.builtin(f, op)
	}
	kind := evalKind(f.Def.DataType)
	raw, has := e.doc[f.Property]
	if f.Def.DataType == TypeCurrency {
		m, _ := raw.(map[string]any)
		raw, has = m["amount"], m != nil
	}
	v := typedValue(raw, has, kind)
	if op == OpExists {
		return v != nil, nil
	}
	if f.Value == nil && op == OpEq {
		return v == nil, nil
	}
	switch kind {
	case "multi":
		return evalMulti(f, op, v)
	case "any":
		return evalDynamic(f, op, raw, v)
	}
	if v == nil {
		return false, nil
	}
	return compareValue(f, op, kind, v)
}

// builtin fields always have a value.
func (e evaluator) builtin(f *Filter, op string) (bool, error) {
	if op == OpExists {
		return true, nil
	}
	kind := map[string]string{"id": "text", "created_by": "text", "created_at": "time", "updated_at": "time", "version": "num"}[f.Property]
	v := typedValue(e.row[f.Property], true, kind)
	if v == nil {
		return false, nil
	}
	return compareValue(f, op, kind, v)
}

// evalKind is the compiler's value kind of a data type.
func evalKind(dataType string) string {
	switch dataType {
	case TypeInteger, TypeNumber, TypeDecimal, TypePercent, TypeCurrency:
		return "num"
	case TypeDatetime:
		return "time"
	case TypeBoolean:
		return "bool"
	case TypeMultiEnum:
		return "multi"
	case TypeJSON, TypeArray, TypeGeoPoint, "":
		return "any"
	}
	return "text"
}

// typedValue reads a JSON value as kind: nil when its JSON type does not fit
// (the platform_jsonb_* functions).
func typedValue(raw any, has bool, kind string) any {
	if !has || raw == nil {
		return nil
	}
	switch kind {
	case "num":
		switch x := raw.(type) {
		case json.Number:
			d, err := decimal.NewFromString(x.String())
			if err == nil {
				return d
			}
		case float64:
			return decimal.NewFromFloat(x)
		}
		return nil
	case "time":
		s, ok := raw.(string)
		if !ok {
			if t, ok := raw.(time.Time); ok {
				return t
			}
			return nil
		}
		t, ok := parseTime(s)
		if !ok {
			return nil
		}
		return t
	case "bool":
		if b, ok := raw.(bool); ok {
			return b
		}
		return nil
	case "text":
		if s, ok := raw.(string); ok {
			return s
		}
		return nil
	case "multi":
		if l, ok := raw.([]any); ok {
			return l
		}
		return nil
	}
	return raw // any: a non-null JSON value
}

func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// literal reads a filter value as kind, as the compiler's literal does.
func literal(v any, kind string) (any, error) {
	switch kind {
	case "num":
		var s string
		switch x := v.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = x
		default:
			return nil, errEval
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			return nil, errEval
		}
		return d, nil
	case "time":
		s, _ := v.(string)
		t, ok := parseTime(s)
		if !ok {
			return nil, errEval
		}
		return t, nil
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return nil, errEval
		}
		return b, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	}
	return nil, errEval
}

// cmp orders two values of one kind (-1, 0, 1).
func cmp(a, b any) int {
	switch x := a.(type) {
	case decimal.Decimal:
		return x.Cmp(b.(decimal.Decimal))
	case time.Time:
		return x.Compare(b.(time.Time))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return 2
}

// compareValue evaluates value <op> filter value for a scalar kind.
func compareValue(f *Filter, op, kind string, v any) (bool, error) {
	switch op {
	case OpEq, OpGt, OpGte, OpLt, OpLte:
		if kind == "bool" && op != OpEq {
			return false, errEval
		}
		w, err := literal(f.Value, kind)
		if err != nil {
			return false, err
		}
		c := cmp(v, w)
		return map[string]bool{OpEq: c == 0, OpGt: c > 0, OpGte: c >= 0, OpLt: c < 0, OpLte: c <= 0}[op], nil
	case OpBetween:
		l, ok := f.Value.([]any)
		if !ok || len(l) != 2 || kind == "bool" {
			return false, errEval
		}
		lo, err := literal(l[0], kind)
		if err != nil {
			return false, err
		}
		hi, err := literal(l[1], kind)
		if err != nil {
			return false, err
		}
		return cmp(v, lo) >= 0 && cmp(v, hi) <= 0, nil
	case OpIn:
		l, _ := f.Value.([]any)
		found := false
		for _, x := range l {
			w, err := literal(x, kind)
			if err != nil {
				return false, err
			}
			found = found || cmp(v, w) == 0
		}
		return found, nil
	case OpContains, OpStartsWith, OpEndsWith:
		s, ok := f.Value.(string)
		if !ok || kind != "text" {
			return false, errEval
		}
		return likeMatch(v.(string), s, op), nil
	}
	return false, errEval
}

// likeMatch is ILIKE of the compiler's anchored patterns.
func likeMatch(v, s, op string) bool {
	v, s = strings.ToLower(v), strings.ToLower(s)
	switch op {
	case OpStartsWith:
		return strings.HasPrefix(v, s)
	case OpEndsWith:
		return strings.HasSuffix(v, s)
	}
	return strings.Contains(v, s)
}

// evalMulti: eq and contains test that the array holds the string, in that
// it holds any of the strings.
func evalMulti(f *Filter, op string, v any) (bool, error) {
	l, _ := v.([]any)
	holds := func(s string) bool {
		for _, x := range l {
			if x == s {
				return true
			}
		}
		return false
	}
	switch op {
	case OpEq, OpContains:
		s, ok := f.Value.(string)
		if !ok {
			return false, errEval
		}
		return holds(s), nil
	case OpIn:
		vals, _ := f.Value.([]any)
		for _, x := range vals {
			s, ok := x.(string)
			if !ok {
				return false, errEval
			}
			if holds(s) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, errEval
}

// evalDynamic evaluates an untyped value (json, array, geo_point): contains
// is a substring of a string or an element of an array; otherwise the
// filter value's JSON type picks the comparison.
func evalDynamic(f *Filter, op string, raw, v any) (bool, error) {
	if op == OpContains {
		s, ok := f.Value.(string)
		if !ok {
			return false, errEval
		}
		if str, ok := raw.(string); ok && likeMatch(str, s, OpContains) {
			return true, nil
		}
		l, _ := raw.([]any)
		for _, x := range l {
			if x == s {
				return true, nil
			}
		}
		return false, nil
	}
	kind := "text"
	first := f.Value
	if l, ok := f.Value.([]any); ok && len(l) > 0 {
		first = l[0]
	}
	switch first.(type) {
	case json.Number:
		kind = "num"
	case bool:
		kind = "bool"
	}
	tv := typedValue(v, v != nil, kind)
	if tv == nil {
		return false, nil
	}
	return compareValue(f, op, kind, tv)
}
