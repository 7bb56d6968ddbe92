package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
)

// Tests of the filter compiler: table tests executing compiled conditions
// against real rows (mixed data included: a value of the wrong JSON type
// never makes a query fail), the same answers from index rows and from the
// document, and a fuzz test (no panic, every value an argument, every
// compiled condition valid SQL).

var fltSeq atomic.Int64

// fltFixture is a tenant with a type, properties and objects named by
// their "k" property.
type fltFixture struct {
	idb      *bun.DB
	tenantID string
	typeID   string
	propIDs  map[string]string
}

// fltProps are the fixture's properties and data types.
var fltProps = map[string]string{"s": "string", "n": "integer", "d": "decimal", "t": "datetime", "b": "boolean",
	"e": "enum", "m": "multi_enum", "j": "json", "c": "currency"}

// fltDocs are the fixture's objects (k names them); "bad" holds values of
// the wrong JSON type everywhere.
var fltDocs = []string{
	`{"k":"a","s":"Alpha 50%_off","n":1,"d":1.50,"t":"2026-01-01T00:00:00Z","b":true,"e":"lead","m":["x","y"],"j":1,"c":{"amount":10.5,"currency":"EUR"}}`,
	`{"k":"b","s":"beta","n":2,"d":2.25,"t":"2026-02-01T12:00:00Z","b":false,"e":"customer","m":["y"],"j":"alpha","c":{"amount":20,"currency":"EUR"}}`,
	`{"k":"c","s":"Gamma","n":10,"d":-3,"t":"2025-12-31T23:59:59.5Z","e":"lead","m":[],"j":["alpha","q"]}`,
	`{"k":"bad","s":5,"n":"many","d":"x","t":"not a date","b":"yes","e":1,"m":"x","j":null,"c":"lots"}`,
	`{"k":"none"}`,
}

