package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// partDConfig is the part of GET /v1/auth-config the tests read.
type partDConfig struct {
	PasswordMinLength    int      `json:"password_min_length"`
	EmailConfirmRequired bool     `json:"email_confirm_required"`
	MagicLinkEnabled     bool     `json:"magic_link_enabled"`
	OTPEnabled           bool     `json:"otp_enabled"`
	AnonymousEnabled     bool     `json:"anonymous_enabled"`
	SignupEnabled        bool     `json:"signup_enabled"`
	JWTExpirySecs        int      `json:"jwt_expiry_secs"`
	RedirectURLs         []string `json:"redirect_urls"`
	CaptchaVerifyURL     string   `json:"captcha_verify_url"`
	CaptchaSecretSet     bool     `json:"captcha_secret_set"`
	Providers            map[string]struct {
		Enabled         bool     `json:"enabled"`
		ClientID        string   `json:"client_id"`
		ClientSecretSet bool     `json:"client_secret_set"`
		AuthURL         string   `json:"auth_url"`
		TokenURL        string   `json:"token_url"`
		UserinfoURL     string   `json:"userinfo_url"`
		Scopes          []string `json:"scopes"`
	} `json:"providers"`
	SAMLProviders map[string]map[string]any `json:"saml_providers"`
	RateLimits    map[string]int            `json:"rate_limits"`
	Lockout       map[string]int            `json:"lockout"`
}

// partDPatchConfig patches the auth config and returns the answer.
func partDPatchConfig(t *testing.T, env *apptest.Env, key string, body map[string]any) (partDConfig, *apptest.Response) {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: key, Body: body})
	require.Equal(t, http.StatusOK, res.Status, "patch auth-config: %s", res.Body)
	var c partDConfig
	res.Decode(t, &c)
	return c, res
}

func partDGetConfig(t *testing.T, env *apptest.Env, key string) (partDConfig, *apptest.Response) {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/auth-config", Key: key})
	require.Equal(t, http.StatusOK, res.Status, "get auth-config: %s", res.Body)
	var c partDConfig
	res.Decode(t, &c)
	return c, res
}

func TestAuthConfigGetAndPatch(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)

	c, _ := partDGetConfig(t, env, tn.Key)
	require.Equal(t, 8, c.PasswordMinLength)
	require.Equal(t, 3600, c.JWTExpirySecs)
	require.True(t, c.SignupEnabled)
	require.True(t, c.MagicLinkEnabled)
	require.True(t, c.OTPEnabled)
	require.False(t, c.AnonymousEnabled)
	require.False(t, c.EmailConfirmRequired)
	require.False(t, c.CaptchaSecretSet)
	require.Empty(t, c.RedirectURLs)
	require.Equal(t, 30, c.RateLimits["signup_per_minute"])
	require.Equal(t, 60, c.RateLimits["login_per_minute"])
	require.Equal(t, 5, c.Lockout["max_attempts"])

	// Partial updates keep what they do not name.
	c, _ = partDPatchConfig(t, env, tn.Key, map[string]any{"password_min_length": 12, "rate_limits": map[string]any{"login_per_minute": 100}})
	require.Equal(t, 12, c.PasswordMinLength)
	require.Equal(t, 3600, c.JWTExpirySecs)
	require.Equal(t, 100, c.RateLimits["login_per_minute"])
	require.Equal(t, 30, c.RateLimits["signup_per_minute"])
	c, _ = partDPatchConfig(t, env, tn.Key, map[string]any{"jwt_expiry_secs": 600, "lockout": map[string]any{"max_attempts": 0}})
	require.Equal(t, 12, c.PasswordMinLength)
	require.Equal(t, 600, c.JWTExpirySecs)
	require.Equal(t, 0, c.Lockout["max_attempts"])
	require.Equal(t, 900, c.Lockout["duration_secs"])
	got, _ := partDGetConfig(t, env, tn.Key)
	require.Equal(t, c, got)

	// The settings take effect.
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
		Body: map[string]any{"email": "ten@example.com", "password": "0123456789"}})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "password")
	s := signUp(t, env, pub, "twelve@example.com", "0123456789ab")
	require.Equal(t, 600, s.ExpiresIn)

	t.Run("another tenant keeps defaults", func(t *testing.T) {
		other := env.NewTenant(t)
		c, _ := partDGetConfig(t, env, other.Key)
		require.Equal(t, 8, c.PasswordMinLength)
	})
}

