package rest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// tokensRefresh posts /v1/auth/refresh with bearer key.
func tokensRefresh(t *testing.T, env *apptest.Env, key, refreshToken string) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/refresh", Key: key,
		Body: map[string]any{"refresh_token": refreshToken}})
}

// tokensSession decodes a 200 session answer.
func tokensSession(t *testing.T, res *apptest.Response) sessionView {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	return s
}

// tokensMeStatus reads /v1/auth/user with an access token and returns the
// status and error code.
func tokensMeStatus(t *testing.T, env *apptest.Env, accessToken string) (int, string) {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: accessToken})
	return res.Status, res.Error.Code
}

// tokensLogin logs in and returns the session.
func tokensLogin(t *testing.T, env *apptest.Env, key, email, password string) sessionView {
	t.Helper()
	return tokensSession(t, logIn(t, env, key, email, password))
}

func TestAuthTokensRefreshRotationAndReuse(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, pub := authTenant(t, env)
	s := signUp(t, env, pub, "rotate@example.com", "rotate pass 1")

	// Rotation: a new refresh token; the old access token stays valid.
	r1 := tokensSession(t, tokensRefresh(t, env, pub, s.RefreshToken))
	require.Regexp(t, `^rt_`, r1.RefreshToken)
	require.NotEqual(t, s.RefreshToken, r1.RefreshToken)
	require.NotEmpty(t, r1.AccessToken)
	require.Equal(t, s.User.ID, r1.User.ID)
	require.Equal(t, "bearer", r1.TokenType)
	require.Equal(t, 3600, r1.ExpiresIn)
	status, _ := tokensMeStatus(t, env, s.AccessToken)
	require.Equal(t, http.StatusOK, status)
	status, _ = tokensMeStatus(t, env, r1.AccessToken)
	require.Equal(t, http.StatusOK, status)

	// A second tab reusing the old token within the grace gets the same
	// successor and a working access token.
	clock.Advance(5 * time.Second)
	again := tokensSession(t, tokensRefresh(t, env, pub, s.RefreshToken))
	require.Equal(t, r1.RefreshToken, again.RefreshToken)
	status, _ = tokensMeStatus(t, env, again.AccessToken)
	require.Equal(t, http.StatusOK, status)

	// The bearer may also be the user's own access token.
	r2 := tokensSession(t, tokensRefresh(t, env, r1.AccessToken, r1.RefreshToken))
	require.NotEqual(t, r1.RefreshToken, r2.RefreshToken)

	// A reuse after the grace is theft: the whole family ends.
	clock.Advance(11 * time.Second)
	res := tokensRefresh(t, env, pub, s.RefreshToken)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	res = tokensRefresh(t, env, pub, r2.RefreshToken)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	for _, tok := range []string{s.AccessToken, r1.AccessToken, r2.AccessToken} {
		status, code := tokensMeStatus(t, env, tok)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "INVALID_TOKEN", code)
	}
	// Another session of the same user is untouched.
	l := tokensLogin(t, env, pub, "rotate@example.com", "rotate pass 1")
	tokensSession(t, tokensRefresh(t, env, pub, l.RefreshToken))
}

func TestAuthTokensRefreshParallelTabs(t *testing.T) {
	env := apptest.New(t)
	_, pub := authTenant(t, env)
	s := signUp(t, env, pub, "tabs@example.com", "parallel pass 1")
	// Tabs refreshing at the same moment all get the one successor.
	const tabs = 4
	got := make([]*apptest.Response, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = tokensRefresh(t, env, pub, s.RefreshToken)
		}()
	}
	wg.Wait()
	first := tokensSession(t, got[0])
	for _, res := range got[1:] {
		require.Equal(t, first.RefreshToken, tokensSession(t, res).RefreshToken)
	}
	tokensSession(t, tokensRefresh(t, env, pub, first.RefreshToken))
}

