package rest_test

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// partDPortal posts to a portal endpoint, naming the tenant in the body
// (tenant != "") and/or the X-Tenant-ID header (header != "").
func partDPortal(t *testing.T, env *apptest.Env, path, tenant, header string, body map[string]any) *apptest.Response {
	t.Helper()
	b := map[string]any{}
	for k, v := range body {
		b[k] = v
	}
	if tenant != "" {
		b["tenant_id"] = tenant
	}
	req := apptest.Request{Method: "POST", Path: "/v1/auth/" + path, Body: b}
	if header != "" {
		req.Header = map[string]string{"X-Tenant-ID": header}
	}
	return env.Do(t, req)
}

// partDEnv starts a platform whose clock sits in a minute of its own, so
// that the global per-IP identify allowance starts fresh on every run.
func partDEnv(t *testing.T) *apptest.Env {
	offset := time.Duration(rand.N(1_000_000)+1) * time.Minute
	return apptest.New(t, apptest.Options{Clock: domain.NewFakeClock(time.Now().Add(offset))})
}

func TestAuthPortalSignupAndLogin(t *testing.T) {
	env := partDEnv(t)
	a := env.NewTenant(t, "Acme")
	b := env.NewTenant(t, "Beta")
	creds := map[string]any{"email": "portal@example.com", "password": "long enough 1"}

	res := partDPortal(t, env, "portal-signup", a.ID, "", creds)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	require.NotEmpty(t, s.AccessToken)
	require.Regexp(t, `^rt_`, s.RefreshToken)
	require.Equal(t, "portal@example.com", *s.User.Email)

	// The user belongs to tenant A: its admin sees it, B's does not.
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/users/" + s.User.ID, Key: a.Key}).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: "/v1/users/" + s.User.ID, Key: b.Key}).Status)

	for _, tc := range []struct {
		name           string
		tenant, header string
		status         int
		code           string
	}{
		{"body tenant", a.ID, "", 200, ""},
		{"header tenant", "", a.ID, 200, ""},
		{"body wins over header", a.ID, b.ID, 200, ""},
		{"other tenant", "", b.ID, 401, "INVALID_CREDENTIALS"},
		{"missing tenant", "", "", 400, "VALIDATION_FAILED"},
		{"unknown tenant", domain.NewID(domain.PrefixTenant), "", 404, "NOT_FOUND"},
		{"malformed tenant", "acme", "", 404, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := partDPortal(t, env, "portal-login", tc.tenant, tc.header, creds)
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			if tc.code != "" {
				require.Equal(t, tc.code, res.Error.Code)
			}
			if tc.name == "missing tenant" {
				require.Contains(t, res.Error.Fields, "tenant_id")
			}
			if tc.status == 200 {
				var l sessionView
				res.Decode(t, &l)
				require.Equal(t, s.User.ID, l.User.ID)
			}
		})
	}

	// Signup by header, duplicate, bad input: the /v1/auth rules apply.
	res = partDPortal(t, env, "portal-signup", "", b.ID, creds)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = partDPortal(t, env, "portal-signup", "", b.ID, creds)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	res = partDPortal(t, env, "portal-signup", a.ID, "", map[string]any{"email": "x@example.com", "password": "short"})
	require.Equal(t, http.StatusBadRequest, res.Status)
	require.Contains(t, res.Error.Fields, "password")
	res = partDPortal(t, env, "portal-login", a.ID, "", map[string]any{"email": "portal@example.com", "password": "wrong one 1"})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)

	// A suspended tenant's portal is closed.
	require.Equal(t, http.StatusOK, env.Do(t, admin("POST", "/v1/admin/tenants/"+b.ID+"/suspend", nil)).Status)
	res = partDPortal(t, env, "portal-login", b.ID, "", creds)
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "TENANT_SUSPENDED", res.Error.Code)
}

