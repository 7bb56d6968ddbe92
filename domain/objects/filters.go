package objects

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/platformhq/platform/domain"
)

// The filter language of search, aggregate and saved views (contract,
// "Objects"): a JSON array of items, each a condition
// {"property", "operator", "value"} or a group {"and": [...]} / {"or":
// [...]}; the items of an array are ANDed. This file checks its structure
// against a type's properties and resolves it into a Filter tree; the SQL is
// compiled elsewhere (db/), from that tree only.

// Caps of the filter language (contract "Limits"), each a 400 naming it.
const (
	MaxFilterDepth = 10
	MaxInValues    = 1000
)

// Filter operators.
const (
	OpEq         = "eq"
	OpNeq        = "neq"
	OpGt         = "gt"
	OpGte        = "gte"
	OpLt         = "lt"
	OpLte        = "lte"
	OpIn         = "in"
	OpNotIn      = "not_in"
	OpContains   = "contains"
	OpStartsWith = "starts_with"
	OpEndsWith   = "ends_with"
	OpExists     = "exists"
	OpNotExists  = "not_exists"
	OpBetween    = "between"
)

// Operators lists the filter operators in the contract's order.
var Operators = []string{OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte, OpIn, OpNotIn, OpContains, OpStartsWith,
	OpEndsWith, OpExists, OpNotExists, OpBetween}

// operatorAliases maps accepted spellings to their operator ("nin" is
// not_in, per the contract's decisions).
var operatorAliases = map[string]string{"nin": OpNotIn}

// BuiltinFields are the fields of every object, filterable and sortable.
var BuiltinFields = []string{"id", "created_at", "updated_at", "created_by", "version"}

// Filter is one checked item of the filter language: a condition (Property
// set) or a group (And or Or set).
type Filter struct {
	// Property is the property's name (a prop_ id is resolved to its name)
	// or a built-in field; Builtin tells which, Def is the definition of a
	// property (nil for a built-in field).
	Property string
	Builtin  bool
	Def      *Property
	// Operator is canonical (nin is not_in).
	Operator string
	// Value is the JSON value, numbers kept exact (json.Number); nil for
	// exists and not_exists.
	Value any
	And   []Filter
	Or    []Filter
}

// MarshalJSON writes the canonical form of the filter.
func (f Filter) MarshalJSON() ([]byte, error) {
	switch {
	case f.And != nil:
		return json.Marshal(map[string]any{"and": f.And})
	case f.Or != nil:
		return json.Marshal(map[string]any{"or": f.Or})
	case f.Operator == OpExists || f.Operator == OpNotExists:
		return json.Marshal(map[string]any{"property": f.Property, "operator": f.Operator})
	}
	return json.Marshal(map[string]any{"property": f.Property, "operator": f.Operator, "value": f.Value})
}

// ValidateFilters checks filters (absent or null: none) against a type's
// properties. Errors: VALIDATION_FAILED naming the item
// (filters[0].or[1].operator), or the depth and in-list caps.
func ValidateFilters(props []Property, filters json.RawMessage) error {
	_, err := ParseFilters(props, filters)
	return err
}

