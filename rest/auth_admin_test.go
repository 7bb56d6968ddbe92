package rest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// partDUser is a user as the admin endpoints show it.
type partDUser struct {
	userView
	BanReason   string         `json:"ban_reason"`
	HasPassword bool           `json:"has_password"`
	AppMetadata map[string]any `json:"app_metadata"`
}

// partDUserList is GET /v1/users's answer.
type partDUserList struct {
	Users []partDUser `json:"users"`
	Total int         `json:"total"`
}

// partDCreateUser creates a user through POST /v1/users.
func partDCreateUser(t *testing.T, env *apptest.Env, key string, body map[string]any) partDUser {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/users", Key: key, Body: body})
	require.Equal(t, http.StatusCreated, res.Status, "create user: %s", res.Body)
	var u partDUser
	res.Decode(t, &u)
	return u
}

// partDListUsers lists users with the given query.
func partDListUsers(t *testing.T, env *apptest.Env, key, query string) partDUserList {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/users?" + query, Key: key})
	require.Equal(t, http.StatusOK, res.Status, "list users: %s", res.Body)
	var l partDUserList
	res.Decode(t, &l)
	return l
}

func TestAuthAdminUsersCRUD(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)

	u := partDCreateUser(t, env, tn.Key, map[string]any{"email": "Ada@Example.com", "password": "analytical 1",
		"role": "editor", "email_verified": true, "user_metadata": map[string]any{"name": "Ada"}})
	require.Regexp(t, `^usr_`, u.ID)
	require.Equal(t, "ada@example.com", *u.Email)
	require.Equal(t, "editor", u.Role)
	require.True(t, u.EmailVerified)
	require.True(t, u.HasPassword)
	require.Equal(t, "Ada", u.UserMetadata["name"])

	// The created user signs in with its password.
	require.Equal(t, http.StatusOK, logIn(t, env, pub, "ada@example.com", "analytical 1").Status)

	// Passwordless, phone only, default role.
	p := partDCreateUser(t, env, tn.Key, map[string]any{"phone": "+15551230001"})
	require.Nil(t, p.Email)
	require.Equal(t, "+15551230001", *p.Phone)
	require.Equal(t, "authenticated", p.Role)
	require.False(t, p.HasPassword)

	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"duplicate email", map[string]any{"email": "ada@example.com"}, 409, "CONFLICT", ""},
		{"duplicate phone", map[string]any{"phone": "+15551230001"}, 409, "CONFLICT", ""},
		{"neither email nor phone", map[string]any{"password": "long enough 1"}, 400, "VALIDATION_FAILED", "email"},
		{"bad email", map[string]any{"email": "nope"}, 400, "VALIDATION_FAILED", "email"},
		{"bad phone", map[string]any{"phone": "555-1234"}, 400, "VALIDATION_FAILED", "phone"},
		{"short password", map[string]any{"email": "x@example.com", "password": "short"}, 400, "VALIDATION_FAILED", "password"},
		{"bad role", map[string]any{"email": "x@example.com", "role": "Admin!"}, 400, "VALIDATION_FAILED", "role"},
		{"metadata not object", map[string]any{"email": "x@example.com", "user_metadata": "x"}, 400, "VALIDATION_FAILED", "user_metadata"},
		{"wrong type", map[string]any{"email": "x@example.com", "email_verified": "yes"}, 400, "VALIDATION_FAILED", "email_verified"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/users", Key: tn.Key, Body: tc.body})
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
			if tc.field != "" {
				require.Contains(t, res.Error.Fields, tc.field)
			}
		})
	}

	t.Run("get", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Path: "/v1/users/" + u.ID, Key: tn.Key})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got partDUser
		res.Decode(t, &got)
		require.Equal(t, u.ID, got.ID)
		require.NotContains(t, string(res.Body), "password_hash")
		require.NotContains(t, string(res.Body), "argon2")
		for _, id := range []string{"usr_doesnotexist", "nope", "usr_" + url.PathEscape("' OR 1=1")} {
			res := env.Do(t, apptest.Request{Path: "/v1/users/" + id, Key: tn.Key})
			require.Equal(t, http.StatusNotFound, res.Status, "%s: %s", id, res.Body)
		}
	})

	t.Run("update", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + u.ID, Key: tn.Key, Body: map[string]any{
			"role": "manager", "user_metadata": map[string]any{"team": "math"}, "app_metadata": map[string]any{"plan": "pro"},
			"email": "ada.l@example.com"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got partDUser
		res.Decode(t, &got)
		require.Equal(t, "manager", got.Role)
		require.Equal(t, "ada.l@example.com", *got.Email)
		require.False(t, got.EmailVerified, "a new email is unverified")
		require.Equal(t, map[string]any{"team": "math"}, got.UserMetadata)
		require.Equal(t, "pro", got.AppMetadata["plan"])

		// Password change: the old one stops working.
		res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + u.ID, Key: tn.Key,
			Body: map[string]any{"password": "difference engine 2", "email_verified": true}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.Decode(t, &got)
		require.True(t, got.EmailVerified)
		require.Equal(t, http.StatusUnauthorized, logIn(t, env, pub, "ada.l@example.com", "analytical 1").Status)
		require.Equal(t, http.StatusOK, logIn(t, env, pub, "ada.l@example.com", "difference engine 2").Status)

		bad := []struct {
			name  string
			body  map[string]any
			code  string
			field string
		}{
			{"bad role", map[string]any{"role": "9lives"}, "VALIDATION_FAILED", "role"},
			{"bad email", map[string]any{"email": "not-an-email"}, "VALIDATION_FAILED", "email"},
			{"short password", map[string]any{"password": "abc"}, "VALIDATION_FAILED", "password"},
			{"metadata array", map[string]any{"user_metadata": []int{1}}, "VALIDATION_FAILED", "user_metadata"},
			{"remove only identifier", map[string]any{"email": ""}, "VALIDATION_FAILED", "email"},
			{"taken phone", map[string]any{"phone": "+15551230001"}, "CONFLICT", ""},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + u.ID, Key: tn.Key, Body: tc.body})
				require.Equal(t, tc.code, res.Error.Code, "%s", res.Body)
				if tc.field != "" {
					require.Contains(t, res.Error.Fields, tc.field)
				}
			})
		}
		res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/usr_unknown", Key: tn.Key, Body: map[string]any{"role": "x"}})
		require.Equal(t, http.StatusNotFound, res.Status)
	})

	t.Run("list factors", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Path: "/v1/users/" + u.ID + "/mfa", Key: tn.Key})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `[]`, string(res.Data))
		res = env.Do(t, apptest.Request{Path: "/v1/users/usr_unknown/mfa", Key: tn.Key})
		require.Equal(t, http.StatusNotFound, res.Status)
	})
}

