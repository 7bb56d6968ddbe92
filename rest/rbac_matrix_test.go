package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// rbacMatrixUsers are end users of one tenant whose roles grant, for each
// operation of the matrix: nothing, the exact permission, "*", only "*:read",
// or the exact permission through a parent role.
type rbacMatrixUsers struct {
	none, exact, star, reads, parent string // access tokens
}

// rbacMatrixPermissions are the permissions the matrix's operations need.
var rbacMatrixPermissions = []string{"accounting:read", "accounting:write", "keys:read", "users:read",
	"authconfig:read", "roles:read", "usage:read"}

func rbacMatrixSetup(t *testing.T, env *apptest.Env) (apptest.Tenant, rbacMatrixUsers) {
	t.Helper()
	tn, pub := authTenant(t, env)
	exact := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "exact", "permissions": rbacMatrixPermissions})
	star := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "everything", "permissions": []string{"*"}})
	reads := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "reader", "permissions": []string{"*:read"}})
	child := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "inherits", "parent_role_id": exact.ID})
	var u rbacMatrixUsers
	for _, c := range []struct {
		token  *string
		email  string
		roleID string
	}{
		{&u.none, "none@example.com", ""}, {&u.exact, "exact@example.com", exact.ID},
		{&u.star, "star@example.com", star.ID}, {&u.reads, "reads@example.com", reads.ID},
		{&u.parent, "parent@example.com", child.ID},
	} {
		id, token := rbacUser(t, env, pub, c.email)
		if c.roleID != "" {
			rbacAssign(t, env, tn.Key, id, c.roleID)
		}
		*c.token = token
	}
	return tn, u
}

func TestRBACMatrixREST(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	_, u := rbacMatrixSetup(t, env)
	ops := []struct {
		name, method, path string
		body               map[string]any
		permission         string
		ok                 int
	}{
		{"list accounts", "GET", "/v1/accounting/accounts", nil, "accounting:read", http.StatusOK},
		{"create account", "POST", "/v1/accounting/accounts", map[string]any{"name": "Cash", "type": "asset"}, "accounting:write", http.StatusCreated},
		{"list invoices", "GET", "/v1/accounting/invoices", nil, "accounting:read", http.StatusOK},
		{"list keys", "GET", "/v1/keys", nil, "keys:read", http.StatusOK},
		{"list users", "GET", "/v1/users", nil, "users:read", http.StatusOK},
		{"get auth config", "GET", "/v1/auth-config", nil, "authconfig:read", http.StatusOK},
		{"list roles", "GET", "/v1/roles", nil, "roles:read", http.StatusOK},
		{"get usage", "GET", "/v1/usage", nil, "usage:read", http.StatusOK},
	}
	for _, op := range ops {
		write := op.method != "GET"
		for _, c := range []struct {
			who     string
			token   string
			allowed bool
		}{
			{"without roles", u.none, false},
			{"with the permission", u.exact, true},
			{"with *", u.star, true},
			{"with *:read", u.reads, !write},
			{"through a parent role", u.parent, true},
		} {
			t.Run(op.name+"/"+c.who, func(t *testing.T) {
				body := op.body
				if body != nil { // account codes are unique: a fresh one per call
					body = map[string]any{"name": body["name"], "type": body["type"], "code": ldgCode("R")}
				}
				res := env.Do(t, apptest.Request{Method: op.method, Path: op.path, Key: c.token, Body: body})
				if c.allowed {
					require.Equal(t, op.ok, res.Status, "%s", res.Body)
					return
				}
				require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
				require.Equal(t, "FORBIDDEN", res.Error.Code)
				require.Equal(t, op.permission, res.Error.Extra["required_permission"])
			})
		}
	}
}

// TestRBACRevocationIsImmediate: taking a role away, or a permission out of
// a role, takes effect on the user's next request (the cache is cleared on
// every change, not left to expire).
func TestRBACRevocationIsImmediate(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn, pub := authTenant(t, env)
	userID, token := rbacUser(t, env, pub, "grace@example.com")
	role := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "books", "permissions": []string{"accounting:read"}})
	list := func() int {
		return env.Do(t, apptest.Request{Method: "GET", Path: "/v1/accounting/accounts", Key: token}).Status
	}
	require.Equal(t, http.StatusForbidden, list(), "no role yet")
	rbacAssign(t, env, tn.Key, userID, role.ID)
	require.Equal(t, http.StatusOK, list(), "granted on the next request")

	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/roles/" + role.ID, Key: tn.Key,
		Body: map[string]any{"permissions": []string{"files:read"}}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusForbidden, list(), "permission taken out of the role")

	env.Do(t, apptest.Request{Method: "POST", Path: "/v1/roles/" + role.ID + "/permissions", Key: tn.Key,
		Body: map[string]any{"permissions": []string{"accounting:*"}}})
	require.Equal(t, http.StatusOK, list(), "permission added to the role")

	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/roles/" + role.ID + "/users/" + userID, Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusForbidden, list(), "role removed")
}

// TestRBACNoEscalation: an end user with roles:manage hands out only what
// its own roles grant.
func TestRBACNoEscalation(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn, pub := authTenant(t, env)
	mgrID, mgr := rbacUser(t, env, pub, "mgr@example.com")
	otherID, _ := rbacUser(t, env, pub, "other@example.com")
	mgrRole := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "manager",
		"permissions": []string{"roles:read", "roles:manage", "accounting:read"}})
	rbacAssign(t, env, tn.Key, mgrID, mgrRole.ID)
	admin := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "admin", "permissions": []string{"*"}})

	do := func(method, path string, body any) *apptest.Response {
		return env.Do(t, apptest.Request{Method: method, Path: path, Key: mgr, Body: body})
	}
	res := do("POST", "/v1/roles", map[string]any{"name": "clerk", "permissions": []string{"accounting:read"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var clerk rbacRoleView
	res.Decode(t, &clerk)

	for _, c := range []struct {
		name, method, path string
		body               any
	}{
		{"create with more", "POST", "/v1/roles", map[string]any{"name": "boss", "permissions": []string{"accounting:write"}}},
		{"create under a stronger parent", "POST", "/v1/roles", map[string]any{"name": "boss", "parent_role_id": admin.ID}},
		{"add more", "POST", "/v1/roles/" + clerk.ID + "/permissions", map[string]any{"permissions": []string{"*"}}},
		{"update to more", "PATCH", "/v1/roles/" + clerk.ID, map[string]any{"permissions": []string{"keys:manage"}}},
		{"assign a stronger role", "POST", "/v1/roles/assign", map[string]any{"user_id": mgrID, "role_id": admin.ID}},
	} {
		res := do(c.method, c.path, c.body)
		require.Equal(t, http.StatusForbidden, res.Status, "%s: %s", c.name, res.Body)
		require.Equal(t, "FORBIDDEN", res.Error.Code, c.name)
	}
	res = do("POST", "/v1/roles/assign", map[string]any{"user_id": otherID, "role_id": clerk.ID})
	require.Equal(t, http.StatusOK, res.Status, "a role within the manager's own grant: %s", res.Body)
	require.Equal(t, mgrID, rbacAssignedBy(t, env, tn.Key, otherID))
}

// rbacAssignedBy returns who assigned the user's only role.
func rbacAssignedBy(t *testing.T, env *apptest.Env, key, userID string) string {
	t.Helper()
	var roles []rbacRoleView
	env.Do(t, apptest.Request{Method: "GET", Path: "/v1/users/" + userID + "/roles", Key: key}).Decode(t, &roles)
	require.Len(t, roles, 1)
	return roles[0].AssignedBy
}
