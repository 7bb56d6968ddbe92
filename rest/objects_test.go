package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// HTTP tests of /v1/objects (this file) and of versions, trash and batches
// (objects_versions_test.go). The obj* helpers serve both files.

// objObject is an object as the API shows it (property values kept raw, to
// check exact numbers).
type objObject struct {
	ID           string                     `json:"id"`
	ObjectTypeID string                     `json:"object_type_id"`
	TenantID     string                     `json:"tenant_id"`
	Properties   map[string]json.RawMessage `json:"properties"`
	CreatedAt    time.Time                  `json:"created_at"`
	UpdatedAt    time.Time                  `json:"updated_at"`
	CreatedBy    string                     `json:"created_by"`
	UpdatedBy    string                     `json:"updated_by"`
	Version      int                        `json:"version"`
	IsDeleted    bool                       `json:"is_deleted"`
}

type objPage struct {
	Results    []objObject `json:"results"`
	NextCursor *string     `json:"next_cursor"`
	Total      int         `json:"total"`
}

// objEnv is a tenant with a "contacts"-like type.
type objEnv struct {
	env  *apptest.Env
	tn   apptest.Tenant
	ty   otType
	path string // /v1/objects/<type name>
}

// objSetup provisions a tenant (high-rate key) and a type with typical
// properties: email (unique, required), name (sortable), stage (enum with a
// default), score (integer, sortable), amount (decimal), born (date), ref
// (reference).
func objSetup(t *testing.T, env *apptest.Env) objEnv {
	t.Helper()
	tn := otTenant(t, env)
	name := otName("contacts")
	ty := otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "email", "data_type": "email", "is_unique": true, "is_required": true},
		map[string]any{"name": "name", "data_type": "string", "is_sortable": true},
		map[string]any{"name": "stage", "data_type": "enum", "enum_values": []string{"lead", "customer"}, "default_value": "lead"},
		map[string]any{"name": "score", "data_type": "integer", "is_sortable": true, "is_indexed": true},
		map[string]any{"name": "amount", "data_type": "decimal"},
		map[string]any{"name": "born", "data_type": "date"},
		map[string]any{"name": "ref", "data_type": "reference"},
	}})
	return objEnv{env: env, tn: tn, ty: ty, path: "/v1/objects/" + name}
}

func (o objEnv) do(t testing.TB, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, o.env, o.tn.Key, method, path, body)
}

var objEmailSeq sync.Mutex
var objEmailN int

// objEmail returns a fresh e-mail address.
func objEmail() string {
	objEmailSeq.Lock()
	defer objEmailSeq.Unlock()
	objEmailN++
	return fmt.Sprintf("person%d@example.com", objEmailN)
}

// create creates an object from props (email filled when absent).
func (o objEnv) create(t testing.TB, props map[string]any) objObject {
	t.Helper()
	if _, ok := props["email"]; !ok {
		props["email"] = objEmail()
	}
	res := o.do(t, "POST", o.path, map[string]any{"properties": props})
	require.Equal(t, http.StatusCreated, res.Status, "create object: %s", res.Body)
	var obj objObject
	res.Decode(t, &obj)
	return obj
}

func (o objEnv) get(t testing.TB, id string) (*apptest.Response, objObject) {
	t.Helper()
	res := o.do(t, "GET", o.path+"/"+id, nil)
	var obj objObject
	if res.Status == http.StatusOK {
		res.Decode(t, &obj)
	}
	return res, obj
}