// ParseFilters checks filters as ValidateFilters does and returns them
// resolved (an empty list for none).
func ParseFilters(props []Property, filters json.RawMessage) ([]Filter, error) {
	out := []Filter{}
	if isNull(filters) {
		return out, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(filters, &items); err != nil {
		return nil, domain.Invalid("filters", "must be an array of filters")
	}
	p := filterParser{props: props}
	out, err := p.list("filters", items, 1)
	if err != nil {
		return nil, err
	}
	return out, p.v.Err()
}

type filterParser struct {
	props  []Property
	v      domain.Validation
	capErr error // a cap exceeded: ends the parse, answered alone
}

// capError is a VALIDATION_FAILED whose message names the cap, and whose
// "cap" member names it for programs too.
func capError(field, cap string, limit int, msg string) error {
	e := domain.Invalid(field, msg)
	e.Message = "Validation failed: " + msg + "."
	return e.With("cap", cap).With("limit", limit)
}

// isCapError reports whether err is a cap of the filter language.
func isCapError(err error) bool {
	e := domain.AsError(err)
	return e != nil && e.Details["cap"] != nil
}

// list parses the items of one array at nesting depth; a cap error ends
// the parse at once.
func (p *filterParser) list(field string, items []json.RawMessage, depth int) ([]Filter, error) {
	if depth > MaxFilterDepth {
		return nil, capError(field, "filter_depth", MaxFilterDepth, "filters nest at most "+strconv.Itoa(MaxFilterDepth)+" levels deep (the filter depth cap)")
	}
	out := make([]Filter, 0, len(items))
	for i, raw := range items {
		f, err := p.item(field+"["+strconv.Itoa(i)+"]", raw, depth)
		if err == nil {
			err = p.capErr
		}
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// item parses one condition or group; nil with no error when it was
// refused (the reason is in p.v).
func (p *filterParser) item(field string, raw json.RawMessage, depth int) (*Filter, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		p.v.Add(field, "must be an object: {\"property\", \"operator\", \"value\"}, {\"and\": [...]} or {\"or\": [...]}")
		return nil, nil
	}
	andRaw, isAnd := m["and"]
	orRaw, isOr := m["or"]
	_, isCond := m["property"]
	switch {
	case isAnd && isOr, (isAnd || isOr) && isCond:
		p.v.Add(field, "must be one condition or one and/or group, not several")
		return nil, nil
	case isAnd:
		return p.group(field+".and", andRaw, depth, true)
	case isOr:
		return p.group(field+".or", orRaw, depth, false)
	}
	return p.condition(field, m), nil
}

func (p *filterParser) group(field string, raw json.RawMessage, depth int, and bool) (*Filter, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || len(items) == 0 {
		p.v.Add(field, "must be a non-empty array of filters")
		return nil, nil
	}
	list, err := p.list(field, items, depth+1)
	if err != nil || len(list) != len(items) {
		return nil, err
	}
	if and {
		return &Filter{And: list}, nil
	}
	return &Filter{Or: list}, nil
}

func (p *filterParser) condition(field string, m map[string]json.RawMessage) *Filter {
	var f Filter
	ok := true
	if !p.property(field+".property", m["property"], &f) {
		ok = false
	}
	var op string
	if err := json.Unmarshal(m["operator"], &op); err != nil || op == "" {
		p.v.Add(field+".operator", "is required (one of "+strings.Join(Operators, ", ")+")")
		return nil
	}
	if alias, found := operatorAliases[op]; found {
		op = alias
	}
	if !slices.Contains(Operators, op) {
		p.v.Add(field+".operator", "must be one of "+strings.Join(Operators, ", ")+" (nin is an alias of not_in)")
		return nil
	}
	f.Operator = op
	raw, given := m["value"]
	var val any
	if given {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&val); err != nil {
			p.v.Add(field+".value", "must be a JSON value")
			return nil
		}
	}
	if !p.value(field+".value", op, val, given) || !ok {
		return nil
	}
	if op != OpExists && op != OpNotExists {
		f.Value = val
	}
	return &f
}

// property resolves a condition's property: a built-in field, a property
// name or a prop_ id of the type.
func (p *filterParser) property(field string, raw json.RawMessage, f *Filter) bool {
	var ref string
	if err := json.Unmarshal(raw, &ref); err != nil || ref == "" {
		p.v.Add(field, "is required (a property name or id, or a built-in field)")
		return false
	}
	name, def, ok := resolveField(p.props, ref)
	if !ok {
		p.v.Add(field, "is not a property of this object type nor a built-in field ("+strings.Join(BuiltinFields, ", ")+"): "+strconv.Quote(ref))
		return false
	}
	f.Property, f.Def, f.Builtin = name, def, def == nil
	return true
}

// value checks the shape of a condition's value for its operator.
func (p *filterParser) value(field, op string, val any, given bool) bool {
	bad := func(msg string) bool { p.v.Add(field, msg); return false }
	switch op {
	case OpExists, OpNotExists:
		return true
	case OpIn, OpNotIn:
		list, ok := val.([]any)
		if !ok {
			return bad("must be an array for " + op)
		}
		if len(list) > MaxInValues {
			p.capErr = capError(field, "in_list", MaxInValues, "in and not_in lists hold at most "+strconv.Itoa(MaxInValues)+" values (the in-list cap)")
			return false
		}
		for _, it := range list {
			if !scalar(it) {
				return bad("must hold only strings, numbers, booleans or null")
			}
		}
	case OpBetween:
		list, ok := val.([]any)
		if !ok || len(list) != 2 || !ordered(list[0]) || !ordered(list[1]) {
			return bad("must be [low, high] (two strings or two numbers) for between")
		}
	case OpContains, OpStartsWith, OpEndsWith:
		if _, ok := val.(string); !ok {
			return bad("must be a string for " + op)
		}
	case OpGt, OpGte, OpLt, OpLte:
		if !ordered(val) {
			return bad("must be a string or a number for " + op)
		}
	default: // eq, neq: any scalar, null included
		if !given {
			return bad("is required for " + op)
		}
		if !scalar(val) {
			return bad("must be a string, number, boolean or null for " + op)
		}
	}
	return true
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, json.Number, bool:
		return true
	}
	return false
}

func ordered(v any) bool {
	switch v.(type) {
	case string, json.Number:
		return true
	}
	return false
}

// resolveField resolves ref, a built-in field, a property name or a prop_
// id, to the field's name and (for a property) its definition.
func resolveField(props []Property, ref string) (string, *Property, bool) {
	if slices.Contains(BuiltinFields, ref) {
		return ref, nil, true
	}
	for i := range props {
		if props[i].Name == ref || props[i].ID == ref {
			return props[i].Name, &props[i], true
		}
	}
	return "", nil, false
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}
