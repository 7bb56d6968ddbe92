package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// HTTP tests of /v1/object-types/:object_type_id/views (saved views).

// vwView is a saved view as the API shows it.
type vwView struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"object_type_id"`
	Name         string          `json:"name"`
	Filters      json.RawMessage `json:"filters"`
	Sort         json.RawMessage `json:"sort"`
	Columns      []string        `json:"columns"`
	IsDefault    bool            `json:"is_default"`
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

func vwPath(typeRef string) string { return otPath + "/" + typeRef + "/views" }

// vwSetup provisions a tenant with a "contacts" type: email (indexed,
// sortable), stage (enum), notes (text, not sortable).
func vwSetup(t *testing.T, env *apptest.Env) (apptest.Tenant, otType) {
	t.Helper()
	tn := otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts", "properties": []any{
		map[string]any{"name": "email", "data_type": "email", "is_indexed": true, "is_sortable": true},
		map[string]any{"name": "stage", "data_type": "enum", "enum_values": []string{"lead", "customer"}},
		map[string]any{"name": "notes", "data_type": "text"},
	}})
	return tn, ty
}

func vwCreate(t testing.TB, env *apptest.Env, key, typeRef string, body map[string]any) vwView {
	t.Helper()
	res := otDo(t, env, key, "POST", vwPath(typeRef), body)
	require.Equal(t, http.StatusCreated, res.Status, "create view: %s", res.Body)
	var v vwView
	res.Decode(t, &v)
	return v
}

func vwList(t testing.TB, env *apptest.Env, key, typeRef string) []vwView {
	t.Helper()
	res := otDo(t, env, key, "GET", vwPath(typeRef), nil)
	require.Equal(t, http.StatusOK, res.Status, "list views: %s", res.Body)
	var out []vwView
	res.Decode(t, &out)
	return out
}

// vwNest wraps a condition in n "or" groups.
func vwNest(n int) []any {
	var item any = map[string]any{"property": "email", "operator": "exists"}
	for range n {
		item = map[string]any{"or": []any{item}}
	}
	return []any{item}
}

func TestViewsCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, ty := vwSetup(t, env)

	t.Run("every field", func(t *testing.T) {
		v := vwCreate(t, env, tn.Key, "contacts", map[string]any{
			"name": "Hot leads",
			"filters": []any{
				map[string]any{"property": "stage", "operator": "eq", "value": "lead"},
				map[string]any{"or": []any{
					map[string]any{"property": "email", "operator": "ends_with", "value": "@acme.com"},
					map[string]any{"property": "created_at", "operator": "between", "value": []string{"2026-01-01", "2026-12-31"}},
					map[string]any{"property": "stage", "operator": "nin", "value": []string{"customer"}},
				}},
			},
			"sort":    map[string]any{"property": "email", "order": "desc"},
			"columns": []string{"email", "stage", "created_at"},
		})
		require.True(t, domain.ValidID("view_", v.ID), v.ID)
		require.Equal(t, ty.ID, v.ObjectTypeID)
		require.Equal(t, "Hot leads", v.Name)
		require.JSONEq(t, `[{"property":"stage","operator":"eq","value":"lead"},{"or":[
			{"property":"email","operator":"ends_with","value":"@acme.com"},
			{"property":"created_at","operator":"between","value":["2026-01-01","2026-12-31"]},
			{"property":"stage","operator":"not_in","value":["customer"]}]}]`, string(v.Filters), "nin is stored as not_in")
		require.JSONEq(t, `{"property":"email","order":"desc"}`, string(v.Sort))
		require.Equal(t, []string{"email", "stage", "created_at"}, v.Columns)
		require.False(t, v.IsDefault)
		require.True(t, strings.HasPrefix(v.CreatedBy, "key_"), v.CreatedBy)
		require.Equal(t, v.CreatedAt, v.UpdatedAt)
	})
	t.Run("minimal, by type id, prop_ ids resolved to names", func(t *testing.T) {
		v := vwCreate(t, env, tn.Key, ty.ID, map[string]any{"name": "All",
			"filters": []any{map[string]any{"property": ty.Properties[0].ID, "operator": "exists"}},
			"columns": []string{ty.Properties[1].ID}, "sort": map[string]any{"property": "version"}})
		require.JSONEq(t, `[{"property":"email","operator":"exists"}]`, string(v.Filters))
		require.JSONEq(t, `{"property":"version","order":"asc"}`, string(v.Sort))
		require.Equal(t, []string{"stage"}, v.Columns)
	})
	t.Run("no filters, sort or columns", func(t *testing.T) {
		v := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Bare", "sort": map[string]any{}})
		require.JSONEq(t, `[]`, string(v.Filters))
		require.Equal(t, "null", string(v.Sort))
		require.Equal(t, []string{}, v.Columns)
	})
	t.Run("depth 10 is allowed", func(t *testing.T) {
		vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Deep", "filters": vwNest(9)})
	})
	t.Run("1000 in values are allowed", func(t *testing.T) {
		vals := make([]string, 1000)
		for i := range vals {
			vals[i] = "v"
		}
		vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Big in",
			"filters": []any{map[string]any{"property": "stage", "operator": "in", "value": vals}}})
	})

	cond := func(prop, op string, val any) map[string]any {
		return map[string]any{"name": "Bad", "filters": []any{map[string]any{"property": prop, "operator": op, "value": val}}}
	}
	bad := []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{}, "name"},
		{"name too long", map[string]any{"name": strings.Repeat("x", 101)}, "name"},
		{"unknown property", cond("nope", "eq", 1), "filters[0].property"},
		{"unknown operator", cond("email", "like", "x"), "filters[0].operator"},
		{"missing operator", map[string]any{"name": "Bad", "filters": []any{map[string]any{"property": "email"}}}, "filters[0].operator"},
		{"filters not an array", map[string]any{"name": "Bad", "filters": map[string]any{"property": "email"}}, "filters"},
		{"item not an object", map[string]any{"name": "Bad", "filters": []any{"email"}}, "filters[0]"},
		{"and and or together", map[string]any{"name": "Bad", "filters": []any{map[string]any{"and": []any{}, "or": []any{}}}}, "filters[0]"},
		{"empty group", map[string]any{"name": "Bad", "filters": []any{map[string]any{"or": []any{}}}}, "filters[0].or"},
		{"unknown property in a group", map[string]any{"name": "Bad", "filters": []any{map[string]any{"and": []any{
			map[string]any{"property": "email", "operator": "exists"},
			map[string]any{"property": "ghost", "operator": "exists"}}}}}, "filters[0].and[1].property"},
		{"in needs an array", cond("stage", "in", "lead"), "filters[0].value"},
		{"between needs two bounds", cond("created_at", "between", []string{"2026-01-01"}), "filters[0].value"},
		{"contains needs a string", cond("email", "contains", 3), "filters[0].value"},
		{"gt needs a scalar", cond("version", "gt", map[string]any{}), "filters[0].value"},
		{"eq needs a value", map[string]any{"name": "Bad", "filters": []any{map[string]any{"property": "email", "operator": "eq"}}}, "filters[0].value"},
		{"sort on a non-sortable property", map[string]any{"name": "Bad", "sort": map[string]any{"property": "notes"}}, "sort.property"},
		{"sort on an unknown property", map[string]any{"name": "Bad", "sort": map[string]any{"property": "ghost"}}, "sort.property"},
		{"sort order", map[string]any{"name": "Bad", "sort": map[string]any{"property": "email", "order": "up"}}, "sort.order"},
		{"sort not an object", map[string]any{"name": "Bad", "sort": "email"}, "sort"},
		{"unknown column", map[string]any{"name": "Bad", "columns": []string{"email", "ghost"}}, "columns[1]"},
		{"repeated column", map[string]any{"name": "Bad", "columns": []string{"email", "email"}}, "columns[1]"},
		{"columns of the wrong type", map[string]any{"name": "Bad", "columns": "email"}, "columns"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, otDo(t, env, tn.Key, "POST", vwPath("contacts"), c.body), 400, "VALIDATION_FAILED", c.field)
		})
	}

	t.Run("depth over 10 names the cap", func(t *testing.T) {
		res := otDo(t, env, tn.Key, "POST", vwPath("contacts"), map[string]any{"name": "Too deep", "filters": vwNest(10)})
		otRequireError(t, res, 400, "VALIDATION_FAILED")
		require.Contains(t, res.Error.Message, "10 levels")
		require.Equal(t, "filter_depth", res.Error.Extra["cap"])
	})
	t.Run("in list over 1000 names the cap", func(t *testing.T) {
		vals := make([]int, 1001)
		res := otDo(t, env, tn.Key, "POST", vwPath("contacts"), cond("stage", "not_in", vals))
		otRequireError(t, res, 400, "VALIDATION_FAILED", "filters[0].value")
		require.Contains(t, res.Error.Message, "1000")
		require.Equal(t, "in_list", res.Error.Extra["cap"])
	})
	t.Run("duplicate name", func(t *testing.T) {
		vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Twice"})
		otRequireError(t, otDo(t, env, tn.Key, "POST", vwPath("contacts"), map[string]any{"name": "Twice"}), 409, "CONFLICT")
	})
	t.Run("same name on another type", func(t *testing.T) {
		otCreate(t, env, tn.Key, map[string]any{"name": "deals"})
		vwCreate(t, env, tn.Key, "deals", map[string]any{"name": "Twice"})
	})
	t.Run("unknown type", func(t *testing.T) {
		otRequireError(t, otDo(t, env, tn.Key, "POST", vwPath("ghosts"), map[string]any{"name": "X"}), 404, "NOT_FOUND")
	})
}

func TestViewsListUpdateDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, _ := vwSetup(t, env)
	b := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "B",
		"filters": []any{map[string]any{"property": "stage", "operator": "eq", "value": "lead"}},
		"sort":    map[string]any{"property": "email"}, "columns": []string{"email"}})
	a := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "A"})

	t.Run("list is a bare array by name", func(t *testing.T) {
		list := vwList(t, env, tn.Key, "contacts")
		require.Len(t, list, 2)
		require.Equal(t, []string{a.ID, b.ID}, []string{list[0].ID, list[1].ID})
	})
	t.Run("list of a type without views", func(t *testing.T) {
		otCreate(t, env, tn.Key, map[string]any{"name": "empty"})
		require.Empty(t, vwList(t, env, tn.Key, "empty"))
		res := otDo(t, env, tn.Key, "GET", vwPath("empty"), nil)
		require.JSONEq(t, `[]`, string(res.Data))
	})
	t.Run("partial update keeps the rest", func(t *testing.T) {
		res := otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+b.ID, map[string]any{"name": "B2"})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var v vwView
		res.Decode(t, &v)
		require.Equal(t, "B2", v.Name)
		require.JSONEq(t, string(b.Filters), string(v.Filters))
		require.JSONEq(t, string(b.Sort), string(v.Sort))
		require.Equal(t, []string{"email"}, v.Columns)
		require.Equal(t, b.CreatedAt, v.CreatedAt)
	})
	t.Run("update filters, clear sort, change columns; PUT alias", func(t *testing.T) {
		res := otDo(t, env, tn.Key, "PUT", vwPath("contacts")+"/"+b.ID, map[string]any{
			"filters": []any{map[string]any{"property": "email", "operator": "contains", "value": "acme"}},
			"sort":    nil, "columns": []string{"stage", "id"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var v vwView
		res.Decode(t, &v)
		require.JSONEq(t, `[{"property":"email","operator":"contains","value":"acme"}]`, string(v.Filters))
		require.Equal(t, "null", string(v.Sort))
		require.Equal(t, []string{"stage", "id"}, v.Columns)
	})
	t.Run("null filters empty them", func(t *testing.T) {
		res := otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+b.ID, map[string]any{"filters": nil})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var v vwView
		res.Decode(t, &v)
		require.JSONEq(t, `[]`, string(v.Filters))
	})
	t.Run("update errors", func(t *testing.T) {
		path := vwPath("contacts") + "/" + b.ID
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", path, map[string]any{"name": ""}), 400, "VALIDATION_FAILED", "name")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", path, map[string]any{"name": "A"}), 409, "CONFLICT")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", path, map[string]any{"filters": []any{
			map[string]any{"property": "email", "operator": "regex", "value": "x"}}}), 400, "VALIDATION_FAILED", "filters[0].operator")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", path, map[string]any{"sort": map[string]any{"property": "notes"}}), 400, "VALIDATION_FAILED", "sort.property")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", path, map[string]any{"filters": vwNest(12)}), 400, "VALIDATION_FAILED")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/view_01JZZZZZZZZZZZZZZZZZZZZZZZ", map[string]any{"name": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/nonsense", map[string]any{"name": "x"}), 404, "NOT_FOUND")
	})
	t.Run("a view is reached through its own type only", func(t *testing.T) {
		otCreate(t, env, tn.Key, map[string]any{"name": "other"})
		otRequireError(t, otDo(t, env, tn.Key, "PATCH", vwPath("other")+"/"+a.ID, map[string]any{"name": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, tn.Key, "DELETE", vwPath("other")+"/"+a.ID, nil), 404, "NOT_FOUND")
	})
	t.Run("delete", func(t *testing.T) {
		res := otDo(t, env, tn.Key, "DELETE", vwPath("contacts")+"/"+a.ID, nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"deleted": true}`, string(res.Data))
		otRequireError(t, otDo(t, env, tn.Key, "DELETE", vwPath("contacts")+"/"+a.ID, nil), 404, "NOT_FOUND")
		require.Len(t, vwList(t, env, tn.Key, "contacts"), 1)
		// The name is free again.
		vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "A"})
	})
	t.Run("deleting the type deletes its views", func(t *testing.T) {
		require.Equal(t, 200, otDo(t, env, tn.Key, "DELETE", otPath+"/contacts", nil).Status)
		otRequireError(t, otDo(t, env, tn.Key, "GET", vwPath("contacts"), nil), 404, "NOT_FOUND")
		otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
		require.Empty(t, vwList(t, env, tn.Key, "contacts"))
	})
}