func (o objEnv) list(t testing.TB, query string) objPage {
	t.Helper()
	res := o.do(t, "GET", o.path+"/list"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "list: %s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	return pg
}

func objRaw(t testing.TB, obj objObject, name string) string {
	t.Helper()
	return string(obj.Properties[name])
}

func TestObjectsCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)

	t.Run("answer shape, default, exact decimal, untyped", func(t *testing.T) {
		before := time.Now().Add(-time.Minute)
		obj := o.create(t, map[string]any{"email": "ada@example.com", "name": "Ada",
			"amount": json.Number("12.50"), "born": "1815-12-10", "nickname": "countess",
			"extra": map[string]any{"deep": []any{1, "two", json.Number("3.000")}}})
		require.True(t, domain.ValidID("obj_", obj.ID), obj.ID)
		require.Equal(t, o.ty.ID, obj.ObjectTypeID)
		require.Equal(t, o.tn.ID, obj.TenantID)
		require.Equal(t, 1, obj.Version)
		require.False(t, obj.IsDeleted)
		require.True(t, strings.HasPrefix(obj.CreatedBy, "key_"), obj.CreatedBy)
		require.True(t, obj.CreatedAt.After(before))
		require.Equal(t, obj.CreatedAt, obj.UpdatedAt)
		require.Equal(t, `"lead"`, objRaw(t, obj, "stage"), "default fills the absent enum")
		require.Equal(t, `12.50`, objRaw(t, obj, "amount"), "decimals keep their scale")
		require.Equal(t, `"countess"`, objRaw(t, obj, "nickname"), "untyped values are kept")
		require.JSONEq(t, `{"deep": [1, "two", 3.000]}`, objRaw(t, obj, "extra"))
		require.NotContains(t, obj.Properties, "score", "absent without default stays absent")

		res, got := o.get(t, obj.ID)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, obj.Properties, got.Properties)
		require.Contains(t, string(res.Body), `"amount":12.50`)
	})
	t.Run("by type id and name alike", func(t *testing.T) {
		res := otDo(t, env, o.tn.Key, "POST", "/v1/objects/"+o.ty.ID, map[string]any{"properties": map[string]any{"email": objEmail()}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	})
	t.Run("the answer shows the document as stored", func(t *testing.T) {
		obj := o.create(t, map[string]any{"pct": json.Number("1.5e2")})
		_, got := o.get(t, obj.ID)
		require.Equal(t, objRaw(t, got, "pct"), objRaw(t, obj, "pct"))
	})
	t.Run("normalized values are stored", func(t *testing.T) {
		obj := o.create(t, map[string]any{"score": json.Number("1e3"), "amount": "0.0015"})
		require.Equal(t, `1000`, objRaw(t, obj, "score"))
		require.Equal(t, `0.0015`, objRaw(t, obj, "amount"))
	})
	t.Run("reference to an existing object", func(t *testing.T) {
		target := o.create(t, map[string]any{})
		obj := o.create(t, map[string]any{"ref": target.ID})
		require.Equal(t, `"`+target.ID+`"`, objRaw(t, obj, "ref"))
	})
	t.Run("explicit null of a defaulted property takes the default", func(t *testing.T) {
		obj := o.create(t, map[string]any{"stage": nil})
		require.Equal(t, `"lead"`, objRaw(t, obj, "stage"))
	})

	bad := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
		msg    string
	}{
		{"bad email", map[string]any{"properties": map[string]any{"email": "nope"}}, 400, "VALIDATION_FAILED", "email", "email address"},
		{"missing required", map[string]any{"properties": map[string]any{"name": "x"}}, 400, "VALIDATION_FAILED", "email", "is required"},
		{"null required", map[string]any{"properties": map[string]any{"email": nil}}, 400, "VALIDATION_FAILED", "email", "is required"},
		{"no properties at all", map[string]any{}, 400, "VALIDATION_FAILED", "email", "is required"},
		{"unknown enum value", map[string]any{"properties": map[string]any{"email": "a@b.co", "stage": "vip"}}, 400, "VALIDATION_FAILED", "stage", "one of"},
		{"integer as string", map[string]any{"properties": map[string]any{"email": "a@b.co", "score": "7"}}, 400, "VALIDATION_FAILED", "score", "integer"},
		{"fractional integer", map[string]any{"properties": map[string]any{"email": "a@b.co", "score": 1.5}}, 400, "VALIDATION_FAILED", "score", "integer"},
		{"impossible date", map[string]any{"properties": map[string]any{"email": "a@b.co", "born": "2023-02-29"}}, 400, "VALIDATION_FAILED", "born", "date"},
		{"decimal garbage", map[string]any{"properties": map[string]any{"email": "a@b.co", "amount": "12,5"}}, 400, "VALIDATION_FAILED", "amount", "decimal"},
		{"reference malformed", map[string]any{"properties": map[string]any{"email": "a@b.co", "ref": "x"}}, 400, "VALIDATION_FAILED", "ref", "object id"},
		{"reference to nothing", map[string]any{"properties": map[string]any{"email": "a@b.co", "ref": "obj_01HZZZZZZZZZZZZZZZZZZZZZZZ"}}, 400, "VALIDATION_FAILED", "ref", "existing object"},
		{"untyped built-in name", map[string]any{"properties": map[string]any{"email": "a@b.co", "version": 3}}, 400, "VALIDATION_FAILED", "version", "built-in"},
		{"untyped NUL", map[string]any{"properties": map[string]any{"email": "a@b.co", "note": "a\x00b"}}, 400, "VALIDATION_FAILED", "note", "NUL"},
		{"empty untyped name", map[string]any{"properties": map[string]any{"email": "a@b.co", "": 1}}, 400, "VALIDATION_FAILED", "properties", "empty"},
		{"properties not an object", map[string]any{"properties": "x"}, 400, "VALIDATION_FAILED", "properties", "object"},
		{"malformed JSON", `{"properties": `, 400, "BAD_REQUEST", "", ""},
		{"document over 1 MB", map[string]any{"properties": map[string]any{"email": "a@b.co", "blob": strings.Repeat("x", 1<<20)}}, 413, "PAYLOAD_TOO_LARGE", "", ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := o.do(t, "POST", o.path, c.body)
			require.Equal(t, c.status, res.Status, "%s", res.Body)
			require.Equal(t, c.code, res.Error.Code, "%s", res.Body)
			if c.field != "" {
				require.Contains(t, res.Error.Fields, c.field, "%s", res.Body)
				require.Contains(t, strings.Join(res.Error.Fields[c.field], " "), c.msg, "%s", res.Body)
			}
		})
	}
	t.Run("several bad fields named at once", func(t *testing.T) {
		res := o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"score": "x", "born": "y"}})
		otRequireError(t, res, 400, "VALIDATION_FAILED", "email", "score", "born")
	})
	t.Run("unknown type", func(t *testing.T) {
		res := otDo(t, env, o.tn.Key, "POST", "/v1/objects/nope_type", map[string]any{"properties": map[string]any{}})
		otRequireError(t, res, 404, "NOT_FOUND")
		res = otDo(t, env, o.tn.Key, "POST", "/v1/objects/ot_01HZZZZZZZZZZZZZZZZZZZZZZZ", map[string]any{"properties": map[string]any{}})
		otRequireError(t, res, 404, "NOT_FOUND")
	})
	t.Run("nothing of the failed creates was stored", func(t *testing.T) {
		pg := o.list(t, "?limit=100")
		for _, obj := range pg.Results {
			require.NotEqual(t, `"a@b.co"`, objRaw(t, obj, "email"))
		}
	})
}

