package rest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of index backfills: flagging a property (PATCH is_indexed,
// is_sortable, is_unique, or a new flagged property) of a type that has
// objects builds the index rows and unique values from the documents, in
// the same change; unflagging drops them.

// bfEnv is a tenant with a type of unflagged properties.
type bfEnv struct {
	env        *apptest.Env
	tn         apptest.Tenant
	name, path string
}

func bfSetup(t *testing.T) bfEnv {
	t.Helper()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	tn := otTenant(t, env)
	name := otName("backfill")
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "label", "data_type": "string"},
		map[string]any{"name": "score", "data_type": "decimal"},
		map[string]any{"name": "code", "data_type": "string"},
		map[string]any{"name": "mail", "data_type": "email"},
		map[string]any{"name": "due", "data_type": "datetime"},
	}})
	return bfEnv{env: env, tn: tn, name: name, path: "/v1/objects/" + name}
}

func (b bfEnv) do(t *testing.T, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, b.env, b.tn.Key, method, path, body)
}

func (b bfEnv) create(t *testing.T, docs ...map[string]any) {
	t.Helper()
	items := make([]any, len(docs))
	for i, d := range docs {
		items[i] = map[string]any{"properties": d}
	}
	res := b.do(t, "POST", b.path+"/batch/create", map[string]any{"objects": items})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
}

func (b bfEnv) patch(t *testing.T, prop string, flags map[string]any) *apptest.Response {
	t.Helper()
	return b.do(t, "PATCH", otPropsPath(b.name)+"/"+prop, flags)
}

// labels lists the labels of a page in order.
func (b bfEnv) labels(t *testing.T, method, path string, body any) []string {
	t.Helper()
	res := b.do(t, method, path, body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	out := make([]string, len(pg.Results))
	for i, o := range pg.Results {
		out[i] = strings.Trim(string(o.Properties["label"]), `"`)
	}
	return out
}

func TestObjectsBackfillSortAndFilter(t *testing.T) {
	t.Parallel()
	b := bfSetup(t)
	b.create(t,
		map[string]any{"label": "b", "score": "2.50", "code": "x"},
		map[string]any{"label": "a", "score": "10", "code": "y"},
		map[string]any{"label": "c", "score": "-1", "code": "x"},
		map[string]any{"label": "d"},
	)
	res := b.do(t, "GET", b.path+"/list?sort=score", nil)
	otRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "sort")

	require.Equal(t, http.StatusOK, b.patch(t, "score", map[string]any{"is_sortable": true}).Status)
	require.Equal(t, []string{"c", "b", "a", "d"}, b.labels(t, "GET", b.path+"/list?sort=score", nil),
		"by value (as numbers), the object without one last")
	require.Equal(t, []string{"a", "b", "c", "d"}, b.labels(t, "GET", b.path+"/list?sort=score&order=desc", nil))

	// An indexed filter reads the index rows: only a backfill finds the
	// objects written before the flag.
	require.Equal(t, http.StatusOK, b.patch(t, "code", map[string]any{"is_indexed": true}).Status)
	xs := b.labels(t, "POST", b.path+"/search", map[string]any{
		"filters": []any{map[string]any{"property": "code", "operator": "eq", "value": "x"}}})
	require.ElementsMatch(t, []string{"b", "c"}, xs)
	gt := b.labels(t, "POST", b.path+"/search", map[string]any{
		"filters": []any{map[string]any{"property": "score", "operator": "gt", "value": 2}}})
	require.ElementsMatch(t, []string{"a", "b"}, gt)

	// Objects written after the flag are indexed by their writes, as ever.
	b.create(t, map[string]any{"label": "e", "score": "5", "code": "x"})
	require.Equal(t, []string{"c", "b", "e", "a", "d"}, b.labels(t, "GET", b.path+"/list?sort=score", nil))

	// Unflagged: the rows go, and the sort is refused again.
	require.Equal(t, http.StatusOK, b.patch(t, "score", map[string]any{"is_sortable": false}).Status)
	require.Zero(t, bfRows(t, b, "object_index", "score"))
	res = b.do(t, "GET", b.path+"/list?sort=score", nil)
	otRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "sort")
	require.Equal(t, 4, bfRows(t, b, "object_index", "code"))
}

