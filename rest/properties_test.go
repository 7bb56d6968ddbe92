package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// otProp is a property as the API shows it; default_value keeps the
// server's exact JSON.
type otProp struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"object_type_id"`
	Name         string          `json:"name"`
	DataType     string          `json:"data_type"`
	IsIndexed    bool            `json:"is_indexed"`
	IsSortable   bool            `json:"is_sortable"`
	IsUnique     bool            `json:"is_unique"`
	IsRequired   bool            `json:"is_required"`
	DefaultValue json.RawMessage `json:"default_value"`
	EnumValues   []string        `json:"enum_values"`
	Description  string          `json:"description"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

func otPropsPath(typeRef string) string { return otPath + "/" + typeRef + "/properties" }

func otListProps(t testing.TB, env *apptest.Env, key, typeRef string) []otProp {
	t.Helper()
	res := otDo(t, env, key, "GET", otPropsPath(typeRef), nil)
	require.Equal(t, http.StatusOK, res.Status, "list properties: %s", res.Body)
	require.True(t, strings.HasPrefix(string(res.Data), "["), "a bare array: %s", res.Data)
	var props []otProp
	res.Decode(t, &props)
	return props
}

func otPropNames(props []otProp) []string {
	out := make([]string, len(props))
	for i, p := range props {
		out[i] = p.Name
	}
	return out
}

func otCreateProp(t testing.TB, env *apptest.Env, key, typeRef string, body map[string]any) otProp {
	t.Helper()
	res := otDo(t, env, key, "POST", otPropsPath(typeRef), body)
	require.Equal(t, http.StatusCreated, res.Status, "create property: %s", res.Body)
	var p otProp
	res.Decode(t, &p)
	return p
}

func TestPropertyCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})

	t.Run("every field", func(t *testing.T) {
		p := otCreateProp(t, env, tn.Key, "contacts", map[string]any{"name": "email", "data_type": "email", "is_indexed": true,
			"is_sortable": true, "is_unique": true, "is_required": true, "default_value": nil, "description": "Contact email address"})
		require.True(t, domain.ValidID("prop_", p.ID), p.ID)
		require.Equal(t, otProp{ID: p.ID, ObjectTypeID: ty.ID, Name: "email", DataType: "email", IsIndexed: true, IsSortable: true,
			IsUnique: true, IsRequired: true, DefaultValue: json.RawMessage("null"), Description: "Contact email address",
			CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}, p)
		require.Contains(t, string(otDo(t, env, tn.Key, "GET", otPropsPath("contacts"), nil).Data), `"enum_values":null`)
	})

	// One property of each of the 22 data types, with a default that the
	// server normalizes (or keeps exactly).
	types := []struct {
		dataType string
		extra    map[string]any
		def      any
		want     string
	}{
		{"string", nil, "hello", `"hello"`},
		{"text", nil, "long", `"long"`},
		{"integer", map[string]any{"is_unique": true}, json.Number("1e3"), `1000`},
		{"number", map[string]any{"is_sortable": true}, json.Number("3.14"), `3.14`},
		{"decimal", nil, "12.50", `12.50`},
		{"boolean", nil, true, `true`},
		{"date", nil, "2026-01-15", `"2026-01-15"`},
		{"datetime", nil, "2026-01-15T14:30:00+02:00", `"2026-01-15T12:30:00Z"`},
		{"time", nil, "09:30", `"09:30:00"`},
		{"email", nil, "ada@example.com", `"ada@example.com"`},
		{"phone", nil, "+14155552671", `"+14155552671"`},
		{"url", nil, "https://example.com", `"https://example.com"`},
		{"enum", map[string]any{"enum_values": []string{"lead", "customer"}}, "lead", `"lead"`},
		{"multi_enum", map[string]any{"enum_values": []string{"a", "b", "c"}}, []string{"c", "a"}, `["c","a"]`},
		{"currency", map[string]any{"is_indexed": true}, map[string]any{"amount": "0.10", "currency": "EUR"}, `{"amount":0.10,"currency":"EUR"}`},
		{"percent", nil, json.Number("12.5"), `12.5`},
		{"json", nil, map[string]any{"a": []any{1, "x"}}, `{"a":[1,"x"]}`},
		{"array", nil, []any{1, 2}, `[1,2]`},
		{"uuid", nil, "123E4567-E89B-12D3-A456-426614174000", `"123e4567-e89b-12d3-a456-426614174000"`},
		{"file", nil, "file_123", `"file_123"`},
		{"reference", nil, nil, `null`},
		{"geo_point", nil, map[string]any{"lat": 48.8566, "lng": 2.3522}, `{"lat":48.8566,"lng":2.3522}`},
	}
	for _, c := range types {
		t.Run("data type "+c.dataType, func(t *testing.T) {
			body := map[string]any{"name": "f_" + c.dataType, "data_type": c.dataType, "default_value": c.def}
			for k, v := range c.extra {
				body[k] = v
			}
			p := otCreateProp(t, env, tn.Key, ty.ID, body)
			require.Equal(t, c.dataType, p.DataType)
			require.Equal(t, c.want, string(p.DefaultValue), "exact default")
		})
	}
	props := otListProps(t, env, tn.Key, "contacts")
	require.Len(t, props, 1+len(types))
	require.Equal(t, "email", props[0].Name, "creation order")
	require.Equal(t, "f_geo_point", props[len(props)-1].Name)
	require.Equal(t, []string{"lead", "customer"}, props[13].EnumValues)
	require.Equal(t, `{"amount":0.10,"currency":"EUR"}`, string(props[15].DefaultValue), "read back exactly")

	bad := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"missing name", map[string]any{"data_type": "string"}, 400, "VALIDATION_FAILED", "name"},
		{"bad name", map[string]any{"name": "First Name", "data_type": "string"}, 400, "VALIDATION_FAILED", "name"},
		{"name like an id", map[string]any{"name": domain.NewID("prop_"), "data_type": "string"}, 400, "VALIDATION_FAILED", "name"},
		{"duplicate name", map[string]any{"name": "email", "data_type": "string"}, 409, "CONFLICT", ""},
		{"missing data type", map[string]any{"name": "x"}, 400, "VALIDATION_FAILED", "data_type"},
		{"unknown data type", map[string]any{"name": "x", "data_type": "money"}, 400, "VALIDATION_FAILED", "data_type"},
		{"enum without values", map[string]any{"name": "x", "data_type": "enum"}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum with no values", map[string]any{"name": "x", "data_type": "enum", "enum_values": []string{}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum values repeated", map[string]any{"name": "x", "data_type": "multi_enum", "enum_values": []string{"a", "a"}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum values not strings", map[string]any{"name": "x", "data_type": "enum", "enum_values": []any{1, 2}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum value empty", map[string]any{"name": "x", "data_type": "enum", "enum_values": []string{""}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"501 enum values", map[string]any{"name": "x", "data_type": "enum", "enum_values": otValues(501)}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum values on a string", map[string]any{"name": "x", "data_type": "string", "enum_values": []string{"a"}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum values not an array", map[string]any{"name": "x", "data_type": "enum", "enum_values": "a,b"}, 400, "VALIDATION_FAILED", "enum_values"},
		{"indexed json", map[string]any{"name": "x", "data_type": "json", "is_indexed": true}, 400, "VALIDATION_FAILED", "is_indexed"},
		{"sortable array", map[string]any{"name": "x", "data_type": "array", "is_sortable": true}, 400, "VALIDATION_FAILED", "is_sortable"},
		{"unique multi_enum", map[string]any{"name": "x", "data_type": "multi_enum", "enum_values": []string{"a"}, "is_unique": true}, 400, "VALIDATION_FAILED", "is_unique"},
		{"indexed geo_point", map[string]any{"name": "x", "data_type": "geo_point", "is_indexed": true}, 400, "VALIDATION_FAILED", "is_indexed"},
		{"unique text", map[string]any{"name": "x", "data_type": "text", "is_unique": true}, 400, "VALIDATION_FAILED", "is_unique"},
		{"flag of the wrong type", map[string]any{"name": "x", "data_type": "string", "is_unique": "yes"}, 400, "VALIDATION_FAILED", "is_unique"},
		{"default: integer given text", map[string]any{"name": "x", "data_type": "integer", "default_value": "abc"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: integer given a fraction", map[string]any{"name": "x", "data_type": "integer", "default_value": 1.5}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: impossible date", map[string]any{"name": "x", "data_type": "date", "default_value": "2026-02-30"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: bad email", map[string]any{"name": "x", "data_type": "email", "default_value": "nobody"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: enum outside its values", map[string]any{"name": "x", "data_type": "enum", "enum_values": []string{"a"}, "default_value": "b"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: geo point off the globe", map[string]any{"name": "x", "data_type": "geo_point", "default_value": map[string]any{"lat": 95, "lng": 0}}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: currency in lower case", map[string]any{"name": "x", "data_type": "currency", "default_value": map[string]any{"amount": 1, "currency": "usd"}}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: url without scheme", map[string]any{"name": "x", "data_type": "url", "default_value": "example.com"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: phone not E.164", map[string]any{"name": "x", "data_type": "phone", "default_value": "555-1234"}, 400, "VALIDATION_FAILED", "default_value"},
		{"default: boolean given a string", map[string]any{"name": "x", "data_type": "boolean", "default_value": "true"}, 400, "VALIDATION_FAILED", "default_value"},
		{"description too long", map[string]any{"name": "x", "data_type": "string", "description": strings.Repeat("d", 2001)}, 400, "VALIDATION_FAILED", "description"},
	}
	for _, name := range []string{"id", "created_at", "updated_at", "created_by", "version", "is_deleted"} {
		bad = append(bad, struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{"reserved " + name, map[string]any{"name": name, "data_type": "string"}, 400, "VALIDATION_FAILED", "name"})
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, tn.Key, "POST", otPropsPath("contacts"), c.body)
			if c.field == "" {
				otRequireError(t, res, c.status, c.code)
				return
			}
			otRequireError(t, res, c.status, c.code, c.field)
		})
	}
	require.Len(t, otListProps(t, env, tn.Key, "contacts"), 1+len(types), "refused creates add nothing")

	other := otTenant(t, env)
	otCreate(t, env, other.Key, map[string]any{"name": "theirs"})
	for _, ref := range []string{"nothing", "theirs", domain.NewID("ot_")} {
		res := otDo(t, env, tn.Key, "POST", otPropsPath(ref), map[string]any{"name": "x", "data_type": "string"})
		otRequireError(t, res, 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, tn.Key, "GET", otPropsPath(ref), nil), 404, "NOT_FOUND")
	}
	read := scopedKey(t, env, tn.Key, "read")
	res := otDo(t, env, read, "POST", otPropsPath("contacts"), map[string]any{"name": "x", "data_type": "string"})
	otRequireError(t, res, 403, "INSUFFICIENT_SCOPE")
	require.Len(t, otListProps(t, env, read, "contacts"), 1+len(types), "a read key lists")
}