func TestAuthConfigSecretsAndProviders(t *testing.T) {
	env := apptest.New(t)
	tn, _ := authTenant(t, env)
	const captchaSecret, clientSecret = "captcha-SECRET-value-1", "oauth-CLIENT-secret-2"

	c, res := partDPatchConfig(t, env, tn.Key, map[string]any{
		"captcha_secret": captchaSecret,
		"providers": map[string]any{
			"google": map[string]any{"enabled": true, "client_id": "gid", "client_secret": clientSecret},
			"custom": map[string]any{"client_id": "cid", "auth_url": "https://id.example.com/authorize",
				"token_url": "https://id.example.com/token", "scopes": []string{"openid", "email"}},
		},
		"saml_providers": map[string]any{"okta": map[string]any{"enabled": true, "metadata_url": "https://okta.example.com/metadata"}},
	})
	require.True(t, c.CaptchaSecretSet)
	g := c.Providers["google"]
	require.True(t, g.ClientSecretSet)
	require.Equal(t, "https://accounts.google.com/o/oauth2/v2/auth", g.AuthURL, "preset endpoints")
	require.Equal(t, "https://oauth2.googleapis.com/token", g.TokenURL)
	require.Equal(t, "https://openidconnect.googleapis.com/v1/userinfo", g.UserinfoURL)
	require.False(t, c.Providers["custom"].ClientSecretSet)
	require.Equal(t, []string{"openid", "email"}, c.Providers["custom"].Scopes)
	require.Equal(t, "https://okta.example.com/metadata", c.SAMLProviders["okta"]["metadata_url"])

	_, get := partDGetConfig(t, env, tn.Key)
	for _, body := range [][]byte{res.Body, get.Body} {
		require.NotContains(t, string(body), captchaSecret)
		require.NotContains(t, string(body), clientSecret)
		require.NotContains(t, string(body), `"client_secret"`)
		require.NotContains(t, string(body), `"captcha_secret"`)
	}

	// Patching a provider keeps its other members and its secret; null
	// removes one; "" clears a secret.
	c, _ = partDPatchConfig(t, env, tn.Key, map[string]any{
		"providers": map[string]any{"google": map[string]any{"enabled": false}, "custom": nil, "github": map[string]any{"client_id": "gh"}},
	})
	require.False(t, c.Providers["google"].Enabled)
	require.Equal(t, "gid", c.Providers["google"].ClientID)
	require.True(t, c.Providers["google"].ClientSecretSet)
	require.NotContains(t, c.Providers, "custom")
	require.Equal(t, "https://github.com/login/oauth/authorize", c.Providers["github"].AuthURL)
	require.True(t, c.CaptchaSecretSet, "untouched")
	c, _ = partDPatchConfig(t, env, tn.Key, map[string]any{"captcha_secret": "", "providers": map[string]any{"google": map[string]any{"client_secret": ""}}})
	require.False(t, c.CaptchaSecretSet)
	require.False(t, c.Providers["google"].ClientSecretSet)

	// The audit log names what changed, never a secret.
	_, _ = partDPatchConfig(t, env, tn.Key, map[string]any{"captcha_secret": captchaSecret})
	var changes []string
	err := env.App.Core.DB.NewSelect().Table("audit_logs").Column("changes").
		Where("tenant_id = ? AND resource_type = 'auth_config'", tn.ID).OrderExpr("created_at").Scan(context.Background(), &changes)
	require.NoError(t, err)
	require.Len(t, changes, 4)
	require.Contains(t, changes[0], `"captcha_secret"`)
	require.Contains(t, changes[0], `"providers.google.client_secret"`)
	for _, c := range changes {
		require.NotContains(t, c, captchaSecret)
		require.NotContains(t, c, clientSecret)
	}
}