func TestObjectsBackfillUnique(t *testing.T) {
	t.Parallel()
	b := bfSetup(t)
	b.create(t,
		map[string]any{"label": "a", "code": "dup", "mail": "Ann@Example.com", "score": "1.50"},
		map[string]any{"label": "b", "code": "dup", "mail": "bob@example.com", "score": "1.5"},
		map[string]any{"label": "c", "code": "solo", "mail": "ann@example.com", "score": "2"},
		map[string]any{"label": "d"},
	)
	cases := []struct{ prop, value string }{
		{"code", "dup"},
		{"mail", "Ann@Example.com"}, // e-mails compare case-folded
		{"score", "1.5"},            // numbers by value: 1.50 = 1.5
	}
	for _, c := range cases {
		res := b.patch(t, c.prop, map[string]any{"is_unique": true})
		otRequireError(t, res, http.StatusConflict, "CONFLICT")
		require.Equal(t, c.prop, res.Error.Extra["property"], "%s", res.Body)
		require.Equal(t, c.value, res.Error.Extra["value"], "%s", res.Body)
		// Nothing changed: the flag, the rows.
		require.False(t, bfProp(t, b, c.prop).IsUnique)
		require.Zero(t, bfRows(t, b, "object_unique", c.prop))
		require.Zero(t, bfRows(t, b, "object_index", c.prop))
	}

	// Distinct values: unique from now on, for the existing values too.
	require.Equal(t, http.StatusOK, b.patch(t, "label", map[string]any{"is_unique": true}).Status)
	require.Equal(t, 4, bfRows(t, b, "object_unique", "label"))
	res := b.do(t, "POST", b.path, map[string]any{"properties": map[string]any{"label": "c"}})
	otRequireError(t, res, http.StatusConflict, "CONFLICT")
	require.Equal(t, "label", res.Error.Extra["property"])
	b.create(t, map[string]any{"label": "e"})

	// A new property over documents holding its name (untyped values):
	// checked and indexed too.
	b.create(t, map[string]any{"label": "f", "legacy": "same", "older": "one"},
		map[string]any{"label": "g", "legacy": "same", "older": "two"})
	res = b.do(t, "POST", otPropsPath(b.name), map[string]any{"name": "legacy", "data_type": "string", "is_unique": true})
	otRequireError(t, res, http.StatusConflict, "CONFLICT")
	require.Equal(t, "same", res.Error.Extra["value"], "%s", res.Body)
	require.Len(t, otListProps(t, b.env, b.tn.Key, b.name), 5, "nothing created")
	res = b.do(t, "POST", otPropsPath(b.name), map[string]any{"name": "older", "data_type": "string", "is_unique": true})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Equal(t, 2, bfRows(t, b, "object_unique", "older"))
	res = b.do(t, "POST", otPropsPath(b.name), map[string]any{"name": "legacy", "data_type": "string", "is_indexed": true})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	same := b.labels(t, "POST", b.path+"/search", map[string]any{
		"filters": []any{map[string]any{"property": "legacy", "operator": "eq", "value": "same"}}})
	require.ElementsMatch(t, []string{"f", "g"}, same)

	// Unflagged: the values are free again.
	require.Equal(t, http.StatusOK, b.patch(t, "label", map[string]any{"is_unique": false}).Status)
	require.Zero(t, bfRows(t, b, "object_unique", "label"))
	b.create(t, map[string]any{"label": "c"})
}