func TestAuthAdminListUsers(t *testing.T) {
	env := apptest.New(t)
	tn, _ := authTenant(t, env)
	var ids []string
	for _, b := range []map[string]any{
		{"email": "alice@alpha.example.com", "role": "staff"},
		{"email": "bob@beta.example.com"},
		{"email": "carol@alpha.example.com", "role": "staff"},
		{"email": "dan_x@gamma.example.com"},
		{"phone": "+15559870001"},
	} {
		ids = append(ids, partDCreateUser(t, env, tn.Key, b).ID)
	}

	all := partDListUsers(t, env, tn.Key, "")
	require.Equal(t, 5, all.Total)
	require.Len(t, all.Users, 5)
	for i, u := range all.Users {
		require.Equal(t, ids[len(ids)-1-i], u.ID, "newest first")
	}

	page := partDListUsers(t, env, tn.Key, "limit=2&offset=2")
	require.Equal(t, 5, page.Total)
	require.Len(t, page.Users, 2)
	require.Equal(t, ids[2], page.Users[0].ID)
	require.Equal(t, ids[1], page.Users[1].ID)

	past := partDListUsers(t, env, tn.Key, "offset=50")
	require.Equal(t, 5, past.Total)
	require.Empty(t, past.Users)
	require.Len(t, partDListUsers(t, env, tn.Key, "limit=1000").Users, 5, "limit is clamped, not refused")

	cases := []struct {
		query string
		want  int
	}{
		{"search=ALPHA", 2},
		{"search=" + url.QueryEscape("bob@"), 1},
		{"search=5559870", 1},
		{"search=" + url.QueryEscape("%"), 0},
		{"search=" + url.QueryEscape("_x@"), 1},
		{"search=" + url.QueryEscape("_"), 1},
		{"role=staff", 2},
		{"role=staff&search=carol", 1},
		{"role=nobody", 0},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			l := partDListUsers(t, env, tn.Key, tc.query)
			require.Equal(t, tc.want, l.Total)
			require.Len(t, l.Users, tc.want)
		})
	}

	for _, q := range []string{"offset=-1", "limit=abc", "role=Bad%20Role"} {
		res := env.Do(t, apptest.Request{Path: "/v1/users?" + q, Key: tn.Key})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
	}

	// Another tenant sees none of them.
	other := env.NewTenant(t)
	require.Equal(t, 0, partDListUsers(t, env, other.Key, "").Total)
}

