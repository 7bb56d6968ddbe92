package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

func TestAuthSignupAndLogin(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)

	s := signUp(t, env, pub, "Jane@Example.com", "correct horse 1")
	require.Equal(t, "bearer", s.TokenType)
	require.Equal(t, 3600, s.ExpiresIn)
	require.Regexp(t, `^rt_`, s.RefreshToken)
	require.Regexp(t, `^usr_`, s.User.ID)
	require.Equal(t, "jane@example.com", *s.User.Email)
	require.Equal(t, "authenticated", s.User.Role)

	// Signup mailed a verification link.
	msg := env.LastMessage(t, tn.ID, "jane@example.com")
	require.Equal(t, "verification", msg.Kind)
	require.Contains(t, msg.Link, "tenant_id="+tn.ID)

	res := logIn(t, env, pub, "jane@example.com", "correct horse 1")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var l sessionView
	res.Decode(t, &l)
	require.Equal(t, s.User.ID, l.User.ID)
	require.NotEmpty(t, l.AccessToken)

	tests := []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"duplicate signup", "/v1/auth/signup", map[string]any{"email": "jane@example.com", "password": "another pass 2"}, 409, "CONFLICT", ""},
		{"bad email", "/v1/auth/signup", map[string]any{"email": "nope", "password": "another pass 2"}, 400, "VALIDATION_FAILED", "email"},
		{"short password", "/v1/auth/signup", map[string]any{"email": "x@example.com", "password": "short"}, 400, "VALIDATION_FAILED", "password"},
		{"bad phone", "/v1/auth/signup", map[string]any{"email": "x@example.com", "password": "long enough 1", "phone": "555"}, 400, "VALIDATION_FAILED", "phone"},
		{"metadata not object", "/v1/auth/signup", map[string]any{"email": "x@example.com", "password": "long enough 1", "user_metadata": []int{1}}, 400, "VALIDATION_FAILED", "user_metadata"},
		{"redirect not allowed", "/v1/auth/signup", map[string]any{"email": "x@example.com", "password": "long enough 1", "redirect_to": "https://evil.example/"}, 400, "VALIDATION_FAILED", "redirect_to"},
		{"wrong password", "/v1/auth/login", map[string]any{"email": "jane@example.com", "password": "wrong password"}, 401, "INVALID_CREDENTIALS", ""},
		{"unknown email", "/v1/auth/login", map[string]any{"email": "ghost@example.com", "password": "whatever 123"}, 401, "INVALID_CREDENTIALS", ""},
		{"missing password", "/v1/auth/login", map[string]any{"email": "jane@example.com"}, 400, "VALIDATION_FAILED", "password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "POST", Path: tc.path, Key: pub, Body: tc.body})
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
			if tc.field != "" {
				require.Contains(t, res.Error.Fields, tc.field)
			}
		})
	}

	t.Run("no key", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/login", Body: map[string]any{"email": "jane@example.com", "password": "correct horse 1"}})
		require.Equal(t, http.StatusUnauthorized, res.Status)
	})
	t.Run("another tenant's key", func(t *testing.T) {
		_, otherPub := authTenant(t, env)
		res := logIn(t, env, otherPub, "jane@example.com", "correct horse 1")
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
	})
}

func TestAuthLoginLockout(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, pub := authTenant(t, env)
	signUp(t, env, pub, "lock@example.com", "right password 1")
	for i := 0; i < 4; i++ {
		res := logIn(t, env, pub, "lock@example.com", "wrong")
		require.Equal(t, http.StatusUnauthorized, res.Status)
	}
	res := logIn(t, env, pub, "lock@example.com", "wrong")
	require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
	require.Equal(t, "ACCOUNT_LOCKED", res.Error.Code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	// Locked even with the right password, until the lock ends.
	res = logIn(t, env, pub, "lock@example.com", "right password 1")
	require.Equal(t, "ACCOUNT_LOCKED", res.Error.Code)
	clock.Advance(16 * time.Minute)
	res = logIn(t, env, pub, "lock@example.com", "right password 1")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}