func TestAuthTokensRefreshRefusals(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	_, otherPub := authTenant(t, env)
	s := signUp(t, env, pub, "refusals@example.com", "refusal pass 1")

	tests := []struct {
		name   string
		key    string
		token  any
		status int
		code   string
	}{
		{"missing token", pub, "", 400, "VALIDATION_FAILED"},
		{"wrong type", pub, 42, 400, "VALIDATION_FAILED"},
		{"not a refresh token", pub, "nope", 401, "INVALID_TOKEN"},
		{"unknown token", pub, "rt_0123456789abcdefghijABCDEFGHIJ0123456789", 401, "INVALID_TOKEN"},
		{"another tenant's key", otherPub, s.RefreshToken, 401, "INVALID_TOKEN"},
		{"no bearer", "", s.RefreshToken, 401, "UNAUTHORIZED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/refresh", Key: tc.key,
				Body: map[string]any{"refresh_token": tc.token}})
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
		})
	}
	// The refusals above did not spend the token.
	tokensSession(t, tokensRefresh(t, env, pub, s.RefreshToken))

	t.Run("banned user", func(t *testing.T) {
		b := signUp(t, env, pub, "banned@example.com", "banned pass 1")
		_, err := env.App.Core.DB.NewUpdate().Table("auth_users").Set("banned = true").
			Where("tenant_id = ? AND id = ?", tn.ID, b.User.ID).Exec(context.Background())
		require.NoError(t, err)
		status, code := tokensMeStatus(t, env, b.AccessToken)
		require.Equal(t, http.StatusForbidden, status)
		require.Equal(t, "USER_BANNED", code)
		res := tokensRefresh(t, env, pub, b.RefreshToken)
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		require.Equal(t, "USER_BANNED", res.Error.Code)
	})
}

