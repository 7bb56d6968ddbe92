package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The filter compiler: the one place where the filter language of search,
// aggregate and views becomes SQL. It takes a checked tree (the domain fills
// FilterNode from objects.ParseFilters) and answers a Condition: SQL text
// that holds only fragments written here and ? placeholders, every user
// value and every property name or id being an argument. Values of the
// wrong kind for a property are refused with a FilterError (a 400 upstream),
// and JSONB values are only cast after their JSON type was checked, so
// mixed data never makes a query fail.

// FilterNode is one item of a filter tree: a group (And or Or set) or a
// condition.
type FilterNode struct {
	// Field names the item in errors (filters[0].or[1]).
	Field string
	And   []FilterNode
	Or    []FilterNode
	// Property is a built-in field (Builtin) or a property's name, with
	// its id, data type and whether it has typed index rows.
	Property   string
	Builtin    bool
	PropertyID string
	DataType   string
	Indexed    bool
	// Operator is canonical (eq, neq, gt, gte, lt, lte, in, not_in,
	// contains, starts_with, ends_with, exists, not_exists, between).
	Operator string
	// Value is nil, a string, json.Number, bool, or []any of those.
	Value any
}

// Condition is compiled SQL with its arguments, for q.Where(c.SQL, c.Args...).
type Condition struct {
	SQL  string
	Args []any
}

// FilterError is a filter value the property cannot be compared with.
type FilterError struct {
	Field, Message string
}

func (e *FilterError) Error() string { return e.Field + ": " + e.Message }

// value kinds: how a property's values compare.
const (
	kindText  = "text"
	kindNum   = "num"
	kindTime  = "time"
	kindBool  = "bool"
	kindMulti = "multi"
	kindAny   = "any" // json, array, geo_point: by the JSON type of the filter value
)

// maxIndexedText is the v_text prefix length of index rows (objects_index.go):
// longer filter values compare on the document instead.
const maxIndexedText = 512

// valueKind maps a data type to its comparison kind (the same mapping as
// the index rows of objects_index.go).
func valueKind(dataType string) string {
	switch dataType {
	case "integer", "number", "decimal", "percent", "currency":
		return kindNum
	case "datetime":
		return kindTime
	case "boolean":
		return kindBool
	case "multi_enum":
		return kindMulti
	case "json", "array", "geo_point", "":
		return kindAny
	}
	return kindText
}

// CompileFilters compiles items (ANDed) into one condition; none is TRUE.
func CompileFilters(items []FilterNode) (Condition, error) {
	c := &compiler{}
	sql, err := c.all(items, " AND ", 0)
	if err != nil {
		return Condition{}, err
	}
	// Conditions are ANDed with others (row-level policies): an argument
	// without its placeholder would shift every argument after it.
	if strings.Count(sql, "?") != len(c.args) {
		return Condition{}, fmt.Errorf("db: filter compiled to %d placeholders for %d arguments", strings.Count(sql, "?"), len(c.args))
	}
	return Condition{SQL: sql, Args: c.args}, nil
}

// And joins conditions (empty ones are skipped).
func And(conds ...Condition) Condition {
	var parts []string
	var args []any
	for _, c := range conds {
		if c.SQL == "" || c.SQL == "TRUE" {
			continue
		}
		parts = append(parts, "("+c.SQL+")")
		args = append(args, c.Args...)
	}
	if len(parts) == 0 {
		return Condition{SQL: "TRUE"}
	}
	return Condition{SQL: strings.Join(parts, " AND "), Args: args}
}

// Or joins conditions with OR; none is FALSE (row-level policies: several
// policies widen access, no policy that applies grants no rows).
func Or(conds ...Condition) Condition {
	if len(conds) == 0 {
		return Condition{SQL: "FALSE"}
	}
	parts := make([]string, 0, len(conds))
	var args []any
	for _, c := range conds {
		if c.SQL == "" || c.SQL == "TRUE" {
			return Condition{SQL: "TRUE"}
		}
		parts = append(parts, "("+c.SQL+")")
		args = append(args, c.Args...)
	}
	return Condition{SQL: strings.Join(parts, " OR "), Args: args}
}

