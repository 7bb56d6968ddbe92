package rest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// oauthFake is a local OAuth 2.0 provider: it issues codes for the
// authorization requests a test approves, exchanges them once (checking the
// client, the redirect URI and PKCE) and serves the user's claims.
type oauthFake struct {
	srv      *httptest.Server
	clientID string
	secret   string

	mu     sync.Mutex
	grants map[string]*oauthGrant    // code → grant
	tokens map[string]map[string]any // access token → claims
	seq    int
	// pkceFailures counts exchanges refused for a wrong code_verifier.
	pkceFailures int
}

type oauthGrant struct {
	challenge   string
	redirectURI string
	claims      map[string]any
	used        bool
}

func oauthNewFake(t *testing.T) *oauthFake {
	f := &oauthFake{clientID: "acme-client", secret: "acme-secret-1",
		grants: map[string]*oauthGrant{}, tokens: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /userinfo", f.userinfo)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func oauthJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *oauthFake) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != f.clientID || secret != f.secret {
		oauthJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.grants[r.PostForm.Get("code")]
	if r.PostForm.Get("grant_type") != "authorization_code" || g == nil || g.used {
		oauthJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown or used code"})
		return
	}
	g.used = true // single use, whatever the outcome
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		f.pkceFailures++
		oauthJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	if r.PostForm.Get("redirect_uri") != g.redirectURI {
		oauthJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
		return
	}
	access := "at-" + r.PostForm.Get("code")
	f.tokens[access] = g.claims
	oauthJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "bearer", "expires_in": 3600})
}

func (f *oauthFake) userinfo(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	claims, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	f.mu.Unlock()
	if !ok {
		oauthJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	oauthJSON(w, http.StatusOK, claims)
}

// approve plays the user consenting at the provider: it checks the
// authorization request the platform redirected to and issues a code for
// claims. It returns the state and the code the provider would send back.
func (f *oauthFake) approve(t *testing.T, location string, claims map[string]any) (state, code string) {
	t.Helper()
	u, err := url.Parse(location)
	require.NoError(t, err)
	require.Equal(t, f.srv.URL+"/authorize", u.Scheme+"://"+u.Host+u.Path)
	q := u.Query()
	require.Equal(t, f.clientID, q.Get("client_id"))
	require.Equal(t, "code", q.Get("response_type"))
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.NotEmpty(t, q.Get("code_challenge"))
	require.NotEmpty(t, q.Get("state"))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	code = fmt.Sprintf("code-%d", f.seq)
	f.grants[code] = &oauthGrant{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri"), claims: claims}
	return q.Get("state"), code
}

// oauthGet sends a GET without following redirects.
func oauthGet(t *testing.T, env *apptest.Env, path, key string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &apptest.Response{Status: res.StatusCode, Header: res.Header, Body: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, out)
	}
	return out
}

// oauthTenant provisions a tenant with the fake provider as "acme".
func oauthTenant(t *testing.T, env *apptest.Env, f *oauthFake) (apptest.Tenant, string) {
	t.Helper()
	tn, pub := authTenant(t, env)
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{
		"providers": map[string]any{
			"acme": map[string]any{"enabled": true, "client_id": f.clientID, "client_secret": f.secret,
				"auth_url": f.srv.URL + "/authorize", "token_url": f.srv.URL + "/token",
				"userinfo_url": f.srv.URL + "/userinfo", "scopes": []string{"openid", "email"}},
			"off": map[string]any{"enabled": false, "client_id": "x", "auth_url": f.srv.URL + "/authorize",
				"token_url": f.srv.URL + "/token", "userinfo_url": f.srv.URL + "/userinfo"},
			"apple": map[string]any{"enabled": true, "client_id": "com.example.app"},
		},
		"redirect_urls": []string{"https://app.example.com/*"},
	}})
	require.Equal(t, http.StatusOK, res.Status, "auth-config: %s", res.Body)
	return tn, pub
}

// oauthStart opens the start link as a browser would (tenant in the query).
func oauthStart(t *testing.T, env *apptest.Env, tenantID, provider, redirectTo string) *apptest.Response {
	t.Helper()
	q := url.Values{"tenant_id": {tenantID}}
	if redirectTo != "" {
		q.Set("redirect_to", redirectTo)
	}
	return oauthGet(t, env, "/v1/auth/oauth/"+provider+"?"+q.Encode(), "")
}