func TestAuthTokensLogout(t *testing.T) {
	env := apptest.New(t)
	_, pub := authTenant(t, env)
	_, otherPub := authTenant(t, env)
	a := signUp(t, env, pub, "out-a@example.com", "logout pass 1")
	b := signUp(t, env, pub, "out-b@example.com", "logout pass 1")
	logout := func(key string, body map[string]any) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/logout", Key: key, Body: body})
	}

	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			name   string
			key    string
			body   map[string]any
			status int
			code   string
		}{
			{"key bearer without token", pub, map[string]any{}, 400, "VALIDATION_FAILED"},
			{"another user's token", a.AccessToken, map[string]any{"refresh_token": b.RefreshToken}, 401, "INVALID_TOKEN"},
			{"another tenant's key", otherPub, map[string]any{"refresh_token": b.RefreshToken}, 401, "INVALID_TOKEN"},
			{"unknown token", pub, map[string]any{"refresh_token": "rt_unknown"}, 401, "INVALID_TOKEN"},
			{"no bearer", "", map[string]any{"refresh_token": b.RefreshToken}, 401, "UNAUTHORIZED"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := logout(tc.key, tc.body)
				require.Equal(t, tc.status, res.Status, "%s", res.Body)
				require.Equal(t, tc.code, res.Error.Code)
			})
		}
		// b's session survived all of them.
		status, _ := tokensMeStatus(t, env, b.AccessToken)
		require.Equal(t, http.StatusOK, status)
	})

	t.Run("user bearer with its refresh token", func(t *testing.T) {
		res := logout(a.AccessToken, map[string]any{"refresh_token": a.RefreshToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var n struct{ Message string }
		res.Decode(t, &n)
		require.Equal(t, "Logged out.", n.Message)
		status, code := tokensMeStatus(t, env, a.AccessToken)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "INVALID_TOKEN", code)
		require.Equal(t, "INVALID_TOKEN", tokensRefresh(t, env, pub, a.RefreshToken).Error.Code)
	})

	t.Run("key bearer with a refresh token", func(t *testing.T) {
		res := logout(pub, map[string]any{"refresh_token": b.RefreshToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		status, _ := tokensMeStatus(t, env, b.AccessToken)
		require.Equal(t, http.StatusUnauthorized, status)
		// Logging out again is harmless.
		require.Equal(t, http.StatusOK, logout(pub, map[string]any{"refresh_token": b.RefreshToken}).Status)
	})

	t.Run("user bearer alone ends its current session", func(t *testing.T) {
		l1 := tokensLogin(t, env, pub, "out-a@example.com", "logout pass 1")
		l2 := tokensLogin(t, env, pub, "out-a@example.com", "logout pass 1")
		res := logout(l1.AccessToken, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		status, _ := tokensMeStatus(t, env, l1.AccessToken)
		require.Equal(t, http.StatusUnauthorized, status)
		status, _ = tokensMeStatus(t, env, l2.AccessToken)
		require.Equal(t, http.StatusOK, status)
	})
}

// tokensSessionInfo is a session as GET /v1/auth/sessions lists it.
type tokensSessionInfo struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	IP           string    `json:"ip"`
	UserAgent    string    `json:"user_agent"`
	Method       string    `json:"method"`
	Current      bool      `json:"current"`
	CreatedAt    time.Time `json:"created_at"`
	LastActiveAt time.Time `json:"last_active_at"`
}

func tokensSessions(t *testing.T, env *apptest.Env, accessToken string) []tokensSessionInfo {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/sessions", Key: accessToken})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out []tokensSessionInfo
	res.Decode(t, &out)
	return out
}

func TestAuthTokensSessions(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, pub := authTenant(t, env)
	s := signUp(t, env, pub, "sess@example.com", "session pass 1")
	clock.Advance(time.Second)
	l1 := tokensLogin(t, env, pub, "sess@example.com", "session pass 1")
	clock.Advance(time.Second)
	l2 := tokensLogin(t, env, pub, "sess@example.com", "session pass 1")
	other := signUp(t, env, pub, "sess-other@example.com", "session pass 1")

	list := tokensSessions(t, env, l1.AccessToken)
	require.Len(t, list, 3)
	require.Equal(t, []string{"password", "password", "signup"}, []string{list[0].Method, list[1].Method, list[2].Method})
	require.True(t, list[0].CreatedAt.After(list[1].CreatedAt), "newest first")
	require.Equal(t, []bool{false, true, false}, []bool{list[0].Current, list[1].Current, list[2].Current})
	for _, x := range list {
		require.Equal(t, s.User.ID, x.UserID)
		require.Regexp(t, `^sess_`, x.ID)
	}
	l2ID := list[0].ID
	otherID := tokensSessions(t, env, other.AccessToken)[0].ID

	revoke := func(token, id string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/sessions/" + id, Key: token})
	}
	t.Run("revoke one", func(t *testing.T) {
		res := revoke(l1.AccessToken, l2ID)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var r struct{ Revoked bool }
		res.Decode(t, &r)
		require.True(t, r.Revoked)
		status, code := tokensMeStatus(t, env, l2.AccessToken)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "INVALID_TOKEN", code)
		require.Equal(t, "INVALID_TOKEN", tokensRefresh(t, env, pub, l2.RefreshToken).Error.Code)
		require.Len(t, tokensSessions(t, env, l1.AccessToken), 2)
	})
	t.Run("not found", func(t *testing.T) {
		for name, id := range map[string]string{"already revoked": l2ID, "another user's": otherID,
			"unknown": "sess_01JZZZZZZZZZZZZZZZZZZZZZZZ", "malformed": "nope"} {
			res := revoke(l1.AccessToken, id)
			require.Equal(t, http.StatusNotFound, res.Status, "%s: %s", name, res.Body)
			require.Equal(t, "NOT_FOUND", res.Error.Code, name)
		}
		status, _ := tokensMeStatus(t, env, other.AccessToken)
		require.Equal(t, http.StatusOK, status)
	})
	t.Run("key bearer", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/sessions", Key: pub})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "UNAUTHORIZED", res.Error.Code)
	})
	t.Run("revoke all", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/sessions", Key: l1.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var r struct{ Revoked int }
		res.Decode(t, &r)
		require.Equal(t, 2, r.Revoked)
		for _, tok := range []string{s.AccessToken, l1.AccessToken} {
			status, code := tokensMeStatus(t, env, tok)
			require.Equal(t, http.StatusUnauthorized, status)
			require.Equal(t, "INVALID_TOKEN", code)
		}
		status, _ := tokensMeStatus(t, env, other.AccessToken)
		require.Equal(t, http.StatusOK, status)
	})
}
