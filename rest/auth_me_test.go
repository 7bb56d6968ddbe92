package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
)

// meGet reads GET /v1/auth/user.
func meGet(t *testing.T, env *apptest.Env, accessToken string) userView {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: accessToken})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var u userView
	res.Decode(t, &u)
	return u
}

// mePatch sends PATCH /v1/auth/user.
func mePatch(t *testing.T, env *apptest.Env, accessToken string, body map[string]any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth/user", Key: accessToken, Body: body})
}

// meVerify opens the newest verification mailed to email.
func meVerify(t *testing.T, env *apptest.Env, key, tenantID, email string) {
	t.Helper()
	msg := env.LastMessage(t, tenantID, email)
	require.Equal(t, "verification", msg.Kind)
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: key, Body: map[string]any{"token": msg.Code}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}

func TestAuthMeGetAndUpdate(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	s := signUp(t, env, pub, "me@example.com", "me password 1")
	signUp(t, env, pub, "taken@example.com", "me password 1")

	t.Run("get", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: s.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var raw map[string]any
		res.Decode(t, &raw)
		for _, k := range []string{"id", "email", "phone", "role", "email_verified", "phone_verified", "user_metadata",
			"created_at", "updated_at", "last_sign_in_at"} {
			require.Contains(t, raw, k)
		}
		require.NotContains(t, string(res.Body), "password_hash")
		u := meGet(t, env, s.AccessToken)
		require.Equal(t, s.User.ID, u.ID)
		require.Equal(t, "me@example.com", *u.Email)
		require.Equal(t, "authenticated", u.Role)
		require.False(t, u.EmailVerified)
		require.Equal(t, map[string]any{}, u.UserMetadata)
		require.NotNil(t, u.LastSignInAt)
	})
	t.Run("key bearer", func(t *testing.T) {
		for _, m := range []string{"GET", "PATCH"} {
			res := env.Do(t, apptest.Request{Method: m, Path: "/v1/auth/user", Key: pub, Body: map[string]any{}})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			require.Equal(t, "UNAUTHORIZED", res.Error.Code)
		}
	})

	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"own role", map[string]any{"role": "admin"}, 403, "FORBIDDEN", ""},
		{"bad email", map[string]any{"email": "nope"}, 400, "VALIDATION_FAILED", "email"},
		{"empty email", map[string]any{"email": ""}, 400, "VALIDATION_FAILED", "email"},
		{"bad phone", map[string]any{"phone": "555"}, 400, "VALIDATION_FAILED", "phone"},
		{"short password", map[string]any{"password": "short"}, 400, "VALIDATION_FAILED", "password"},
		{"metadata not object", map[string]any{"user_metadata": "x"}, 400, "VALIDATION_FAILED", "user_metadata"},
		{"redirect not allowed", map[string]any{"email": "x@example.com", "redirect_to": "https://evil.example/"}, 400, "VALIDATION_FAILED", "redirect_to"},
		{"duplicate email", map[string]any{"email": "Taken@Example.com"}, 409, "CONFLICT", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mePatch(t, env, s.AccessToken, tc.body)
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
			if tc.field != "" {
				require.Contains(t, res.Error.Fields, tc.field)
			}
		})
	}
	// None of the refusals changed anything.
	u := meGet(t, env, s.AccessToken)
	require.Equal(t, "me@example.com", *u.Email)
	require.Equal(t, "authenticated", u.Role)

	t.Run("metadata and phone", func(t *testing.T) {
		res := mePatch(t, env, s.AccessToken, map[string]any{"user_metadata": map[string]any{"name": "Jane"}, "phone": "+15551234567"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var u userView
		res.Decode(t, &u)
		require.Equal(t, map[string]any{"name": "Jane"}, u.UserMetadata)
		require.Equal(t, "+15551234567", *u.Phone)
		require.False(t, u.PhoneVerified)
		// Metadata is replaced, not merged.
		res = mePatch(t, env, s.AccessToken, map[string]any{"user_metadata": map[string]any{"plan": "pro"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, map[string]any{"plan": "pro"}, meGet(t, env, s.AccessToken).UserMetadata)
	})

	t.Run("email change", func(t *testing.T) {
		meVerify(t, env, pub, tn.ID, "me@example.com")
		require.True(t, meGet(t, env, s.AccessToken).EmailVerified)
		res := mePatch(t, env, s.AccessToken, map[string]any{"email": "New@Example.com"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var u userView
		res.Decode(t, &u)
		require.Equal(t, "new@example.com", *u.Email)
		require.False(t, u.EmailVerified)
		// The new address got a verification that works.
		meVerify(t, env, pub, tn.ID, "new@example.com")
		require.True(t, meGet(t, env, s.AccessToken).EmailVerified)
	})

	t.Run("password change keeps only the current session", func(t *testing.T) {
		other := tokensLogin(t, env, pub, "new@example.com", "me password 1")
		res := mePatch(t, env, s.AccessToken, map[string]any{"password": "brand new pass 2"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		status, code := tokensMeStatus(t, env, other.AccessToken)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "INVALID_TOKEN", code)
		status, _ = tokensMeStatus(t, env, s.AccessToken)
		require.Equal(t, http.StatusOK, status)
		tokensSession(t, tokensRefresh(t, env, pub, s.RefreshToken))
		require.Equal(t, "INVALID_CREDENTIALS", logIn(t, env, pub, "new@example.com", "me password 1").Error.Code)
		tokensLogin(t, env, pub, "new@example.com", "brand new pass 2")
	})
}

// meEnableAnonymous turns anonymous sign-ins on for a tenant.
func meEnableAnonymous(t *testing.T, env *apptest.Env, tenantID string) {
	t.Helper()
	require.NoError(t, db.AuthConfigUpsert(context.Background(), env.App.Core.DB, &db.AuthConfig{TenantID: tenantID,
		Config: json.RawMessage(`{"anonymous_enabled":true}`), UpdatedAt: time.Now()}))
}

func TestAuthMeAnonymous(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	anon := func() *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/anonymous", Key: pub})
	}

	res := anon()
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "FORBIDDEN", res.Error.Code)
	require.Contains(t, res.Error.Message, "disabled")

	meEnableAnonymous(t, env, tn.ID)
	a := tokensSession(t, anon())
	require.Regexp(t, `^usr_`, a.User.ID)
	require.Nil(t, a.User.Email)
	require.Equal(t, "anonymous", a.User.Role)
	require.Regexp(t, `^rt_`, a.RefreshToken)
	u := meGet(t, env, a.AccessToken)
	require.True(t, u.IsAnonymous)
	require.Equal(t, "anonymous", u.Role)
	require.Nil(t, u.Email)

	// An email alone does not make a usable account.
	res = mePatch(t, env, a.AccessToken, map[string]any{"email": "anon@example.com"})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "password")

	res = mePatch(t, env, a.AccessToken, map[string]any{"email": "anon@example.com", "password": "upgraded pass 1"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &u)
	require.False(t, u.IsAnonymous)
	require.Equal(t, "authenticated", u.Role)
	require.Equal(t, "anon@example.com", *u.Email)
	require.Equal(t, "verification", env.LastMessage(t, tn.ID, "anon@example.com").Kind)
	// The same user, its session kept, now signs in with the password.
	require.Equal(t, a.User.ID, meGet(t, env, a.AccessToken).ID)
	l := tokensLogin(t, env, pub, "anon@example.com", "upgraded pass 1")
	require.Equal(t, a.User.ID, l.User.ID)
	require.Equal(t, "authenticated", l.User.Role)
}

func TestAuthMeExport(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	s := signUp(t, env, pub, "export@example.com", "export pass 1")
	tokensLogin(t, env, pub, "export@example.com", "export pass 1")
	res := mePatch(t, env, s.AccessToken, map[string]any{"user_metadata": map[string]any{"name": "Ex"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	verification := env.LastMessage(t, tn.ID, "export@example.com")

	res = env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/me/export", Key: s.AccessToken})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Meta struct {
			UserID     string    `json:"user_id"`
			TenantID   string    `json:"tenant_id"`
			ExportType string    `json:"export_type"`
			ExportedAt time.Time `json:"exported_at"`
		} `json:"_meta"`
		User       userView            `json:"user"`
		Sessions   []map[string]any    `json:"sessions"`
		MFAFactors []map[string]any    `json:"mfa_factors"`
		Messages   []map[string]any    `json:"messages"`
		Audit      []map[string]string `json:"audit"`
	}
	res.Decode(t, &out)
	require.Equal(t, s.User.ID, out.Meta.UserID)
	require.Equal(t, tn.ID, out.Meta.TenantID)
	require.Equal(t, "user_data_export", out.Meta.ExportType)
	require.False(t, out.Meta.ExportedAt.IsZero())
	require.Equal(t, "export@example.com", *out.User.Email)
	require.Equal(t, map[string]any{"name": "Ex"}, out.User.UserMetadata)
	require.Len(t, out.Sessions, 2)
	require.NotNil(t, out.MFAFactors)
	require.Empty(t, out.MFAFactors)
	require.NotEmpty(t, out.Messages)
	require.Equal(t, "verification", out.Messages[0]["kind"])
	require.Equal(t, "email", out.Messages[0]["channel"])
	require.NotContains(t, out.Messages[0], "link")
	require.NotContains(t, out.Messages[0], "code")
	actions := []string{}
	for _, a := range out.Audit {
		actions = append(actions, a["action"])
	}
	require.Contains(t, actions, "user.update")
	// No secrets anywhere: hashes, tokens, mailed links and codes.
	body := string(res.Body)
	for _, secret := range []string{"password_hash", "$argon2", s.RefreshToken, verification.Code} {
		require.NotContains(t, body, secret)
	}

	t.Run("once an hour", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/me/export", Key: s.AccessToken})
		require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
		require.Equal(t, "RATE_LIMITED", res.Error.Code)
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.True(t, secs > 3500 && secs <= 3600, "retry after %d", secs)
	})
	t.Run("key bearer", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/me/export", Key: pub})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	})
}
