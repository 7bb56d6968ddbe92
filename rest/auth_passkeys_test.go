package rest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// passkeyRP is the relying party the tests configure, as the browser and the
// software authenticator see it.
var passkeyRP = virtualwebauthn.RelyingParty{Name: "Example", ID: "example.com", Origin: "https://example.com"}

// passkeyView is a passkey as the API shows it.
type passkeyView struct {
	ID           string  `json:"id"`
	UserID       string  `json:"user_id"`
	CredentialID string  `json:"credential_id"`
	FriendlyName string  `json:"friendly_name"`
	CreatedAt    string  `json:"created_at"`
	LastUsedAt   *string `json:"last_used_at"`
}

// passkeyDevice is a software authenticator holding one credential of a user.
type passkeyDevice struct {
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

// passkeyTenant provisions a tenant with passkeys configured for passkeyRP.
func passkeyTenant(t *testing.T, env *apptest.Env) (apptest.Tenant, string) {
	t.Helper()
	tn, pub := authTenant(t, env)
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{
		"passkeys": map[string]any{"enabled": true, "rp_id": "example.com", "rp_name": "Example",
			"origins": []string{"https://example.com"}}}})
	require.Equal(t, http.StatusOK, res.Status, "configure passkeys: %s", res.Body)
	return tn, pub
}

// passkeyOptions posts a begin endpoint and returns the options JSON.
func passkeyOptions(t *testing.T, env *apptest.Env, path, key string, body any) string {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: path, Key: key, Body: body})
	require.Equal(t, http.StatusOK, res.Status, "%s: %s", path, res.Body)
	var out struct {
		Options json.RawMessage `json:"options"`
	}
	res.Decode(t, &out)
	require.NotEmpty(t, out.Options)
	return string(out.Options)
}

// passkeyRegister runs a registration ceremony for the user of token with
// dev's credential, presented from rp, and returns the complete answer.
func passkeyRegister(t *testing.T, env *apptest.Env, token string, rp virtualwebauthn.RelyingParty, dev *passkeyDevice, name string) *apptest.Response {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(passkeyOptions(t, env, "/v1/auth/passkeys/register/begin", token, nil))
	require.NoError(t, err)
	require.Equal(t, "example.com", opts.RelyingPartyID)
	require.False(t, dev.cred.IsExcludedForAttestation(*opts), "a new credential is not excluded")
	// The authenticator answers discoverable assertions with the user
	// handle the options named.
	dev.auth.Options.UserHandle = []byte(opts.UserID)
	att := virtualwebauthn.CreateAttestationResponse(rp, dev.auth, dev.cred, *opts)
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/complete", Key: token,
		Body: map[string]any{"credential": json.RawMessage(att), "friendly_name": name}})
}

// passkeyEnroll signs up a user and registers a passkey for it.
func passkeyEnroll(t *testing.T, env *apptest.Env, pub, email string) (sessionView, *passkeyDevice, passkeyView) {
	t.Helper()
	s := signUp(t, env, pub, email, "correct horse 1")
	dev := &passkeyDevice{auth: virtualwebauthn.NewAuthenticator(), cred: apptest.PasskeyCredential()}
	res := passkeyRegister(t, env, s.AccessToken, passkeyRP, dev, "Laptop")
	require.Equal(t, http.StatusOK, res.Status, "register: %s", res.Body)
	var pk passkeyView
	res.Decode(t, &pk)
	return s, dev, pk
}

// passkeyAssertion begins an authentication (email may be empty) and has
// dev sign it from rp with the credential's current counter.
func passkeyAssertion(t *testing.T, env *apptest.Env, pub, email string, rp virtualwebauthn.RelyingParty, dev *passkeyDevice) string {
	t.Helper()
	body := map[string]any{}
	if email != "" {
		body["email"] = email
	}
	opts, err := virtualwebauthn.ParseAssertionOptions(passkeyOptions(t, env, "/v1/auth/passkeys/authenticate/begin", pub, body))
	require.NoError(t, err)
	require.Equal(t, "example.com", opts.RelyingPartyID)
	return virtualwebauthn.CreateAssertionResponse(rp, dev.auth, dev.cred, *opts)
}