// FullText matches objects whose string values hold the words of q (web
// search syntax: "quoted phrases", or, -negation).
func FullText(q string) Condition {
	return Condition{SQL: "o.search @@ websearch_to_tsquery('simple', ?)", Args: []any{q}}
}

type compiler struct {
	args []any
}

// maxCompileDepth guards recursion (ParseFilters caps nesting at 10).
const maxCompileDepth = 32

func (c *compiler) all(items []FilterNode, sep string, depth int) (string, error) {
	if len(items) == 0 {
		return "TRUE", nil
	}
	if depth > maxCompileDepth {
		return "", &FilterError{Field: items[0].Field, Message: "nests too deep"}
	}
	parts := make([]string, 0, len(items))
	for i := range items {
		s, err := c.node(&items[i], depth)
		if err != nil {
			return "", err
		}
		parts = append(parts, "("+s+")")
	}
	return strings.Join(parts, sep), nil
}

func (c *compiler) node(n *FilterNode, depth int) (string, error) {
	switch {
	case n.And != nil:
		return c.all(n.And, " AND ", depth+1)
	case n.Or != nil:
		if len(n.Or) == 0 {
			return "FALSE", nil
		}
		return c.all(n.Or, " OR ", depth+1)
	case n.Builtin:
		return c.builtin(n)
	}
	return c.property(n)
}

// arg appends one argument and returns its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func bad(n *FilterNode, format string, a ...any) error {
	return &FilterError{Field: n.Field + ".value", Message: fmt.Sprintf(format, a...)}
}

// negated reports the positive operator of a negative one.
func negated(op string) (string, bool) {
	switch op {
	case "neq":
		return "eq", true
	case "not_in":
		return "in", true
	case "not_exists":
		return "exists", true
	}
	return op, false
}

// --- built-in fields -------------------------------------------------------

// builtinColumns are the columns of the built-in fields and their kinds.
var builtinColumns = map[string]struct{ col, kind string }{
	"id":         {"o.id", kindText},
	"created_by": {"o.created_by", kindText},
	"created_at": {"o.created_at", kindTime},
	"updated_at": {"o.updated_at", kindTime},
	"version":    {"o.version", kindNum},
}

func (c *compiler) builtin(n *FilterNode) (string, error) {
	bc, ok := builtinColumns[n.Property]
	if !ok {
		return "", &FilterError{Field: n.Field + ".property", Message: "is not a built-in field"}
	}
	op, neg := negated(n.Operator)
	if op == "exists" { // built-in fields always have a value
		return map[bool]string{false: "TRUE", true: "FALSE"}[neg], nil
	}
	s, err := c.compare(n, op, bc.kind, bc.col)
	if err != nil || !neg {
		return s, err
	}
	return "NOT COALESCE(" + s + ", FALSE)", nil
}

// --- properties --------------------------------------------------------------

func (c *compiler) property(n *FilterNode) (string, error) {
	op, neg := negated(n.Operator)
	kind := valueKind(n.DataType)
	if n.Indexed && c.indexable(n, op, kind) {
		// [NOT] EXISTS is never NULL: left bare, so the planner can turn it
		// into a (anti) semi-join over the index rows (a COALESCE around it
		// forces a per-row subplan: 990 ms against 0.7 ms at 1M objects).
		s, err := c.indexed(n, op, kind)
		if err != nil || !neg {
			return s, err
		}
		return "NOT " + s, nil
	}
	s, err := c.document(n, op, kind)
	if err != nil {
		return "", err
	}
	if neg {
		return "NOT COALESCE(" + s + ", FALSE)", nil
	}
	return "COALESCE(" + s + ", FALSE)", nil
}

// indexable reports whether the index rows answer the condition exactly:
// not for substring matches (a btree cannot serve them, and v_text holds a
// prefix of long values) nor for text values longer than that prefix.
func (c *compiler) indexable(n *FilterNode, op, kind string) bool {
	switch kind {
	case kindNum, kindTime, kindBool:
		return true
	case kindText:
		if op == "contains" || op == "starts_with" || op == "ends_with" {
			return false
		}
		for _, v := range valueList(n.Value) {
			if s, ok := v.(string); ok && len(s) >= maxIndexedText {
				return false
			}
		}
		return true
	}
	return false
}