func oauthCallback(t *testing.T, env *apptest.Env, provider string, q url.Values) *apptest.Response {
	t.Helper()
	return oauthGet(t, env, "/v1/auth/oauth/"+provider+"/callback?"+q.Encode(), "")
}

// oauthBegin starts a sign-in and has the provider approve it for claims.
func oauthBegin(t *testing.T, env *apptest.Env, f *oauthFake, tenantID, redirectTo string, claims map[string]any) (state, code string) {
	t.Helper()
	res := oauthStart(t, env, tenantID, "acme", redirectTo)
	require.Equal(t, http.StatusFound, res.Status, "start: %s", res.Body)
	return f.approve(t, res.Header.Get("Location"), claims)
}

// oauthSignIn runs the whole flow and returns the callback's answer.
func oauthSignIn(t *testing.T, env *apptest.Env, f *oauthFake, tenantID string, claims map[string]any) *apptest.Response {
	t.Helper()
	state, code := oauthBegin(t, env, f, tenantID, "", claims)
	return oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}})
}

func oauthSession(t *testing.T, res *apptest.Response) sessionView {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "callback: %s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	return s
}

func oauthMe(t *testing.T, env *apptest.Env, token string) userView {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: token})
	require.Equal(t, http.StatusOK, res.Status, "me: %s", res.Body)
	var u userView
	res.Decode(t, &u)
	return u
}

func oauthRequireError(t *testing.T, res *apptest.Response, status int, code string) {
	t.Helper()
	require.Equal(t, status, res.Status, "%s", res.Body)
	require.Equal(t, code, res.Error.Code, "%s", res.Body)
}

