package graph_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// GraphQL over row-level policies and RBAC (docs/access.md): the same
// domain methods as REST, so the same rows, totals and errors.

// gaccEnv is a tenant with a notes type whose role "member" policies let a
// user see its own rows and shared ones, and change only its own; A and B
// are members, C holds no role.
type gaccEnv struct {
	env                     *apptest.Env
	key, typeName, tenantID string
	userA, userB, userC     string
	idA, idB                string
	a1, b1, b2              string
}

var gaccSeq atomic.Int64

func gaccRest(t *testing.T, env *apptest.Env, key, method, path string, body any, status int) *apptest.Response {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: method, Path: path, Key: key, Body: body})
	require.Equal(t, status, res.Status, "%s %s: %s", method, path, res.Body)
	return res
}

func gaccSetup(t *testing.T) gaccEnv {
	t.Helper()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	n := gaccSeq.Add(1)
	g := gaccEnv{env: env, key: tn.Key, tenantID: tn.ID, typeName: fmt.Sprintf("gnotes_%d", n)}
	gaccRest(t, env, g.key, "POST", "/v1/object-types", map[string]any{"name": g.typeName, "properties": []any{
		map[string]any{"name": "owner_id", "data_type": "string"},
		map[string]any{"name": "shared", "data_type": "boolean"},
		map[string]any{"name": "n", "data_type": "integer"},
	}}, http.StatusCreated)
	_, pub := restKey(t, env, g.key, map[string]any{"label": "web", "scopes": []string{}})
	user := func(i int) (string, string) {
		res := gaccRest(t, env, pub, "POST", "/v1/auth/signup", map[string]any{
			"email": fmt.Sprintf("gacc%d_%d@example.com", n, i), "password": "correct horse battery"}, http.StatusOK)
		var s struct {
			AccessToken string `json:"access_token"`
			User        struct{ ID string }
		}
		res.Decode(t, &s)
		return s.AccessToken, s.User.ID
	}
	g.userA, g.idA = user(1)
	g.userB, g.idB = user(2)
	g.userC, _ = user(3)
	res := gaccRest(t, env, g.key, "POST", "/v1/roles", map[string]any{"name": "member",
		"permissions": []string{"objects:" + g.typeName + ":read", "objects:" + g.typeName + ":write"}}, http.StatusCreated)
	var role struct{ ID string }
	res.Decode(t, &role)
	for _, id := range []string{g.idA, g.idB} {
		gaccRest(t, env, g.key, "POST", "/v1/roles/assign", map[string]any{"user_id": id, "role_id": role.ID}, http.StatusOK)
	}
	mine := map[string]any{"property": "owner_id", "operator": "eq", "value": "{{user.id}}"}
	policies := "/v1/object-types/" + g.typeName + "/policies"
	gaccRest(t, env, g.key, "POST", policies, map[string]any{"name": "mine or shared", "action": "select", "role": "member",
		"condition_json": map[string]any{"or": []any{mine, map[string]any{"property": "shared", "operator": "eq", "value": true}}}},
		http.StatusCreated)
	for _, action := range []string{"insert", "update", "delete"} {
		gaccRest(t, env, g.key, "POST", policies, map[string]any{"name": "mine " + action, "action": action, "role": "member",
			"condition_json": mine}, http.StatusCreated)
	}
	mk := func(owner string, shared bool, num int) string {
		res := gaccRest(t, env, g.key, "POST", "/v1/objects/"+g.typeName, map[string]any{"properties": map[string]any{
			"owner_id": owner, "shared": shared, "n": num}}, http.StatusCreated)
		var o struct{ ID string }
		res.Decode(t, &o)
		return o.ID
	}
	g.a1, g.b1, g.b2 = mk(g.idA, false, 1), mk(g.idB, false, 10), mk(g.idB, true, 20)
	return g
}