func TestObjectsSchemaless(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	name := otName("notes")
	otCreate(t, env, tn.Key, map[string]any{"name": name})
	res := otDo(t, env, tn.Key, "POST", "/v1/objects/"+name, map[string]any{"properties": map[string]any{
		"title": "hello", "n": json.Number("0.1000000000000000000000001"), "tags": []string{"a", "b"}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), `"n":0.1000000000000000000000001`, "numbers never pass through float64")
}

func TestObjectsUpdate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	obj := o.create(t, map[string]any{"name": "Ada", "score": 1, "nickname": "x"})

	t.Run("merge, null removes, version grows", func(t *testing.T) {
		res := o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{
			"name": "Ada L.", "nickname": nil, "score": nil, "born": "1815-12-10"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got objObject
		res.Decode(t, &got)
		require.Equal(t, 2, got.Version)
		require.Equal(t, `"Ada L."`, objRaw(t, got, "name"))
		require.Equal(t, `"1815-12-10"`, objRaw(t, got, "born"))
		require.Equal(t, objRaw(t, obj, "email"), objRaw(t, got, "email"), "untouched values stay")
		require.NotContains(t, got.Properties, "nickname")
		require.NotContains(t, got.Properties, "score")
		require.Equal(t, obj.CreatedAt, got.CreatedAt)
		require.False(t, got.UpdatedAt.Before(obj.UpdatedAt))
	})
	t.Run("PUT is an alias", func(t *testing.T) {
		res := o.do(t, "PUT", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"name": "Ada"}, "version": 2})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})
	t.Run("matching version", func(t *testing.T) {
		res := o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"score": 5}, "version": 3})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})
	t.Run("stale version is 409 with the current one", func(t *testing.T) {
		res := o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"score": 6}, "version": 1})
		otRequireError(t, res, 409, "CONFLICT")
		require.EqualValues(t, 4, res.Error.Extra["current_version"])
		_, got := o.get(t, obj.ID)
		require.Equal(t, `5`, objRaw(t, got, "score"), "a stale update changes nothing")
	})
	bad := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"null removes no required property", map[string]any{"properties": map[string]any{"email": nil}}, 400, "VALIDATION_FAILED", "email"},
		{"bad value", map[string]any{"properties": map[string]any{"born": "tomorrow"}}, 400, "VALIDATION_FAILED", "born"},
		{"version not an integer", map[string]any{"properties": map[string]any{}, "version": "x"}, 400, "VALIDATION_FAILED", "version"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			otRequireError(t, o.do(t, "PATCH", o.path+"/"+obj.ID, c.body), c.status, c.code, c.field)
		})
	}
	t.Run("concurrent updates of one version: exactly one wins", func(t *testing.T) {
		target := o.create(t, map[string]any{})
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = o.do(t, "PATCH", o.path+"/"+target.ID, map[string]any{
					"properties": map[string]any{"score": i}, "version": 1}).Status
			}()
		}
		wg.Wait()
		wins := 0
		for _, s := range statuses {
			require.Contains(t, []int{200, 409}, s)
			if s == 200 {
				wins++
			}
		}
		require.Equal(t, 1, wins, "%v", statuses)
		_, got := o.get(t, target.ID)
		require.Equal(t, 2, got.Version)
	})
	t.Run("concurrent updates without version all apply", func(t *testing.T) {
		target := o.create(t, map[string]any{})
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = o.do(t, "PATCH", o.path+"/"+target.ID, map[string]any{"properties": map[string]any{fmt.Sprintf("k%d", i): i}}).Status
			}()
		}
		wg.Wait()
		require.Equal(t, []int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, statuses)
		_, got := o.get(t, target.ID)
		require.Equal(t, 11, got.Version)
		for i := 0; i < 10; i++ {
			require.Contains(t, got.Properties, fmt.Sprintf("k%d", i), "no update lost")
		}
		res := o.do(t, "GET", o.path+"/"+target.ID+"/versions", nil)
		var versions []map[string]any
		res.Decode(t, &versions)
		require.Len(t, versions, 10)
	})
	t.Run("merged document over 1 MB", func(t *testing.T) {
		big := o.create(t, map[string]any{"a": strings.Repeat("x", 600_000)})
		res := o.do(t, "PATCH", o.path+"/"+big.ID, map[string]any{"properties": map[string]any{"b": strings.Repeat("y", 600_000)}})
		otRequireError(t, res, 400, "VALIDATION_FAILED", "properties")
		_, got := o.get(t, big.ID)
		require.Equal(t, 1, got.Version)
	})
	t.Run("unknown object", func(t *testing.T) {
		otRequireError(t, o.do(t, "PATCH", o.path+"/obj_01HZZZZZZZZZZZZZZZZZZZZZZZ", map[string]any{"properties": map[string]any{}}), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "PATCH", o.path+"/not-an-id", map[string]any{"properties": map[string]any{}}), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "GET", o.path+"/obj_01HZZZZZZZZZZZZZZZZZZZZZZZ", nil), 404, "NOT_FOUND")
	})
}

