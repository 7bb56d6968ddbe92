package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Aggregate: count, sum, avg, min, max and count_distinct over a type's
// live objects matching the filter language, optionally grouped, in one
// SQL statement. Numbers come from Postgres numeric as exact JSON numbers
// (never float64).

// Aggregate caps (contract "Limits": group rows, each a 400 naming it).
const (
	MaxGroupRows     = 10000
	maxAggregations  = 50
	maxGroupByFields = 10
)

// Aggregate functions.
var aggFunctions = []string{"count", "sum", "avg", "min", "max", "count_distinct"}

// AggregateInput is POST /v1/objects/:object_type_id/aggregate.
type AggregateInput struct {
	ObjectTypeID string            `path:"object_type_id" json:"-"`
	Aggregations []AggregationSpec `json:"aggregations"`
	GroupBy      []string          `json:"group_by"`
	Filters      json.RawMessage   `json:"filters"`
}

// AggregationSpec is one aggregate of a request.
type AggregationSpec struct {
	Function string `json:"function"`
	// PropertyID is a property's name or id, or a built-in field
	// (optional for count: then every object counts).
	PropertyID string `json:"property_id"`
	// Property is accepted as an alias of PropertyID.
	Property string `json:"property"`
	// Alias names the result (default "<function>_<property>", or "count").
	Alias string `json:"alias"`
}

// AggregateResult answers an aggregate: one row per group (one row
// without group_by).
type AggregateResult struct {
	Results []AggregateRow `json:"results"`
}

// AggregateRow is one group: its group values, then its aggregates, in
// request order.
type AggregateRow struct {
	Keys   []string
	Values []json.RawMessage
}

// MarshalJSON writes the row as an object, keys in request order.
func (r AggregateRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(r.Values[i])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Aggregate runs aggregates over the type's live objects. Errors:
// NOT_FOUND (type), VALIDATION_FAILED (aggregations, group_by, filters, the
// group rows cap).
func (s *Service) Aggregate(ctx context.Context, in AggregateInput) (AggregateResult, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return AggregateResult{}, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return AggregateResult{}, err
	}
	props, err := s.properties(ctx, s.core.DB, p.TenantID, t.ID)
	if err != nil {
		return AggregateResult{}, err
	}
	r, err := s.rowAccess(ctx, s.core.DB, p, t, props, ActionSelect)
	if err != nil {
		return AggregateResult{}, err
	}
	q := db.AggregateQuery{TenantID: p.TenantID, TypeID: t.ID, Limit: MaxGroupRows + 1}
	keys, err := checkAggregate(props, in, &q)
	if err != nil {
		return AggregateResult{}, err
	}
	if q.Where, _, err = compileFilters(props, in.Filters); err != nil {
		return AggregateResult{}, err
	}
	q.Where = db.And(q.Where, r.where())
	rows, err := db.Aggregate(ctx, s.core.DB, q)
	if err != nil {
		return AggregateResult{}, domain.Internal(err)
	}
	if len(rows) > MaxGroupRows {
		return AggregateResult{}, capError("group_by", "group_rows", MaxGroupRows,
			"an aggregate answers at most "+strconv.Itoa(MaxGroupRows)+" groups (the group rows cap); narrow it with filters")
	}
	out := AggregateResult{Results: make([]AggregateRow, len(rows))}
	for i, r := range rows {
		out.Results[i] = AggregateRow{Keys: keys, Values: r}
	}
	return out, nil
}

// checkAggregate checks the request and fills q's groups and aggregates;
// keys are the names of the answer's members (groups, then aliases).
func checkAggregate(props []Property, in AggregateInput, q *db.AggregateQuery) ([]string, error) {
	var v domain.Validation
	var keys []string
	if len(in.GroupBy) > maxGroupByFields {
		return nil, domain.Invalid("group_by", "names at most "+strconv.Itoa(maxGroupByFields)+" fields")
	}
	for i, ref := range in.GroupBy {
		field := "group_by[" + strconv.Itoa(i) + "]"
		f, name, ok := aggField(props, ref)
		switch {
		case !ok:
			v.Add(field, "is not a property of this object type nor a built-in field: "+strconv.Quote(ref))
		case slices.Contains(keys, name):
			v.Add(field, "names "+name+" twice")
		default:
			keys = append(keys, name)
			q.GroupBy = append(q.GroupBy, f)
		}
	}
	switch n := len(in.Aggregations); {
	case n == 0:
		v.Add("aggregations", "is required (at least one aggregate)")
	case n > maxAggregations:
		v.Add("aggregations", "holds at most "+strconv.Itoa(maxAggregations)+" aggregates")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for i, a := range in.Aggregations {
		field := "aggregations[" + strconv.Itoa(i) + "]"
		agg, alias, ok := checkAggregation(&v, field, props, a)
		if !ok {
			continue
		}
		if slices.Contains(keys, alias) {
			v.Add(field+".alias", "must be unique (and differ from the group_by names): "+strconv.Quote(alias))
			continue
		}
		keys = append(keys, alias)
		q.Aggs = append(q.Aggs, agg)
	}
	return keys, v.Err()
}

// checkAggregation checks one aggregate: its function, its field (the
// kinds each function reads) and its alias.
func checkAggregation(v *domain.Validation, field string, props []Property, a AggregationSpec) (db.Aggregation, string, bool) {
	fn := strings.ToLower(a.Function)
	if !slices.Contains(aggFunctions, fn) {
		v.Add(field+".function", "must be one of "+strings.Join(aggFunctions, ", "))
		return db.Aggregation{}, "", false
	}
	ref := a.PropertyID
	if ref == "" {
		ref = a.Property
	}
	agg := db.Aggregation{Function: fn}
	name := ""
	if ref == "" && fn != "count" {
		v.Add(field+".property_id", "is required for "+fn)
		return agg, "", false
	}
	if ref != "" {
		f, n, ok := aggField(props, ref)
		if !ok {
			v.Add(field+".property_id", "is not a property of this object type nor a built-in field: "+strconv.Quote(ref))
			return agg, "", false
		}
		if msg := kindFits(fn, db.AggKind(f)); msg != "" {
			v.Add(field+".function", msg)
			return agg, "", false
		}
		agg.Field, name = &f, n
	}
	alias := a.Alias
	if alias == "" {
		alias = fn
		if name != "" {
			alias += "_" + name
		}
	}
	if !namePattern.MatchString(alias) {
		v.Add(field+".alias", "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)")
		return agg, "", false
	}
	return agg, alias, true
}

// kindFits says why fn cannot read values of kind ("" when it can).
func kindFits(fn, kind string) string {
	switch fn {
	case "sum", "avg":
		if kind != "num" {
			return fn + " applies to numeric properties only (integer, number, decimal, percent, currency, version)"
		}
	case "min", "max":
		if kind != "num" && kind != "time" && kind != "text" {
			return fn + " applies to numbers, dates, datetimes and strings only"
		}
	}
	return ""
}

// aggField resolves a reference to an aggregate field and its name.
func aggField(props []Property, ref string) (db.AggField, string, bool) {
	name, def, ok := resolveField(props, ref)
	if !ok {
		return db.AggField{}, "", false
	}
	if def == nil {
		return db.AggField{Property: name, Builtin: true}, name, true
	}
	return db.AggField{Property: name, DataType: def.DataType}, name, true
}
