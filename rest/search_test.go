package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of POST /v1/objects/:type/search (the srch* helpers serve
// aggregate_test.go too).

// srchEnv is a tenant with a type whose properties come in pairs: x
// (compared on the JSONB document) and x_ix (indexed: compared on the
// typed index rows), holding the same values, so every filter can be
// checked to answer the same both ways.
type srchEnv struct {
	env  *apptest.Env
	tn   apptest.Tenant
	name string
	path string
	objs map[string]objObject // by label
}

// srchRows are the objects: label, title, qty, price, due, active, stage,
// tags, meta (nil: absent).
var srchRows = []struct {
	label  string
	title  any
	qty    any
	price  any
	due    any
	active any
	stage  any
	tags   any
	meta   any
}{
	{"o1", "Apple pie", 1, "1.10", "2026-01-01T10:00:00Z", true, "lead", []string{"a"}, map[string]any{"k": 1}},
	{"o2", "Banana split", 5, "2.50", "2026-01-05T00:00:00Z", false, "customer", []string{"a", "b"}, "x"},
	{"o3", "Cherry 100%", 10, "10.00", "2026-02-01T00:00:00Z", true, "lost", []string{}, 7},
	{"o4", "apple crumble", 20, "0.99", "2025-12-31T23:00:00Z", false, "lead", []string{"c"}, []string{"apple"}},
	{"o5", nil, nil, nil, nil, nil, nil, nil, nil},
	{"o6", "Dates_and_figs", 5, "2.5", "2026-03-01T00:00:00Z", true, "customer", []string{"b", "c"}, true},
}

// srchPaired are the properties with an indexed twin.
var srchPaired = []string{"title", "qty", "price", "due", "active", "stage"}

func srchSetup(t *testing.T, env *apptest.Env) srchEnv {
	t.Helper()
	tn := otTenant(t, env)
	name := otName("srch")
	props := []any{map[string]any{"name": "label", "data_type": "string"}}
	types := map[string]map[string]any{
		"title": {"data_type": "string"}, "qty": {"data_type": "integer"}, "price": {"data_type": "decimal"},
		"due": {"data_type": "datetime"}, "active": {"data_type": "boolean"},
		"stage": {"data_type": "enum", "enum_values": []string{"lead", "customer", "lost"}},
	}
	for _, p := range srchPaired {
		plain := map[string]any{"name": p}
		ix := map[string]any{"name": p + "_ix", "is_indexed": true, "is_sortable": true}
		for k, v := range types[p] {
			plain[k], ix[k] = v, v
		}
		props = append(props, plain, ix)
	}
	props = append(props,
		map[string]any{"name": "tags", "data_type": "multi_enum", "enum_values": []string{"a", "b", "c"}},
		map[string]any{"name": "meta", "data_type": "json"})
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": props})
	s := srchEnv{env: env, tn: tn, name: name, path: "/v1/objects/" + name, objs: map[string]objObject{}}
	for _, r := range srchRows {
		doc := map[string]any{"label": r.label}
		for p, v := range map[string]any{"title": r.title, "qty": r.qty, "price": r.price, "due": r.due,
			"active": r.active, "stage": r.stage} {
			if v != nil {
				doc[p], doc[p+"_ix"] = v, v
			}
		}
		if r.tags != nil {
			doc["tags"] = r.tags
		}
		if r.meta != nil {
			doc["meta"] = r.meta
		}
		doc["note"] = "untyped " + r.label
		res := otDo(t, env, tn.Key, "POST", s.path, map[string]any{"properties": doc})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var obj objObject
		res.Decode(t, &obj)
		s.objs[r.label] = obj
	}
	return s
}

func (s srchEnv) search(t testing.TB, body map[string]any) *apptest.Response {
	t.Helper()
	return otDo(t, s.env, s.tn.Key, "POST", s.path+"/search", body)
}

// labels runs a search and returns the labels found, sorted.
func (s srchEnv) labels(t testing.TB, body map[string]any) []string {
	t.Helper()
	res := s.search(t, body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	out := []string{}
	for _, o := range pg.Results {
		var l string
		require.NoError(t, json.Unmarshal(o.Properties["label"], &l))
		out = append(out, l)
	}
	require.Equal(t, len(out), pg.Total, "total counts the filtered set: %s", res.Body)
	slices.Sort(out)
	return out
}

func srchF(prop, op string, val any) map[string]any {
	f := map[string]any{"property": prop, "operator": op}
	if op != "exists" && op != "not_exists" {
		f["value"] = val
	}
	return f
}

func srchFilters(fs ...any) map[string]any { return map[string]any{"filters": fs, "limit": 100} }

func TestSearchOperatorsPerType(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	num := func(v string) json.Number { return json.Number(v) }
	cases := []struct {
		prop, op string
		val      any
		want     string
	}{
		{"title", "eq", "Banana split", "o2"},
		{"title", "neq", "Banana split", "o1 o3 o4 o5 o6"},
		{"title", "contains", "APPLE", "o1 o4"},
		{"title", "contains", "100%", "o3"},
		{"title", "contains", "s_", "o6"}, // _ is no wildcard ("sp" of "split" does not match)
		{"title", "starts_with", "apple", "o1 o4"},
		{"title", "ends_with", "PIE", "o1"},
		{"title", "in", []any{"Banana split", "Cherry 100%", "nope"}, "o2 o3"},
		{"title", "not_in", []any{"Banana split"}, "o1 o3 o4 o5 o6"},
		{"title", "exists", nil, "o1 o2 o3 o4 o6"},
		{"title", "not_exists", nil, "o5"},
		{"qty", "eq", num("5"), "o2 o6"},
		{"qty", "neq", num("5"), "o1 o3 o4 o5"},
		{"qty", "gt", num("5"), "o3 o4"},
		{"qty", "gte", "5", "o2 o3 o4 o6"},
		{"qty", "lt", num("5"), "o1"},
		{"qty", "lte", num("5.0"), "o1 o2 o6"},
		{"qty", "between", []any{num("5"), num("10")}, "o2 o3 o6"},
		{"qty", "in", []any{num("1"), num("20")}, "o1 o4"},
		{"qty", "nin", []any{num("5")}, "o1 o3 o4 o5"},
		{"price", "eq", num("2.5"), "o2 o6"},
		{"price", "gt", "2", "o2 o3 o6"},
		{"price", "lt", num("1"), "o4"},
		{"due", "gte", "2026-01-01", "o1 o2 o3 o6"},
		{"due", "lt", "2026-01-01T00:00:00Z", "o4"},
		{"due", "between", []any{"2026-01-01", "2026-01-31T23:59:59Z"}, "o1 o2"},
		{"due", "eq", "2026-01-01T11:00:00+01:00", "o1"},
		{"active", "eq", true, "o1 o3 o6"},
		{"active", "eq", false, "o2 o4"},
		{"active", "neq", true, "o2 o4 o5"},
		{"stage", "eq", "lead", "o1 o4"},
		{"stage", "in", []any{"customer", "lost"}, "o2 o3 o6"},
		{"stage", "neq", "lead", "o2 o3 o5 o6"},
		{"stage", "eq", nil, "o5"},
		{"tags", "contains", "b", "o2 o6"},
		{"tags", "eq", "a", "o1 o2"},
		{"tags", "in", []any{"c"}, "o4 o6"},
		{"tags", "not_in", []any{"a"}, "o3 o4 o5 o6"},
		{"tags", "exists", nil, "o1 o2 o3 o4 o6"},
		{"meta", "eq", num("7"), "o3"},
		{"meta", "eq", "x", "o2"},
		{"meta", "eq", true, "o6"},
		{"meta", "contains", "apple", "o4"},
		{"meta", "exists", nil, "o1 o2 o3 o4 o6"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s %v", c.prop, c.op, c.val), func(t *testing.T) {
			want := strings.Fields(c.want)
			require.Equal(t, want, s.labels(t, srchFilters(srchF(c.prop, c.op, c.val))), "on the document")
			if slices.Contains(srchPaired, c.prop) {
				require.Equal(t, want, s.labels(t, srchFilters(srchF(c.prop+"_ix", c.op, c.val))), "on the index rows")
			}
		})
	}
}

func TestSearchGroupsBuiltinsAndText(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	t.Run("nested or and and", func(t *testing.T) {
		for _, sfx := range []string{"", "_ix"} {
			got := s.labels(t, srchFilters(map[string]any{"or": []any{
				srchF("stage"+sfx, "eq", "lost"),
				map[string]any{"and": []any{srchF("qty"+sfx, "gte", 5), srchF("active"+sfx, "eq", false)}},
			}}))
			require.Equal(t, []string{"o2", "o3", "o4"}, got)
		}
		// several items are ANDed
		require.Equal(t, []string{"o6"}, s.labels(t, srchFilters(srchF("qty", "eq", 5), srchF("active_ix", "eq", true))))
	})
	t.Run("built-in fields", func(t *testing.T) {
		o1, o3 := s.objs["o1"], s.objs["o3"]
		require.Equal(t, []string{"o3"}, s.labels(t, srchFilters(srchF("id", "eq", o3.ID))))
		require.Equal(t, []string{"o1", "o3"}, s.labels(t, srchFilters(srchF("id", "in", []any{o1.ID, o3.ID}))))
		require.Len(t, s.labels(t, srchFilters(srchF("created_by", "eq", o1.CreatedBy))), 6)
		require.Len(t, s.labels(t, srchFilters(srchF("created_at", "gte", o3.CreatedAt.Format("2006-01-02T15:04:05.999999999Z07:00")))), 4)
		require.Equal(t, []string{}, s.labels(t, srchFilters(srchF("version", "gt", 1))))
		res := otDo(t, env, s.tn.Key, "PATCH", s.path+"/"+o1.ID, map[string]any{"properties": map[string]any{"qty": 2}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, []string{"o1"}, s.labels(t, srchFilters(srchF("version", "gte", 2))))
		require.Equal(t, []string{"o1"}, s.labels(t, srchFilters(srchF("updated_at", "gt", s.objs["o6"].UpdatedAt.Format("2006-01-02T15:04:05.999999999Z07:00")))))
	})
	t.Run("full text query", func(t *testing.T) {
		require.Equal(t, []string{"o1", "o4"}, s.labels(t, map[string]any{"query": "apple"}))
		require.Equal(t, []string{"o3"}, s.labels(t, map[string]any{"query": "CHERRY"}))
		require.Equal(t, []string{"o4"}, s.labels(t, map[string]any{"query": "apple -pie"}))
		require.Equal(t, []string{"o4"}, s.labels(t, map[string]any{"query": "apple", "filters": []any{srchF("qty", "gt", 5)}}))
		require.Equal(t, []string{"o2"}, s.labels(t, map[string]any{"query": "\"untyped o2\""}))
		res := s.search(t, map[string]any{"query": strings.Repeat("a", 501)})
		otRequireError(t, res, 400, "VALIDATION_FAILED", "query")
	})
	t.Run("soft-deleted objects never appear", func(t *testing.T) {
		res := otDo(t, env, s.tn.Key, "POST", s.path, map[string]any{"properties": map[string]any{"label": "gone", "title": "Apple tart"}})
		require.Equal(t, http.StatusCreated, res.Status)
		var gone objObject
		res.Decode(t, &gone)
		require.Equal(t, []string{"gone", "o1", "o4"}, s.labels(t, map[string]any{"query": "apple"}))
		require.Equal(t, http.StatusOK, otDo(t, env, s.tn.Key, "DELETE", s.path+"/"+gone.ID, nil).Status)
		require.Equal(t, []string{"o1", "o4"}, s.labels(t, map[string]any{"query": "apple"}))
		require.Equal(t, []string{"o1", "o4"}, s.labels(t, srchFilters(srchF("title", "contains", "apple"))))
	})
	t.Run("projection", func(t *testing.T) {
		res := s.search(t, map[string]any{"filters": []any{srchF("id", "eq", s.objs["o2"].ID)}, "properties": []string{"title", "note"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var pg objPage
		res.Decode(t, &pg)
		require.Len(t, pg.Results, 1)
		require.Equal(t, map[string]json.RawMessage{"title": json.RawMessage(`"Banana split"`), "note": json.RawMessage(`"untyped o2"`)}, pg.Results[0].Properties)
	})
}

// srchPages walks every page of a search and returns the labels in order.
func (s srchEnv) pages(t *testing.T, body map[string]any, between func(page int)) ([]string, int) {
	t.Helper()
	var out []string
	total := -1
	for page := 0; ; page++ {
		res := s.search(t, body)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var pg objPage
		res.Decode(t, &pg)
		if total < 0 {
			total = pg.Total
		}
		for _, o := range pg.Results {
			var l string
			require.NoError(t, json.Unmarshal(o.Properties["label"], &l))
			out = append(out, l)
		}
		if pg.NextCursor == nil {
			return out, total
		}
		body["cursor"] = *pg.NextCursor
		if between != nil {
			between(page)
		}
		require.Less(t, page, 20)
	}
}

func TestSearchSortAndPaging(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	filter := []any{srchF("title", "exists", nil)}
	t.Run("sorted by a sortable property, both spellings", func(t *testing.T) {
		got, total := s.pages(t, map[string]any{"filters": filter, "limit": 2, "sort": map[string]any{"property": "qty_ix", "order": "asc"}}, nil)
		require.Equal(t, 5, total)
		require.Equal(t, []string{"o1", "o2", "o6", "o3", "o4"}[:1], got[:1])
		require.ElementsMatch(t, []string{"o2", "o6"}, got[1:3])
		require.Equal(t, []string{"o3", "o4"}, got[3:])
		desc, _ := s.pages(t, map[string]any{"filters": filter, "limit": 2, "sort": []any{map[string]any{"property": "qty_ix", "order": "desc"}}}, nil)
		require.Equal(t, []string{"o4", "o3"}, desc[:2])
		require.Equal(t, "o1", desc[4])
		byName, _ := s.pages(t, map[string]any{"filters": filter, "limit": 3, "sort": "created_at", "order": "asc"}, nil)
		require.Equal(t, []string{"o1", "o2", "o3", "o4", "o6"}, byName)
	})
	t.Run("no duplicates or gaps with inserts between pages", func(t *testing.T) {
		body := map[string]any{"filters": []any{srchF("stage", "in", []any{"lead", "customer"})}, "limit": 1, "sort": map[string]any{"property": "created_at", "order": "asc"}}
		got, total := s.pages(t, body, func(page int) {
			if page >= 2 {
				return
			}
			res := otDo(t, env, s.tn.Key, "POST", s.path, map[string]any{"properties": map[string]any{"label": fmt.Sprintf("new%d", page), "stage": "lead"}})
			require.Equal(t, http.StatusCreated, res.Status)
		})
		require.Equal(t, 4, total)
		require.Equal(t, []string{"o1", "o2", "o4", "o6"}, got[:4])
		seen := map[string]bool{}
		for _, l := range got {
			require.False(t, seen[l], "duplicate %s", l)
			seen[l] = true
		}
	})
	t.Run("default sort is created_at desc", func(t *testing.T) {
		got, _ := s.pages(t, map[string]any{"filters": []any{srchF("label", "starts_with", "o")}, "limit": 4}, nil)
		require.Equal(t, []string{"o6", "o5", "o4", "o3", "o2", "o1"}, got)
	})
	t.Run("cursors are tamper-evident and bound to the search", func(t *testing.T) {
		res := s.search(t, map[string]any{"filters": filter, "limit": 1})
		require.Equal(t, http.StatusOK, res.Status)
		var pg objPage
		res.Decode(t, &pg)
		require.NotNil(t, pg.NextCursor)
		forged := *pg.NextCursor
		forged = forged[:len(forged)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(forged, "AA")]
		otRequireError(t, s.search(t, map[string]any{"filters": filter, "cursor": forged}), 400, "BAD_REQUEST")
		otRequireError(t, s.search(t, map[string]any{"filters": filter, "cursor": "garbage"}), 400, "BAD_REQUEST")
		other := []any{srchF("title", "exists", nil), srchF("qty", "gt", 0)}
		otRequireError(t, s.search(t, map[string]any{"filters": other, "cursor": *pg.NextCursor}), 400, "BAD_REQUEST")
		list := otDo(t, env, s.tn.Key, "GET", s.path+"/list?cursor="+*pg.NextCursor, nil)
		otRequireError(t, list, 400, "BAD_REQUEST")
	})
	t.Run("sort errors", func(t *testing.T) {
		otRequireError(t, s.search(t, map[string]any{"sort": "qty"}), 400, "VALIDATION_FAILED", "sort")
		otRequireError(t, s.search(t, map[string]any{"sort": "nope"}), 400, "VALIDATION_FAILED", "sort")
		otRequireError(t, s.search(t, map[string]any{"sort": "id", "order": "up"}), 400, "VALIDATION_FAILED", "order")
		otRequireError(t, s.search(t, map[string]any{"sort": []any{map[string]any{"property": "id"}, map[string]any{"property": "qty_ix"}}}), 400, "VALIDATION_FAILED", "sort")
	})
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := srchSetup(t, env)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown property", srchFilters(srchF("nope", "eq", 1)), "filters[0].property"},
		{"untyped property is not filterable", srchFilters(srchF("note", "eq", "x")), "filters[0].property"},
		{"unknown operator", srchFilters(srchF("qty", "like", 1)), "filters[0].operator"},
		{"nested unknown operator", srchFilters(map[string]any{"or": []any{srchF("qty", "eq", 1), srchF("qty", "near", 1)}}), "filters[0].or[1].operator"},
		{"number expected", srchFilters(srchF("qty_ix", "gt", "many")), "filters[0].value"},
		{"date expected", srchFilters(srchF("due", "lt", "soon")), "filters[0].value"},
		{"no order on booleans", srchFilters(srchF("active", "gt", true)), "filters[0].value"},
		{"contains on a number", srchFilters(srchF("qty", "contains", "1")), "filters[0].operator"},
		{"filters not an array", map[string]any{"filters": "qty=1"}, "filters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, s.search(t, c.body), 400, "VALIDATION_FAILED", c.field)
		})
	}
	t.Run("in-list cap", func(t *testing.T) {
		vals := make([]any, 1001)
		for i := range vals {
			vals[i] = i
		}
		res := s.search(t, srchFilters(srchF("qty", "in", vals)))
		otRequireError(t, res, 400, "VALIDATION_FAILED")
		require.Equal(t, "in_list", res.Error.Extra["cap"], "%s", res.Body)
		require.Contains(t, res.Error.Message, "1000")
		require.Equal(t, []string{}, s.labels(t, srchFilters(srchF("qty", "in", vals[100:1000]))))
	})
	t.Run("unknown type", func(t *testing.T) {
		otRequireError(t, otDo(t, env, s.tn.Key, "POST", "/v1/objects/nope_type/search", map[string]any{}), 404, "NOT_FOUND")
	})
}

func TestSearchTenantIsolationAndScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := srchSetup(t, env)
	tb := otTenant(t, env)
	otCreate(t, env, tb.Key, map[string]any{"name": a.name, "properties": []any{map[string]any{"name": "title", "data_type": "string"}}})
	bPath := "/v1/objects/" + a.name + "/search"
	res := otDo(t, env, tb.Key, "POST", bPath, map[string]any{"query": "apple"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	require.Empty(t, pg.Results)
	require.Equal(t, 0, pg.Total)
	res = otDo(t, env, tb.Key, "POST", bPath, map[string]any{"filters": []any{srchF("id", "eq", a.objs["o1"].ID)}})
	require.Equal(t, http.StatusOK, res.Status)
	res.Decode(t, &pg)
	require.Empty(t, pg.Results)
	// A's type by id is not B's
	aType := otDo(t, env, a.tn.Key, "GET", otPath+"/"+a.name, nil)
	var ty otType
	aType.Decode(t, &ty)
	otRequireError(t, otDo(t, env, tb.Key, "POST", "/v1/objects/"+ty.ID+"/search", map[string]any{}), 404, "NOT_FOUND")

	readKey := scopedKey(t, env, a.tn.Key, "read")
	writeKey := scopedKey(t, env, a.tn.Key, "write")
	pubKey := scopedKey(t, env, a.tn.Key)
	require.Equal(t, http.StatusOK, otDo(t, env, readKey, "POST", a.path+"/search", map[string]any{}).Status)
	for _, k := range []string{writeKey, pubKey} {
		res := otDo(t, env, k, "POST", a.path+"/search", map[string]any{})
		otRequireError(t, res, 403, "INSUFFICIENT_SCOPE")
		require.Equal(t, "read", res.Error.Extra["required_scope"])
	}
	require.Equal(t, http.StatusUnauthorized, otDo(t, env, "", "POST", a.path+"/search", map[string]any{}).Status)
}

func TestSearchLargeDocument(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	name := otName("srchbig")
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{map[string]any{"name": "body", "data_type": "text"}}})
	// ~950 kB of distinct words: more than one tsvector holds (1 MB), so
	// the document is indexed by its prefix, and the write still succeeds.
	var b strings.Builder
	for i := 0; i < 120000; i++ {
		fmt.Fprintf(&b, "w%d ", i)
	}
	path := "/v1/objects/" + name
	res := otDo(t, env, tn.Key, "POST", path, map[string]any{"properties": map[string]any{"body": b.String()}})
	require.Equal(t, http.StatusCreated, res.Status, "%.300s", res.Body)
	res = otDo(t, env, tn.Key, "POST", path+"/search", map[string]any{"query": "w12345", "properties": []string{}})
	require.Equal(t, http.StatusOK, res.Status, "%.300s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	require.Equal(t, 1, pg.Total)
	require.Empty(t, pg.Results[0].Properties)
}