func TestAuthPortalMailFlows(t *testing.T) {
	env := partDEnv(t)
	tn := env.NewTenant(t, "Mailers")
	email := domain.NewID("m") + "@example.com"
	res := partDPortal(t, env, "portal-signup", tn.ID, "", map[string]any{"email": email, "password": "long enough 1"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var s sessionView
	res.Decode(t, &s)

	// Verify the email with the mailed token.
	verify := env.LastMessage(t, tn.ID, email)
	require.Equal(t, "verification", verify.Kind)
	res = partDPortal(t, env, "portal-verify-email", "", tn.ID, map[string]any{"token": verify.Code})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.NotEmpty(t, partDMessage(t, res))
	res = partDPortal(t, env, "portal-verify-email", "", tn.ID, map[string]any{"token": verify.Code})
	require.Equal(t, http.StatusUnauthorized, res.Status, "a token works once: %s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	res = partDPortal(t, env, "portal-verify-email", "", tn.ID, map[string]any{})
	require.Equal(t, http.StatusBadRequest, res.Status)
	u := env.Do(t, apptest.Request{Path: "/v1/users/" + s.User.ID, Key: tn.Key})
	require.Contains(t, string(u.Data), `"email_verified":true`)

	// Forgot and reset the password.
	res = partDPortal(t, env, "portal-forgot-password", tn.ID, "", map[string]any{"email": email})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	same := partDPortal(t, env, "portal-forgot-password", tn.ID, "", map[string]any{"email": "ghost@example.com"})
	require.Equal(t, partDMessage(t, res), partDMessage(t, same), "no enumeration")
	recovery := env.LastMessage(t, tn.ID, email)
	require.Equal(t, "recovery", recovery.Kind)
	res = partDPortal(t, env, "portal-reset-password", tn.ID, "", map[string]any{"token": recovery.Code, "password": "brand new pass 2"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "Your password has been reset.", partDMessage(t, res))
	res = partDPortal(t, env, "portal-login", tn.ID, "", map[string]any{"email": email, "password": "brand new pass 2"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	// Magic link.
	res = partDPortal(t, env, "portal-magic-link", tn.ID, "", map[string]any{"email": email})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	magic := env.LastMessage(t, tn.ID, email)
	require.Equal(t, "magic_link", magic.Kind)
	res = partDPortal(t, env, "portal-magic-link-verify", tn.ID, "", map[string]any{"token": magic.Code})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var m sessionView
	res.Decode(t, &m)
	require.Equal(t, s.User.ID, m.User.ID)
	require.NotEmpty(t, m.AccessToken)

	// SMS one-time code.
	phone := "+15557" + partDDigits(6)
	res = partDPortal(t, env, "portal-otp-send", "", tn.ID, map[string]any{"phone": phone})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	otp := env.LastMessage(t, tn.ID, phone)
	require.Equal(t, "otp", otp.Kind)
	res = partDPortal(t, env, "portal-otp-verify", "", tn.ID, map[string]any{"phone": phone, "code": otp.Code})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var o sessionView
	res.Decode(t, &o)
	require.NotEmpty(t, o.AccessToken)

	// Every portal route needs a tenant.
	for _, path := range []string{"portal-forgot-password", "portal-login", "portal-magic-link", "portal-magic-link-verify",
		"portal-otp-send", "portal-otp-verify", "portal-reset-password", "portal-signup", "portal-verify-email"} {
		res := partDPortal(t, env, path, "", "", map[string]any{"email": email})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", path, res.Body)
		require.Contains(t, res.Error.Fields, "tenant_id", path)
	}
}

func partDMessage(t *testing.T, res *apptest.Response) string {
	t.Helper()
	var n struct {
		Message string `json:"message"`
	}
	res.Decode(t, &n)
	return n.Message
}

func partDDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rand.N(10))
	}
	return string(b)
}

func TestAuthPortalIdentify(t *testing.T) {
	env := partDEnv(t)
	zeta := env.NewTenant(t, "Zeta Corp")
	alpha := env.NewTenant(t, "Alpha Inc")
	one := domain.NewID("one") + "@example.com"
	both := domain.NewID("both") + "@example.com"
	for _, c := range []struct {
		tn    apptest.Tenant
		email string
	}{{zeta, one}, {zeta, both}, {alpha, both}} {
		partDCreateUser(t, env, c.tn.Key, map[string]any{"email": c.email})
	}

	type identified struct {
		TenantID        *string `json:"tenant_id"`
		MultipleTenants bool    `json:"multiple_tenants"`
		Tenants         []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"tenants"`
	}
	identify := func(email string) identified {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/portal-identify", Body: map[string]any{"email": email}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var out identified
		res.Decode(t, &out)
		return out
	}

	none := identify("nobody-" + domain.NewID("") + "@example.com")
	require.Nil(t, none.TenantID)
	require.False(t, none.MultipleTenants)
	require.NotNil(t, none.Tenants)
	require.Empty(t, none.Tenants)

	single := identify(one)
	require.NotNil(t, single.TenantID)
	require.Equal(t, zeta.ID, *single.TenantID)
	require.False(t, single.MultipleTenants)
	require.Len(t, single.Tenants, 1)
	require.Equal(t, "Zeta Corp", single.Tenants[0].Name)

	multi := identify(" " + both + " ") // trimmed and lower-cased like signup
	require.Nil(t, multi.TenantID)
	require.True(t, multi.MultipleTenants)
	require.Len(t, multi.Tenants, 2)
	require.Equal(t, alpha.ID, multi.Tenants[0].ID, "by name")
	require.Equal(t, "Alpha Inc", multi.Tenants[0].Name)
	require.Equal(t, zeta.ID, multi.Tenants[1].ID)

	// tenants/lookup is the same query in its own shape.
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/tenants/lookup", Body: map[string]any{"email": both}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `[{"tenant_id":"`+alpha.ID+`","brand_name":"Alpha Inc"},{"tenant_id":"`+zeta.ID+`","brand_name":"Zeta Corp"}]`, string(res.Data))

	// A suspended tenant is not offered.
	require.Equal(t, http.StatusOK, env.Do(t, admin("POST", "/v1/admin/tenants/"+zeta.ID+"/suspend", nil)).Status)
	require.Len(t, identify(both).Tenants, 1)

	for _, path := range []string{"/v1/auth/portal-identify", "/v1/tenants/lookup"} {
		res := env.Do(t, apptest.Request{Method: "POST", Path: path, Body: map[string]any{"email": "not an email"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "email")
	}

	// Five lookups so far this minute (malformed ones are not counted); the
	// allowance is 10 per IP, across both endpoints.
	for i := 0; i < 5; i++ {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/tenants/lookup", Body: map[string]any{"email": one}})
		require.Equal(t, http.StatusOK, res.Status, "lookup %d: %s", 6+i, res.Body)
	}
	last := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/portal-identify", Body: map[string]any{"email": one}})
	require.Equal(t, http.StatusTooManyRequests, last.Status, "%s", last.Body)
	require.Equal(t, "RATE_LIMITED", last.Error.Code)
	require.NotEmpty(t, last.Header.Get("Retry-After"))
}