// textOK refuses strings Postgres text cannot hold (NUL, invalid UTF-8).
func textOK(n *FilterNode, s string) error {
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return bad(n, "must be valid UTF-8 text without NUL characters")
	}
	return nil
}

func valueList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// indexed compiles a condition on the typed index rows of the property:
// EXISTS over object_index, served by its btree on (tenant, property,
// value, object).
func (c *compiler) indexed(n *FilterNode, op, kind string) (string, error) {
	col := map[string]string{kindNum: "fi.v_num", kindTime: "fi.v_time", kindText: "fi.v_text", kindBool: "fi.v_text"}[kind]
	head := "EXISTS (SELECT 1 FROM object_index AS fi WHERE fi.tenant_id = o.tenant_id AND fi.property_id = " +
		c.arg(n.PropertyID) + " AND fi.object_id = o.id AND "
	if op == "exists" {
		return head + col + " IS NOT NULL)", nil
	}
	if n.Value == nil && op == "eq" { // eq null: no value
		return "NOT " + head + col + " IS NOT NULL)", nil
	}
	if kind == kindBool {
		// booleans are indexed as "true"/"false"
		if op != "eq" && op != "in" {
			return "", &FilterError{Field: n.Field + ".operator", Message: "must be eq, neq, in, not_in, exists or not_exists for a boolean"}
		}
		b, err := boolValues(n)
		if err != nil {
			return "", err
		}
		n2 := *n
		n2.Value = b
		s, err := c.compare(&n2, op, kindText, col)
		return head + s + ")", err
	}
	s, err := c.compare(n, op, kind, col)
	if err != nil {
		return "", err
	}
	return head + s + ")", nil
}

