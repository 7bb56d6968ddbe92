package rest_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/hkdf"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
)

// linksToken returns the token carried by a mailed link.
func linksToken(t *testing.T, msg db.AuthMessage) string {
	t.Helper()
	u, err := url.Parse(msg.Link)
	require.NoError(t, err)
	tok := u.Query().Get("token")
	require.NotEmpty(t, tok, "link %s has no token", msg.Link)
	return tok
}

// linksConfig stores a tenant's auth configuration document directly (the
// auth-config endpoint is another part's), optionally with sealed secrets.
func linksConfig(t *testing.T, env *apptest.Env, tenantID, doc string, secretsEnc []byte) {
	t.Helper()
	require.NoError(t, db.AuthConfigUpsert(context.Background(), env.App.Core.DB, &db.AuthConfig{TenantID: tenantID,
		Config: json.RawMessage(doc), SecretsEnc: secretsEnc, UpdatedAt: time.Now()}))
}

// linksUser reads a user row (to check verification times and bans).
func linksUser(t *testing.T, env *apptest.Env, tenantID, email string) *db.AuthUser {
	t.Helper()
	u, err := db.AuthUserByEmail(context.Background(), env.App.Core.DB, tenantID, email)
	require.NoError(t, err)
	return u
}

func TestAuthLinksVerifyEmail(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	_, otherPub := authTenant(t, env)

	t.Run("GET browser link without a key", func(t *testing.T) {
		signUp(t, env, pub, "get@example.com", "long enough 1")
		msg := env.LastMessage(t, tn.ID, "get@example.com")
		require.Equal(t, "verification", msg.Kind)
		u, err := url.Parse(msg.Link)
		require.NoError(t, err)
		require.Equal(t, "/v1/auth/verify", u.Path)
		require.Nil(t, linksUser(t, env, tn.ID, "get@example.com").EmailVerifiedAt)

		res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/verify?" + u.RawQuery})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var v map[string]any
		res.Decode(t, &v)
		require.Equal(t, map[string]any{"verified": true}, v)
		require.NotNil(t, linksUser(t, env, tn.ID, "get@example.com").EmailVerifiedAt)

		res = env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/verify?" + u.RawQuery})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})

	t.Run("POST with the publishable key; another tenant's key cannot use it", func(t *testing.T) {
		signUp(t, env, pub, "post@example.com", "long enough 1")
		tok := linksToken(t, env.LastMessage(t, tn.ID, "post@example.com"))
		body := map[string]any{"token": tok, "type": "signup"}

		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: otherPub, Body: body})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)

		res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: body})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"verified":true}`, string(res.Data))

		res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: body})
		require.Equal(t, http.StatusUnauthorized, res.Status)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})

	t.Run("token for an email since replaced", func(t *testing.T) {
		signUp(t, env, pub, "old@example.com", "long enough 1")
		tok := linksToken(t, env.LastMessage(t, tn.ID, "old@example.com"))
		_, err := env.App.Core.DB.NewUpdate().Table("auth_users").Set("email = ?", "new@example.com").
			Where("tenant_id = ? AND email = ?", tn.ID, "old@example.com").Exec(context.Background())
		require.NoError(t, err)
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: map[string]any{"token": tok}})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
		require.Nil(t, linksUser(t, env, tn.ID, "new@example.com").EmailVerifiedAt)
	})

	bad := []struct {
		name   string
		req    apptest.Request
		status int
		code   string
		field  string
	}{
		{"unknown token", apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: map[string]any{"token": "nope"}}, 401, "INVALID_TOKEN", ""},
		{"missing token", apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: map[string]any{}}, 400, "VALIDATION_FAILED", "token"},
		{"unknown type", apptest.Request{Method: "POST", Path: "/v1/auth/verify", Key: pub, Body: map[string]any{"token": "x", "type": "bogus"}}, 400, "VALIDATION_FAILED", "type"},
		{"GET without tenant", apptest.Request{Method: "GET", Path: "/v1/auth/verify?token=abc"}, 400, "VALIDATION_FAILED", "tenant_id"},
		{"GET unknown tenant", apptest.Request{Method: "GET", Path: "/v1/auth/verify?token=abc&tenant_id=tn_doesnotexist00000000"}, 404, "NOT_FOUND", ""},
		{"GET unknown token", apptest.Request{Method: "GET", Path: "/v1/auth/verify?token=abc&type=signup&tenant_id=" + tn.ID}, 401, "INVALID_TOKEN", ""},
		{"POST without key", apptest.Request{Method: "POST", Path: "/v1/auth/verify", Body: map[string]any{"token": "abc"}}, 401, "UNAUTHORIZED", ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, tc.req)
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
			if tc.field != "" {
				require.Contains(t, res.Error.Fields, tc.field)
			}
		})
	}
}

func TestAuthLinksPasswordReset(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	linksConfig(t, env, tn.ID, `{"redirect_urls":["https://app.example/*"],"rate_limits":{"password_reset_per_minute":100}}`, nil)
	old := signUp(t, env, pub, "reset@example.com", "old password 1")
	second := logIn(t, env, pub, "reset@example.com", "old password 1")
	require.Equal(t, http.StatusOK, second.Status)
	var secondSess sessionView
	second.Decode(t, &secondSess)

	forgot := func(email string, extra map[string]any) *apptest.Response {
		body := map[string]any{"email": email}
		for k, v := range extra {
			body[k] = v
		}
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/forgot-password", Key: pub, Body: body})
	}

	// Known and unknown emails get the very same answer; only the known
	// one gets mail.
	known := forgot("Reset@Example.com", map[string]any{"redirect_to": "https://app.example/reset"})
	require.Equal(t, http.StatusOK, known.Status, "%s", known.Body)
	unknown := forgot("ghost@example.com", nil)
	require.Equal(t, http.StatusOK, unknown.Status, "%s", unknown.Body)
	require.JSONEq(t, string(known.Data), string(unknown.Data))
	require.Empty(t, env.Messages(t, tn.ID, "ghost@example.com"))

	msg := env.LastMessage(t, tn.ID, "reset@example.com")
	require.Equal(t, "recovery", msg.Kind)
	require.True(t, strings.HasPrefix(msg.Link, "https://app.example/reset?"), msg.Link)
	require.Contains(t, msg.Link, "type=recovery")
	require.Contains(t, msg.Link, "tenant_id="+tn.ID)
	tok := linksToken(t, msg)

	reset := func(token, password string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/reset-password", Key: pub,
			Body: map[string]any{"token": token, "password": password}})
	}

	// A password the policy refuses does not burn the token.
	res := reset(tok, "short")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "password")

	res = reset(tok, "brand new password 2")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"password_reset":true}`, string(res.Data))

	res = reset(tok, "another password 3")
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	// Every session of the user ended.
	for _, s := range []sessionView{old, secondSess} {
		res = env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: s.AccessToken})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	}
	require.Equal(t, http.StatusUnauthorized, logIn(t, env, pub, "reset@example.com", "old password 1").Status)
	require.Equal(t, http.StatusOK, logIn(t, env, pub, "reset@example.com", "brand new password 2").Status)
	// The link proved the mailbox.
	require.NotNil(t, linksUser(t, env, tn.ID, "reset@example.com").EmailVerifiedAt)

	bad := []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"malformed email", "/v1/auth/forgot-password", map[string]any{"email": "not-an-email"}, 400, "VALIDATION_FAILED", "email"},
		{"missing email", "/v1/auth/forgot-password", map[string]any{}, 400, "VALIDATION_FAILED", "email"},
		{"redirect not allowlisted", "/v1/auth/forgot-password", map[string]any{"email": "reset@example.com", "redirect_to": "https://evil.example/"}, 400, "VALIDATION_FAILED", "redirect_to"},
		{"unknown token", "/v1/auth/reset-password", map[string]any{"token": "nope", "password": "good password 4"}, 401, "INVALID_TOKEN", ""},
		{"missing token", "/v1/auth/reset-password", map[string]any{"password": "good password 4"}, 400, "VALIDATION_FAILED", "token"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "POST", Path: tc.path, Key: pub, Body: tc.body})
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			require.Equal(t, tc.code, res.Error.Code)
			if tc.field != "" {
				require.Contains(t, res.Error.Fields, tc.field)
			}
		})
	}

	t.Run("banned users get no mail, with the same answer", func(t *testing.T) {
		signUp(t, env, pub, "banned@example.com", "long enough 1")
		_, err := env.App.Core.DB.NewUpdate().Table("auth_users").Set("banned = true").
			Where("tenant_id = ? AND email = ?", tn.ID, "banned@example.com").Exec(context.Background())
		require.NoError(t, err)
		before := len(env.Messages(t, tn.ID, "banned@example.com"))
		res := forgot("banned@example.com", nil)
		require.Equal(t, http.StatusOK, res.Status)
		require.JSONEq(t, string(known.Data), string(res.Data))
		require.Len(t, env.Messages(t, tn.ID, "banned@example.com"), before)
	})
}

