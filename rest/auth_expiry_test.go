package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// Access tokens expire after jwt_expiry_secs; refresh keeps the session
// going until its lifetime ends, then the refresh token is refused too.
func TestAuthTokenAndSessionExpiry(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, pub := authTenant(t, env)
	s := signUp(t, env, pub, "expiry@example.com", "expiry password 1")

	me := func(token string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: token})
	}
	require.Equal(t, http.StatusOK, me(s.AccessToken).Status)

	clock.Advance(time.Hour + time.Second)
	res := me(s.AccessToken)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/refresh", Key: pub, Body: map[string]any{"refresh_token": s.RefreshToken}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var next sessionView
	res.Decode(t, &next)
	require.Equal(t, http.StatusOK, me(next.AccessToken).Status)

	// Past the session's 30-day lifetime nothing works any more.
	clock.Advance(31 * 24 * time.Hour)
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/refresh", Key: pub, Body: map[string]any{"refresh_token": next.RefreshToken}})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
}