func TestGraphObjectsAccessReads(t *testing.T) {
	g := gaccSetup(t)
	vars := map[string]any{"t": g.typeName}
	var conn struct {
		Objects struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	gql(t, g.env, g.userA, `query($t: String!) { objects(type: $t) { totalCount edges { node { id } } } }`, vars).decode(t, &conn)
	var ids []string
	for _, e := range conn.Objects.Edges {
		ids = append(ids, e.Node.ID)
	}
	slices.Sort(ids)
	want := []string{g.a1, g.b2}
	slices.Sort(want)
	require.Equal(t, want, ids, "A sees its row and the shared one")
	require.Equal(t, 2, conn.Objects.TotalCount)

	gql(t, g.env, g.key, `query($t: String!) { objects(type: $t) { totalCount } }`, vars).decode(t, &conn)
	require.Equal(t, 3, conn.Objects.TotalCount, "a key sees every row")

	var agg struct{ Aggregate []map[string]any }
	gql(t, g.env, g.userA, `query($t: String!) { aggregate(type: $t, aggregations: [{function: "sum", property: "n"}]) }`, vars).decode(t, &agg)
	require.EqualValues(t, 21, agg.Aggregate[0]["sum_n"])

	res := gql(t, g.env, g.userA, `query($t: String!, $id: ID!) { object(type: $t, id: $id) { id } }`,
		map[string]any{"t": g.typeName, "id": g.b1})
	res.requireCode(t, "NOT_FOUND")
	var one struct{ Object struct{ ID string } }
	gql(t, g.env, g.userA, `query($t: String!, $id: ID!) { object(type: $t, id: $id) { id } }`,
		map[string]any{"t": g.typeName, "id": g.a1}).decode(t, &one)
	require.Equal(t, g.a1, one.Object.ID)

	gql(t, g.env, g.userC, `query($t: String!) { objects(type: $t) { totalCount } }`, vars).requireCode(t, "FORBIDDEN")
}

func TestGraphObjectsAccessMatrix(t *testing.T) {
	g := gaccSetup(t)
	create := `mutation($t: String!, $p: JSON!) { createObject(type: $t, properties: $p) { id } }`
	update := `mutation($t: String!, $id: ID!, $p: JSON!) { updateObject(type: $t, id: $id, properties: $p) { id } }`
	del := `mutation($t: String!, $id: ID!) { deleteObject(type: $t, id: $id) { deleted } }`
	cases := []struct {
		name, query string
		vars        map[string]any
		code        string // "" = allowed
	}{
		{"insert allowed", create, map[string]any{"p": map[string]any{"owner_id": g.idA}}, ""},
		{"insert denied", create, map[string]any{"p": map[string]any{"owner_id": g.idB}}, "FORBIDDEN"},
		{"update allowed", update, map[string]any{"id": g.a1, "p": map[string]any{"n": 2}}, ""},
		{"update denied: invisible", update, map[string]any{"id": g.b1, "p": map[string]any{"n": 2}}, "NOT_FOUND"},
		{"update denied: visible, not mine", update, map[string]any{"id": g.b2, "p": map[string]any{"n": 2}}, "FORBIDDEN"},
		{"delete denied: invisible", del, map[string]any{"id": g.b1}, "NOT_FOUND"},
		{"delete denied: visible, not mine", del, map[string]any{"id": g.b2}, "FORBIDDEN"},
		{"delete allowed", del, map[string]any{"id": g.a1}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.vars["t"] = g.typeName
			res := gql(t, g.env, g.userA, tc.query, tc.vars)
			if tc.code == "" {
				require.Empty(t, res.Errors, string(res.Body))
				return
			}
			res.requireCode(t, tc.code)
		})
	}
	// C holds no role: every write is FORBIDDEN.
	gql(t, g.env, g.userC, create, map[string]any{"t": g.typeName, "p": map[string]any{"owner_id": g.idA}}).requireCode(t, "FORBIDDEN")
}