// linksSealSecrets seals a secrets document the way the identity service
// does (AES-256-GCM under an HKDF-derived key, bound to the tenant), so the
// test can set a CAPTCHA secret without the auth-config endpoint.
func linksSealSecrets(t *testing.T, env *apptest.Env, tenantID string, secrets map[string]any) []byte {
	t.Helper()
	key := make([]byte, 32)
	_, err := io.ReadFull(hkdf.New(sha256.New, env.App.Core.Secret, nil, []byte("platform/identity/seal")), key)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	aead, err := cipher.NewGCM(block)
	require.NoError(t, err)
	plain, err := json.Marshal(secrets)
	require.NoError(t, err)
	nonce := make([]byte, aead.NonceSize())
	_, err = rand.Read(nonce)
	require.NoError(t, err)
	return aead.Seal(nonce, nonce, plain, []byte("auth_config:"+tenantID))
}

func TestAuthLinksForgotPasswordCaptcha(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	verifier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		ok := r.PostForm.Get("secret") == "captcha-secret" && r.PostForm.Get("response") == "human"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]bool{"success": ok})
	}))
	defer verifier.Close()
	signUp(t, env, pub, "cap@example.com", "long enough 1")
	linksConfig(t, env, tn.ID, `{"captcha_verify_url":"`+verifier.URL+`"}`,
		linksSealSecrets(t, env, tn.ID, map[string]any{"captcha_secret": "captcha-secret"}))
	before := len(env.Messages(t, tn.ID, "cap@example.com"))

	for _, tc := range []struct {
		name  string
		token string
	}{{"missing token", ""}, {"rejected token", "robot"}} {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/forgot-password", Key: pub,
				Body: map[string]any{"email": "cap@example.com", "turnstile_token": tc.token}})
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			require.Contains(t, res.Error.Fields, "turnstile_token")
		})
	}
	require.Len(t, env.Messages(t, tn.ID, "cap@example.com"), before)

	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/forgot-password", Key: pub,
		Body: map[string]any{"email": "cap@example.com", "turnstile_token": "human"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "recovery", env.LastMessage(t, tn.ID, "cap@example.com").Kind)
}

