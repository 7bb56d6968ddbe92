package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// HTTP tests of /v1/object-types (this file) and of properties
// (properties_test.go). The ot* helpers serve both files.

const otPath = "/v1/object-types"

// otType is an object type as the API shows it.
type otType struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"tenant_id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Description string    `json:"description"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Properties  []otProp  `json:"properties"`
}

var otSeq atomic.Int64

// otName returns a type name unique in this test binary.
func otName(prefix string) string { return fmt.Sprintf("%s_%d", prefix, otSeq.Add(1)) }

func otDo(t testing.TB, env *apptest.Env, key, method, path string, body any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: method, Path: path, Key: key, Body: body})
}

// otCreate creates a type from body and returns it.
func otCreate(t testing.TB, env *apptest.Env, key string, body map[string]any) otType {
	t.Helper()
	res := otDo(t, env, key, "POST", otPath, body)
	require.Equal(t, http.StatusCreated, res.Status, "create type: %s", res.Body)
	var ty otType
	res.Decode(t, &ty)
	return ty
}

// otTenant provisions a tenant and returns it with a "*" key whose rate
// limit a long test never reaches (as its Key).
func otTenant(t *testing.T, env *apptest.Env) apptest.Tenant {
	t.Helper()
	tn := env.NewTenant(t)
	tn.Key = ldgKey(t, env, tn)
	return tn
}

// otRequireError checks an error answer: status, code and (when given)
// the fields it names.
func otRequireError(t testing.TB, res *apptest.Response, status int, code string, fields ...string) {
	t.Helper()
	require.Equal(t, status, res.Status, "%s", res.Body)
	require.Equal(t, code, res.Error.Code, "%s", res.Body)
	for _, f := range fields {
		require.Contains(t, res.Error.Fields, f, "%s", res.Body)
	}
}

func TestObjectTypeCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)

	t.Run("minimal: display name from the name", func(t *testing.T) {
		before := time.Now().Add(-time.Minute)
		ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
		require.True(t, domain.ValidID("ot_", ty.ID), ty.ID)
		require.Equal(t, tn.ID, ty.TenantID)
		require.Equal(t, "contacts", ty.Name)
		require.Equal(t, "Contacts", ty.DisplayName)
		require.Equal(t, "", ty.Description)
		require.True(t, strings.HasPrefix(ty.CreatedBy, "key_"), ty.CreatedBy)
		require.True(t, ty.CreatedAt.After(before))
		require.Equal(t, ty.CreatedAt, ty.UpdatedAt)
		require.Nil(t, ty.Properties)
	})
	t.Run("underscores become spaces in title case", func(t *testing.T) {
		ty := otCreate(t, env, tn.Key, map[string]any{"name": "line_items_v2"})
		require.Equal(t, "Line Items V2", ty.DisplayName)
	})
	t.Run("every field", func(t *testing.T) {
		ty := otCreate(t, env, tn.Key, map[string]any{"name": "deals", "display_name": "Sales deals", "description": "Pipeline"})
		require.Equal(t, "Sales deals", ty.DisplayName)
		require.Equal(t, "Pipeline", ty.Description)
	})
	t.Run("with properties in the same transaction", func(t *testing.T) {
		ty := otCreate(t, env, tn.Key, map[string]any{"name": "companies", "properties": []any{
			map[string]any{"name": "domain", "data_type": "url", "is_unique": true},
			map[string]any{"name": "size", "data_type": "enum", "enum_values": []string{"small", "large"}, "default_value": "small"},
		}})
		require.Len(t, ty.Properties, 2)
		require.Equal(t, "domain", ty.Properties[0].Name)
		require.True(t, ty.Properties[0].IsUnique)
		require.Equal(t, `"small"`, string(ty.Properties[1].DefaultValue))
		props := otListProps(t, env, tn.Key, "companies")
		require.Equal(t, []string{"domain", "size"}, otPropNames(props))
	})

	bad := []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"missing name", map[string]any{}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"upper case", map[string]any{"name": "Contacts"}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"leading digit", map[string]any{"name": "1contacts"}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"hyphen", map[string]any{"name": "my-type"}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"64 characters", map[string]any{"name": "a" + strings.Repeat("b", 63)}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"looks like an id", map[string]any{"name": domain.NewID("ot_")}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"name of the wrong type", map[string]any{"name": 12}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"display name too long", map[string]any{"name": "x1", "display_name": strings.Repeat("d", 201)}, 400, "VALIDATION_FAILED", []string{"display_name"}},
		{"description too long", map[string]any{"name": "x2", "description": strings.Repeat("d", 2001)}, 400, "VALIDATION_FAILED", []string{"description"}},
		{"duplicate name", map[string]any{"name": "contacts"}, 409, "CONFLICT", nil},
		{"bad property", map[string]any{"name": "x3", "properties": []any{
			map[string]any{"name": "ok", "data_type": "string"}, map[string]any{"name": "id", "data_type": "nope"}}},
			400, "VALIDATION_FAILED", []string{"properties[1].name", "properties[1].data_type"}},
		{"property given twice", map[string]any{"name": "x4", "properties": []any{
			map[string]any{"name": "a", "data_type": "string"}, map[string]any{"name": "a", "data_type": "text"}}},
			400, "VALIDATION_FAILED", []string{"properties[1].name"}},
		{"properties not an array", map[string]any{"name": "x5", "properties": "a"}, 400, "VALIDATION_FAILED", []string{"properties"}},
		{"malformed JSON", `{"name":`, 400, "BAD_REQUEST", nil},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, tn.Key, "POST", otPath, c.body)
			otRequireError(t, res, c.status, c.code, c.fields...)
		})
	}
	// A failed create leaves nothing behind.
	for _, n := range []string{"x3", "x4"} {
		require.Equal(t, http.StatusNotFound, otDo(t, env, tn.Key, "GET", otPath+"/"+n, nil).Status)
	}
}

func TestObjectTypeListAndGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, other := otTenant(t, env), otTenant(t, env)
	zeta := otCreate(t, env, tn.Key, map[string]any{"name": "zeta"})
	alpha := otCreate(t, env, tn.Key, map[string]any{"name": "alpha"})
	foreign := otCreate(t, env, other.Key, map[string]any{"name": "secret"})

	res := otDo(t, env, tn.Key, "GET", otPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.True(t, strings.HasPrefix(string(res.Data), "["), "a bare array: %s", res.Data)
	var list []otType
	res.Decode(t, &list)
	require.Len(t, list, 2)
	require.Equal(t, []string{"alpha", "zeta"}, []string{list[0].Name, list[1].Name}, "name order, own tenant only")

	empty := otDo(t, env, env.NewTenant(t).Key, "GET", otPath, nil)
	require.Equal(t, http.StatusOK, empty.Status)
	require.JSONEq(t, `[]`, string(empty.Data))

	cases := []struct {
		name   string
		ref    string
		status int
		want   string
	}{
		{"by id", alpha.ID, 200, "alpha"},
		{"by name", "zeta", 200, "zeta"},
		{"unknown name", "nothing", 404, ""},
		{"unknown id", domain.NewID("ot_"), 404, ""},
		{"another tenant's id", foreign.ID, 404, ""},
		{"another tenant's name", "secret", 404, ""},
		{"garbage", url.PathEscape("Not A Name!"), 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, tn.Key, "GET", otPath+"/"+c.ref, nil)
			require.Equal(t, c.status, res.Status, "%s", res.Body)
			if c.status == 404 {
				require.Equal(t, "NOT_FOUND", res.Error.Code)
				return
			}
			var got otType
			res.Decode(t, &got)
			require.Equal(t, c.want, got.Name)
		})
	}
	var got otType
	otDo(t, env, tn.Key, "GET", otPath+"/"+zeta.ID, nil).Decode(t, &got)
	require.Equal(t, zeta, got, "get answers what create did")
}

