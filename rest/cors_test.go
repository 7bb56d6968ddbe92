package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

func TestCORSFollowsTheTenantAllowlist(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	other := env.NewTenant(t)
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/admin/tenants/" + tn.ID, Key: apptest.AdminKey,
		Body: map[string]any{"cors_origins": []string{"https://app.example.com"}}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))

	// Preflight: allowed for an origin some tenant allows, not for others.
	pre := func(origin string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "OPTIONS", Path: "/v1/keys", Header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}})
	}
	ok := pre("https://app.example.com")
	require.Equal(t, http.StatusNoContent, ok.Status)
	require.Equal(t, "https://app.example.com", ok.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, ok.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	evil := pre("https://evil.example.com")
	require.Empty(t, evil.Header.Get("Access-Control-Allow-Origin"))

	// Actual requests: only the allowing tenant's answers are readable.
	get := func(key, origin string) *apptest.Response {
		return env.Do(t, apptest.Request{Path: "/v1/keys", Key: key, Header: map[string]string{"Origin": origin}})
	}
	res = get(tn.Key, "https://app.example.com")
	require.Equal(t, "https://app.example.com", res.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "X-RateLimit-Remaining")
	require.Contains(t, res.Header.Values("Vary"), "Origin")
	require.Empty(t, get(tn.Key, "https://evil.example.com").Header.Get("Access-Control-Allow-Origin"))
	require.Empty(t, get(other.Key, "https://app.example.com").Header.Get("Access-Control-Allow-Origin"),
		"another tenant's answers stay unreadable from that origin")

	// Public tenant-addressed endpoints use the named tenant's list.
	res = env.Do(t, apptest.Request{Path: "/v1/tenant-config?tenant_id=" + tn.ID, Header: map[string]string{"Origin": "https://app.example.com"}})
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, "https://app.example.com", res.Header.Get("Access-Control-Allow-Origin"))
}