func passkeyComplete(t *testing.T, env *apptest.Env, pub, assertion string) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/authenticate/complete", Key: pub,
		Body: map[string]any{"credential": json.RawMessage(assertion)}})
}

// passkeyLogin signs in with dev (its counter advanced, as a real
// authenticator does) and returns the answer.
func passkeyLogin(t *testing.T, env *apptest.Env, pub, email string, dev *passkeyDevice) *apptest.Response {
	t.Helper()
	dev.cred.Counter++
	return passkeyComplete(t, env, pub, passkeyAssertion(t, env, pub, email, passkeyRP, dev))
}

func TestAuthPasskeysRegisterListLogin(t *testing.T) {
	env := apptest.New(t)
	_, pub := passkeyTenant(t, env)
	s, dev, pk := passkeyEnroll(t, env, pub, "pk@example.com")

	require.Regexp(t, `^pk_`, pk.ID)
	require.Equal(t, s.User.ID, pk.UserID)
	require.Equal(t, "Laptop", pk.FriendlyName)
	require.NotEmpty(t, pk.CredentialID)
	require.Nil(t, pk.LastUsedAt)

	res := env.Do(t, apptest.Request{Path: "/v1/auth/passkeys", Key: s.AccessToken})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var list []passkeyView
	res.Decode(t, &list)
	require.Len(t, list, 1)
	require.Equal(t, pk.ID, list[0].ID)

	// The options ask for a discoverable credential, preferring user
	// verification, on the configured relying party.
	var raw struct {
		RP                     struct{ ID, Name string } `json:"rp"`
		AuthenticatorSelection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
	}
	require.NoError(t, json.Unmarshal([]byte(passkeyOptions(t, env, "/v1/auth/passkeys/register/begin", s.AccessToken, nil)), &raw))
	require.Equal(t, "example.com", raw.RP.ID)
	require.Equal(t, "Example", raw.RP.Name)
	require.Equal(t, "required", raw.AuthenticatorSelection.ResidentKey)
	require.Equal(t, "preferred", raw.AuthenticatorSelection.UserVerification)

	// Registering the same credential again: the options exclude it.
	opts, err := virtualwebauthn.ParseAttestationOptions(passkeyOptions(t, env, "/v1/auth/passkeys/register/begin", s.AccessToken, nil))
	require.NoError(t, err)
	require.True(t, dev.cred.IsExcludedForAttestation(*opts))
	// ... and a browser that registers it anyway is refused.
	att := virtualwebauthn.CreateAttestationResponse(passkeyRP, dev.auth, dev.cred, *opts)
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/complete", Key: s.AccessToken,
		Body: map[string]any{"credential": json.RawMessage(att)}})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)

	t.Run("discoverable login", func(t *testing.T) {
		res := passkeyLogin(t, env, pub, "", dev)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var sess sessionView
		res.Decode(t, &sess)
		require.Equal(t, s.User.ID, sess.User.ID)
		require.NotEmpty(t, sess.RefreshToken)
		me := env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: sess.AccessToken})
		require.Equal(t, http.StatusOK, me.Status, "%s", me.Body)
		var u userView
		me.Decode(t, &u)
		require.Equal(t, "pk@example.com", *u.Email)
	})

	t.Run("login with email", func(t *testing.T) {
		opts, err := virtualwebauthn.ParseAssertionOptions(passkeyOptions(t, env,
			"/v1/auth/passkeys/authenticate/begin", pub, map[string]any{"email": "PK@example.com"}))
		require.NoError(t, err)
		require.True(t, dev.cred.IsAllowedForAssertion(*opts), "the options list the user's passkey")
		dev.cred.Counter++
		res := passkeyComplete(t, env, pub, virtualwebauthn.CreateAssertionResponse(passkeyRP, dev.auth, dev.cred, *opts))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

		res = env.Do(t, apptest.Request{Path: "/v1/auth/passkeys", Key: s.AccessToken})
		var list []passkeyView
		res.Decode(t, &list)
		require.NotNil(t, list[0].LastUsedAt)
	})

	t.Run("unknown email answers discoverable options", func(t *testing.T) {
		opts, err := virtualwebauthn.ParseAssertionOptions(passkeyOptions(t, env,
			"/v1/auth/passkeys/authenticate/begin", pub, map[string]any{"email": "nobody@example.com"}))
		require.NoError(t, err)
		require.Empty(t, opts.AllowCredentials)
	})
}