func TestObjectsUnique(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	first := o.create(t, map[string]any{"email": "taken@example.com"})

	t.Run("duplicate is 409 naming the property", func(t *testing.T) {
		res := o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": "taken@example.com"}})
		otRequireError(t, res, 409, "CONFLICT")
		require.Equal(t, "email", res.Error.Extra["property"])
		require.Contains(t, res.Error.Message, "email")
	})
	t.Run("e-mail uniqueness ignores case", func(t *testing.T) {
		res := o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": "TAKEN@example.com"}})
		otRequireError(t, res, 409, "CONFLICT")
	})
	t.Run("update to a taken value", func(t *testing.T) {
		other := o.create(t, map[string]any{})
		res := o.do(t, "PATCH", o.path+"/"+other.ID, map[string]any{"properties": map[string]any{"email": "taken@example.com"}})
		otRequireError(t, res, 409, "CONFLICT")
	})
	t.Run("changing a value frees the old one", func(t *testing.T) {
		obj := o.create(t, map[string]any{"email": "old@example.com"})
		res := o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"email": "new@example.com"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		o.create(t, map[string]any{"email": "old@example.com"})
	})
	t.Run("trash keeps the value, force delete frees it", func(t *testing.T) {
		res := o.do(t, "DELETE", o.path+"/"+first.ID, nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res = o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": "taken@example.com"}})
		otRequireError(t, res, 409, "CONFLICT")
		res = o.do(t, "POST", o.path+"/"+first.ID+"/restore", nil)
		require.Equal(t, 200, res.Status, "restore cannot conflict: %s", res.Body)
		res = o.do(t, "DELETE", o.path+"/"+first.ID+"?force=true", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		o.create(t, map[string]any{"email": "taken@example.com"})
	})
	t.Run("20 concurrent creates of one value admit exactly one", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 20)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": "race@example.com"}})
				statuses[i] = res.Status
			}()
		}
		wg.Wait()
		created, conflicts := 0, 0
		for _, s := range statuses {
			switch s {
			case 201:
				created++
			case 409:
				conflicts++
			}
		}
		require.Equal(t, 1, created, "%v", statuses)
		require.Equal(t, 19, conflicts, "%v", statuses)
	})
	t.Run("deleting the property frees its values and keeps them untyped", func(t *testing.T) {
		obj := o.create(t, map[string]any{"email": "kept@example.com"})
		res := otDo(t, env, o.tn.Key, "DELETE", otPropsPath(o.ty.Name)+"/email", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		_, got := o.get(t, obj.ID)
		require.Equal(t, `"kept@example.com"`, objRaw(t, got, "email"))
		o.create(t, map[string]any{"email": "kept@example.com"}) // no longer unique (nor typed)
	})
}

func TestObjectsTenantIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := objSetup(t, env)
	obj := a.create(t, map[string]any{})
	b := otTenant(t, env)
	for _, c := range []struct{ method, path string }{
		{"GET", a.path + "/" + obj.ID},
		{"GET", "/v1/objects/" + a.ty.ID + "/" + obj.ID},
		{"PATCH", a.path + "/" + obj.ID},
		{"DELETE", a.path + "/" + obj.ID},
		{"GET", a.path + "/list"},
		{"GET", a.path + "/trash"},
		{"GET", a.path + "/" + obj.ID + "/versions"},
		{"POST", a.path + "/" + obj.ID + "/restore"},
		{"POST", a.path},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var body any
			if c.method == "POST" || c.method == "PATCH" {
				body = map[string]any{"properties": map[string]any{"email": objEmail()}}
			}
			otRequireError(t, otDo(t, env, b.Key, c.method, c.path, body), 404, "NOT_FOUND")
		})
	}
	t.Run("B's type of the same name does not see A's object", func(t *testing.T) {
		otCreate(t, env, b.Key, map[string]any{"name": a.ty.Name})
		otRequireError(t, otDo(t, env, b.Key, "GET", a.path+"/"+obj.ID, nil), 404, "NOT_FOUND")
		res := otDo(t, env, b.Key, "POST", a.path+"/batch/read", map[string]any{"ids": []string{obj.ID}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Data), `"results":[]`)
		res = otDo(t, env, b.Key, "GET", a.path+"/list", nil)
		require.Contains(t, string(res.Data), `"total":0`)
	})
	t.Run("A still has it", func(t *testing.T) {
		res, _ := a.get(t, obj.ID)
		require.Equal(t, 200, res.Status)
	})
}

func TestObjectsScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	obj := o.create(t, map[string]any{})
	readKey := scopedKey(t, env, o.tn.Key, "read")
	writeKey := scopedKey(t, env, o.tn.Key, "write")
	pubKey := scopedKey(t, env, o.tn.Key)
	create := map[string]any{"properties": map[string]any{"email": objEmail()}}
	cases := []struct {
		name, key, method, path string
		body                    any
		status                  int
		scope                   string
	}{
		{"read key reads", readKey, "GET", o.path + "/" + obj.ID, nil, 200, ""},
		{"read key lists", readKey, "GET", o.path + "/list", nil, 200, ""},
		{"read key cannot create", readKey, "POST", o.path, create, 403, "write"},
		{"read key cannot update", readKey, "PATCH", o.path + "/" + obj.ID, create, 403, "write"},
		{"read key cannot delete", readKey, "DELETE", o.path + "/" + obj.ID, nil, 403, "write"},
		{"read key cannot batch create", readKey, "POST", o.path + "/batch/create", map[string]any{"objects": []any{create}}, 403, "write"},
		{"write key cannot read", writeKey, "GET", o.path + "/" + obj.ID, nil, 403, "read"},
		{"write key creates", writeKey, "POST", o.path, create, 201, ""},
		{"publishable key cannot read", pubKey, "GET", o.path + "/" + obj.ID, nil, 403, "read"},
		{"publishable key cannot list", pubKey, "GET", o.path + "/list", nil, 403, "read"},
		{"publishable key cannot create", pubKey, "POST", o.path, create, 403, "write"},
		{"no key", "", "GET", o.path + "/" + obj.ID, nil, 401, ""},
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

func TestObjectsTypeDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	live := o.create(t, map[string]any{})
	trashed := o.create(t, map[string]any{})
	require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+trashed.ID, nil).Status)

	res := o.do(t, "DELETE", otPath+"/"+o.ty.Name, nil)
	otRequireError(t, res, 409, "DEPENDENCY_EXISTS")
	deps, _ := json.Marshal(res.Error.Extra["dependencies"])
	require.JSONEq(t, `[{"type": "objects", "count": 2, "label": "Objects"}]`, string(deps))
	token, _ := res.Error.Extra["confirm_token"].(string)
	require.NotEmpty(t, token)

	res = o.do(t, "DELETE", otPath+"/"+o.ty.Name+"?force=true&confirm_token="+url.QueryEscape(token), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	otRequireError(t, o.do(t, "GET", o.path+"/"+live.ID, nil), 404, "NOT_FOUND")

	// A new type of the same name starts empty.
	otCreate(t, env, o.tn.Key, map[string]any{"name": o.ty.Name})
	pg := o.list(t, "")
	require.Equal(t, 0, pg.Total)
	otRequireError(t, o.do(t, "GET", o.path+"/"+live.ID, nil), 404, "NOT_FOUND")
}

