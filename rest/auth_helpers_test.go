package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// sessionView is a session answer as a client sees it.
type sessionView struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	User         struct {
		ID    string  `json:"id"`
		Email *string `json:"email"`
		Role  string  `json:"role"`
	} `json:"user"`
	MFARequired bool   `json:"mfa_required"`
	MFATicket   string `json:"mfa_ticket"`
	Factors     []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"factors"`
}

// userView is a user as GET /v1/auth/user and /v1/users show it.
type userView struct {
	ID            string         `json:"id"`
	Email         *string        `json:"email"`
	Phone         *string        `json:"phone"`
	Role          string         `json:"role"`
	IsAnonymous   bool           `json:"is_anonymous"`
	EmailVerified bool           `json:"email_verified"`
	PhoneVerified bool           `json:"phone_verified"`
	UserMetadata  map[string]any `json:"user_metadata"`
	Banned        bool           `json:"banned"`
	CreatedAt     time.Time      `json:"created_at"`
	LastSignInAt  *time.Time     `json:"last_sign_in_at"`
}

// authTenant provisions a tenant and a publishable key (scopes []) for its
// end-user calls.
func authTenant(t *testing.T, env *apptest.Env) (apptest.Tenant, string) {
	t.Helper()
	tn := env.NewTenant(t)
	k := issueKey(t, env, tn.Key, map[string]any{"label": "web app", "scopes": []string{}})
	return tn, k.Token
}

// signUp creates a user through POST /v1/auth/signup and returns its session.
func signUp(t *testing.T, env *apptest.Env, key, email, password string) sessionView {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: key,
		Body: map[string]any{"email": email, "password": password}})
	require.Equal(t, http.StatusOK, res.Status, "signup: %s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	return s
}

// logIn posts /v1/auth/login.
func logIn(t *testing.T, env *apptest.Env, key, email, password string) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/login", Key: key,
		Body: map[string]any{"email": email, "password": password}})
}
