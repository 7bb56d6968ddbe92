package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// GraphQL tests of object types, properties and views: the same domain
// methods as REST (rest/objecttypes_test.go, rest/views_test.go).

const (
	objTypeFields = `id tenantId name displayName description createdBy createdAt updatedAt
		properties { id objectTypeId name dataType isIndexed isSortable isUnique isRequired defaultValue enumValues description }
		views { id name filters sort columns isDefault }`
	objViewFields = `id objectTypeId name filters sort columns isDefault createdBy createdAt updatedAt`
)

type gqlObjProperty struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"objectTypeId"`
	Name         string          `json:"name"`
	DataType     string          `json:"dataType"`
	IsUnique     bool            `json:"isUnique"`
	IsRequired   bool            `json:"isRequired"`
	DefaultValue json.RawMessage `json:"defaultValue"`
	EnumValues   []string        `json:"enumValues"`
}

type gqlObjView struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"objectTypeId"`
	Name         string          `json:"name"`
	Filters      json.RawMessage `json:"filters"`
	Sort         json.RawMessage `json:"sort"`
	Columns      []string        `json:"columns"`
	IsDefault    bool            `json:"isDefault"`
	CreatedBy    string          `json:"createdBy"`
}

type gqlObjType struct {
	ID          string           `json:"id"`
	TenantID    string           `json:"tenantId"`
	Name        string           `json:"name"`
	DisplayName string           `json:"displayName"`
	Description string           `json:"description"`
	CreatedBy   string           `json:"createdBy"`
	Properties  []gqlObjProperty `json:"properties"`
	Views       []gqlObjView     `json:"views"`
}

// objTenant provisions a tenant with a "*" key whose rate limit a test
// never reaches.
func objTenant(t *testing.T, env *apptest.Env) apptest.Tenant {
	t.Helper()
	tn := env.NewTenant(t)
	_, tn.Key = restKey(t, env, tn.Key, map[string]any{"label": "objects", "scopes": []string{"*"},
		"rate_limit": map[string]any{"per_minute": 100000, "per_hour": 1000000}})
	return tn
}

func objCreateType(t *testing.T, env *apptest.Env, key string, input map[string]any) gqlObjType {
	t.Helper()
	var out struct{ CreateObjectType gqlObjType }
	gql(t, env, key, `mutation($in: CreateObjectTypeInput!) { createObjectType(input: $in) { `+objTypeFields+` } }`,
		map[string]any{"in": input}).decode(t, &out)
	return out.CreateObjectType
}

func objCreateView(t *testing.T, env *apptest.Env, key, typeRef string, input map[string]any) *gqlResult {
	t.Helper()
	return gql(t, env, key, `mutation($type: String!, $in: CreateViewInput!) { createView(type: $type, input: $in) { `+objViewFields+` } }`,
		map[string]any{"type": typeRef, "in": input})
}

func TestObjectTypesCreateListGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := objTenant(t, env)

	ty := objCreateType(t, env, tn.Key, map[string]any{"name": "contacts", "description": "People", "properties": []any{
		map[string]any{"name": "email", "dataType": "email", "isUnique": true, "isRequired": true},
		map[string]any{"name": "stage", "dataType": "enum", "enumValues": []string{"lead", "customer"}, "defaultValue": "lead"},
	}})
	require.True(t, strings.HasPrefix(ty.ID, "ot_"), ty.ID)
	require.Equal(t, tn.ID, ty.TenantID)
	require.Equal(t, "Contacts", ty.DisplayName)
	require.True(t, strings.HasPrefix(ty.CreatedBy, "key_"), ty.CreatedBy)
	require.Len(t, ty.Properties, 2)
	require.True(t, ty.Properties[0].IsUnique)
	require.Equal(t, "null", string(ty.Properties[0].DefaultValue))
	require.Nil(t, ty.Properties[0].EnumValues)
	require.Equal(t, `"lead"`, string(ty.Properties[1].DefaultValue))
	require.Equal(t, []string{"lead", "customer"}, ty.Properties[1].EnumValues)
	require.Empty(t, ty.Views)
	objCreateType(t, env, tn.Key, map[string]any{"name": "deals"})

	for _, ref := range []string{"contacts", ty.ID} {
		var got struct{ ObjectType gqlObjType }
		gql(t, env, tn.Key, `query($ref: String!) { objectType(idOrName: $ref) { `+objTypeFields+` } }`,
			map[string]any{"ref": ref}).decode(t, &got)
		require.Equal(t, ty.ID, got.ObjectType.ID)
		require.Equal(t, "People", got.ObjectType.Description)
		require.Len(t, got.ObjectType.Properties, 2)
		require.Equal(t, ty.ID, got.ObjectType.Properties[1].ObjectTypeID)
	}

	var list struct{ ObjectTypes []gqlObjType }
	gql(t, env, tn.Key, `{ objectTypes { `+objTypeFields+` } }`, nil).decode(t, &list)
	require.Len(t, list.ObjectTypes, 2)
	require.Equal(t, "contacts", list.ObjectTypes[0].Name)
	require.Len(t, list.ObjectTypes[0].Properties, 2)
	require.Equal(t, "deals", list.ObjectTypes[1].Name)
	require.Empty(t, list.ObjectTypes[1].Properties)

	t.Run("errors carry the domain code", func(t *testing.T) {
		res := gql(t, env, tn.Key, `mutation { createObjectType(input: {name: "Bad Name"}) { id } }`, nil)
		res.requireCode(t, "VALIDATION_FAILED")
		res = gql(t, env, tn.Key, `mutation { createObjectType(input: {name: "x", properties: [{name: "n", dataType: "nope"}]}) { id } }`, nil)
		res.requireCode(t, "VALIDATION_FAILED")
		gql(t, env, tn.Key, `mutation { createObjectType(input: {name: "contacts"}) { id } }`, nil).requireCode(t, "CONFLICT")
		gql(t, env, tn.Key, `{ objectType(idOrName: "ghosts") { id } }`, nil).requireCode(t, "NOT_FOUND")
		other := objTenant(t, env)
		gql(t, env, other.Key, `query($ref: String!) { objectType(idOrName: $ref) { id } }`, map[string]any{"ref": ty.ID}).requireCode(t, "NOT_FOUND")
		gql(t, env, "", `{ objectTypes { id } }`, nil).requireCode(t, "UNAUTHORIZED")
	})
	t.Run("scopes", func(t *testing.T) {
		_, read := restKey(t, env, tn.Key, map[string]any{"label": "read", "scopes": []string{"read"}})
		_, schema := restKey(t, env, tn.Key, map[string]any{"label": "schema", "scopes": []string{"schema"}})
		var l struct{ ObjectTypes []gqlObjType }
		gql(t, env, read, `{ objectTypes { name properties { name } views { name } } }`, nil).decode(t, &l)
		require.Len(t, l.ObjectTypes, 2)
		gql(t, env, read, `mutation { createObjectType(input: {name: "nope"}) { id } }`, nil).requireCode(t, "INSUFFICIENT_SCOPE")
		gql(t, env, schema, `{ objectTypes { id } }`, nil).requireCode(t, "INSUFFICIENT_SCOPE")
		gql(t, env, schema, `mutation { deleteView(type: "contacts", id: "view_x") { deleted } }`, nil).requireCode(t, "NOT_FOUND")
	})
}