func TestObjectTypeUpdate(t *testing.T) {
	t.Parallel()
	clock := domain.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn, other := otTenant(t, env), otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
	otCreate(t, env, tn.Key, map[string]any{"name": "taken"})
	foreign := otCreate(t, env, other.Key, map[string]any{"name": "theirs"})
	clock.Advance(time.Hour)

	res := otDo(t, env, tn.Key, "PATCH", otPath+"/contacts", map[string]any{"name": "customers", "display_name": "Customers", "description": "Paying"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var got otType
	res.Decode(t, &got)
	require.Equal(t, ty.ID, got.ID)
	require.Equal(t, "customers", got.Name)
	require.Equal(t, "Customers", got.DisplayName)
	require.Equal(t, "Paying", got.Description)
	require.Equal(t, ty.CreatedAt, got.CreatedAt)
	require.Equal(t, ty.CreatedAt.Add(time.Hour), got.UpdatedAt)
	require.Equal(t, http.StatusNotFound, otDo(t, env, tn.Key, "GET", otPath+"/contacts", nil).Status, "the old name is gone")
	require.Equal(t, http.StatusOK, otDo(t, env, tn.Key, "GET", otPath+"/customers", nil).Status)

	// PUT is an alias; absent members keep their values.
	res = otDo(t, env, tn.Key, "PUT", otPath+"/"+ty.ID, map[string]any{"description": ""})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &got)
	require.Equal(t, "customers", got.Name)
	require.Equal(t, "", got.Description)

	cases := []struct {
		name   string
		ref    string
		body   any
		status int
		code   string
		fields []string
	}{
		{"name taken", ty.ID, map[string]any{"name": "taken"}, 409, "CONFLICT", nil},
		{"bad name", ty.ID, map[string]any{"name": "Bad Name"}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"empty name", ty.ID, map[string]any{"name": ""}, 400, "VALIDATION_FAILED", []string{"name"}},
		{"empty display name", ty.ID, map[string]any{"display_name": " "}, 400, "VALIDATION_FAILED", []string{"display_name"}},
		{"display name of the wrong type", ty.ID, map[string]any{"display_name": true}, 400, "VALIDATION_FAILED", []string{"display_name"}},
		{"unknown type", "nothing", map[string]any{"description": "x"}, 404, "NOT_FOUND", nil},
		{"another tenant's type", foreign.ID, map[string]any{"description": "x"}, 404, "NOT_FOUND", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, otDo(t, env, tn.Key, "PATCH", otPath+"/"+c.ref, c.body), c.status, c.code, c.fields...)
		})
	}
	var theirs otType
	otDo(t, env, other.Key, "GET", otPath+"/"+foreign.ID, nil).Decode(t, &theirs)
	require.Equal(t, "", theirs.Description, "another tenant's type is untouched")
}

func TestObjectTypeDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn, other := otTenant(t, env), otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts", "properties": []any{map[string]any{"name": "email", "data_type": "email"}}})
	foreign := otCreate(t, env, other.Key, map[string]any{"name": "contacts"})

	cases := []struct {
		name   string
		path   string
		status int
		code   string
	}{
		{"force with a bad confirm token", otPath + "/contacts?force=true&confirm_token=forged", 400, "INVALID_CONFIRM_TOKEN"},
		{"force without a confirm token", otPath + "/contacts?force=true", 400, "INVALID_CONFIRM_TOKEN"},
		{"force that is not a boolean", otPath + "/contacts?force=maybe", 400, "VALIDATION_FAILED"},
		{"another tenant's type", otPath + "/" + foreign.ID, 404, "NOT_FOUND"},
		{"unknown type", otPath + "/nothing", 404, "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, otDo(t, env, tn.Key, "DELETE", c.path, nil), c.status, c.code)
		})
	}
	require.Equal(t, http.StatusOK, otDo(t, env, tn.Key, "GET", otPath+"/"+ty.ID, nil).Status, "refused deletes keep the type")

	// Nothing depends on the type yet: the delete goes through at once.
	res := otDo(t, env, tn.Key, "DELETE", otPath+"/"+ty.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"deleted": true}`, string(res.Data))
	require.Equal(t, http.StatusNotFound, otDo(t, env, tn.Key, "GET", otPath+"/"+ty.ID, nil).Status)
	require.Equal(t, http.StatusNotFound, otDo(t, env, tn.Key, "GET", otPath+"/contacts/properties", nil).Status)
	require.Equal(t, http.StatusNotFound, otDo(t, env, tn.Key, "DELETE", otPath+"/"+ty.ID, nil).Status, "twice")
	var n int
	require.NoError(t, env.App.Core.DB.NewRaw("SELECT count(*) FROM object_properties WHERE tenant_id = ? AND object_type_id = ?",
		tn.ID, ty.ID).Scan(context.Background(), &n))
	require.Zero(t, n, "its properties went with it")
	require.Equal(t, http.StatusOK, otDo(t, env, other.Key, "GET", otPath+"/contacts", nil).Status, "the other tenant's namesake stays")

	// The name is free again.
	again := otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
	require.NotEqual(t, ty.ID, again.ID)
	require.Empty(t, otListProps(t, env, tn.Key, "contacts"))
}

func TestObjectTypeScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
	read := scopedKey(t, env, tn.Key, "read")
	schema := scopedKey(t, env, tn.Key, "schema")
	publishable := scopedKey(t, env, tn.Key)

	cases := []struct {
		name   string
		key    string
		method string
		path   string
		body   any
		status int
		scope  string
	}{
		{"read key lists", read, "GET", otPath, nil, 200, ""},
		{"read key gets", read, "GET", otPath + "/contacts", nil, 200, ""},
		{"read key cannot create", read, "POST", otPath, map[string]any{"name": "deals"}, 403, "schema"},
		{"read key cannot update", read, "PATCH", otPath + "/contacts", map[string]any{"description": "x"}, 403, "schema"},
		{"read key cannot delete", read, "DELETE", otPath + "/contacts", nil, 403, "schema"},
		{"schema key creates", schema, "POST", otPath, map[string]any{"name": "deals"}, 201, ""},
		{"schema key alone cannot list", schema, "GET", otPath, nil, 403, "read"},
		{"publishable key cannot list", publishable, "GET", otPath, nil, 403, "read"},
		{"publishable key cannot create", publishable, "POST", otPath, map[string]any{"name": "x"}, 403, "schema"},
		{"no key", "", "GET", otPath, nil, 401, ""},
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
}

// Every schema change is audited and announced on the "schema" topic.
func TestObjectTypeAuditAndEvents(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	ty := otCreate(t, env, tn.Key, map[string]any{"name": "contacts"})
	require.Equal(t, 201, otDo(t, env, tn.Key, "POST", otPath+"/contacts/properties", map[string]any{"name": "email", "data_type": "email"}).Status)
	require.Equal(t, 200, otDo(t, env, tn.Key, "PATCH", otPath+"/contacts/properties/email", map[string]any{"is_required": true}).Status)
	require.Equal(t, 200, otDo(t, env, tn.Key, "DELETE", otPath+"/contacts/properties/email", nil).Status)
	require.Equal(t, 200, otDo(t, env, tn.Key, "PATCH", otPath+"/contacts", map[string]any{"name": "people"}).Status)
	require.Equal(t, 200, otDo(t, env, tn.Key, "DELETE", otPath+"/people", nil).Status)

	ctx := context.Background()
	var actions, events []string
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT action FROM audit_logs WHERE tenant_id = ? AND resource_type IN ('object_type', 'property')
		ORDER BY created_at, id`, tn.ID).Scan(ctx, &actions))
	require.Equal(t, []string{"object_type.create", "property.create", "property.update", "property.delete",
		"object_type.update", "object_type.delete"}, actions)
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT type FROM outbox_events WHERE tenant_id = ? AND topic = 'schema'
		ORDER BY created_at, id`, tn.ID).Scan(ctx, &events))
	require.Equal(t, []string{"object_type.created", "property.created", "property.updated", "property.deleted",
		"object_type.updated", "object_type.deleted"}, events)
	var resource string
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT resource_id FROM audit_logs WHERE tenant_id = ? AND action = 'object_type.delete'`,
		tn.ID).Scan(ctx, &resource))
	require.Equal(t, ty.ID, resource)
}