func TestAuthAdminAccessControl(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	s := signUp(t, env, pub, "victim@example.com", "long enough 1")
	read := scopedKey(t, env, tn.Key, "read")
	authKey := scopedKey(t, env, tn.Key, "auth")
	other := env.NewTenant(t)

	routes := []apptest.Request{
		{Method: "GET", Path: "/v1/users"},
		{Method: "POST", Path: "/v1/users", Body: map[string]any{"email": "new@example.com"}},
		{Method: "GET", Path: "/v1/users/" + s.User.ID},
		{Method: "PATCH", Path: "/v1/users/" + s.User.ID, Body: map[string]any{"role": "admin"}},
		{Method: "DELETE", Path: "/v1/users/" + s.User.ID},
		{Method: "GET", Path: "/v1/users/" + s.User.ID + "/mfa"},
	}
	for _, r := range routes {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			r.Key = read
			res := env.Do(t, r)
			require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
			require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)

			r.Key = pub
			res = env.Do(t, r)
			require.Equal(t, http.StatusForbidden, res.Status, "publishable key: %s", res.Body)

			r.Key = s.AccessToken
			res = env.Do(t, r)
			require.Equal(t, http.StatusForbidden, res.Status, "end-user token: %s", res.Body)

			r.Key = ""
			require.Equal(t, http.StatusUnauthorized, env.Do(t, r).Status)

			if r.Path != "/v1/users" {
				r.Key = other.Key
				res = env.Do(t, r)
				require.Equal(t, http.StatusNotFound, res.Status, "other tenant: %s", res.Body)
			}
		})
	}

	// A key with just the auth scope is enough; nothing above changed the user.
	res := env.Do(t, apptest.Request{Path: "/v1/users/" + s.User.ID, Key: authKey})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var u partDUser
	res.Decode(t, &u)
	require.Equal(t, "authenticated", u.Role)
}

func TestAuthAdminBan(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	s := signUp(t, env, pub, "troll@example.com", "long enough 1")
	// Any self-service endpoint shows whether the access token still works.
	me := apptest.Request{Path: "/v1/auth/mfa/factors", Key: s.AccessToken}
	require.Equal(t, http.StatusOK, env.Do(t, me).Status)

	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + s.User.ID, Key: tn.Key,
		Body: map[string]any{"banned": true, "ban_reason": "spam"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var u partDUser
	res.Decode(t, &u)
	require.True(t, u.Banned)
	require.Equal(t, "spam", u.BanReason)

	// The outstanding access token stops at once, and so does login.
	res = env.Do(t, me)
	require.Equal(t, "USER_BANNED", res.Error.Code, "%s", res.Body)
	require.Equal(t, http.StatusForbidden, res.Status)
	res = logIn(t, env, pub, "troll@example.com", "long enough 1")
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "USER_BANNED", res.Error.Code)

	// Banning revoked the sessions: the user now has none to block a delete.
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + s.User.ID, Key: tn.Key,
		Body: map[string]any{"banned": false}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var unbanned partDUser
	res.Decode(t, &unbanned)
	require.False(t, unbanned.Banned)
	require.Empty(t, unbanned.BanReason)
	require.Equal(t, http.StatusOK, logIn(t, env, pub, "troll@example.com", "long enough 1").Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, me).Status, "the revoked session stays revoked")
}