func TestAuthConfigValidation(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	read := scopedKey(t, env, tn.Key, "read")
	manyURLs := make([]string, 101)
	for i := range manyURLs {
		manyURLs[i] = "https://app.example.com/" + strings.Repeat("a", i%5+1)
	}

	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"min length too small", map[string]any{"password_min_length": 5}, "password_min_length"},
		{"min length too large", map[string]any{"password_min_length": 129}, "password_min_length"},
		{"min length not a number", map[string]any{"password_min_length": "12"}, "password_min_length"},
		{"jwt expiry too short", map[string]any{"jwt_expiry_secs": 60}, "jwt_expiry_secs"},
		{"jwt expiry too long", map[string]any{"jwt_expiry_secs": 86401}, "jwt_expiry_secs"},
		{"session lifetime", map[string]any{"session_lifetime_secs": 60}, "session_lifetime_secs"},
		{"redirect not a url", map[string]any{"redirect_urls": []string{"not a url"}}, "redirect_urls"},
		{"redirect javascript", map[string]any{"redirect_urls": []string{"javascript:alert(1)"}}, "redirect_urls"},
		{"too many redirects", map[string]any{"redirect_urls": manyURLs}, "redirect_urls"},
		{"captcha url", map[string]any{"captcha_verify_url": "ftp://captcha.example.com"}, "captcha_verify_url"},
		{"rate limit zero", map[string]any{"rate_limits": map[string]any{"login_per_minute": 0}}, "rate_limits.login_per_minute"},
		{"rate limit huge", map[string]any{"rate_limits": map[string]any{"signup_per_minute": 10001}}, "rate_limits.signup_per_minute"},
		{"lockout attempts", map[string]any{"lockout": map[string]any{"max_attempts": 101}}, "lockout.max_attempts"},
		{"lockout duration", map[string]any{"lockout": map[string]any{"duration_secs": 10}}, "lockout.duration_secs"},
		{"provider name", map[string]any{"providers": map[string]any{"Bad Name": map[string]any{"client_id": "x"}}}, "providers"},
		{"custom provider without urls", map[string]any{"providers": map[string]any{"acme": map[string]any{"client_id": "x"}}}, "providers.acme.auth_url"},
		{"provider bad url", map[string]any{"providers": map[string]any{"google": map[string]any{"token_url": "not a url"}}}, "providers.google.token_url"},
		{"saml without metadata", map[string]any{"saml_providers": map[string]any{"okta": map[string]any{"enabled": true}}}, "saml_providers.okta"},
		{"saml bad url", map[string]any{"saml_providers": map[string]any{"okta": map[string]any{"metadata_url": "file:///etc/passwd"}}}, "saml_providers.okta.metadata_url"},
		{"saml xml too large", map[string]any{"saml_providers": map[string]any{"okta": map[string]any{"metadata_xml": strings.Repeat("x", 257<<10)}}}, "saml_providers.okta.metadata_xml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: tc.body})
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
			require.Contains(t, res.Error.Fields, tc.field, "%s", res.Body)
		})
	}
	// Nothing of the refused updates was stored.
	c, _ := partDGetConfig(t, env, tn.Key)
	require.Equal(t, 8, c.PasswordMinLength)
	require.Empty(t, c.Providers)
	require.Empty(t, c.SAMLProviders)

	for _, key := range []string{read, pub} {
		for _, m := range []string{"GET", "PATCH"} {
			res := env.Do(t, apptest.Request{Method: m, Path: "/v1/auth-config", Key: key, Body: map[string]any{"password_min_length": 6}})
			require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
			require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
		}
	}
}