// passkeyAAL reads the assurance level claim of an access token.
func passkeyAAL(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c struct {
		AAL string `json:"aal"`
	}
	require.NoError(t, json.Unmarshal(raw, &c))
	return c.AAL
}

// A passkey with user verification is two factors in one (aal2); without
// it, the sign-in is a first factor.
func TestAuthPasskeysUserVerification(t *testing.T) {
	env := apptest.New(t)
	_, pub := passkeyTenant(t, env)
	_, dev, _ := passkeyEnroll(t, env, pub, "uv@example.com")

	res := passkeyLogin(t, env, pub, "", dev)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var sess sessionView
	res.Decode(t, &sess)
	require.Equal(t, "aal2", passkeyAAL(t, sess.AccessToken))

	dev.auth.Options.UserNotVerified = true
	res = passkeyLogin(t, env, pub, "uv@example.com", dev)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &sess)
	require.Equal(t, "aal1", passkeyAAL(t, sess.AccessToken))
}

func TestAuthPasskeysRefusals(t *testing.T) {
	env := apptest.New(t)
	tn, pub := passkeyTenant(t, env)
	s, dev, pk := passkeyEnroll(t, env, pub, "refuse@example.com")
	evil := virtualwebauthn.RelyingParty{Name: "Evil", ID: "example.com", Origin: "https://evil.example.net"}

	t.Run("wrong origin on registration", func(t *testing.T) {
		other := &passkeyDevice{auth: virtualwebauthn.NewAuthenticator(), cred: apptest.PasskeyCredential()}
		res := passkeyRegister(t, env, s.AccessToken, evil, other, "")
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
		require.Contains(t, res.Error.Fields["credential"][0], "origin")
		t.Log(res.Error.Fields["credential"][0])
	})

	t.Run("wrong origin on login", func(t *testing.T) {
		dev.cred.Counter++
		res := passkeyComplete(t, env, pub, passkeyAssertion(t, env, pub, "", evil, dev))
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
		t.Log(res.Error.Message)
	})

	t.Run("malformed credential", func(t *testing.T) {
		res := passkeyComplete(t, env, pub, `{"id": "x", "type": "public-key"}`)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "credential")
		res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/complete", Key: s.AccessToken,
			Body: map[string]any{"credential": "nope"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "credential")
	})

	t.Run("cloned credential", func(t *testing.T) {
		res := passkeyLogin(t, env, pub, "", dev)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		// A clone presents the same counter (and then a lower one).
		for _, back := range []uint32{0, 1} {
			clone := *dev
			clone.cred.Counter -= back
			res = passkeyComplete(t, env, pub, passkeyAssertion(t, env, pub, "", passkeyRP, &clone))
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
			require.Contains(t, res.Error.Message, "cloned")
		}
		// The genuine authenticator, moving on, still signs in.
		res = passkeyLogin(t, env, pub, "", dev)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})

	t.Run("replayed assertion", func(t *testing.T) {
		dev.cred.Counter++
		a := passkeyAssertion(t, env, pub, "", passkeyRP, dev)
		require.Equal(t, http.StatusOK, passkeyComplete(t, env, pub, a).Status)
		res := passkeyComplete(t, env, pub, a)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
		t.Log(res.Error.Message)
	})

	t.Run("unknown credential", func(t *testing.T) {
		stranger := &passkeyDevice{auth: virtualwebauthn.NewAuthenticator(), cred: apptest.PasskeyCredential()}
		stranger.auth.Options.UserHandle = []byte(s.User.ID)
		res := passkeyLogin(t, env, pub, "", stranger)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
		t.Log(res.Error.Message)
	})

	t.Run("another user's passkey", func(t *testing.T) {
		other, _, _ := passkeyEnroll(t, env, pub, "other@example.com")
		for _, ref := range []string{pk.ID, pk.CredentialID, "pk_missing", "@@@"} {
			res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/passkeys/" + ref, Key: other.AccessToken})
			require.Equal(t, http.StatusNotFound, res.Status, "%s: %s", ref, res.Body)
		}
		// A ceremony begun for the other user refuses this user's passkey.
		res := passkeyLogin(t, env, pub, "other@example.com", dev)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	})

	t.Run("key bearer on register", func(t *testing.T) {
		for _, key := range []string{pub, tn.Key} {
			res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/begin", Key: key})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			res = env.Do(t, apptest.Request{Path: "/v1/auth/passkeys", Key: key})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		}
	})

	t.Run("anonymous user", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{"anonymous_enabled": true}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/anonymous", Key: pub})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var anon sessionView
		res.Decode(t, &anon)
		res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/begin", Key: anon.AccessToken})
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	})

	t.Run("delete then login", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/passkeys/" + pk.CredentialID, Key: s.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"deleted": true}`, string(res.Data))
		res = passkeyLogin(t, env, pub, "", dev)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/passkeys/" + pk.ID, Key: s.AccessToken})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	})
}