func TestObjectTypesUpdateDeleteAndProperties(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := objTenant(t, env)
	objCreateType(t, env, tn.Key, map[string]any{"name": "contacts"})

	var up struct{ UpdateObjectType gqlObjType }
	gql(t, env, tn.Key, `mutation { updateObjectType(idOrName: "contacts", input: {name: "people", description: "Folks"}) { name displayName description } }`, nil).decode(t, &up)
	require.Equal(t, "people", up.UpdateObjectType.Name)
	require.Equal(t, "Contacts", up.UpdateObjectType.DisplayName, "absent members keep their value")
	require.Equal(t, "Folks", up.UpdateObjectType.Description)
	gql(t, env, tn.Key, `{ objectType(idOrName: "contacts") { id } }`, nil).requireCode(t, "NOT_FOUND")

	var cp struct{ CreateProperty gqlObjProperty }
	gql(t, env, tn.Key, `mutation { createProperty(type: "people", input: {name: "tier", dataType: "enum", enumValues: ["a", "b"], defaultValue: "a"}) {
		id name dataType defaultValue enumValues } }`, nil).decode(t, &cp)
	require.Equal(t, "tier", cp.CreateProperty.Name)
	require.Equal(t, `"a"`, string(cp.CreateProperty.DefaultValue))
	gql(t, env, tn.Key, `mutation { createProperty(type: "people", input: {name: "tier", dataType: "string"}) { id } }`, nil).requireCode(t, "CONFLICT")
	res := gql(t, env, tn.Key, `mutation { createProperty(type: "people", input: {name: "bad", dataType: "enum"}) { id } }`, nil)
	res.requireCode(t, "VALIDATION_FAILED")

	var upd struct{ UpdateProperty gqlObjProperty }
	gql(t, env, tn.Key, `mutation { updateProperty(type: "people", idOrName: "tier", input: {enumValues: ["a", "b", "c"], isRequired: true}) {
		isRequired defaultValue enumValues } }`, nil).decode(t, &upd)
	require.True(t, upd.UpdateProperty.IsRequired)
	require.Equal(t, `"a"`, string(upd.UpdateProperty.DefaultValue), "absent default keeps it")
	require.Equal(t, []string{"a", "b", "c"}, upd.UpdateProperty.EnumValues)
	gql(t, env, tn.Key, `mutation { updateProperty(type: "people", idOrName: "tier", input: {defaultValue: null}) { defaultValue } }`, nil).decode(t, &upd)
	require.Equal(t, "null", string(upd.UpdateProperty.DefaultValue), "null removes the default")
	gql(t, env, tn.Key, `mutation { updateProperty(type: "people", idOrName: "tier", input: {dataType: "string"}) { id } }`, nil).requireCode(t, "VALIDATION_FAILED")
	gql(t, env, tn.Key, `mutation { updateProperty(type: "people", idOrName: "ghost", input: {}) { id } }`, nil).requireCode(t, "NOT_FOUND")

	var del struct{ DeleteProperty struct{ Deleted bool } }
	gql(t, env, tn.Key, `mutation { deleteProperty(type: "people", idOrName: "tier") { deleted } }`, nil).decode(t, &del)
	require.True(t, del.DeleteProperty.Deleted)
	gql(t, env, tn.Key, `mutation { deleteProperty(type: "people", idOrName: "tier") { deleted } }`, nil).requireCode(t, "NOT_FOUND")

	var dt struct{ DeleteObjectType struct{ Deleted bool } }
	gql(t, env, tn.Key, `mutation { deleteObjectType(idOrName: "people") { deleted } }`, nil).decode(t, &dt)
	require.True(t, dt.DeleteObjectType.Deleted)
	gql(t, env, tn.Key, `mutation { deleteObjectType(idOrName: "people") { deleted } }`, nil).requireCode(t, "NOT_FOUND")
	objCreateType(t, env, tn.Key, map[string]any{"name": "again"})
	gql(t, env, tn.Key, `mutation { deleteObjectType(idOrName: "again", force: true, confirmToken: "forged") { deleted } }`, nil).
		requireCode(t, "INVALID_CONFIRM_TOKEN")
}