// boolValues turns boolean filter values into "true"/"false" (the text of
// index rows); a non-boolean is refused (as on the document).
func boolValues(n *FilterNode) (any, error) {
	conv := func(v any) (string, error) {
		switch x := v.(type) {
		case bool:
			return map[bool]string{true: "true", false: "false"}[x], nil
		}
		return "", bad(n, "must be true or false for a boolean property")
	}
	if l, ok := n.Value.([]any); ok {
		out := make([]any, len(l))
		for i, v := range l {
			s, err := conv(v)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	return conv(n.Value)
}

// document compiles a condition on the JSONB document: the value is read
// with o.properties -> name (the name an argument) and compared only when
// its JSON type fits the property's kind.
func (c *compiler) document(n *FilterNode, op, kind string) (string, error) {
	e := "(o.properties -> " + c.arg(n.Property) + ")"
	if n.DataType == "currency" { // currencies compare by amount
		e = "(" + e + " -> 'amount')"
	}
	// A value exists when it has the property's type, as an index row
	// does (json and array values: when not null).
	present := "NULLIF(" + e + ", 'null'::jsonb) IS NOT NULL"
	switch kind {
	case kindMulti:
		present = "platform_jsonb_array(" + e + ") IS NOT NULL"
	case kindText, kindNum, kindTime, kindBool:
		present = typed(e, kind) + " IS NOT NULL"
	}
	if op == "exists" {
		return present, nil
	}
	if n.Value == nil && op == "eq" {
		return "NOT COALESCE(" + present + ", FALSE)", nil
	}
	switch kind {
	case kindMulti:
		return c.multi(n, op, e)
	case kindAny:
		return c.dynamic(n, op, e)
	}
	return c.compare(n, op, kind, typed(e, kind))
}

// typed is the SQL of a JSONB value read as kind, NULL when its JSON type
// does not fit (the platform_jsonb_* functions of migration 0010 only cast
// fitting values). e appears once: it may hold a placeholder.
func typed(e, kind string) string {
	switch kind {
	case kindNum:
		return "platform_jsonb_num(" + e + ")"
	case kindTime:
		return "platform_jsonb_time(" + e + ")"
	case kindBool:
		return "platform_jsonb_bool(" + e + ")"
	}
	return "platform_jsonb_text(" + e + ")"
}

// multi compiles a multi_enum condition: eq and contains test that the
// array holds the value, in that it holds any of the values.
func (c *compiler) multi(n *FilterNode, op, e string) (string, error) {
	switch op {
	case "eq", "contains":
		s, ok := n.Value.(string)
		if !ok {
			return "", bad(n, "must be a string for a multi_enum property")
		}
		if err := textOK(n, s); err != nil {
			return "", err
		}
		j, _ := json.Marshal([]string{s})
		return "platform_jsonb_array(" + e + ") @> CAST(" + c.arg(string(j)) + " AS jsonb)", nil
	case "in":
		vals, err := strings1(n)
		if err != nil {
			return "", err
		}
		return "jsonb_exists_any(platform_jsonb_array(" + e + "), CAST(" + c.arg(pgdialect.Array(vals)) + " AS text[]))", nil
	}
	return "", &FilterError{Field: n.Field + ".operator", Message: "must be eq, neq, in, not_in, contains, exists or not_exists for a multi_enum property"}
}

func strings1(n *FilterNode) ([]string, error) {
	var out []string
	for _, v := range valueList(n.Value) {
		s, ok := v.(string)
		if !ok {
			return nil, bad(n, "must hold only strings")
		}
		if err := textOK(n, s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// dynamic compiles a condition on an untyped value (json, array,
// geo_point): the filter value's JSON type picks the comparison.
func (c *compiler) dynamic(n *FilterNode, op, e string) (string, error) {
	if op == "contains" { // a substring of a string, or an element of an array
		s, ok := n.Value.(string)
		if !ok {
			return "", bad(n, "must be a string for contains")
		}
		if err := textOK(n, s); err != nil {
			return "", err
		}
		j, _ := json.Marshal([]string{s})
		return "(" + typed(e, kindText) + " ILIKE " + c.arg(likePattern(s, true, true)) +
			" OR platform_jsonb_array(o.properties -> " + c.arg(n.Property) + ") @> CAST(" + c.arg(string(j)) + " AS jsonb))", nil
	}
	kind := kindText
	if l := valueList(n.Value); len(l) > 0 {
		switch l[0].(type) {
		case json.Number:
			kind = kindNum
		case bool:
			kind = kindBool
		}
	}
	return c.compare(n, op, kind, typed(e, kind))
}

// compare compiles expr <op> value for a kind; expr is a column or a typed
// expression (NULL when there is no comparable value).
func (c *compiler) compare(n *FilterNode, op, kind, expr string) (string, error) {
	switch op {
	case "eq", "gt", "gte", "lt", "lte":
		if kind == kindBool && op != "eq" {
			return "", &FilterError{Field: n.Field + ".operator", Message: "must be eq, neq, in, not_in, exists or not_exists for a boolean"}
		}
		v, err := c.scalar(n, n.Value, kind)
		if err != nil {
			return "", err
		}
		sym := map[string]string{"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
		return expr + " " + sym + " " + v, nil
	case "between":
		l, ok := n.Value.([]any)
		if !ok || len(l) != 2 || kind == kindBool {
			return "", bad(n, "must be [low, high]")
		}
		lo, err := c.scalar(n, l[0], kind)
		if err != nil {
			return "", err
		}
		hi, err := c.scalar(n, l[1], kind)
		if err != nil {
			return "", err
		}
		return expr + " BETWEEN " + lo + " AND " + hi, nil
	case "in":
		return c.in(n, kind, expr)
	case "contains", "starts_with", "ends_with":
		s, ok := n.Value.(string)
		if !ok {
			return "", bad(n, "must be a string for %s", op)
		}
		if err := textOK(n, s); err != nil {
			return "", err
		}
		if kind != kindText {
			return "", &FilterError{Field: n.Field + ".operator", Message: op + " applies to text values only"}
		}
		p := likePattern(s, op != "starts_with", op != "ends_with")
		return expr + " ILIKE " + c.arg(p), nil
	case "exists":
		return expr + " IS NOT NULL", nil
	}
	return "", &FilterError{Field: n.Field + ".operator", Message: "is not a filter operator"}
}

// in compiles expr = ANY(array of typed values).
func (c *compiler) in(n *FilterNode, kind, expr string) (string, error) {
	l, ok := n.Value.([]any)
	if !ok {
		return "", bad(n, "must be an array for in and not_in")
	}
	// An empty list compiles to = ANY('{}') (false) rather than to a bare
	// FALSE: the expression's placeholders must stay in the SQL, or the
	// arguments after them (a row-level policy's among them) would shift.
	vals := make([]string, 0, len(l))
	for _, v := range l {
		s, err := c.literal(n, v, kind)
		if err != nil {
			return "", err
		}
		vals = append(vals, s)
	}
	cast := map[string]string{kindText: "text[]", kindNum: "numeric[]", kindTime: "timestamptz[]", kindBool: "boolean[]"}[kind]
	return expr + " = ANY(CAST(" + c.arg(pgdialect.Array(vals)) + " AS " + cast + "))", nil
}

// scalar returns the placeholder of one value read as kind.
func (c *compiler) scalar(n *FilterNode, v any, kind string) (string, error) {
	s, err := c.literal(n, v, kind)
	if err != nil {
		return "", err
	}
	cast := map[string]string{kindText: "text", kindNum: "numeric", kindTime: "timestamptz", kindBool: "boolean"}[kind]
	return "CAST(" + c.arg(s) + " AS " + cast + ")", nil
}

// literal checks one value for kind and returns it as text Postgres casts
// without failing.
func (c *compiler) literal(n *FilterNode, v any, kind string) (string, error) {
	switch kind {
	case kindNum:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = x
		default:
			return "", bad(n, "must be a number")
		}
		// at most 100 characters, and an exponent Postgres numeric holds
		// (written out, 1e999999999 would take a gigabyte)
		if len(s) > 100 {
			return "", bad(n, "must be a number")
		}
		d, err := decimal.NewFromString(s)
		if err != nil || d.Exponent() > 1000 || d.Exponent() < -1000 {
			return "", bad(n, "must be a number")
		}
		return d.String(), nil
	case kindTime:
		s, ok := v.(string)
		if !ok {
			return "", bad(n, "must be a date (YYYY-MM-DD) or a datetime (RFC 3339)")
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC().Format(time.RFC3339Nano), nil
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format(time.RFC3339Nano), nil
		}
		return "", bad(n, "must be a date (YYYY-MM-DD) or a datetime (RFC 3339)")
	case kindBool:
		if b, ok := v.(bool); ok {
			return fmt.Sprint(b), nil
		}
		return "", bad(n, "must be true or false")
	}
	switch x := v.(type) {
	case string:
		return x, textOK(n, x)
	case json.Number:
		return x.String(), textOK(n, x.String())
	case bool:
		return fmt.Sprint(x), nil
	}
	return "", bad(n, "must be a string")
}

// likePattern escapes LIKE wildcards (\ is ILIKE's default escape) and
// anchors the pattern.
func likePattern(s string, anyBefore, anyAfter bool) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	if anyBefore {
		s = "%" + s
	}
	if anyAfter {
		s += "%"
	}
	return s
}

// --- queries -----------------------------------------------------------------

// objectColumns are the columns of Object (objects.search is not one).
const objectColumns = "o.tenant_id, o.id, o.object_type_id, o.properties, o.version, o.created_by, o.updated_by, o.created_at, o.updated_at, o.deleted_at"

// ObjectSearchPage is ObjectPageList narrowed by cond (live objects only
// unless pg.Trash).
func ObjectSearchPage(ctx context.Context, idb bun.IDB, pg ObjectPage, cond Condition) ([]Object, error) {
	rows := []Object{}
	q := idb.NewSelect().Model(&rows).Where("o.tenant_id = ? AND o.object_type_id = ?", pg.TenantID, pg.TypeID)
	if pg.Trash {
		q = q.Where("o.deleted_at IS NOT NULL")
	} else {
		q = q.Where("o.deleted_at IS NULL")
	}
	q = where(q, cond)
	cmp, dir := ">", "ASC"
	if pg.Desc {
		cmp, dir = "<", "DESC"
	}
	col := bun.Ident("o." + pg.Column)
	if pg.AfterID != "" {
		if pg.Column == "id" {
			q = q.Where("o.id "+cmp+" ?", pg.AfterID)
		} else {
			q = q.Where("(?, o.id) "+cmp+" (?, ?)", col, pg.AfterTime, pg.AfterID)
		}
	}
	if pg.Column != "id" {
		q = q.OrderExpr("? "+dir, col)
	}
	return rows, q.OrderExpr("o.id " + dir).Limit(int64(pg.Limit)).Scan(ctx)
}

func where(q *bun.SelectQuery, cond Condition) *bun.SelectQuery {
	if cond.SQL == "" || cond.SQL == "TRUE" {
		return q
	}
	return q.Where("("+cond.SQL+")", cond.Args...)
}

// PropertySearchValued is PropertyPageValued narrowed by cond.
func PropertySearchValued(ctx context.Context, idb bun.IDB, pg PropertyPage, cond Condition) ([]ObjectSorted, error) {
	rows := []ObjectSorted{}
	cmp, dir := ">", "ASC"
	if pg.Desc {
		cmp, dir = "<", "DESC"
	}
	col := bun.Ident("i." + pg.Column)
	cast := map[string]string{IndexText: "text", IndexNum: "numeric", IndexTime: "timestamptz"}[pg.Column]
	q := idb.NewSelect().Model(&rows).ColumnExpr(objectColumns).
		ColumnExpr("i.v_text, i.v_num::text AS v_num, i.v_time").
		Join("JOIN object_index AS i ON i.tenant_id = o.tenant_id AND i.object_id = o.id").
		Where("i.tenant_id = ? AND i.property_id = ?", pg.TenantID, pg.PropertyID).
		Where("? IS NOT NULL", col).
		Where("o.object_type_id = ? AND o.deleted_at IS NULL", pg.TypeID)
	q = where(q, cond)
	if pg.After != nil {
		q = q.Where("(?, i.object_id) "+cmp+" (CAST(? AS "+cast+"), ?)", col, *pg.After, pg.AfterID)
	}
	return rows, q.OrderExpr("? "+dir, col).OrderExpr("i.object_id " + dir).Limit(int64(pg.Limit)).Scan(ctx)
}

// PropertySearchUnvalued is PropertyPageUnvalued narrowed by cond.
func PropertySearchUnvalued(ctx context.Context, idb bun.IDB, pg PropertyPage, cond Condition) ([]Object, error) {
	rows := []Object{}
	cmp, dir := ">", "ASC"
	if pg.Desc {
		cmp, dir = "<", "DESC"
	}
	q := idb.NewSelect().Model(&rows).
		Where("o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NULL", pg.TenantID, pg.TypeID).
		Where(`NOT EXISTS (SELECT 1 FROM object_index AS i WHERE i.tenant_id = o.tenant_id
			AND i.property_id = ? AND i.object_id = o.id AND ? IS NOT NULL)`, pg.PropertyID, bun.Ident("i."+pg.Column))
	q = where(q, cond)
	if pg.AfterID != "" {
		q = q.Where("o.id "+cmp+" ?", pg.AfterID)
	}
	return rows, q.OrderExpr("o.id " + dir).Limit(int64(pg.Limit)).Scan(ctx)
}

// ObjectSearchCount counts a type's live objects matching cond.
func ObjectSearchCount(ctx context.Context, idb bun.IDB, tenantID, typeID string, cond Condition) (int, error) {
	q := idb.NewSelect().Model((*Object)(nil)).
		Where("o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NULL", tenantID, typeID)
	n, err := where(q, cond).Count(ctx)
	return int(n), err
}

// --- aggregates ----------------------------------------------------------------

// AggField is a field of an aggregate: a built-in field or a property
// (its name and data type; read from the document).
type AggField struct {
	Property string
	Builtin  bool
	DataType string
}

// Aggregation is one aggregate: Function is count, sum, avg, min, max or
// count_distinct; Field is nil for count(*).
type Aggregation struct {
	Function string
	Field    *AggField
}

// AggregateQuery is an aggregate over a type's live objects matching Where.
type AggregateQuery struct {
	TenantID, TypeID string
	Where            Condition
	GroupBy          []AggField
	Aggs             []Aggregation
	// Limit is the most group rows read.
	Limit int
}

// AggKind tells how an aggregate may read a field: num, time, text, bool,
// multi or any (the kinds of the filter compiler).
func AggKind(f AggField) string {
	if f.Builtin {
		return builtinColumns[f.Property].kind
	}
	return valueKind(f.DataType)
}

// fieldExpr is the SQL of a field read as kind; names are arguments.
func (q *AggregateQuery) fieldExpr(f AggField, kind string, args *[]any) string {
	if f.Builtin {
		return builtinColumns[f.Property].col
	}
	*args = append(*args, f.Property)
	e := "(o.properties -> ?)"
	if f.DataType == "currency" && kind == kindNum {
		e = "(" + e + " -> 'amount')"
	}
	if kind == kindAny {
		return "NULLIF(" + e + ", 'null'::jsonb)"
	}
	return typed(e, kind)
}

// Aggregate runs q: one row per group, each cell a JSON value (group
// values as stored, numbers exact; avg rounded to 10 decimal places).
func Aggregate(ctx context.Context, idb bun.IDB, q AggregateQuery) ([][]json.RawMessage, error) {
	var cols []string
	var args []any
	for _, g := range q.GroupBy {
		if g.Builtin {
			cols = append(cols, "to_jsonb("+q.fieldExpr(g, AggKind(g), &args)+")")
			continue
		}
		cols = append(cols, q.fieldExpr(g, kindAny, &args))
	}
	for _, a := range q.Aggs {
		cols = append(cols, "to_jsonb("+q.aggExpr(a, &args)+")")
	}
	sel := "SELECT " + strings.Join(cols, ", ") + " FROM objects AS o WHERE o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NULL"
	args = append(args, q.TenantID, q.TypeID)
	if q.Where.SQL != "" && q.Where.SQL != "TRUE" {
		sel += " AND (" + q.Where.SQL + ")"
		args = append(args, q.Where.Args...)
	}
	if n := len(q.GroupBy); n > 0 {
		pos := make([]string, n)
		for i := range pos {
			pos[i] = fmt.Sprint(i + 1)
		}
		sel += " GROUP BY " + strings.Join(pos, ", ") + " ORDER BY " + strings.Join(pos, ", ")
	}
	sel += fmt.Sprintf(" LIMIT %d", q.Limit)
	rows, err := idb.QueryContext(ctx, sel, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanJSONRows(rows, len(cols))
}

func scanJSONRows(rows *sql.Rows, n int) ([][]json.RawMessage, error) {
	out := [][]json.RawMessage{}
	for rows.Next() {
		cells := make([]sql.NullString, n)
		ptrs := make([]any, n)
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]json.RawMessage, n)
		for i, c := range cells {
			row[i] = json.RawMessage("null")
			if c.Valid {
				row[i] = json.RawMessage(c.String)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// aggExpr is the SQL of one aggregate (the domain checked the function
// against the field's kind).
func (q *AggregateQuery) aggExpr(a Aggregation, args *[]any) string {
	if a.Field == nil {
		return "count(*)"
	}
	kind := AggKind(*a.Field)
	switch a.Function {
	case "count":
		return "count(" + q.fieldExpr(*a.Field, kindAny, args) + ")"
	case "count_distinct":
		return "count(DISTINCT " + q.fieldExpr(*a.Field, kindAny, args) + ")"
	case "sum":
		return "sum(" + q.fieldExpr(*a.Field, kindNum, args) + ")"
	case "avg":
		return "trim_scale(round(avg(" + q.fieldExpr(*a.Field, kindNum, args) + "), 10))"
	case "min", "max":
		return a.Function + "(" + q.fieldExpr(*a.Field, kind, args) + ")"
	}
	return "NULL"
}