func TestAuthOAuthFlow(t *testing.T) {
	env := apptest.New(t)
	f := oauthNewFake(t)
	tn, pub := oauthTenant(t, env, f)

	t.Run("start redirects to the provider with PKCE and a signed state", func(t *testing.T) {
		res := oauthStart(t, env, tn.ID, "acme", "")
		require.Equal(t, http.StatusFound, res.Status, "%s", res.Body)
		u, err := url.Parse(res.Header.Get("Location"))
		require.NoError(t, err)
		q := u.Query()
		require.Equal(t, "openid email", q.Get("scope"))
		require.True(t, strings.HasSuffix(q.Get("redirect_uri"), "/v1/auth/oauth/acme/callback"), q.Get("redirect_uri"))
		parts := strings.Split(q.Get("state"), ".")
		require.Len(t, parts, 3)
		require.Equal(t, tn.ID, parts[0], "the state names its tenant")
		require.Len(t, q.Get("code_challenge"), 43)

		// A key of the tenant may name it instead of the query.
		res = oauthGet(t, env, "/v1/auth/oauth/acme", pub)
		require.Equal(t, http.StatusFound, res.Status, "%s", res.Body)
	})

	var first sessionView
	t.Run("first sign-in creates the user", func(t *testing.T) {
		first = oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{
			"sub": "acme-1", "email": "Alice@Example.com", "email_verified": true, "name": "Alice", "picture": "https://img/a.png"}))
		require.NotEmpty(t, first.AccessToken)
		require.NotEmpty(t, first.RefreshToken)
		me := oauthMe(t, env, first.AccessToken)
		require.Equal(t, first.User.ID, me.ID)
		require.Equal(t, "alice@example.com", *me.Email)
		require.True(t, me.EmailVerified)
		require.Equal(t, "Alice", me.UserMetadata["name"])
	})

	t.Run("second sign-in reuses the user", func(t *testing.T) {
		again := oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{
			"sub": "acme-1", "email": "alice@example.com", "email_verified": true}))
		require.Equal(t, first.User.ID, again.User.ID)
	})

	t.Run("a verified email links to the existing user", func(t *testing.T) {
		pw := signUp(t, env, pub, "bob@example.com", "long enough 1")
		s := oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{
			"sub": "acme-bob", "email": "bob@example.com", "email_verified": "true"}))
		require.Equal(t, pw.User.ID, s.User.ID)
		// The password still works too.
		require.Equal(t, http.StatusOK, logIn(t, env, pub, "bob@example.com", "long enough 1").Status)
	})

	t.Run("an unverified email never links", func(t *testing.T) {
		signUp(t, env, pub, "carol@example.com", "long enough 1")
		res := oauthSignIn(t, env, f, tn.ID, map[string]any{"sub": "acme-carol", "email": "carol@example.com", "email_verified": false})
		oauthRequireError(t, res, http.StatusConflict, "CONFLICT")
		require.Contains(t, res.Error.Message, "sign in to that account and link")
		// Without email_verified the email counts as unverified.
		res = oauthSignIn(t, env, f, tn.ID, map[string]any{"sub": "acme-carol", "email": "carol@example.com"})
		oauthRequireError(t, res, http.StatusConflict, "CONFLICT")
	})

	t.Run("a GitHub-style numeric id and an unverified new email", func(t *testing.T) {
		s := oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{"id": 4242, "email": "dan@example.com", "login": "dan"}))
		me := oauthMe(t, env, s.AccessToken)
		require.Equal(t, "dan@example.com", *me.Email)
		require.False(t, me.EmailVerified)
		again := oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{"id": 4242}))
		require.Equal(t, s.User.ID, again.User.ID)
	})

	t.Run("no subject is refused", func(t *testing.T) {
		res := oauthSignIn(t, env, f, tn.ID, map[string]any{"email": "nobody@example.com", "email_verified": true})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_TOKEN")
	})

	t.Run("redirect_to lands on the app with the tokens in the fragment", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "https://app.example.com/cb?x=1", map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}})
		require.Equal(t, http.StatusFound, res.Status, "%s", res.Body)
		loc := res.Header.Get("Location")
		require.True(t, strings.HasPrefix(loc, "https://app.example.com/cb?x=1#access_token="), loc)
		u, err := url.Parse(loc)
		require.NoError(t, err)
		frag, err := url.ParseQuery(u.Fragment)
		require.NoError(t, err)
		require.NotEmpty(t, frag.Get("refresh_token"))
		require.Equal(t, first.User.ID, oauthMe(t, env, frag.Get("access_token")).ID)
	})

	t.Run("redirect_to outside the allowlist", func(t *testing.T) {
		res := oauthStart(t, env, tn.ID, "acme", "https://evil.example.net/cb")
		oauthRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED")
		require.Contains(t, res.Error.Fields, "redirect_to")
	})

	t.Run("unknown, disabled and unusable providers", func(t *testing.T) {
		oauthRequireError(t, oauthStart(t, env, tn.ID, "nope", ""), http.StatusNotFound, "NOT_FOUND")
		oauthRequireError(t, oauthStart(t, env, tn.ID, "off", ""), http.StatusNotFound, "NOT_FOUND")
		res := oauthStart(t, env, tn.ID, "apple", "")
		oauthRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED")
		require.Contains(t, res.Error.Fields["provider"][0], "userinfo_url")
	})

	t.Run("tenant_id missing or unknown", func(t *testing.T) {
		res := oauthGet(t, env, "/v1/auth/oauth/acme", "")
		oauthRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED")
		require.Contains(t, res.Error.Fields, "tenant_id")
		oauthRequireError(t, oauthStart(t, env, "tn_doesnotexist", "acme", ""), http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("forged and tampered states", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		parts := strings.Split(state, ".")
		other := env.NewTenant(t)
		for name, forged := range map[string]string{
			"garbage":        "not-a-state",
			"bad mac":        parts[0] + "." + parts[1] + ".AAAA",
			"other tenant":   other.ID + "." + parts[1] + "." + parts[2],
			"other nonce":    parts[0] + ".x" + parts[1][1:] + "." + parts[2],
			"empty":          "",
			"extra segments": state + ".x",
		} {
			res := oauthCallback(t, env, "acme", url.Values{"state": {forged}, "code": {code}})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s: %s", name, res.Body)
			require.Equal(t, "INVALID_TOKEN", res.Error.Code, name)
		}
		// The genuine state still works: forgeries touched nothing.
		oauthSession(t, oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}}))
	})

	t.Run("a state works once", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		oauthSession(t, oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}}))
		// Replayed with a fresh code the provider issued for the same state.
		_, code2 := f.approve(t, f.srv.URL+"/authorize?"+url.Values{"client_id": {f.clientID}, "response_type": {"code"},
			"code_challenge_method": {"S256"}, "code_challenge": {"x"}, "state": {state}}.Encode(), map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code2}})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_TOKEN")
	})

	t.Run("a replayed code is refused", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		oauthSession(t, oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}}))
		state2, _ := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "acme", url.Values{"state": {state2}, "code": {code}})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_CREDENTIALS")
	})

	t.Run("a PKCE mismatch is refused", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		f.mu.Lock()
		f.grants[code].challenge = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		f.mu.Unlock()
		res := oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {code}})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_CREDENTIALS")
		f.mu.Lock()
		defer f.mu.Unlock()
		require.Equal(t, 1, f.pkceFailures, "the provider refused the verifier")
	})

	t.Run("the provider's error is reported, sanitized", func(t *testing.T) {
		state, _ := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "acme", url.Values{"state": {state}, "error": {"access_denied"},
			"error_description": {"The user\x07 said no <script>" + strings.Repeat("x", 500)}})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_CREDENTIALS")
		require.Contains(t, res.Error.Message, "access_denied (The user  said no <script>x")
		require.NotContains(t, res.Error.Message, "\x07")
		require.Less(t, len(res.Error.Message), 320)
		// The state is spent.
		oauthRequireError(t, oauthCallback(t, env, "acme", url.Values{"state": {state}, "code": {"c"}}), http.StatusUnauthorized, "INVALID_TOKEN")
	})

	t.Run("the provider in the path must match the state", func(t *testing.T) {
		state, code := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "off", url.Values{"state": {state}, "code": {code}})
		oauthRequireError(t, res, http.StatusUnauthorized, "INVALID_TOKEN")
	})

	t.Run("a missing code", func(t *testing.T) {
		state, _ := oauthBegin(t, env, f, tn.ID, "", map[string]any{"sub": "acme-1"})
		res := oauthCallback(t, env, "acme", url.Values{"state": {state}})
		oauthRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED")
	})

	t.Run("a banned user", func(t *testing.T) {
		s := oauthSession(t, oauthSignIn(t, env, f, tn.ID, map[string]any{"sub": "acme-troll", "email": "troll@example.com", "email_verified": true}))
		res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/users/" + s.User.ID, Key: tn.Key, Body: map[string]any{"banned": true}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = oauthSignIn(t, env, f, tn.ID, map[string]any{"sub": "acme-troll"})
		oauthRequireError(t, res, http.StatusForbidden, "USER_BANNED")
	})

	t.Run("a user with MFA gets the challenge", func(t *testing.T) {
		s := signUp(t, env, pub, "erin@example.com", "long enough 1")
		e := mfaEnroll(t, env, s.AccessToken, "")
		res := mfaPost(t, env, s.AccessToken, "/v1/auth/mfa/verify", map[string]any{"factor_id": e.FactorID, "code": mfaCode(t, e.TOTP.Secret, time.Now())})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = oauthSignIn(t, env, f, tn.ID, map[string]any{"sub": "acme-erin", "email": "erin@example.com", "email_verified": true})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var c sessionView
		res.Decode(t, &c)
		require.True(t, c.MFARequired, "%s", res.Body)
		require.Empty(t, c.AccessToken)
		require.True(t, strings.HasPrefix(c.MFATicket, tn.ID+"."))
		require.Len(t, c.Factors, 1)
		require.Equal(t, e.FactorID, c.Factors[0].ID)
	})
}

func TestAuthOAuthThrottle(t *testing.T) {
	env := apptest.New(t)
	f := oauthNewFake(t)
	tn, _ := oauthTenant(t, env, f)
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key,
		Body: map[string]any{"rate_limits": map[string]any{"login_per_minute": 2}}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	for range 2 {
		require.Equal(t, http.StatusFound, oauthStart(t, env, tn.ID, "acme", "").Status)
	}
	res = oauthStart(t, env, tn.ID, "acme", "")
	oauthRequireError(t, res, http.StatusTooManyRequests, "RATE_LIMITED")
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}
