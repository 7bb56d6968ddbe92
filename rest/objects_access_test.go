package rest_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of access to objects for end users: RBAC permissions
// objects:<type>:read|write, and row-level policies on every endpoint that
// answers objects (docs/access.md, "Row-level policies").

// accEnv is a tenant with a "notes" type (owner_id, title, shared, n),
// end users A and B holding the RBAC role "member" (read and write on the
// type), C holding no role and R holding "reader" (read only).
type accEnv struct {
	env                        *apptest.Env
	tn                         apptest.Tenant
	typeName, path             string
	userA, userB, userC, userR string // access tokens
	idA, idB                   string
	selectPolicy               string
}

var accSeq int

func accSetup(t *testing.T, env *apptest.Env) accEnv {
	t.Helper()
	tn := otTenant(t, env)
	pub := issueKey(t, env, tn.Key, map[string]any{"label": "web", "scopes": []string{}}).Token
	name := otName("notes")
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "owner_id", "data_type": "string", "is_indexed": true},
		map[string]any{"name": "title", "data_type": "string"},
		map[string]any{"name": "shared", "data_type": "boolean"},
		map[string]any{"name": "n", "data_type": "integer"},
	}})
	a := accEnv{env: env, tn: tn, typeName: name, path: "/v1/objects/" + name}
	user := func() (string, string) {
		accSeq++
		s := signUp(t, env, pub, fmt.Sprintf("acc%d_%s@example.com", accSeq, name), "correct horse battery")
		return s.AccessToken, s.User.ID
	}
	a.userA, a.idA = user()
	a.userB, a.idB = user()
	a.userC, _ = user()
	var idR string
	a.userR, idR = user()
	member := a.role(t, "member", "objects:"+name+":read", "objects:"+name+":write")
	reader := a.role(t, "reader", "objects:"+name+":read")
	a.assign(t, a.idA, member)
	a.assign(t, a.idB, member)
	a.assign(t, idR, reader)
	return a
}

// role creates an RBAC role and returns its id.
func (a accEnv) role(t *testing.T, name string, perms ...string) string {
	t.Helper()
	res := a.key(t, "POST", "/v1/roles", map[string]any{"name": name, "permissions": perms})
	require.Equal(t, http.StatusCreated, res.Status, "create role: %s", res.Body)
	var r struct {
		ID string `json:"id"`
	}
	res.Decode(t, &r)
	return r.ID
}

func (a accEnv) assign(t *testing.T, userID, roleID string) {
	t.Helper()
	res := a.key(t, "POST", "/v1/roles/assign", map[string]any{"user_id": userID, "role_id": roleID})
	require.Equal(t, http.StatusOK, res.Status, "assign role: %s", res.Body)
}

func (a accEnv) key(t testing.TB, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, a.env, a.tn.Key, method, path, body)
}

func (a accEnv) as(t testing.TB, token, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, a.env, token, method, path, body)
}