// At most one view of a type is its default: setting one unsets the other.
func TestViewsOneDefault(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, _ := vwSetup(t, env)
	otCreate(t, env, tn.Key, map[string]any{"name": "deals"})
	deals := vwCreate(t, env, tn.Key, "deals", map[string]any{"name": "Deals default", "is_default": true})

	first := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "First", "is_default": true})
	require.True(t, first.IsDefault)
	second := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Second", "is_default": true})
	defaults := func(typeRef string) []string {
		var out []string
		for _, v := range vwList(t, env, tn.Key, typeRef) {
			if v.IsDefault {
				out = append(out, v.ID)
			}
		}
		return out
	}
	require.Equal(t, []string{second.ID}, defaults("contacts"))

	res := otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+first.ID, map[string]any{"is_default": true})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.Equal(t, []string{first.ID}, defaults("contacts"))
	require.Equal(t, []string{deals.ID}, defaults("deals"), "another type's default stays")

	res = otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+first.ID, map[string]any{"is_default": false})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.Empty(t, defaults("contacts"))

	t.Run("concurrent defaults leave one", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = otDo(t, env, tn.Key, "POST", vwPath("contacts"),
					map[string]any{"name": fmt.Sprintf("Race %d", i), "is_default": true}).Status
			}()
		}
		wg.Wait()
		for _, st := range statuses {
			require.Equal(t, http.StatusCreated, st)
		}
		require.Len(t, defaults("contacts"), 1)
	})
}

func TestViewsTenantIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, ty := vwSetup(t, env)
	v := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Mine"})
	other := otTenant(t, env)

	for _, ref := range []string{ty.ID, "contacts"} {
		otRequireError(t, otDo(t, env, other.Key, "GET", vwPath(ref), nil), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, other.Key, "POST", vwPath(ref), map[string]any{"name": "X"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, other.Key, "PATCH", vwPath(ref)+"/"+v.ID, map[string]any{"name": "X"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, other.Key, "DELETE", vwPath(ref)+"/"+v.ID, nil), 404, "NOT_FOUND")
	}
	// The other tenant's namesake type has its own views.
	otCreate(t, env, other.Key, map[string]any{"name": "contacts"})
	require.Empty(t, vwList(t, env, other.Key, "contacts"))
	otRequireError(t, otDo(t, env, other.Key, "PATCH", vwPath("contacts")+"/"+v.ID, map[string]any{"name": "X"}), 404, "NOT_FOUND")
	require.Len(t, vwList(t, env, tn.Key, "contacts"), 1)
}

func TestViewsScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, _ := vwSetup(t, env)
	v := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Existing"})
	read := scopedKey(t, env, tn.Key, "read")
	schema := scopedKey(t, env, tn.Key, "schema")
	write := scopedKey(t, env, tn.Key, "write")
	path := vwPath("contacts")

	cases := []struct {
		name   string
		key    string
		method string
		path   string
		body   any
		status int
		scope  string
	}{
		{"read key lists", read, "GET", path, nil, 200, ""},
		{"read key cannot create", read, "POST", path, map[string]any{"name": "X"}, 403, "schema"},
		{"write key cannot create", write, "POST", path, map[string]any{"name": "X"}, 403, "schema"},
		{"read key cannot update", read, "PATCH", path + "/" + v.ID, map[string]any{"name": "X"}, 403, "schema"},
		{"read key cannot delete", read, "DELETE", path + "/" + v.ID, nil, 403, "schema"},
		{"schema key alone cannot list", schema, "GET", path, nil, 403, "read"},
		{"schema key creates", schema, "POST", path, map[string]any{"name": "Y"}, 201, ""},
		{"schema key updates", schema, "PATCH", path + "/" + v.ID, map[string]any{"name": "Z"}, 200, ""},
		{"no key", "", "GET", path, nil, 401, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, c.key, c.method, c.path, c.body)
			require.Equal(t, c.status, res.Status, "%s", res.Body)
			if c.status == 403 {
				require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
				require.Equal(t, c.scope, res.Error.Extra["required_scope"])
			}
		})
	}
	t.Run("schema key deletes", func(t *testing.T) {
		require.Equal(t, 200, otDo(t, env, schema, "DELETE", path+"/"+v.ID, nil).Status)
	})
}

