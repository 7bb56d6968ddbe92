package graph_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// TestRBACSchemaNamesPermissions: every Query, Mutation and Subscription
// field documents, in @scope(permission: ...), what an end user's roles must
// grant ("self" and "public" for self-service and sign-in).
func TestRBACSchemaNamesPermissions(t *testing.T) {
	files, err := filepath.Glob("schema/*.graphqls")
	require.NoError(t, err)
	files = append([]string{"../schema.graphqls"}, files...)
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	require.Nil(t, gerr, "%v", gerr)
	checked := 0
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			where := root.Name + "." + f.Name
			d := f.Directives.ForName("scope")
			require.NotNil(t, d, "%s has no @scope", where)
			arg := d.Arguments.ForName("permission")
			require.NotNil(t, arg, "%s: @scope names no permission", where)
			perm := arg.Value.Raw
			ok := perm == "self" || perm == "public" || domain.ValidPermission(strings.ReplaceAll(perm, "{type}", "contacts"))
			require.True(t, ok, "%s: permission %q is not a permission string", where, perm)
			checked++
		}
	}
	require.Greater(t, checked, 50)
}

// rbacGQLRole is a role as GraphQL shows it.
type rbacGQLRole struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Permissions  []string `json:"permissions"`
	ParentRoleID *string  `json:"parentRoleId"`
	AssignedBy   string   `json:"assignedBy"`
}

const rbacGQLRoleFields = `id name description permissions parentRoleId`

func rbacGQLCreateRole(t *testing.T, env *apptest.Env, key string, input map[string]any) rbacGQLRole {
	t.Helper()
	var out struct{ CreateRole rbacGQLRole }
	gql(t, env, key, `mutation($in: CreateRoleInput!) { createRole(input: $in) { `+rbacGQLRoleFields+` } }`,
		map[string]any{"in": input}).decode(t, &out)
	return out.CreateRole
}

func rbacGQLAssign(t *testing.T, env *apptest.Env, key, userID, roleID string) {
	t.Helper()
	var out struct{ AssignRole struct{ Assigned bool } }
	gql(t, env, key, `mutation($u: ID!, $r: String!) { assignRole(userId: $u, roleId: $r) { assigned } }`,
		map[string]any{"u": userID, "r": roleID}).decode(t, &out)
	require.True(t, out.AssignRole.Assigned)
}

func TestRBACRolesGraphQL(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn, pub := publishableKey(t, env)
	user := gqlSignUp(t, env, pub, "lin@example.com")

	base := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "viewer", "permissions": []string{"accounting:read"}})
	child := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "editor", "description": "Edits",
		"parentRoleId": "viewer", "permissions": []string{"accounting:write"}})
	require.Equal(t, base.ID, *child.ParentRoleID)

	t.Run("queries", func(t *testing.T) {
		var out struct {
			Roles []rbacGQLRole
			Role  rbacGQLRole
		}
		gql(t, env, tn.Key, `query($id: String!) { roles { `+rbacGQLRoleFields+` } role(id: $id) { `+rbacGQLRoleFields+` } }`,
			map[string]any{"id": "editor"}).decode(t, &out)
		require.Len(t, out.Roles, 2)
		require.Equal(t, child.ID, out.Role.ID)
		gql(t, env, tn.Key, `{ role(id: "nobody") { id } }`, nil).requireCode(t, "NOT_FOUND")
	})

	t.Run("errors", func(t *testing.T) {
		res := gql(t, env, tn.Key, `mutation { createRole(input: {name: "x", permissions: ["ok:read", "bad"]}) { id } }`, nil)
		e := res.requireCode(t, "VALIDATION_FAILED")
		require.Contains(t, fieldsOf(e), "permissions[1]")
		res = gql(t, env, tn.Key, `mutation($id: String!) { updateRole(id: $id, input: {parentRoleId: "editor"}) { id } }`,
			map[string]any{"id": base.ID})
		require.Contains(t, fieldsOf(res.requireCode(t, "VALIDATION_FAILED")), "parent_role_id", "cycle (field names as REST)")
	})

	t.Run("update, add permissions", func(t *testing.T) {
		var out struct{ UpdateRole, AddRolePermissions rbacGQLRole }
		gql(t, env, tn.Key, `mutation($id: String!) {
			updateRole(id: $id, input: {parentRoleId: null, description: "Edits books"}) { `+rbacGQLRoleFields+` }
			addRolePermissions(id: $id, permissions: ["files:read", "accounting:write"]) { `+rbacGQLRoleFields+` } }`,
			map[string]any{"id": child.ID}).decode(t, &out)
		require.Nil(t, out.UpdateRole.ParentRoleID)
		require.Equal(t, "Edits books", out.UpdateRole.Description)
		require.Equal(t, []string{"accounting:write", "files:read"}, out.AddRolePermissions.Permissions)
	})

	t.Run("assign, list, remove, delete", func(t *testing.T) {
		rbacGQLAssign(t, env, tn.Key, user.User.ID, base.ID)
		rbacGQLAssign(t, env, tn.Key, user.User.ID, base.ID) // idempotent
		var roles struct{ UserRoles []rbacGQLRole }
		gql(t, env, tn.Key, `query($u: ID!) { userRoles(userId: $u) { id name assignedBy } }`,
			map[string]any{"u": user.User.ID}).decode(t, &roles)
		require.Len(t, roles.UserRoles, 1)
		require.Regexp(t, `^key_`, roles.UserRoles[0].AssignedBy)

		res := gql(t, env, tn.Key, `mutation($id: String!) { deleteRole(id: $id) { id deleted } }`, map[string]any{"id": base.ID})
		e := res.requireCode(t, "DEPENDENCY_EXISTS")
		token, _ := e.Extensions["confirm_token"].(string)
		require.NotEmpty(t, token, "%s", res.Body)

		var removed struct{ RemoveRole struct{ Assigned bool } }
		gql(t, env, tn.Key, `mutation($u: ID!, $r: String!) { removeRole(userId: $u, roleId: $r) { assigned } }`,
			map[string]any{"u": user.User.ID, "r": base.ID}).decode(t, &removed)
		require.False(t, removed.RemoveRole.Assigned)

		var del struct{ DeleteRole struct{ Deleted bool } }
		gql(t, env, tn.Key, `mutation($id: String!, $t: String) { deleteRole(id: $id, force: true, confirmToken: $t) { deleted } }`,
			map[string]any{"id": base.ID, "t": token}).decode(t, &del)
		require.True(t, del.DeleteRole.Deleted)
	})

	t.Run("end user needs roles permissions", func(t *testing.T) {
		gql(t, env, user.AccessToken, `{ roles { id } }`, nil).requireCode(t, "FORBIDDEN")
	})
}