func TestObjectsDataTypes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := otTenant(t, env)
	name := otName("things")
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "when", "data_type": "datetime", "is_sortable": true},
		map[string]any{"name": "price", "data_type": "currency", "is_sortable": true},
		map[string]any{"name": "phone", "data_type": "phone"},
		map[string]any{"name": "site", "data_type": "url"},
		map[string]any{"name": "at", "data_type": "time"},
		map[string]any{"name": "flag", "data_type": "boolean", "is_indexed": true},
		map[string]any{"name": "tags", "data_type": "multi_enum", "enum_values": []string{"a", "b"}},
		map[string]any{"name": "uid", "data_type": "uuid", "is_unique": true},
		map[string]any{"name": "spot", "data_type": "geo_point"},
	}})
	path := "/v1/objects/" + name
	cases := []struct {
		prop      string
		good      any
		stored    string
		bad       any
		badPhrase string
	}{
		{"when", "2026-01-15T13:30:00+01:00", `"2026-01-15T12:30:00Z"`, "2026-01-15", "RFC 3339"},
		{"price", map[string]any{"amount": "9.90", "currency": "EUR"}, `{"amount":9.90,"currency":"EUR"}`, map[string]any{"amount": 1, "currency": "eur"}, "ISO 4217"},
		{"phone", "+14155550100", `"+14155550100"`, "555-0100", "E.164"},
		{"site", "https://example.com/x", `"https://example.com/x"`, "ftp://example.com", "http"},
		{"at", "09:30", `"09:30:00"`, "25:00", "time of day"},
		{"flag", true, `true`, "yes", "true or false"},
		{"tags", []string{"b", "a"}, `["b","a"]`, []string{"a", "a"}, "distinct"},
		{"uid", "6F9619FF-8B86-D011-B42D-00C04FC964FF", `"6f9619ff-8b86-d011-b42d-00c04fc964ff"`, "nope", "UUID"},
		{"spot", map[string]any{"lat": 48.85, "lng": 2.35}, `{"lat":48.85,"lng":2.35}`, map[string]any{"lat": 91, "lng": 0}, "lat"},
	}
	for _, c := range cases {
		t.Run(c.prop, func(t *testing.T) {
			res := otDo(t, env, tn.Key, "POST", path, map[string]any{"properties": map[string]any{c.prop: c.good}})
			require.Equal(t, 201, res.Status, "%s", res.Body)
			var obj objObject
			res.Decode(t, &obj)
			require.JSONEq(t, c.stored, string(obj.Properties[c.prop]))
			res = otDo(t, env, tn.Key, "POST", path, map[string]any{"properties": map[string]any{c.prop: c.bad}})
			otRequireError(t, res, 400, "VALIDATION_FAILED", c.prop)
			require.Contains(t, strings.Join(res.Error.Fields[c.prop], " "), c.badPhrase)
		})
	}
	t.Run("sort by datetime and currency amount, paging", func(t *testing.T) {
		o := objEnv{env: env, tn: tn, path: path}
		for i, day := range []string{"2026-03-01", "2026-01-01", "2026-02-01", "2026-04-01"} {
			res := o.do(t, "POST", path, map[string]any{"properties": map[string]any{
				"when":  day + "T00:00:00Z",
				"price": map[string]any{"amount": json.Number(fmt.Sprintf("%d.5", 10-i)), "currency": "USD"},
			}})
			require.Equal(t, 201, res.Status, "%s", res.Body)
		}
		var whens []string
		ids, _ := objCollect(t, o, "?sort=when&order=asc&limit=2", nil)
		for _, id := range ids {
			_, obj := o.get(t, id)
			whens = append(whens, string(obj.Properties["when"]))
		}
		require.Equal(t, []string{`"2026-01-01T00:00:00Z"`, `"2026-01-15T12:30:00Z"`, `"2026-02-01T00:00:00Z"`,
			`"2026-03-01T00:00:00Z"`, `"2026-04-01T00:00:00Z"`}, whens[:5])
		var amounts []string
		ids, _ = objCollect(t, o, "?sort=price&order=desc&limit=2", nil)
		for _, id := range ids[:5] {
			_, obj := o.get(t, id)
			var p struct {
				Amount json.Number `json:"amount"`
			}
			require.NoError(t, json.Unmarshal(obj.Properties["price"], &p))
			amounts = append(amounts, p.Amount.String())
		}
		require.Equal(t, []string{"10.5", "9.90", "9.5", "8.5", "7.5"}, amounts)
	})
}