func TestAuthPasskeysConfig(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	s := signUp(t, env, pub, "cfg@example.com", "correct horse 1")

	// Not configured: FORBIDDEN, naming the fix.
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/register/begin", Key: s.AccessToken})
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Message, "auth-config")
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/passkeys/authenticate/begin", Key: pub, Body: map[string]any{}})
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)

	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"scheme in rp_id", map[string]any{"enabled": true, "rp_id": "https://example.com", "origins": []string{"https://example.com"}}, "passkeys.rp_id"},
		{"port in rp_id", map[string]any{"enabled": true, "rp_id": "example.com:443", "origins": []string{"https://example.com"}}, "passkeys.rp_id"},
		{"enabled without rp_id", map[string]any{"enabled": true, "origins": []string{"https://example.com"}}, "passkeys.rp_id"},
		{"enabled without origins", map[string]any{"enabled": true, "rp_id": "example.com"}, "passkeys.origins"},
		{"plain http origin", map[string]any{"rp_id": "example.com", "origins": []string{"http://example.com"}}, "passkeys.origins"},
		{"origin with a path", map[string]any{"rp_id": "example.com", "origins": []string{"https://example.com/login"}}, "passkeys.origins"},
		{"origin off rp_id", map[string]any{"rp_id": "example.com", "origins": []string{"https://example.org"}}, "passkeys.origins"},
		{"long rp_name", map[string]any{"rp_name": strings.Repeat("x", 101)}, "passkeys.rp_name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{"passkeys": c.body}})
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			require.Contains(t, res.Error.Fields, c.field, "%s", res.Body)
		})
	}

	// Development origins on localhost are accepted, and reported back.
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{
		"passkeys": map[string]any{"enabled": true, "rp_id": "localhost", "origins": []string{"http://localhost:3000/"}}}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var cfg struct {
		Passkeys struct {
			Enabled bool     `json:"enabled"`
			RPID    string   `json:"rp_id"`
			Origins []string `json:"origins"`
		} `json:"passkeys"`
	}
	res.Decode(t, &cfg)
	require.True(t, cfg.Passkeys.Enabled)
	require.Equal(t, []string{"http://localhost:3000"}, cfg.Passkeys.Origins)
}