// TestRBACMatrixGraphQL mirrors rest/rbac_matrix_test.go on GraphQL: each
// operation × a user without roles, with the exact permission, with "*",
// with only "*:read", and with the permission through a parent role.
func TestRBACMatrixGraphQL(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn, pub := publishableKey(t, env)
	perms := []string{"accounting:read", "accounting:write", "keys:read", "users:read", "roles:read"}
	exact := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "exact", "permissions": perms})
	star := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "everything", "permissions": []string{"*"}})
	reads := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "reader", "permissions": []string{"*:read"}})
	child := rbacGQLCreateRole(t, env, tn.Key, map[string]any{"name": "inherits", "parentRoleId": exact.ID})
	token := map[string]string{}
	for who, roleID := range map[string]string{"none": "", "exact": exact.ID, "star": star.ID, "reads": reads.ID, "parent": child.ID} {
		s := gqlSignUp(t, env, pub, who+"@example.com")
		if roleID != "" {
			rbacGQLAssign(t, env, tn.Key, s.User.ID, roleID)
		}
		token[who] = s.AccessToken
	}
	ops := []struct {
		name, query, permission string
		write                   bool
	}{
		{"accounts", `{ accounts { id } }`, "accounting:read", false},
		{"invoices", `{ invoices { total } }`, "accounting:read", false},
		{"createAccount", `mutation($c: String!) { createAccount(input: {code: $c, name: "Cash", type: "asset"}) { id } }`, "accounting:write", true},
		{"apiKeys", `{ apiKeys { id } }`, "keys:read", false},
		{"users", `{ users { total } }`, "users:read", false},
		{"roles", `{ roles { id } }`, "roles:read", false},
	}
	for _, op := range ops {
		for _, c := range []struct {
			who     string
			allowed bool
		}{{"none", false}, {"exact", true}, {"star", true}, {"reads", !op.write}, {"parent", true}} {
			t.Run(op.name+"/"+c.who, func(t *testing.T) {
				var vars map[string]any
				if op.write { // one write operation: a code per user is unique
					vars = map[string]any{"c": "G-" + c.who}
				}
				res := gql(t, env, token[c.who], op.query, vars)
				require.Equal(t, http.StatusOK, res.Status)
				if c.allowed {
					require.Empty(t, res.Errors, "%s", res.Body)
					return
				}
				e := res.requireCode(t, "FORBIDDEN")
				require.Equal(t, op.permission, e.Extensions["required_permission"], "%s", res.Body)
			})
		}
	}
}