func TestAuthConfigEmailConfirmAndRedirects(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	partDPatchConfig(t, env, tn.Key, map[string]any{"email_confirm_required": true,
		"redirect_urls": []string{"https://app.example.com/auth/*", "https://exact.example.com/cb"}})

	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
		Body: map[string]any{"email": "confirm@example.com", "password": "long enough 1", "redirect_to": "https://app.example.com/auth/welcome"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.NotContains(t, string(res.Data), "access_token")
	require.Contains(t, string(res.Data), `"email_confirmation_required":true`)
	msg := env.LastMessage(t, tn.ID, "confirm@example.com")
	require.True(t, strings.HasPrefix(msg.Link, "https://app.example.com/auth/welcome?"), msg.Link)

	res = logIn(t, env, pub, "confirm@example.com", "long enough 1")
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "EMAIL_NOT_CONFIRMED", res.Error.Code)

	for _, tc := range []struct {
		to     string
		status int
	}{
		{"https://exact.example.com/cb", 200},
		{"https://exact.example.com/cb/more", 400},
		{"https://app.example.com/other", 400},
		{"https://evil.example.com/auth/", 400},
	} {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
			Body: map[string]any{"email": domain.NewID("r") + "@example.com", "password": "long enough 1", "redirect_to": tc.to}})
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.to, res.Body)
		if tc.status == 400 {
			require.Contains(t, res.Error.Fields, "redirect_to")
		}
	}
}

func TestAuthConfigCaptcha(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	var calls atomic.Int32
	verifier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_ = r.ParseForm()
		ok := r.PostForm.Get("secret") == "turnstile-secret" && r.PostForm.Get("response") == "good-token"
		w.Header().Set("Content-Type", "application/json")
		if ok {
			_, _ = w.Write([]byte(`{"success": true}`))
			return
		}
		_, _ = w.Write([]byte(`{"success": false, "error-codes": ["invalid-input-response"]}`))
	}))
	t.Cleanup(verifier.Close)

	// Without a secret the token is ignored.
	signUp(t, env, pub, "before@example.com", "long enough 1")
	require.Zero(t, calls.Load())

	c, _ := partDPatchConfig(t, env, tn.Key, map[string]any{"captcha_secret": "turnstile-secret", "captcha_verify_url": verifier.URL + "/siteverify"})
	require.True(t, c.CaptchaSecretSet)
	require.Equal(t, verifier.URL+"/siteverify", c.CaptchaVerifyURL)

	signup := func(email, token string) *apptest.Response {
		body := map[string]any{"email": email, "password": "long enough 1"}
		if token != "" {
			body["turnstile_token"] = token
		}
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub, Body: body})
	}
	res := signup("none@example.com", "")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "turnstile_token")
	res = signup("bad@example.com", "bad-token")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "turnstile_token")
	res = signup("good@example.com", "good-token")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.EqualValues(t, 2, calls.Load(), "a missing token is refused without a call")

	// Login checks it too.
	res = logIn(t, env, pub, "good@example.com", "long enough 1")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "turnstile_token")
}

func TestAuthConfigSignupRateLimit(t *testing.T) {
	// A fixed clock keeps the three signups in one window.
	env := apptest.New(t, apptest.Options{Clock: domain.NewFakeClock(time.Now())})
	tn, pub := authTenant(t, env)
	partDPatchConfig(t, env, tn.Key, map[string]any{"rate_limits": map[string]any{"signup_per_minute": 2}})

	signUp(t, env, pub, "one@example.com", "long enough 1")
	signUp(t, env, pub, "two@example.com", "long enough 1")
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
		Body: map[string]any{"email": "three@example.com", "password": "long enough 1"}})
	require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
	require.Equal(t, "RATE_LIMITED", res.Error.Code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))

	// Login has its own allowance.
	require.Equal(t, http.StatusOK, logIn(t, env, pub, "one@example.com", "long enough 1").Status)
}