func fltSetup(t testing.TB) *fltFixture {
	t.Helper()
	idb := dbtest.DB(t)
	ctx := context.Background()
	n := fltSeq.Add(1)
	f := &fltFixture{idb: idb, tenantID: fmt.Sprintf("tn_flt%d_%d", time.Now().UnixNano(), n),
		typeID: fmt.Sprintf("ot_flt%d", n), propIDs: map[string]string{}}
	exec := func(q string, args ...any) {
		_, err := idb.ExecContext(ctx, q, args...)
		require.NoError(t, err, q)
	}
	exec("INSERT INTO tenants (id, name) VALUES (?, 'flt')", f.tenantID)
	exec("INSERT INTO object_types (tenant_id, id, name, display_name) VALUES (?, ?, 'things', 'Things')", f.tenantID, f.typeID)
	pos := 0
	for name, dt := range fltProps {
		pos++
		id := "prop_" + name + fmt.Sprint(n)
		f.propIDs[name] = id
		exec("INSERT INTO object_properties (tenant_id, id, object_type_id, name, data_type, position) VALUES (?, ?, ?, ?, ?, ?)",
			f.tenantID, id, f.typeID, name, dt, pos)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, doc := range fltDocs {
		id := fmt.Sprintf("obj_%s_%d", f.tenantID, i)
		exec("INSERT INTO objects (tenant_id, id, object_type_id, properties, created_at, updated_at, created_by) VALUES (?, ?, ?, ?::jsonb, ?, ?, ?)",
			f.tenantID, id, f.typeID, doc, now.Add(time.Duration(i)*time.Hour), now, fmt.Sprintf("key_%d", i%2))
	}
	// Index rows of the typed values, as objects_index.go writes them.
	exec(`INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_num)
		SELECT tenant_id, object_type_id, ?, id, (properties->>'n')::numeric FROM objects
		WHERE tenant_id = ? AND jsonb_typeof(properties->'n') = 'number'`, f.propIDs["n"], f.tenantID)
	exec(`INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_text)
		SELECT tenant_id, object_type_id, ?, id, properties->>'s' FROM objects
		WHERE tenant_id = ? AND jsonb_typeof(properties->'s') = 'string'`, f.propIDs["s"], f.tenantID)
	exec(`INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_time)
		SELECT tenant_id, object_type_id, ?, id, (properties->>'t')::timestamptz FROM objects
		WHERE tenant_id = ? AND properties->>'t' LIKE '20%'`, f.propIDs["t"], f.tenantID)
	exec(`INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_text)
		SELECT tenant_id, object_type_id, ?, id, properties->>'b' FROM objects
		WHERE tenant_id = ? AND jsonb_typeof(properties->'b') = 'boolean'`, f.propIDs["b"], f.tenantID)
	exec(`INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_num)
		SELECT tenant_id, object_type_id, ?, id, (properties->'c'->>'amount')::numeric FROM objects
		WHERE tenant_id = ? AND jsonb_typeof(properties->'c'->'amount') = 'number'`, f.propIDs["c"], f.tenantID)
	return f
}

// match runs items and returns the k of the matching objects, sorted.
func (f *fltFixture) match(t *testing.T, items []db.FilterNode) []string {
	t.Helper()
	cond, err := db.CompileFilters(items)
	require.NoError(t, err)
	var ks []string
	err = f.idb.NewSelect().Model((*db.Object)(nil)).ColumnExpr("o.properties->>'k'").
		Where("o.tenant_id = ? AND o.object_type_id = ?", f.tenantID, f.typeID).
		Where(cond.SQL, cond.Args...).Scan(context.Background(), &ks)
	require.NoError(t, err, "%s %v", cond.SQL, cond.Args)
	slices.Sort(ks)
	if ks == nil {
		ks = []string{}
	}
	return ks
}

// cond builds a condition on a fixture property.
func (f *fltFixture) cond(name, op string, val any, indexed bool) db.FilterNode {
	return db.FilterNode{Field: "filters[0]", Property: name, PropertyID: f.propIDs[name], DataType: fltProps[name],
		Indexed: indexed, Operator: op, Value: val}
}

func num(s string) json.Number { return json.Number(s) }

func TestCompileFilterOperators(t *testing.T) {
	f := fltSetup(t)
	cases := []struct {
		prop, op string
		val      any
		want     []string
	}{
		{"s", "eq", "beta", []string{"b"}},
		{"s", "neq", "beta", []string{"a", "bad", "c", "none"}},
		{"s", "contains", "50%_", []string{"a"}},
		{"s", "contains", "%", []string{"a"}},
		{"s", "contains", "AMM", []string{"c"}},
		{"s", "starts_with", "alp", []string{"a"}},
		{"s", "ends_with", "TA", []string{"b"}},
		{"s", "gt", "Alpha 50%_off", []string{"b", "c"}},
		{"s", "in", []any{"beta", "Gamma", "zeta"}, []string{"b", "c"}},
		{"s", "not_in", []any{"beta"}, []string{"a", "bad", "c", "none"}},
		{"s", "exists", nil, []string{"a", "b", "c"}},
		{"s", "not_exists", nil, []string{"bad", "none"}},
		{"s", "eq", nil, []string{"bad", "none"}},
		{"n", "gt", num("1"), []string{"b", "c"}},
		{"n", "gte", "2", []string{"b", "c"}},
		{"n", "lt", num("2.5"), []string{"a", "b"}},
		{"n", "between", []any{num("2"), num("10")}, []string{"b", "c"}},
		{"n", "in", []any{num("1"), num("10.0")}, []string{"a", "c"}},
		{"n", "eq", num("1.0"), []string{"a"}},
		{"n", "neq", num("1"), []string{"b", "bad", "c", "none"}},
		{"n", "exists", nil, []string{"a", "b", "c"}},
		{"d", "gt", num("1.5"), []string{"b"}},
		{"d", "lte", num("1.50"), []string{"a", "c"}},
		{"t", "gte", "2026-01-01", []string{"a", "b"}},
		{"t", "lt", "2026-01-01T00:00:00Z", []string{"c"}},
		{"t", "between", []any{"2025-12-31T23:59:59Z", "2026-01-01T00:00:00+00:00"}, []string{"a", "c"}},
		{"t", "eq", "2026-02-01T13:00:00+01:00", []string{"b"}},
		{"b", "eq", true, []string{"a"}},
		{"b", "eq", false, []string{"b"}},
		{"b", "neq", true, []string{"b", "bad", "c", "none"}},
		{"b", "in", []any{true, false}, []string{"a", "b"}},
		{"b", "eq", nil, []string{"bad", "c", "none"}},
		{"n", "eq", nil, []string{"bad", "none"}},
		{"t", "eq", nil, []string{"bad", "none"}},
		{"e", "eq", "lead", []string{"a", "c"}},
		{"e", "in", []any{"customer"}, []string{"b"}},
		{"m", "contains", "y", []string{"a", "b"}},
		{"m", "eq", "x", []string{"a"}},
		{"m", "in", []any{"x", "z"}, []string{"a"}},
		{"m", "not_in", []any{"y"}, []string{"bad", "c", "none"}},
		{"m", "exists", nil, []string{"a", "b", "c"}},
		{"j", "eq", num("1"), []string{"a"}},
		{"j", "eq", "alpha", []string{"b"}},
		{"j", "contains", "alp", []string{"b"}},
		{"j", "contains", "alpha", []string{"b", "c"}},
		{"j", "exists", nil, []string{"a", "b", "c"}},
		{"c", "gte", num("20"), []string{"b"}},
		{"c", "lt", num("100"), []string{"a", "b"}},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s %s %v", tc.prop, tc.op, tc.val)
		t.Run(name, func(t *testing.T) {
			require.Equal(t, tc.want, f.match(t, []db.FilterNode{f.cond(tc.prop, tc.op, tc.val, false)}), "document")
			switch tc.prop {
			case "s", "n", "t", "b", "c": // the index rows answer the same
				require.Equal(t, tc.want, f.match(t, []db.FilterNode{f.cond(tc.prop, tc.op, tc.val, true)}), "indexed")
			}
		})
	}
}

func TestCompileFilterGroupsAndBuiltins(t *testing.T) {
	f := fltSetup(t)
	tree := []db.FilterNode{
		{Field: "filters[0]", Or: []db.FilterNode{
			f.cond("e", "eq", "customer", false),
			{Field: "filters[0].or[1]", And: []db.FilterNode{f.cond("n", "gte", num("10"), true), f.cond("s", "contains", "mm", false)}},
		}},
		f.cond("k", "exists", nil, false),
	}
	tree[1].DataType = "" // untyped k
	require.Equal(t, []string{"b", "c"}, f.match(t, tree))
	bi := func(prop, op string, val any) db.FilterNode {
		return db.FilterNode{Field: "filters[0]", Property: prop, Builtin: true, Operator: op, Value: val}
	}
	require.Equal(t, []string{"a", "c", "none"}, f.match(t, []db.FilterNode{bi("created_by", "eq", "key_0")}))
	require.Equal(t, []string{"bad", "c", "none"}, f.match(t, []db.FilterNode{bi("created_at", "gte", "2026-03-01T02:00:00Z")}))
	require.Equal(t, []string{"a", "b"}, f.match(t, []db.FilterNode{bi("created_at", "lt", "2026-03-01T02:00:00+00:00")}))
	require.Equal(t, []string{"a", "b", "bad", "c", "none"}, f.match(t, []db.FilterNode{bi("version", "eq", num("1"))}))
	require.Equal(t, []string{}, f.match(t, []db.FilterNode{bi("version", "gt", num("1"))}))
	require.Equal(t, []string{"a"}, f.match(t, []db.FilterNode{bi("id", "ends_with", "_0")}))
	require.Equal(t, []string{}, f.match(t, []db.FilterNode{bi("id", "not_exists", nil)}))
}

func TestCompileFilterRefusals(t *testing.T) {
	f := fltSetup(t)
	for _, n := range []db.FilterNode{
		f.cond("n", "gt", "many", false),
		f.cond("n", "contains", "1", false),
		f.cond("t", "gt", "yesterday", false),
		f.cond("b", "gt", true, false),
		f.cond("b", "eq", "yes", true),
		f.cond("b", "eq", "true", true),
		f.cond("b", "eq", "true", false),
		f.cond("m", "gt", "x", false),
		f.cond("s", "eq", "a\x00b", false),
		f.cond("n", "eq", num("1e999999999"), true),
	} {
		_, err := db.CompileFilters([]db.FilterNode{n})
		var fe *db.FilterError
		require.ErrorAs(t, err, &fe, "%s %s %v", n.Property, n.Operator, n.Value)
		require.True(t, strings.HasPrefix(fe.Field, "filters[0]."), fe.Field)
	}
}

// fltMarker prefixes every fuzzed string: it must never reach the SQL text.
const fltMarker = "ZQXJ"

var fltOps = []string{"eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "starts_with", "ends_with",
	"exists", "not_exists", "between", "bogus"}

var fltTypes = []string{"string", "integer", "decimal", "datetime", "boolean", "enum", "multi_enum", "json", "currency", "date", ""}

// fltValue derives a filter value from fuzz input.
func fltValue(sel byte, s, numText string) any {
	switch sel % 7 {
	case 0:
		return fltMarker + s
	case 1:
		return json.Number(fltMarker + numText)
	case 2:
		return json.Number(numText)
	case 3:
		return sel%2 == 0
	case 4:
		return nil
	case 5:
		return []any{fltMarker + s, json.Number(numText), fltMarker + numText}
	}
	return []any{json.Number(numText), fltMarker + s + "'\\\"{},"}
}

func FuzzCompileFilter(f *testing.F) {
	f.Add(byte(0), byte(0), byte(0), byte(0), false, "beta", "1")
	f.Add(byte(8), byte(6), byte(0), byte(2), true, "%_\\", "2.5")
	f.Add(byte(13), byte(2), byte(5), byte(3), false, "2026-01-01", "1e3")
	f.Add(byte(6), byte(1), byte(6), byte(1), true, "'); DROP TABLE objects; --", "-0")
	f.Add(byte(1), byte(9), byte(1), byte(0), false, "a\x00b", "NaN")
	fx := fltSetup(f)
	f.Fuzz(func(t *testing.T, opSel, typeSel, valSel, depth byte, indexed bool, s, numText string) {
		// Property names come from metadata (^[a-z][a-z0-9_]*$); values may
		// hold anything JSON decodes to.
		name := strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
		n := db.FilterNode{Field: "filters[0]", Property: fltMarker + name, PropertyID: fltMarker + "prop" + name,
			DataType: fltTypes[int(typeSel)%len(fltTypes)], Indexed: indexed,
			Operator: fltOps[int(opSel)%len(fltOps)], Value: fltValue(valSel, s, numText)}
		if typeSel%13 == 12 { // a built-in field
			n.Property, n.Builtin = []string{"id", "created_at", "updated_at", "created_by", "version"}[int(valSel)%5], true
		}
		tree := []db.FilterNode{n}
		for i := 0; i < int(depth%12); i++ {
			if i%2 == 0 {
				tree = []db.FilterNode{{Field: "filters[0]", Or: append(tree, n)}}
			} else {
				tree = []db.FilterNode{{Field: "filters[0]", And: tree}}
			}
		}
		cond, err := db.CompileFilters(tree)
		if err != nil {
			var fe *db.FilterError
			require.ErrorAs(t, err, &fe)
			return
		}
		require.NotContains(t, cond.SQL, fltMarker, "a value or name reached the SQL text")
		require.Equal(t, strings.Count(cond.SQL, "?"), len(cond.Args), "one argument per placeholder: %s", cond.SQL)
		// The compiled condition runs, whatever the data (no 500).
		_, err = fx.idb.NewSelect().Model((*db.Object)(nil)).Where("o.tenant_id = ?", fx.tenantID).
			Where(cond.SQL, cond.Args...).Count(context.Background())
		require.NoError(t, err, "%s %v", cond.SQL, cond.Args)
	})
}