func otValues(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("v%d", i)
	}
	return out
}

func TestPropertyUpdate(t *testing.T) {
	t.Parallel()
	clock := domain.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn, other := otTenant(t, env), otTenant(t, env)
	otCreate(t, env, tn.Key, map[string]any{"name": "contacts", "properties": []any{
		map[string]any{"name": "email", "data_type": "email"},
		map[string]any{"name": "stage", "data_type": "enum", "enum_values": []string{"lead", "customer"}, "default_value": "lead"},
		map[string]any{"name": "score", "data_type": "integer", "default_value": 5},
		map[string]any{"name": "meta", "data_type": "json"},
	}})
	deals := otCreate(t, env, tn.Key, map[string]any{"name": "deals", "properties": []any{map[string]any{"name": "amount", "data_type": "decimal"}}})
	theirs := otCreate(t, env, other.Key, map[string]any{"name": "contacts", "properties": []any{map[string]any{"name": "email", "data_type": "email"}}})
	email := otListProps(t, env, tn.Key, "contacts")[0]
	clock.Advance(time.Minute)

	patch := func(prop string, body any) *apptest.Response {
		return otDo(t, env, tn.Key, "PATCH", otPropsPath("contacts")+"/"+prop, body)
	}
	res := patch(email.ID, map[string]any{"is_indexed": true, "is_sortable": true, "is_unique": true, "is_required": true,
		"description": "Work email", "name": "email", "data_type": "email", "default_value": "x@example.com"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var got otProp
	res.Decode(t, &got)
	require.Equal(t, otProp{ID: email.ID, ObjectTypeID: email.ObjectTypeID, Name: "email", DataType: "email", IsIndexed: true,
		IsSortable: true, IsUnique: true, IsRequired: true, DefaultValue: json.RawMessage(`"x@example.com"`), Description: "Work email",
		CreatedAt: email.CreatedAt, UpdatedAt: email.CreatedAt.Add(time.Minute)}, got)

	// By name, partial: absent members keep their values; null removes the default.
	res = patch("email", map[string]any{"is_unique": false, "default_value": nil})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &got)
	require.False(t, got.IsUnique)
	require.True(t, got.IsIndexed)
	require.Equal(t, "null", string(got.DefaultValue))
	require.Equal(t, "Work email", got.Description)
	require.Equal(t, "null", string(otListProps(t, env, tn.Key, "contacts")[0].DefaultValue), "stored as no default")

	// New enum values: the default still belongs to them.
	res = patch("stage", map[string]any{"enum_values": []string{"lead", "customer", "churned"}, "default_value": "churned"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &got)
	require.Equal(t, []string{"lead", "customer", "churned"}, got.EnumValues)
	require.Equal(t, `"churned"`, string(got.DefaultValue))

	cases := []struct {
		name   string
		typ    string
		prop   string
		body   any
		status int
		code   string
		field  string
	}{
		{"rename", "contacts", "email", map[string]any{"name": "mail"}, 400, "VALIDATION_FAILED", "name"},
		{"retype", "contacts", "email", map[string]any{"data_type": "string"}, 400, "VALIDATION_FAILED", "data_type"},
		{"bad default", "contacts", "score", map[string]any{"default_value": "high"}, 400, "VALIDATION_FAILED", "default_value"},
		{"enum values dropping the default", "contacts", "stage", map[string]any{"enum_values": []string{"lead", "customer"}}, 400, "VALIDATION_FAILED", "default_value"},
		{"enum values removed from an enum", "contacts", "stage", map[string]any{"enum_values": nil}, 400, "VALIDATION_FAILED", "enum_values"},
		{"enum values on an integer", "contacts", "score", map[string]any{"enum_values": []string{"1"}}, 400, "VALIDATION_FAILED", "enum_values"},
		{"unique json", "contacts", "meta", map[string]any{"is_unique": true}, 400, "VALIDATION_FAILED", "is_unique"},
		{"flag of the wrong type", "contacts", "meta", map[string]any{"is_required": 1}, 400, "VALIDATION_FAILED", "is_required"},
		{"unknown property", "contacts", "nothing", map[string]any{"is_required": true}, 404, "NOT_FOUND", ""},
		{"unknown property id", "contacts", domain.NewID("prop_"), map[string]any{"is_required": true}, 404, "NOT_FOUND", ""},
		{"property of another type", "contacts", deals.Properties[0].ID, map[string]any{"is_required": true}, 404, "NOT_FOUND", ""},
		{"another tenant's property", "contacts", theirs.Properties[0].ID, map[string]any{"is_required": true}, 404, "NOT_FOUND", ""},
		{"another tenant's type", theirs.ID, "email", map[string]any{"is_required": true}, 404, "NOT_FOUND", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, tn.Key, "PATCH", otPropsPath(c.typ)+"/"+c.prop, c.body)
			if c.field == "" {
				otRequireError(t, res, c.status, c.code)
				return
			}
			otRequireError(t, res, c.status, c.code, c.field)
		})
	}
	props := otListProps(t, env, tn.Key, "contacts")
	require.Equal(t, `"churned"`, string(props[1].DefaultValue), "refused updates change nothing")
	require.Equal(t, `5`, string(props[2].DefaultValue))
	require.False(t, props[3].IsUnique)
	require.False(t, otListProps(t, env, other.Key, "contacts")[0].IsRequired)

	read := scopedKey(t, env, tn.Key, "read")
	otRequireError(t, otDo(t, env, read, "PATCH", otPropsPath("contacts")+"/email", map[string]any{"is_required": false}), 403, "INSUFFICIENT_SCOPE")
}

func TestPropertyDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, other := otTenant(t, env), otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts", "properties": []any{
		map[string]any{"name": "email", "data_type": "email"},
		map[string]any{"name": "phone", "data_type": "phone"},
		map[string]any{"name": "city", "data_type": "string"},
	}})
	theirs := otCreate(t, env, other.Key, map[string]any{"name": "contacts", "properties": []any{map[string]any{"name": "email", "data_type": "email"}}})

	cases := []struct {
		name   string
		key    string
		path   string
		status int
		code   string
	}{
		{"another tenant's property", tn.Key, otPropsPath("contacts") + "/" + theirs.Properties[0].ID, 404, "NOT_FOUND"},
		{"another tenant's type", tn.Key, otPropsPath(theirs.ID) + "/email", 404, "NOT_FOUND"},
		{"unknown property", tn.Key, otPropsPath("contacts") + "/nothing", 404, "NOT_FOUND"},
		{"read key", scopedKey(t, env, tn.Key, "read"), otPropsPath("contacts") + "/email", 403, "INSUFFICIENT_SCOPE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, otDo(t, env, c.key, "DELETE", c.path, nil), c.status, c.code)
		})
	}
	for _, ref := range []string{ty.Properties[0].ID, "phone"} {
		res := otDo(t, env, tn.Key, "DELETE", otPropsPath("contacts")+"/"+ref, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"deleted": true}`, string(res.Data))
		otRequireError(t, otDo(t, env, tn.Key, "DELETE", otPropsPath("contacts")+"/"+ref, nil), 404, "NOT_FOUND")
	}
	require.Equal(t, []string{"city"}, otPropNames(otListProps(t, env, tn.Key, "contacts")))
	require.Len(t, otListProps(t, env, other.Key, "contacts"), 1, "the other tenant keeps its property")
	// The name is free again, and the new property comes last.
	otCreateProp(t, env, tn.Key, "contacts", map[string]any{"name": "email", "data_type": "string"})
	require.Equal(t, []string{"city", "email"}, otPropNames(otListProps(t, env, tn.Key, "contacts")))
}

// A type holds at most 500 properties, whether created with the type or
// one by one.
func TestPropertyCap(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	specs := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprintf("p%d", i), "data_type": "string"}
		}
		return out
	}
	res := otDo(t, env, tn.Key, "POST", otPath, map[string]any{"name": "too_wide", "properties": specs(501)})
	otRequireError(t, res, 400, "VALIDATION_FAILED", "properties")
	require.Contains(t, res.Error.Fields["properties"][0], "500")

	ty := otCreate(t, env, tn.Key, map[string]any{"name": "wide", "properties": specs(500)})
	require.Len(t, ty.Properties, 500)
	res = otDo(t, env, tn.Key, "POST", otPropsPath("wide"), map[string]any{"name": "one_more", "data_type": "string"})
	otRequireError(t, res, 400, "VALIDATION_FAILED", "name")
	require.Contains(t, res.Error.Fields["name"][0], "500")

	props := otListProps(t, env, tn.Key, "wide")
	require.Len(t, props, 500)
	require.Equal(t, "p0", props[0].Name)
	require.Equal(t, "p499", props[499].Name, "in creation order")

	// Deleting one makes room for one.
	require.Equal(t, http.StatusOK, otDo(t, env, tn.Key, "DELETE", otPropsPath("wide")+"/p7", nil).Status)
	otCreateProp(t, env, tn.Key, "wide", map[string]any{"name": "one_more", "data_type": "string"})
	var n int
	require.NoError(t, env.App.Core.DB.NewRaw("SELECT count(*) FROM object_properties WHERE tenant_id = ? AND object_type_id = ?",
		tn.ID, ty.ID).Scan(context.Background(), &n))
	require.Equal(t, 500, n)
}
