package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db/dbtest"
)

// HTTP tests of POST /v1/objects/:type/aggregate, over the objects of
// srchSetup (search_test.go).

// aggRows runs an aggregate and returns its rows with raw values (numbers
// checked exactly, as written).
func (s srchEnv) aggRows(t testing.TB, body map[string]any) []map[string]string {
	t.Helper()
	res := otDo(t, s.env, s.tn.Key, "POST", s.path+"/aggregate", body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Results []map[string]json.RawMessage `json:"results"`
	}
	res.Decode(t, &out)
	rows := make([]map[string]string, len(out.Results))
	for i, r := range out.Results {
		rows[i] = map[string]string{}
		for k, v := range r {
			rows[i][k] = string(v)
		}
	}
	return rows
}

func aggA(fn, prop, alias string) map[string]any {
	a := map[string]any{"function": fn}
	if prop != "" {
		a["property_id"] = prop
	}
	if alias != "" {
		a["alias"] = alias
	}
	return a
}

func TestAggregateFunctions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	t.Run("whole set", func(t *testing.T) {
		for _, sfx := range []string{"", "_ix"} {
			rows := s.aggRows(t, map[string]any{"aggregations": []any{
				aggA("count", "", ""), aggA("count", "qty"+sfx, "with_qty"),
				aggA("sum", "qty"+sfx, "total_qty"), aggA("avg", "qty"+sfx, ""),
				aggA("min", "qty"+sfx, "min_qty"), aggA("max", "qty"+sfx, "max_qty"),
				aggA("count_distinct", "qty"+sfx, "distinct_qty"),
				aggA("sum", "price"+sfx, "revenue"), aggA("avg", "price"+sfx, "avg_price"),
				aggA("min", "due"+sfx, "first_due"), aggA("max", "stage"+sfx, "last_stage"),
			}})
			require.Len(t, rows, 1)
			r := rows[0]
			require.Equal(t, "6", r["count"])
			require.Equal(t, "5", r["with_qty"])
			require.Equal(t, "41", r["total_qty"])
			require.Equal(t, "8.2", r["avg_qty"+sfx], "default alias <function>_<property>: %v", r)
			require.Equal(t, "1", r["min_qty"])
			require.Equal(t, "20", r["max_qty"])
			require.Equal(t, "4", r["distinct_qty"])
			require.Equal(t, "17.09", r["revenue"], "exact decimal sum")
			require.Equal(t, "3.418", r["avg_price"])
			require.Contains(t, r["first_due"], "2025-12-31T23:00:00")
			require.Equal(t, `"lost"`, r["last_stage"])
		}
	})
	t.Run("group by with and without filters", func(t *testing.T) {
		rows := s.aggRows(t, map[string]any{"group_by": []string{"stage"},
			"aggregations": []any{aggA("count", "", "n"), aggA("sum", "qty", "qty")}})
		require.Equal(t, []map[string]string{
			{"stage": `"customer"`, "n": "2", "qty": "10"},
			{"stage": `"lead"`, "n": "2", "qty": "21"},
			{"stage": `"lost"`, "n": "1", "qty": "10"},
			{"stage": "null", "n": "1", "qty": "null"},
		}, rows)
		rows = s.aggRows(t, map[string]any{"group_by": []string{"stage_ix", "active"},
			"filters":      []any{srchF("active", "eq", true)},
			"aggregations": []any{aggA("count", "", "")}})
		require.Equal(t, []map[string]string{
			{"stage_ix": `"customer"`, "active": "true", "count": "1"},
			{"stage_ix": `"lead"`, "active": "true", "count": "1"},
			{"stage_ix": `"lost"`, "active": "true", "count": "1"},
		}, rows)
		rows = s.aggRows(t, map[string]any{"group_by": []string{"created_by"}, "aggregations": []any{aggA("max", "version", "")}})
		require.Len(t, rows, 1)
		require.Equal(t, "1", rows[0]["max_version"])
		rows = s.aggRows(t, map[string]any{"filters": []any{srchF("qty", "gt", 100)}, "aggregations": []any{aggA("count", "", ""), aggA("sum", "qty", "")}})
		require.Equal(t, []map[string]string{{"count": "0", "sum_qty": "null"}}, rows)
	})
	t.Run("trashed objects do not count", func(t *testing.T) {
		res := otDo(t, env, s.tn.Key, "DELETE", s.path+"/"+s.objs["o4"].ID, nil)
		require.Equal(t, http.StatusOK, res.Status)
		rows := s.aggRows(t, map[string]any{"aggregations": []any{aggA("count", "", ""), aggA("sum", "qty_ix", "q")}})
		require.Equal(t, []map[string]string{{"count": "5", "q": "21"}}, rows)
	})
}

func TestAggregateErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no aggregations", map[string]any{}, "aggregations"},
		{"unknown function", map[string]any{"aggregations": []any{aggA("median", "qty", "")}}, "aggregations[0].function"},
		{"sum of a string", map[string]any{"aggregations": []any{aggA("sum", "title", "")}}, "aggregations[0].function"},
		{"avg of a datetime", map[string]any{"aggregations": []any{aggA("avg", "due", "")}}, "aggregations[0].function"},
		{"min of a boolean", map[string]any{"aggregations": []any{aggA("min", "active", "")}}, "aggregations[0].function"},
		{"max of multi_enum", map[string]any{"aggregations": []any{aggA("max", "tags", "")}}, "aggregations[0].function"},
		{"sum without a property", map[string]any{"aggregations": []any{aggA("sum", "", "")}}, "aggregations[0].property_id"},
		{"unknown property", map[string]any{"aggregations": []any{aggA("max", "nope", "")}}, "aggregations[0].property_id"},
		{"bad alias", map[string]any{"aggregations": []any{aggA("count", "", "Total-Count")}}, "aggregations[0].alias"},
		{"duplicate alias", map[string]any{"aggregations": []any{aggA("count", "", "n"), aggA("sum", "qty", "n")}}, "aggregations[1].alias"},
		{"duplicate default alias", map[string]any{"aggregations": []any{aggA("count", "", ""), aggA("count", "", "")}}, "aggregations[1].alias"},
		{"alias clashes with a group", map[string]any{"group_by": []string{"stage"}, "aggregations": []any{aggA("count", "", "stage")}}, "aggregations[0].alias"},
		{"unknown group_by", map[string]any{"group_by": []string{"nope"}, "aggregations": []any{aggA("count", "", "")}}, "group_by[0]"},
		{"bad filter", map[string]any{"filters": []any{srchF("qty", "near", 1)}, "aggregations": []any{aggA("count", "", "")}}, "filters[0].operator"},
		{"wrong function type", map[string]any{"aggregations": []any{map[string]any{"function": 3}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, s.tn.Key, "POST", s.path+"/aggregate", c.body)
			if c.field == "" {
				require.Equal(t, 400, res.Status, "%s", res.Body)
				return
			}
			otRequireError(t, res, 400, "VALIDATION_FAILED", c.field)
		})
	}
	t.Run("tenant isolation and scopes", func(t *testing.T) {
		tb := otTenant(t, env)
		otCreate(t, env, tb.Key, map[string]any{"name": s.name})
		res := otDo(t, env, tb.Key, "POST", s.path+"/aggregate", map[string]any{"aggregations": []any{aggA("count", "", "")}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"results":[{"count":0}]}`, string(res.Data))
		writeKey := scopedKey(t, env, s.tn.Key, "write")
		res = otDo(t, env, writeKey, "POST", s.path+"/aggregate", map[string]any{"aggregations": []any{aggA("count", "", "")}})
		otRequireError(t, res, 403, "INSUFFICIENT_SCOPE")
		readKey := scopedKey(t, env, s.tn.Key, "read")
		res = otDo(t, env, readKey, "POST", s.path+"/aggregate", map[string]any{"aggregations": []any{aggA("count", "", "")}})
		require.Equal(t, http.StatusOK, res.Status)
	})
}

func TestAggregateGroupRowsCap(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	name := otName("aggcap")
	ty := otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{map[string]any{"name": "n", "data_type": "integer"}}})
	// 10,001 objects with distinct values, written directly (the API
	// would take a hundred batches).
	_, err := dbtest.DB(t).ExecContext(context.Background(), `INSERT INTO objects
		(tenant_id, id, object_type_id, properties, created_at, updated_at)
		SELECT ?, 'obj_aggcap' || g, ?, jsonb_build_object('n', g), now(), now() FROM generate_series(1, 10001) AS g`, tn.ID, ty.ID)
	require.NoError(t, err)
	path := "/v1/objects/" + name + "/aggregate"
	body := map[string]any{"group_by": []string{"n"}, "aggregations": []any{aggA("count", "", "")}}
	res := otDo(t, env, tn.Key, "POST", path, body)
	otRequireError(t, res, 400, "VALIDATION_FAILED", "group_by")
	require.Equal(t, "group_rows", res.Error.Extra["cap"], "%s", res.Body)
	require.Contains(t, res.Error.Message, "10000")
	body["filters"] = []any{srchF("n", "lte", 10000)}
	res = otDo(t, env, tn.Key, "POST", path, body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Results []map[string]json.Number `json:"results"`
	}
	res.Decode(t, &out)
	require.Len(t, out.Results, 10000)
	require.Equal(t, json.Number("1"), out.Results[0]["n"])
}