func TestAuthAdminDeleteUser(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)

	// No dependencies: deleted at once.
	plain := partDCreateUser(t, env, tn.Key, map[string]any{"email": "plain@example.com"})
	res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + plain.ID, Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"user_id":"`+plain.ID+`","deleted":true}`, string(res.Data))
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: "/v1/users/" + plain.ID, Key: tn.Key}).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + plain.ID, Key: tn.Key}).Status)

	// With a live session: the dependency flow.
	s := signUp(t, env, pub, "busy@example.com", "long enough 1")
	logIn(t, env, pub, "busy@example.com", "long enough 1")
	del := apptest.Request{Method: "DELETE", Path: "/v1/users/" + s.User.ID, Key: tn.Key}
	res = env.Do(t, del)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.Equal(t, "DEPENDENCY_EXISTS", res.Error.Code)
	deps, _ := res.Error.Extra["dependencies"].([]any)
	require.Len(t, deps, 1)
	dep := deps[0].(map[string]any)
	require.Equal(t, "sessions", dep["type"])
	require.EqualValues(t, 2, dep["count"])
	require.NotEmpty(t, dep["label"])
	token, _ := res.Error.Extra["confirm_token"].(string)
	require.NotEmpty(t, token)

	// force without a token, or a token without force, is not enough.
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: del.Path + "?force=true", Key: tn.Key})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: del.Path + "?confirm_token=" + token, Key: tn.Key})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	// A wrong token fails and leaves the user.
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: del.Path + "?force=true&confirm_token=forged", Key: tn.Key})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_CONFIRM_TOKEN", res.Error.Code)

	res = env.Do(t, apptest.Request{Method: "DELETE", Path: del.Path + "?force=true&confirm_token=" + token, Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"user_id":"`+s.User.ID+`","deleted":true}`, string(res.Data))
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: "/v1/users/" + s.User.ID, Key: tn.Key}).Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: s.AccessToken}).Status)
	require.Equal(t, http.StatusUnauthorized, logIn(t, env, pub, "busy@example.com", "long enough 1").Status)

	// The used token cannot delete another user.
	s2 := signUp(t, env, pub, "busy2@example.com", "long enough 1")
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + s2.User.ID + "?force=true&confirm_token=" + token, Key: tn.Key})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_CONFIRM_TOKEN", res.Error.Code)

	// Nor does another user's token.
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + s2.User.ID, Key: tn.Key})
	require.Equal(t, http.StatusConflict, res.Status)
	token2, _ := res.Error.Extra["confirm_token"].(string)
	s3 := signUp(t, env, pub, "busy3@example.com", "long enough 1")
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + s3.User.ID + "?force=true&confirm_token=" + token2, Key: tn.Key})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_CONFIRM_TOKEN", res.Error.Code)
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/users/" + s3.User.ID, Key: tn.Key}).Status)

	// MFA factors are dependencies too, and the admin lists them.
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/mfa/enroll", Key: s3.AccessToken, Body: map[string]any{"friendly_name": "phone"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var enrolled struct {
		FactorID string `json:"factor_id"`
	}
	res.Decode(t, &enrolled)
	res = env.Do(t, apptest.Request{Path: "/v1/users/" + s3.User.ID + "/mfa", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var factors []struct {
		ID           string `json:"id"`
		FriendlyName string `json:"friendly_name"`
	}
	res.Decode(t, &factors)
	require.Len(t, factors, 1)
	require.Equal(t, enrolled.FactorID, factors[0].ID)
	require.Equal(t, "phone", factors[0].FriendlyName)
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + s3.User.ID, Key: tn.Key})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.JSONEq(t, `[{"type":"sessions","count":1,"label":"Active sessions"},{"type":"mfa_factors","count":1,"label":"MFA factors"}]`,
		partDJSON(t, res.Error.Extra["dependencies"]))
	token3, _ := res.Error.Extra["confirm_token"].(string)
	res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/users/" + s3.User.ID + "?force=true&confirm_token=" + token3, Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: "/v1/users/" + s3.User.ID + "/mfa", Key: tn.Key}).Status)
}

func partDJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
