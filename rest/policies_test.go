package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of the row-level policies' CRUD (/v1/object-types/:type/
// policies) and of POST /v1/policies/simulate. Their enforcement on objects
// is tested in objects_access_test.go, whose acc* helpers these share.

// polView is a policy as the API shows it.
type polView struct {
	ID            string         `json:"id"`
	ObjectTypeID  string         `json:"object_type_id"`
	Name          string         `json:"name"`
	Action        string         `json:"action"`
	Role          *string        `json:"role"`
	ConditionJSON map[string]any `json:"condition_json"`
	Enabled       bool           `json:"enabled"`
}

func TestPoliciesCRUD(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	base := "/v1/object-types/" + a.typeName + "/policies"

	res := a.key(t, "POST", base, map[string]any{"name": "mine", "action": "select", "role": "member",
		"condition_json": map[string]any{"property": "owner_id", "operator": "eq", "value": "{{user.id}}"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var p polView
	res.Decode(t, &p)
	require.Equal(t, "select", p.Action)
	require.Equal(t, "member", *p.Role)
	require.True(t, p.Enabled, "enabled defaults to true")
	require.Equal(t, "{{user.id}}", p.ConditionJSON["value"], "variables are stored as written")

	res = a.key(t, "POST", base, map[string]any{"name": "open", "action": "insert", "condition_json": map[string]any{}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)

	res = a.key(t, "GET", base, nil)
	require.Equal(t, http.StatusOK, res.Status)
	var list []polView
	res.Decode(t, &list)
	require.Len(t, list, 2, "a bare array")
	require.Equal(t, "mine", list[0].Name)
	require.Nil(t, list[1].Role, "no role: every end user")

	res = a.key(t, "PATCH", base+"/"+p.ID, map[string]any{"role": nil, "enabled": false})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &p)
	require.Nil(t, p.Role)
	require.False(t, p.Enabled)
	require.Equal(t, "owner_id", p.ConditionJSON["property"], "an absent condition keeps its value")

	res = a.key(t, "DELETE", base+"/"+p.ID, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.JSONEq(t, `{"deleted": true}`, string(res.Data))
	otRequireError(t, a.key(t, "DELETE", base+"/"+p.ID, nil), http.StatusNotFound, "NOT_FOUND")
	otRequireError(t, a.key(t, "GET", "/v1/object-types/nope_type/policies", nil), http.StatusNotFound, "NOT_FOUND")
}

func TestPoliciesValidation(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	base := "/v1/object-types/" + a.typeName + "/policies"
	cond := func(prop, op string, val any) map[string]any {
		return map[string]any{"property": prop, "operator": op, "value": val}
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no name", map[string]any{"action": "select"}, "name"},
		{"bad action", map[string]any{"name": "x", "action": "read"}, "action"},
		{"empty role", map[string]any{"name": "x", "action": "select", "role": " "}, "role"},
		{"not an object", map[string]any{"name": "x", "action": "select", "condition_json": "owner"}, "condition_json"},
		{"unknown property", map[string]any{"name": "x", "action": "select", "condition_json": cond("nope", "eq", 1)}, "condition_json.property"},
		{"unknown operator", map[string]any{"name": "x", "action": "select", "condition_json": cond("title", "like", "a")}, "condition_json.operator"},
		{"unknown variable", map[string]any{"name": "x", "action": "select", "condition_json": cond("owner_id", "eq", "{{user.email}}")}, "condition_json.value"},
		{"variable of the wrong kind", map[string]any{"name": "x", "action": "select", "condition_json": cond("n", "gt", "{{user.id}}")}, "condition_json.value"},
		{"nested item", map[string]any{"name": "x", "action": "select", "condition_json": map[string]any{
			"or": []any{cond("owner_id", "eq", "{{user.id}}"), cond("shared", "gt", 1)}}}, "condition_json.or[1].operator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			otRequireError(t, a.key(t, "POST", base, tc.body), http.StatusBadRequest, "VALIDATION_FAILED", tc.field)
		})
	}

	good := map[string]any{"name": "dup", "action": "select", "condition_json": cond("owner_id", "eq", "{{user.id}}")}
	require.Equal(t, http.StatusCreated, a.key(t, "POST", base, good).Status)
	otRequireError(t, a.key(t, "POST", base, good), http.StatusConflict, "CONFLICT")

	// Managing policies is scope auth for keys, policies:manage for users.
	readOnly := scopedKey(t, env, a.tn.Key, "read", "write")
	otRequireError(t, env.Do(t, apptest.Request{Method: "GET", Path: base, Key: readOnly}), http.StatusForbidden, "INSUFFICIENT_SCOPE")
	otRequireError(t, a.as(t, a.userA, "GET", base, nil), http.StatusForbidden, "FORBIDDEN")
}

func TestPoliciesSimulate(t *testing.T) {
	env := apptest.New(t)
	a := accSetup(t, env)
	a.ownerPolicies(t)
	type result struct {
		Allowed  bool    `json:"allowed"`
		PolicyID *string `json:"policy_id"`
		Reason   string  `json:"reason"`
	}
	var sim struct {
		Action  string   `json:"action"`
		Results []result `json:"results"`
	}
	simulate := func(body map[string]any) *apptest.Response {
		return a.key(t, "POST", "/v1/policies/simulate", body)
	}
	rows := []any{
		map[string]any{"owner_id": "usr_a", "shared": false},
		map[string]any{"properties": map[string]any{"owner_id": "usr_b", "shared": true}},
		map[string]any{"owner_id": "usr_b"},
	}

	// An explicit policy, without a type: properties compare as untyped JSON.
	res := simulate(map[string]any{
		"policy": map[string]any{"id": "pol_x", "name": "mine", "condition_json": map[string]any{
			"property": "owner_id", "operator": "eq", "value": "{{user.id}}"}},
		"auth_context": map[string]any{"user_id": "usr_a", "role": "member"},
		"sample_data":  rows})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &sim)
	require.Equal(t, "select", sim.Action)
	require.Len(t, sim.Results, 3)
	require.True(t, sim.Results[0].Allowed)
	require.Equal(t, "pol_x", *sim.Results[0].PolicyID)
	require.False(t, sim.Results[1].Allowed)
	require.Nil(t, sim.Results[1].PolicyID)
	require.False(t, sim.Results[2].Allowed)

	// The type's stored select policies: mine or shared, for role member.
	res = simulate(map[string]any{"object_type_id": a.typeName, "action": "select",
		"auth_context": map[string]any{"user_id": "usr_a", "role": "authenticated", "roles": []string{"member"}},
		"sample_data":  rows})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &sim)
	require.Equal(t, []bool{true, true, false}, []bool{sim.Results[0].Allowed, sim.Results[1].Allowed, sim.Results[2].Allowed})
	require.Equal(t, a.selectPolicy, *sim.Results[1].PolicyID)

	// A user none of whose roles a policy names: nothing.
	res = simulate(map[string]any{"object_type_id": a.typeName, "action": "select",
		"auth_context": map[string]any{"user_id": "usr_a", "role": "guest"}, "sample_data": rows})
	res.Decode(t, &sim)
	require.False(t, sim.Results[0].Allowed)
	require.Contains(t, sim.Results[0].Reason, "no policy applies")

	// No stored policy for the action: RBAC alone decides.
	other := otCreate(t, env, a.tn.Key, map[string]any{"name": otName("plain")})
	res = simulate(map[string]any{"object_type_id": other.Name, "action": "update",
		"auth_context": map[string]any{"user_id": "usr_a"}, "sample_data": rows[:1]})
	res.Decode(t, &sim)
	require.True(t, sim.Results[0].Allowed)
	require.Nil(t, sim.Results[0].PolicyID)

	// Errors name the field.
	otRequireError(t, simulate(map[string]any{"action": "select", "auth_context": map[string]any{}, "sample_data": rows}),
		http.StatusBadRequest, "VALIDATION_FAILED", "object_type_id")
	otRequireError(t, simulate(map[string]any{"object_type_id": a.typeName, "action": "select", "sample_data": []any{}}),
		http.StatusBadRequest, "VALIDATION_FAILED", "sample_data")
	otRequireError(t, simulate(map[string]any{"object_type_id": a.typeName, "action": "select", "sample_data": []any{1}}),
		http.StatusBadRequest, "VALIDATION_FAILED", "sample_data[0]")
	otRequireError(t, simulate(map[string]any{"object_type_id": a.typeName, "sample_data": rows,
		"policy": map[string]any{"condition_json": map[string]any{"property": "nope", "operator": "eq", "value": 1}}}),
		http.StatusBadRequest, "VALIDATION_FAILED", "policy.condition_json.property")
}