func TestViewsAuditAndEvents(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, _ := vwSetup(t, env)
	a := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "A", "is_default": true})
	b := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "B", "is_default": true}) // unsets A
	require.Equal(t, 200, otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+b.ID, map[string]any{"name": "B2"}).Status)
	require.Equal(t, 200, otDo(t, env, tn.Key, "DELETE", vwPath("contacts")+"/"+b.ID, nil).Status)

	ctx := context.Background()
	var rows []struct {
		Action     string `bun:"action"`
		ResourceID string `bun:"resource_id"`
	}
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT action, resource_id FROM audit_logs WHERE tenant_id = ? AND resource_type = 'view'
		ORDER BY created_at, id`, tn.ID).Scan(ctx, &rows))
	var got []string
	for _, r := range rows {
		got = append(got, r.Action+" "+r.ResourceID)
	}
	require.Equal(t, []string{"view.create " + a.ID, "view.update " + a.ID, "view.create " + b.ID,
		"view.update " + b.ID, "view.delete " + b.ID}, got)
	var events []string
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT type FROM outbox_events WHERE tenant_id = ? AND topic = 'schema'
		AND type LIKE 'view.%' ORDER BY created_at, id`, tn.ID).Scan(ctx, &events))
	require.Equal(t, []string{"view.created", "view.updated", "view.created", "view.updated", "view.deleted"}, events)
}

// A view keeps naming a property deleted since it was saved: it can still
// be renamed, but the property cannot be named again.
func TestViewsAfterPropertyDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, _ := vwSetup(t, env)
	v := vwCreate(t, env, tn.Key, "contacts", map[string]any{"name": "Leads",
		"filters": []any{map[string]any{"property": "stage", "operator": "eq", "value": "lead"}},
		"sort":    map[string]any{"property": "email"}, "columns": []string{"stage"}})
	require.Equal(t, 200, otDo(t, env, tn.Key, "DELETE", otPropsPath("contacts")+"/stage", nil).Status)

	res := otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+v.ID, map[string]any{"name": "Old leads"})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	var got vwView
	res.Decode(t, &got)
	require.JSONEq(t, string(v.Filters), string(got.Filters))
	require.Equal(t, []string{"stage"}, got.Columns)

	otRequireError(t, otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+v.ID, map[string]any{"columns": []string{"stage"}}),
		400, "VALIDATION_FAILED", "columns[0]")
	otRequireError(t, otDo(t, env, tn.Key, "PATCH", vwPath("contacts")+"/"+v.ID, map[string]any{"filters": got.Filters}),
		400, "VALIDATION_FAILED", "filters[0].property")
}