func TestAuthLinksMagicLink(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	_, otherPub := authTenant(t, env)

	send := func(key, email string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/magic-link", Key: key, Body: map[string]any{"email": email}})
	}
	verify := func(key, token string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/magic-link/verify", Key: key, Body: map[string]any{"token": token}})
	}

	existing := signUp(t, env, pub, "magic@example.com", "long enough 1")
	first := send(pub, "magic@example.com")
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
	msg := env.LastMessage(t, tn.ID, "magic@example.com")
	require.Equal(t, "magic_link", msg.Kind)
	require.Contains(t, msg.Link, "type=magiclink")
	tok := linksToken(t, msg)

	res := verify(otherPub, tok)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	res = verify(pub, tok)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	require.Equal(t, existing.User.ID, s.User.ID)
	require.NotEmpty(t, s.AccessToken)
	require.NotEmpty(t, s.RefreshToken)
	require.NotNil(t, linksUser(t, env, tn.ID, "magic@example.com").EmailVerifiedAt)

	res = verify(pub, tok)
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	t.Run("new address signs up", func(t *testing.T) {
		res := send(pub, "Fresh@Example.com")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, string(first.Data), string(res.Data))
		u := linksUser(t, env, tn.ID, "fresh@example.com")
		require.Nil(t, u.PasswordHash)
		require.Nil(t, u.EmailVerifiedAt)
		res = verify(pub, linksToken(t, env.LastMessage(t, tn.ID, "fresh@example.com")))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var s sessionView
		res.Decode(t, &s)
		require.Equal(t, u.ID, s.User.ID)
		require.NotNil(t, linksUser(t, env, tn.ID, "fresh@example.com").EmailVerifiedAt)
	})

	t.Run("banned user", func(t *testing.T) {
		signUp(t, env, pub, "bad@example.com", "long enough 1")
		require.Equal(t, http.StatusOK, send(pub, "bad@example.com").Status)
		tok := linksToken(t, env.LastMessage(t, tn.ID, "bad@example.com"))
		_, err := env.App.Core.DB.NewUpdate().Table("auth_users").Set("banned = true").
			Where("tenant_id = ? AND email = ?", tn.ID, "bad@example.com").Exec(context.Background())
		require.NoError(t, err)
		res := verify(pub, tok)
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		require.Equal(t, "USER_BANNED", res.Error.Code)
	})

	t.Run("redirect not allowlisted", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/magic-link", Key: pub,
			Body: map[string]any{"email": "magic@example.com", "redirect_to": "https://evil.example/"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "redirect_to")
	})

	t.Run("bad email", func(t *testing.T) {
		res := send(pub, "nope")
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "email")
	})

	t.Run("closed sign-ups: unknown address gets nothing, same answer", func(t *testing.T) {
		closed, closedPub := authTenant(t, env)
		linksConfig(t, env, closed.ID, `{"signup_enabled":false}`, nil)
		res := send(closedPub, "stranger@example.com")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, string(first.Data), string(res.Data))
		require.Empty(t, env.Messages(t, closed.ID, "stranger@example.com"))
	})

	t.Run("disabled", func(t *testing.T) {
		off, offPub := authTenant(t, env)
		linksConfig(t, env, off.ID, `{"magic_link_enabled":false}`, nil)
		res := send(offPub, "magic@example.com")
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		require.Equal(t, "FORBIDDEN", res.Error.Code)
		res = verify(offPub, "whatever")
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	})
}

func TestAuthLinksFloodLimits(t *testing.T) {
	env := apptest.New(t)

	t.Run("per-IP throttle on forgot-password", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		linksConfig(t, env, tn.ID, `{"rate_limits":{"password_reset_per_minute":2}}`, nil)
		for i := 0; i < 2; i++ {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/forgot-password", Key: pub, Body: map[string]any{"email": "a@example.com"}})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		}
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/forgot-password", Key: pub, Body: map[string]any{"email": "a@example.com"}})
		require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
		require.Equal(t, "RATE_LIMITED", res.Error.Code)
		require.NotEmpty(t, res.Header.Get("Retry-After"))
	})

	t.Run("at most five links an hour to one mailbox, same answer", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		linksConfig(t, env, tn.ID, `{"rate_limits":{"magic_link_per_minute":100}}`, nil)
		for i := 0; i < 7; i++ {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/magic-link", Key: pub, Body: map[string]any{"email": "flood@example.com"}})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		}
		require.Len(t, env.Messages(t, tn.ID, "flood@example.com"), 5)
	})
}