// ownerPolicies adds the policies of role member: select what is mine or
// shared; insert, update and delete only what is mine.
func (a *accEnv) ownerPolicies(t *testing.T) {
	t.Helper()
	mine := map[string]any{"property": "owner_id", "operator": "eq", "value": "{{user.id}}"}
	base := "/v1/object-types/" + a.typeName + "/policies"
	res := a.key(t, "POST", base, map[string]any{"name": "mine or shared", "action": "select", "role": "member",
		"condition_json": map[string]any{"or": []any{mine, map[string]any{"property": "shared", "operator": "eq", "value": true}}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var p polView
	res.Decode(t, &p)
	a.selectPolicy = p.ID
	for _, action := range []string{"insert", "update", "delete"} {
		res := a.key(t, "POST", base, map[string]any{"name": "mine " + action, "action": action, "role": "member", "condition_json": mine})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	}
}

// accObjects are the seeded objects: a1, a2 of A; b1 of B; b2 of B, shared.
type accObjects struct{ a1, a2, b1, b2 string }

func (a accEnv) seed(t *testing.T) accObjects {
	t.Helper()
	mk := func(owner, title string, shared bool, n int) string {
		res := a.key(t, "POST", a.path, map[string]any{"properties": map[string]any{
			"owner_id": owner, "title": title, "shared": shared, "n": n}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var o objObject
		res.Decode(t, &o)
		return o.ID
	}
	return accObjects{a1: mk(a.idA, "a1", false, 1), a2: mk(a.idA, "a2", false, 2),
		b1: mk(a.idB, "b1", false, 10), b2: mk(a.idB, "b2", true, 20)}
}

func accIDs(t testing.TB, res *apptest.Response) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	ids := make([]string, len(pg.Results))
	for i, o := range pg.Results {
		ids[i] = o.ID
	}
	slices.Sort(ids)
	require.Equal(t, len(ids), pg.Total, "the total counts what the caller may see")
	return ids
}

func accSorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// TestObjectsAccessOwnerNeverSeesOthers: through every endpoint that
// answers objects, A sees its rows and the shared one, never B's b1; keys
// see everything.
func TestObjectsAccessOwnerNeverSeesOthers(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	a.ownerPolicies(t)
	o := a.seed(t)
	visibleToA := accSorted(o.a1, o.a2, o.b2)

	require.Equal(t, visibleToA, accIDs(t, a.as(t, a.userA, "GET", a.path+"/list", nil)), "list")
	require.Equal(t, accSorted(o.b1, o.b2), accIDs(t, a.as(t, a.userB, "GET", a.path+"/list", nil)), "B's list")
	require.Len(t, accIDs(t, a.key(t, "GET", a.path+"/list", nil)), 4, "a key sees every row")
	require.Equal(t, visibleToA, accIDs(t, a.as(t, a.userA, "POST", a.path+"/search", map[string]any{})), "search")
	require.Equal(t, accSorted(o.b2), accIDs(t, a.as(t, a.userA, "POST", a.path+"/search",
		map[string]any{"filters": []any{map[string]any{"property": "owner_id", "operator": "eq", "value": a.idB}}})),
		"search for B's rows finds only the shared one")
	res := a.as(t, a.userA, "GET", a.path+"/list?limit=2", nil)
	var pg objPage
	res.Decode(t, &pg)
	require.Len(t, pg.Results, 2)
	require.Equal(t, 3, pg.Total, "a page's total counts the caller's rows only")

	res = a.as(t, a.userA, "POST", a.path+"/aggregate", map[string]any{"aggregations": []any{
		map[string]any{"function": "count"}, map[string]any{"function": "sum", "property": "n"}}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"results": [{"count": 3, "sum_n": 23}]}`, string(res.Data), "aggregate over A's rows")

	res = a.as(t, a.userA, "POST", a.path+"/batch/read", map[string]any{"ids": []string{o.a1, o.b1, o.b2}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var br struct {
		Results []objObject `json:"results"`
		Missing []string    `json:"missing"`
	}
	res.Decode(t, &br)
	require.Equal(t, []string{o.b1}, br.Missing, "B's row is missing, as an unknown id")
	require.Len(t, br.Results, 2)

	for _, path := range []string{a.path + "/" + o.b1, a.path + "/" + o.b1 + "/versions",
		"/v1/objects/" + a.typeName + "/" + o.b1 + "/associations"} {
		otRequireError(t, a.as(t, a.userA, "GET", path, nil), http.StatusNotFound, "NOT_FOUND")
	}
	require.Equal(t, http.StatusOK, a.as(t, a.userA, "GET", a.path+"/"+o.b2, nil).Status, "the shared row")
	require.Equal(t, http.StatusOK, a.as(t, a.userA, "GET", a.path+"/"+o.a1+"/versions", nil).Status)
	require.Equal(t, http.StatusOK, a.key(t, "GET", a.path+"/"+o.b1, nil).Status, "keys bypass policies")

	// Trash: B deletes b1; A does not see it there either.
	require.Equal(t, http.StatusOK, a.as(t, a.userB, "DELETE", a.path+"/"+o.b1, nil).Status)
	require.Empty(t, accIDs(t, a.as(t, a.userA, "GET", a.path+"/trash", nil)))
	require.Equal(t, []string{o.b1}, accIDs(t, a.as(t, a.userB, "GET", a.path+"/trash", nil)))
}

// TestObjectsAccessMatrix: each action allowed and denied, for the owner
// policies (REST; graph/objects_access_test.go runs it over GraphQL).
func TestObjectsAccessMatrix(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	a.ownerPolicies(t)
	o := a.seed(t)
	props := func(m map[string]any) map[string]any { return map[string]any{"properties": m} }
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"select allowed", "GET", a.path + "/" + o.a1, nil, 200, ""},
		{"select denied", "GET", a.path + "/" + o.b1, nil, 404, "NOT_FOUND"},
		{"insert allowed", "POST", a.path, props(map[string]any{"owner_id": a.idA, "title": "new"}), 201, ""},
		{"insert denied", "POST", a.path, props(map[string]any{"owner_id": a.idB, "title": "forged"}), 403, "FORBIDDEN"},
		{"batch insert denied", "POST", a.path + "/batch/create", map[string]any{"objects": []any{
			props(map[string]any{"owner_id": a.idA}), props(map[string]any{"owner_id": a.idB})}}, 403, "FORBIDDEN"},
		{"update allowed", "PATCH", a.path + "/" + o.a1, props(map[string]any{"title": "edited"}), 200, ""},
		{"update denied: invisible", "PATCH", a.path + "/" + o.b1, props(map[string]any{"title": "x"}), 404, "NOT_FOUND"},
		{"update denied: visible, not mine", "PATCH", a.path + "/" + o.b2, props(map[string]any{"title": "x"}), 403, "FORBIDDEN"},
		{"update denied: giving the row away", "PATCH", a.path + "/" + o.a2, props(map[string]any{"owner_id": a.idB}), 403, "FORBIDDEN"},
		{"batch update denied", "POST", a.path + "/batch/update", map[string]any{"objects": []any{
			map[string]any{"id": o.a1, "properties": map[string]any{"n": 5}},
			map[string]any{"id": o.b2, "properties": map[string]any{"n": 5}}}}, 403, "FORBIDDEN"},
		{"delete denied: invisible", "DELETE", a.path + "/" + o.b1, nil, 404, "NOT_FOUND"},
		{"delete denied: visible, not mine", "DELETE", a.path + "/" + o.b2, nil, 403, "FORBIDDEN"},
		{"delete allowed", "DELETE", a.path + "/" + o.a2, nil, 200, ""},
		{"restore allowed", "POST", a.path + "/" + o.a2 + "/restore", nil, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.as(t, a.userA, tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			if tc.code != "" {
				require.Equal(t, tc.code, res.Error.Code)
			}
		})
	}
	// Denied writes changed nothing (all or nothing).
	res := a.key(t, "GET", a.path+"/"+o.a1, nil)
	var a1 objObject
	res.Decode(t, &a1)
	require.Equal(t, `"edited"`, string(a1.Properties["title"]))
	require.Equal(t, `1`, string(a1.Properties["n"]), "the denied batch update left a1 alone")
	res = a.key(t, "GET", a.path+"/"+o.a2, nil)
	var a2 objObject
	res.Decode(t, &a2)
	require.Equal(t, `"`+a.idA+`"`, string(a2.Properties["owner_id"]))
	require.Len(t, accIDs(t, a.key(t, "GET", a.path+"/list", nil)), 5, "only the allowed insert landed")
}

// TestObjectsAccessRBAC: permissions decide before policies; a type with
// no policy is RBAC alone; policies that name none of the user's roles
// grant nothing.
func TestObjectsAccessRBAC(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	o := a.seed(t)

	// No policies yet: RBAC alone, every row.
	require.Len(t, accIDs(t, a.as(t, a.userA, "GET", a.path+"/list", nil)), 4)
	// C holds no role: 403 on reads and writes, the type exists.
	for _, c := range []struct{ method, path string }{{"GET", a.path + "/list"}, {"GET", a.path + "/" + o.a1},
		{"POST", a.path + "/search"}, {"POST", a.path + "/aggregate"}, {"POST", a.path}} {
		res := a.as(t, a.userC, c.method, c.path, map[string]any{})
		otRequireError(t, res, http.StatusForbidden, "FORBIDDEN")
	}
	otRequireError(t, a.as(t, a.userC, "GET", "/v1/objects/no_such_type/list", nil), http.StatusNotFound, "NOT_FOUND")
	// R may read, not write.
	require.Len(t, accIDs(t, a.as(t, a.userR, "GET", a.path+"/list", nil)), 4)
	otRequireError(t, a.as(t, a.userR, "POST", a.path, map[string]any{"properties": map[string]any{"title": "x"}}),
		http.StatusForbidden, "FORBIDDEN")
	otRequireError(t, a.as(t, a.userR, "DELETE", a.path+"/"+o.a1, nil), http.StatusForbidden, "FORBIDDEN")

	// A select policy for role "manager" only: members see nothing, R too.
	res := a.key(t, "POST", "/v1/object-types/"+a.typeName+"/policies", map[string]any{"name": "managers",
		"action": "select", "role": "manager", "condition_json": map[string]any{}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Empty(t, accIDs(t, a.as(t, a.userA, "GET", a.path+"/list", nil)))
	otRequireError(t, a.as(t, a.userA, "GET", a.path+"/"+o.a1, nil), http.StatusNotFound, "NOT_FOUND")
	require.Len(t, accIDs(t, a.key(t, "GET", a.path+"/list", nil)), 4)

	// A disabled policy is ignored; an enabled one for every role ({} = all).
	var p polView
	res.Decode(t, &p)
	res = a.key(t, "PATCH", "/v1/object-types/"+a.typeName+"/policies/"+p.ID, map[string]any{"role": nil})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Len(t, accIDs(t, a.as(t, a.userR, "GET", a.path+"/list", nil)), 4)
}

// TestObjectsAccessExport: an end user's export holds only the rows its
// select policies grant, as its list does.
func TestObjectsAccessExport(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	a.ownerPolicies(t)
	o := a.seed(t)
	res := a.as(t, a.userA, "POST", "/v1/data/export", map[string]any{"object_type_id": a.typeName, "format": "ndjson"})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var ex struct {
		DownloadPath string `json:"download_path"`
	}
	res.Decode(t, &ex)
	deadline := time.Now().Add(30 * time.Second)
	for res = a.as(t, a.userA, "GET", ex.DownloadPath, nil); res.Status == http.StatusAccepted; res = a.as(t, a.userA, "GET", ex.DownloadPath, nil) {
		require.True(t, time.Now().Before(deadline), "export still running: %s", res.Body)
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	body := string(res.Body)
	for _, id := range []string{o.a1, o.a2, o.b2} {
		require.Contains(t, body, id)
	}
	require.NotContains(t, body, o.b1, "B's private row is not exported to A")

	// Another user of the same role cannot download A's export; the key can.
	otRequireError(t, a.as(t, a.userB, "GET", ex.DownloadPath, nil), http.StatusNotFound, "NOT_FOUND")
	require.Equal(t, http.StatusOK, a.key(t, "GET", ex.DownloadPath, nil).Status)
}

// TestObjectsAccessAssociationEnds: listing a visible object's associations
// never names an end the caller may not read (its id, its link, its count),
// through a type's policies or a type the user has no permission on.
func TestObjectsAccessAssociationEnds(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	a.ownerPolicies(t)
	o := a.seed(t)
	other := otName("secrets")
	otCreate(t, env, a.tn.Key, map[string]any{"name": other, "properties": []any{
		map[string]any{"name": "title", "data_type": "string"}}})
	res := a.key(t, "POST", "/v1/objects/"+other, map[string]any{"properties": map[string]any{"title": "s"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var secret objObject
	res.Decode(t, &secret)
	link := func(toType, toID string) {
		res := a.key(t, "PUT", a.path+"/"+o.a1+"/associations/related/"+toType+"/"+toID, map[string]any{})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	}
	link(a.typeName, o.a2)
	link(a.typeName, o.b1) // B's private row
	link(a.typeName, o.b2) // B's shared row
	link(other, secret.ID) // a type A holds no permission on

	ends := func(res *apptest.Response) ([]string, int) {
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var pg struct {
			Results []struct {
				ToID string `json:"to_id"`
			} `json:"results"`
			Total int `json:"total"`
		}
		res.Decode(t, &pg)
		ids := make([]string, len(pg.Results))
		for i, r := range pg.Results {
			ids[i] = r.ToID
		}
		slices.Sort(ids)
		return ids, pg.Total
	}
	ids, total := ends(a.as(t, a.userA, "GET", a.path+"/"+o.a1+"/associations", nil))
	require.Equal(t, accSorted(o.a2, o.b2), ids, "A sees only the ends it may read")
	require.Equal(t, 2, total)
	ids, total = ends(a.key(t, "GET", a.path+"/"+o.a1+"/associations", nil))
	require.Equal(t, accSorted(o.a2, o.b1, o.b2, secret.ID), ids, "a key sees every end")
	require.Equal(t, 4, total)
}