func TestObjectViewsCRUD(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := objTenant(t, env)
	objCreateType(t, env, tn.Key, map[string]any{"name": "contacts", "properties": []any{
		map[string]any{"name": "email", "dataType": "email", "isSortable": true},
		map[string]any{"name": "notes", "dataType": "text"},
	}})

	var cv struct{ CreateView gqlObjView }
	objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "Acme",
		"filters": []any{map[string]any{"or": []any{
			map[string]any{"property": "email", "operator": "ends_with", "value": "@acme.com"},
			map[string]any{"property": "version", "operator": "gte", "value": 2},
		}}},
		"sort": map[string]any{"property": "email", "order": "desc"}, "columns": []string{"email", "created_at"}, "isDefault": true,
	}).decode(t, &cv)
	v := cv.CreateView
	require.True(t, strings.HasPrefix(v.ID, "view_"), v.ID)
	require.JSONEq(t, `[{"or":[{"property":"email","operator":"ends_with","value":"@acme.com"},
		{"property":"version","operator":"gte","value":2}]}]`, string(v.Filters))
	require.JSONEq(t, `{"property":"email","order":"desc"}`, string(v.Sort))
	require.Equal(t, []string{"email", "created_at"}, v.Columns)
	require.True(t, v.IsDefault)

	t.Run("errors", func(t *testing.T) {
		objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "Acme"}).requireCode(t, "CONFLICT")
		e := objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "X",
			"filters": []any{map[string]any{"property": "ghost", "operator": "eq", "value": 1}}}).requireCode(t, "VALIDATION_FAILED")
		require.Contains(t, fmt.Sprint(e.Extensions["fields"]), "filters[0].property")
		objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "X",
			"filters": []any{map[string]any{"property": "email", "operator": "like", "value": 1}}}).requireCode(t, "VALIDATION_FAILED")
		objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "X", "sort": map[string]any{"property": "notes"}}).requireCode(t, "VALIDATION_FAILED")
		objCreateView(t, env, tn.Key, "ghosts", map[string]any{"name": "X"}).requireCode(t, "NOT_FOUND")
		_, read := restKey(t, env, tn.Key, map[string]any{"label": "read", "scopes": []string{"read"}})
		objCreateView(t, env, read, "contacts", map[string]any{"name": "X"}).requireCode(t, "INSUFFICIENT_SCOPE")
	})

	var second struct{ CreateView gqlObjView }
	objCreateView(t, env, tn.Key, "contacts", map[string]any{"name": "Bare", "isDefault": true}).decode(t, &second)
	require.Equal(t, "[]", string(second.CreateView.Filters))
	require.Equal(t, "null", string(second.CreateView.Sort))

	var ty struct{ ObjectType gqlObjType }
	gql(t, env, tn.Key, `{ objectType(idOrName: "contacts") { views { id name isDefault } } }`, nil).decode(t, &ty)
	require.Len(t, ty.ObjectType.Views, 2)
	require.Equal(t, "Acme", ty.ObjectType.Views[0].Name)
	require.False(t, ty.ObjectType.Views[0].IsDefault, "one default per type")
	require.True(t, ty.ObjectType.Views[1].IsDefault)

	var uv struct{ UpdateView gqlObjView }
	gql(t, env, tn.Key, `mutation($id: ID!) { updateView(type: "contacts", id: $id, input: {name: "Acme 2", sort: null, columns: ["id"]}) { `+objViewFields+` } }`,
		map[string]any{"id": v.ID}).decode(t, &uv)
	require.Equal(t, "Acme 2", uv.UpdateView.Name)
	require.Equal(t, "null", string(uv.UpdateView.Sort))
	require.Equal(t, []string{"id"}, uv.UpdateView.Columns)
	require.JSONEq(t, string(v.Filters), string(uv.UpdateView.Filters), "absent filters keep them")
	gql(t, env, tn.Key, `mutation($id: ID!) { updateView(type: "contacts", id: $id, input: {name: "Bare"}) { id } }`,
		map[string]any{"id": v.ID}).requireCode(t, "CONFLICT")

	var dv struct{ DeleteView struct{ Deleted bool } }
	gql(t, env, tn.Key, `mutation($id: ID!) { deleteView(type: "contacts", id: $id) { deleted } }`, map[string]any{"id": v.ID}).decode(t, &dv)
	require.True(t, dv.DeleteView.Deleted)
	gql(t, env, tn.Key, `mutation($id: ID!) { deleteView(type: "contacts", id: $id) { deleted } }`, map[string]any{"id": v.ID}).requireCode(t, "NOT_FOUND")

	other := objTenant(t, env)
	gql(t, env, other.Key, `mutation($id: ID!) { deleteView(type: "contacts", id: $id) { deleted } }`,
		map[string]any{"id": second.CreateView.ID}).requireCode(t, "NOT_FOUND")
}

// Listing many types with their properties and views costs the same SQL as
// listing one: the loaders batch them.
func TestObjectTypesBatched(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	log := &queryLog{}
	env.App.Core.DB.AddQueryHook(log)
	tn := objTenant(t, env)
	const q = `{ objectTypes { name properties { name } views { name } } }`
	run := func() (int, []gqlObjType) {
		log.take()
		var out struct{ ObjectTypes []gqlObjType }
		gql(t, env, tn.Key, q, nil).decode(t, &out)
		return len(log.take()), out.ObjectTypes
	}
	objCreateType(t, env, tn.Key, map[string]any{"name": "t_00", "properties": []any{map[string]any{"name": "p", "dataType": "string"}}})
	objCreateView(t, env, tn.Key, "t_00", map[string]any{"name": "v"}).decode(t, &struct{}{})
	one, _ := run()
	for i := 1; i < 12; i++ {
		name := fmt.Sprintf("t_%02d", i)
		objCreateType(t, env, tn.Key, map[string]any{"name": name, "properties": []any{map[string]any{"name": "p" + name, "dataType": "string"}}})
		objCreateView(t, env, tn.Key, name, map[string]any{"name": "v" + name}).decode(t, &struct{}{})
	}
	many, types := run()
	require.Len(t, types, 12)
	for _, ty := range types[1:] {
		require.Equal(t, []gqlObjProperty{{Name: "p" + ty.Name}}, ty.Properties)
		require.Len(t, ty.Views, 1)
		require.Equal(t, "v"+ty.Name, ty.Views[0].Name)
	}
	require.Equal(t, one, many, "SQL for 1 type and for 12")
	require.LessOrEqual(t, many, 3)
}