// The rows a backfill builds are the rows object writes build: written
// under the flags, then dropped by unflagging and rebuilt by flagging
// again, they are the same (long strings cut on a character boundary,
// numbers, datetimes, e-mails, booleans).
func TestObjectsBackfillMatchesWrites(t *testing.T) {
	t.Parallel()
	b := bfSetup(t)
	for _, p := range []string{"label", "score", "mail", "due", "code"} {
		require.Equal(t, http.StatusOK, b.patch(t, p, map[string]any{"is_sortable": true}).Status)
	}
	for _, p := range []string{"label", "score", "mail", "due"} {
		require.Equal(t, http.StatusOK, b.patch(t, p, map[string]any{"is_unique": true}).Status)
	}
	long := strings.Repeat("é", 300) + strings.Repeat("x", 300) // 900 bytes, 2-byte runes over the 512 cut
	odd := "a" + strings.Repeat("€", 300)                       // 3-byte runes, the cut falls mid-rune
	huge := strings.Repeat("k", 300)                            // a unique key past 256 bytes: hashed
	b.create(t,
		map[string]any{"label": long, "score": "12.50", "mail": "Mixed.Case@Example.COM", "due": "2026-01-15T12:00:00.120Z", "code": "c1"},
		map[string]any{"label": odd, "score": "-0.001", "mail": "x@example.com", "due": "2026-01-15T14:00:00+02:00"},
		map[string]any{"label": huge, "score": "1e3"},
		map[string]any{"label": "plain"},
	)
	props := []string{"label", "score", "mail", "due", "code"}
	written := map[string][]string{}
	for _, p := range props {
		written[p] = bfDump(t, b, p)
		require.NotEmpty(t, written[p], p)
	}
	for _, p := range props {
		require.Equal(t, http.StatusOK, b.patch(t, p, map[string]any{"is_sortable": false, "is_unique": false}).Status)
		require.Zero(t, bfRows(t, b, "object_index", p))
		require.Zero(t, bfRows(t, b, "object_unique", p))
	}
	for _, p := range props {
		flags := map[string]any{"is_sortable": true, "is_unique": p != "code"}
		require.Equal(t, http.StatusOK, b.patch(t, p, flags).Status)
		require.Equal(t, written[p], bfDump(t, b, p), p)
	}
}

// bfProp reads a property of the type.
func bfProp(t *testing.T, b bfEnv, name string) otProp {
	t.Helper()
	for _, p := range otListProps(t, b.env, b.tn.Key, b.name) {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no property %s", name)
	return otProp{}
}

// bfRows counts a property's rows in table (object_index or
// object_unique), straight from the database.
func bfRows(t *testing.T, b bfEnv, table, prop string) int {
	t.Helper()
	var n int
	err := b.env.App.Core.DB.NewRaw("SELECT count(*) FROM ? r JOIN object_properties p ON p.tenant_id = r.tenant_id AND p.id = r.property_id"+
		" JOIN object_types ty ON ty.tenant_id = p.tenant_id AND ty.id = p.object_type_id"+
		" WHERE r.tenant_id = ? AND ty.name = ? AND p.name = ?", bun.Ident(table), b.tn.ID, b.name, prop).Scan(context.Background(), &n)
	require.NoError(t, err)
	return n
}

// bfDump lists a property's index rows and unique values as text.
func bfDump(t *testing.T, b bfEnv, prop string) []string {
	t.Helper()
	var rows []string
	err := b.env.App.Core.DB.NewRaw(`SELECT x FROM (
		SELECT 'index ' || i.object_id || ' ' || coalesce(i.v_text, '') || '|' || coalesce(i.v_num::text, '') || '|' || coalesce(i.v_time::text, '') AS x
		FROM object_index i JOIN object_properties p ON p.tenant_id = i.tenant_id AND p.id = i.property_id
		JOIN object_types ty ON ty.tenant_id = p.tenant_id AND ty.id = p.object_type_id
		WHERE i.tenant_id = ? AND ty.name = ? AND p.name = ?
		UNION ALL
		SELECT 'unique ' || u.object_id || ' ' || u.value_key
		FROM object_unique u JOIN object_properties p ON p.tenant_id = u.tenant_id AND p.id = u.property_id
		JOIN object_types ty ON ty.tenant_id = p.tenant_id AND ty.id = p.object_type_id
		WHERE u.tenant_id = ? AND ty.name = ? AND p.name = ?) d ORDER BY x`,
		b.tn.ID, b.name, prop, b.tn.ID, b.name, prop).Scan(context.Background(), &rows)
	require.NoError(t, err)
	return rows
}