func TestGraphObjectPolicies(t *testing.T) {
	g := gaccSetup(t)
	var created struct{ CreateObjectPolicy struct{ ID, Action string } }
	gql(t, g.env, g.key, `mutation($t: String!) { createObjectPolicy(type: $t, input: {name: "big", action: "select",
		role: "auditor", conditionJson: {property: "n", operator: "gte", value: 10}}) { id action } }`,
		map[string]any{"t": g.typeName}).decode(t, &created)
	require.Equal(t, "select", created.CreateObjectPolicy.Action)

	var updated struct {
		UpdateObjectPolicy struct {
			Role    *string
			Enabled bool
		}
	}
	gql(t, g.env, g.key, `mutation($t: String!, $id: ID!) { updateObjectPolicy(type: $t, id: $id, input: {role: null, enabled: false}) { role enabled } }`,
		map[string]any{"t": g.typeName, "id": created.CreateObjectPolicy.ID}).decode(t, &updated)
	require.Nil(t, updated.UpdateObjectPolicy.Role)
	require.False(t, updated.UpdateObjectPolicy.Enabled)

	var ty struct {
		ObjectType struct {
			Policies []struct {
				Name          string
				ConditionJSON map[string]any `json:"conditionJson"`
			}
		}
	}
	gql(t, g.env, g.key, `query($t: String!) { objectType(idOrName: $t) { policies { name conditionJson } } }`,
		map[string]any{"t": g.typeName}).decode(t, &ty)
	require.Len(t, ty.ObjectType.Policies, 5)
	require.Equal(t, "big", ty.ObjectType.Policies[0].Name)
	require.Equal(t, "n", ty.ObjectType.Policies[0].ConditionJSON["property"])

	res := gql(t, g.env, g.key, `mutation($t: String!) { createObjectPolicy(type: $t, input: {name: "bad", action: "select",
		conditionJson: {property: "nope", operator: "eq", value: 1}}) { id } }`, map[string]any{"t": g.typeName})
	e := res.requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fmt.Sprint(e.Extensions["fields"]), "condition_json.property")

	var deleted struct{ DeleteObjectPolicy struct{ Deleted bool } }
	gql(t, g.env, g.key, `mutation($t: String!, $id: ID!) { deleteObjectPolicy(type: $t, id: $id) { deleted } }`,
		map[string]any{"t": g.typeName, "id": created.CreateObjectPolicy.ID}).decode(t, &deleted)
	require.True(t, deleted.DeleteObjectPolicy.Deleted)
	// End users without policies:manage cannot.
	gql(t, g.env, g.userA, `mutation($t: String!) { deleteObjectPolicy(type: $t, id: "pol_x") { deleted } }`,
		map[string]any{"t": g.typeName}).requireCode(t, "FORBIDDEN")
}

// TestGraphObjectChangedPolicies: an end user's objectChanged delivers only
// the objects its select policies grant (evaluated in memory per event).
func TestGraphObjectChangedPolicies(t *testing.T) {
	g := gaccSetup(t)
	ws := dialWS(t, g.env, nil)
	ws.init(map[string]any{"Authorization": "Bearer " + g.userA})
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($t: String!) { objectChanged(type: $t) { type object { id } } }`,
		"variables": map[string]any{"t": g.typeName}}})
	waitSubscribers(t, g.env, g.tenantID, 1)

	create := func(owner string) string {
		res := gaccRest(t, g.env, g.key, "POST", "/v1/objects/"+g.typeName, map[string]any{"properties": map[string]any{
			"owner_id": owner}}, http.StatusCreated)
		var o struct{ ID string }
		res.Decode(t, &o)
		return o.ID
	}
	create(g.idB) // B's private row: published first, never delivered to A
	mine := create(g.idA)
	ev := ws.nextObjectEvent("1")
	require.Equal(t, "CREATED", ev.Type)
	require.Equal(t, mine, ev.Object.ID)
}
