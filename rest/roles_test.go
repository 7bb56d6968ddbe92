package rest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// rbacRoleView is a role as clients see it.
type rbacRoleView struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"tenant_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Permissions  []string  `json:"permissions"`
	ParentRoleID *string   `json:"parent_role_id"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	AssignedAt   time.Time `json:"assigned_at"`
	AssignedBy   string    `json:"assigned_by"`
}

// rbacCreateRole creates a role with the tenant key and returns it.
func rbacCreateRole(t *testing.T, env *apptest.Env, key string, body map[string]any) rbacRoleView {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/roles", Key: key, Body: body})
	require.Equal(t, http.StatusCreated, res.Status, "create role: %s", res.Body)
	var r rbacRoleView
	res.Decode(t, &r)
	return r
}

// rbacAssign gives userID the role.
func rbacAssign(t *testing.T, env *apptest.Env, key, userID, roleID string) {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/roles/assign", Key: key,
		Body: map[string]any{"user_id": userID, "role_id": roleID}})
	require.Equal(t, http.StatusOK, res.Status, "assign: %s", res.Body)
}

// rbacUser signs a new end user up and returns its id and access token.
func rbacUser(t *testing.T, env *apptest.Env, publishable, email string) (string, string) {
	t.Helper()
	s := signUp(t, env, publishable, email, "Correct-Horse-9")
	return s.User.ID, s.AccessToken
}

func TestRolesCRUD(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn := env.NewTenant(t)
	do := func(method, path string, body any) *apptest.Response {
		return env.Do(t, apptest.Request{Method: method, Path: path, Key: tn.Key, Body: body})
	}

	base := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "viewer", "description": "Reads the books",
		"permissions": []string{"accounting:read", " accounting:read", "objects:contacts:read"}})
	require.Regexp(t, `^role_`, base.ID)
	require.Equal(t, tn.ID, base.TenantID)
	require.Equal(t, []string{"accounting:read", "objects:contacts:read"}, base.Permissions, "trimmed, duplicates dropped")
	require.Nil(t, base.ParentRoleID)

	child := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "bookkeeper", "parent_role_id": "viewer"})
	require.Equal(t, base.ID, *child.ParentRoleID, "parent given by name is stored as its id")
	require.Equal(t, []string{}, child.Permissions)

	t.Run("get by id and by name", func(t *testing.T) {
		for _, ref := range []string{base.ID, "viewer"} {
			res := do("GET", "/v1/roles/"+ref, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var got rbacRoleView
			res.Decode(t, &got)
			require.Equal(t, base.ID, got.ID)
		}
		for _, ref := range []string{"role_01hzzzzzzzzzzzzzzzzzzzzzzz", "nobody", "Bad Name"} {
			require.Equal(t, http.StatusNotFound, do("GET", "/v1/roles/"+ref, nil).Status, ref)
		}
	})

	t.Run("list is a bare array by name", func(t *testing.T) {
		res := do("GET", "/v1/roles", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var list []rbacRoleView
		res.Decode(t, &list)
		require.Len(t, list, 2)
		require.Equal(t, "bookkeeper", list[0].Name)
		require.Equal(t, "viewer", list[1].Name)
	})

	t.Run("create errors", func(t *testing.T) {
		cases := []struct {
			name  string
			body  map[string]any
			code  string
			field string
		}{
			{"missing name", map[string]any{}, "VALIDATION_FAILED", "name"},
			{"bad name", map[string]any{"name": "Book Keepers"}, "VALIDATION_FAILED", "name"},
			{"id-shaped name", map[string]any{"name": "role_01hzzzzzzzzzzzzzzzzzzzzzzz"}, "VALIDATION_FAILED", "name"},
			{"bad permission", map[string]any{"name": "x", "permissions": []string{"accounting:read", "accounting"}}, "VALIDATION_FAILED", "permissions[1]"},
			{"four parts", map[string]any{"name": "x", "permissions": []string{"a:b:c:d"}}, "VALIDATION_FAILED", "permissions[0]"},
			{"wrong type", map[string]any{"name": "x", "permissions": "accounting:read"}, "VALIDATION_FAILED", ""},
			{"unknown parent", map[string]any{"name": "x", "parent_role_id": "role_01hzzzzzzzzzzzzzzzzzzzzzzz"}, "VALIDATION_FAILED", "parent_role_id"},
			{"name taken", map[string]any{"name": "viewer"}, "CONFLICT", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := do("POST", "/v1/roles", c.body)
				require.Equal(t, c.code, res.Error.Code, "%s", res.Body)
				require.Less(t, res.Status, 500)
				if c.field != "" {
					require.Contains(t, res.Error.Fields, c.field, "%s", res.Body)
				}
			})
		}
	})

	t.Run("update", func(t *testing.T) {
		res := do("PATCH", "/v1/roles/"+child.ID, map[string]any{"name": "book_keeper", "description": "Posts entries",
			"permissions": []string{"accounting:write"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got rbacRoleView
		res.Decode(t, &got)
		require.Equal(t, "book_keeper", got.Name)
		require.Equal(t, "Posts entries", got.Description)
		require.Equal(t, []string{"accounting:write"}, got.Permissions)
		require.Equal(t, base.ID, *got.ParentRoleID, "absent parent_role_id keeps it")

		res = do("PATCH", "/v1/roles/"+child.ID, map[string]any{"parent_role_id": nil})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.Decode(t, &got)
		require.Nil(t, got.ParentRoleID, "null detaches")
		require.Equal(t, "book_keeper", got.Name, "absent members keep their value")

		require.Equal(t, "CONFLICT", do("PATCH", "/v1/roles/"+child.ID, map[string]any{"name": "viewer"}).Error.Code)
		require.Contains(t, do("PATCH", "/v1/roles/"+child.ID, map[string]any{"permissions": []string{"*:"}}).Error.Fields, "permissions[0]")
		require.Equal(t, http.StatusNotFound, do("PATCH", "/v1/roles/nobody", map[string]any{"name": "x"}).Status)
		require.Equal(t, http.StatusOK, do("PUT", "/v1/roles/"+child.ID, map[string]any{"parent_role_id": base.ID}).Status, "PUT is PATCH")
	})

	t.Run("parent cycles are refused", func(t *testing.T) {
		grand := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "auditor", "parent_role_id": child.ID})
		// viewer ← book_keeper ← auditor; viewer inheriting from auditor closes a loop.
		for _, parent := range []string{grand.ID, child.ID, base.ID} {
			res := do("PATCH", "/v1/roles/"+base.ID, map[string]any{"parent_role_id": parent})
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			require.Contains(t, res.Error.Fields, "parent_role_id")
		}
		do("DELETE", "/v1/roles/"+grand.ID, nil)
	})

	t.Run("chains deeper than the cap are refused", func(t *testing.T) {
		parent := ""
		var last *apptest.Response
		for i := 0; i < 11; i++ {
			body := map[string]any{"name": fmt.Sprintf("level_%d", i)}
			if parent != "" {
				body["parent_role_id"] = parent
			}
			last = do("POST", "/v1/roles", body)
			if last.Status != http.StatusCreated {
				break
			}
			var r rbacRoleView
			last.Decode(t, &r)
			parent = r.ID
		}
		require.Equal(t, http.StatusBadRequest, last.Status, "the 11th level: %s", last.Body)
		require.Contains(t, last.Error.Fields, "parent_role_id")
	})

	t.Run("add permissions is idempotent", func(t *testing.T) {
		path := "/v1/roles/" + base.ID + "/permissions"
		res := do("POST", path, map[string]any{"permissions": []string{"files:read", "accounting:read"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got rbacRoleView
		res.Decode(t, &got)
		require.Equal(t, []string{"accounting:read", "objects:contacts:read", "files:read"}, got.Permissions)
		res = do("POST", path, map[string]any{"permissions": []string{"files:read"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.Decode(t, &got)
		require.Len(t, got.Permissions, 3)

		require.Contains(t, do("POST", path, map[string]any{"permissions": []string{"files:READ"}}).Error.Fields, "permissions[0]")
		require.Contains(t, do("POST", path, map[string]any{}).Error.Fields, "permissions")
		require.Equal(t, http.StatusNotFound, do("POST", "/v1/roles/nobody/permissions", map[string]any{"permissions": []string{"a:b"}}).Status)
	})
}

func TestRolesAssignAndDelete(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tn, pub := authTenant(t, env)
	do := func(method, path string, body any) *apptest.Response {
		return env.Do(t, apptest.Request{Method: method, Path: path, Key: tn.Key, Body: body})
	}
	userID, _ := rbacUser(t, env, pub, "ada@example.com")
	role := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "clerk", "permissions": []string{"accounting:read"}})
	child := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "senior_clerk", "parent_role_id": role.ID})

	t.Run("assign is idempotent", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			res := do("POST", "/v1/roles/assign", map[string]any{"user_id": userID, "role_id": "clerk"})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var a struct {
				UserID     string `json:"user_id"`
				RoleID     string `json:"role_id"`
				Assigned   bool   `json:"assigned"`
				AssignedBy string `json:"assigned_by"`
			}
			res.Decode(t, &a)
			require.Equal(t, role.ID, a.RoleID)
			require.True(t, a.Assigned)
			require.Regexp(t, `^key_`, a.AssignedBy)
		}
		res := do("GET", "/v1/users/"+userID+"/roles", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var roles []rbacRoleView
		res.Decode(t, &roles)
		require.Len(t, roles, 1)
		require.Equal(t, "clerk", roles[0].Name)
		require.False(t, roles[0].AssignedAt.IsZero())
	})

	t.Run("assign errors", func(t *testing.T) {
		other := env.NewTenant(t)
		otherRole := rbacCreateRole(t, env, other.Key, map[string]any{"name": "clerk"})
		cases := []struct {
			name   string
			body   map[string]any
			status int
		}{
			{"missing ids", map[string]any{}, http.StatusBadRequest},
			{"unknown user", map[string]any{"user_id": "usr_01hzzzzzzzzzzzzzzzzzzzzzzz", "role_id": role.ID}, http.StatusNotFound},
			{"garbage user", map[string]any{"user_id": "'; drop", "role_id": role.ID}, http.StatusNotFound},
			{"unknown role", map[string]any{"user_id": userID, "role_id": "nobody"}, http.StatusNotFound},
			{"another tenant's role", map[string]any{"user_id": userID, "role_id": otherRole.ID}, http.StatusNotFound},
		}
		for _, c := range cases {
			res := do("POST", "/v1/roles/assign", c.body)
			require.Equal(t, c.status, res.Status, "%s: %s", c.name, res.Body)
		}
		// The other tenant sees neither our user nor our role.
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/users/" + userID + "/roles", Key: other.Key})
		require.Equal(t, http.StatusNotFound, res.Status)
		res = env.Do(t, apptest.Request{Method: "GET", Path: "/v1/roles/" + role.ID, Key: other.Key})
		require.Equal(t, http.StatusNotFound, res.Status)
	})

	t.Run("delete with holders needs confirmation", func(t *testing.T) {
		res := do("DELETE", "/v1/roles/"+role.ID, nil)
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		require.Equal(t, "DEPENDENCY_EXISTS", res.Error.Code)
		deps, _ := res.Error.Extra["dependencies"].([]any)
		require.Len(t, deps, 2, "holders and child roles: %s", res.Body)
		token, _ := res.Error.Extra["confirm_token"].(string)
		require.NotEmpty(t, token)

		require.Equal(t, "INVALID_CONFIRM_TOKEN", do("DELETE", "/v1/roles/"+role.ID+"?force=true&confirm_token=forged", nil).Error.Code)
		res = do("DELETE", "/v1/roles/"+role.ID+"?force=true&confirm_token="+token, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var del struct {
			ID      string `json:"id"`
			Deleted bool   `json:"deleted"`
		}
		res.Decode(t, &del)
		require.Equal(t, role.ID, del.ID)
		require.True(t, del.Deleted)
		require.Equal(t, "INVALID_CONFIRM_TOKEN", do("DELETE", "/v1/roles/"+child.ID+"?force=true&confirm_token="+token, nil).Error.Code, "single use, bound to the role")

		var roles []rbacRoleView
		do("GET", "/v1/users/"+userID+"/roles", nil).Decode(t, &roles)
		require.Empty(t, roles, "assignments go with the role")
		var kid rbacRoleView
		do("GET", "/v1/roles/"+child.ID, nil).Decode(t, &kid)
		require.Nil(t, kid.ParentRoleID, "children are detached")
		require.Equal(t, http.StatusOK, do("DELETE", "/v1/roles/"+child.ID, nil).Status, "no dependencies: deleted at once")
		require.Equal(t, http.StatusNotFound, do("DELETE", "/v1/roles/"+child.ID, nil).Status)
	})

	t.Run("remove role from user", func(t *testing.T) {
		r := rbacCreateRole(t, env, tn.Key, map[string]any{"name": "temp"})
		rbacAssign(t, env, tn.Key, userID, r.ID)
		path := "/v1/roles/" + r.ID + "/users/" + userID
		res := do("DELETE", path, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, http.StatusNotFound, do("DELETE", path, nil).Status, "not held any more")
		require.Equal(t, http.StatusNotFound, do("DELETE", "/v1/roles/"+r.ID+"/users/usr_01hzzzzzzzzzzzzzzzzzzzzzzz", nil).Status)
	})

	t.Run("scopes", func(t *testing.T) {
		readKey := scopedKey(t, env, tn.Key, "read", "write")
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/roles", Key: readKey})
		require.Equal(t, http.StatusForbidden, res.Status)
		require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
		require.Equal(t, "auth", res.Error.Extra["required_scope"])
		authKey := scopedKey(t, env, tn.Key, "auth")
		require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Method: "GET", Path: "/v1/roles", Key: authKey}).Status)
		require.Equal(t, http.StatusUnauthorized, env.Do(t, apptest.Request{Method: "GET", Path: "/v1/roles"}).Status)
	})
}
