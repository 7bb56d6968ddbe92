package graph_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

const sessionFields = `accessToken refreshToken tokenType expiresIn user { id email role }`

type gqlSession struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
	User         struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Role  string `json:"role"`
	} `json:"user"`
}

type gqlSignIn struct {
	Session     *gqlSession `json:"session"`
	MFARequired bool        `json:"mfaRequired"`
	MFATicket   *string     `json:"mfaTicket"`
	Factors     []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"factors"`
}

const (
	signUpOp = `mutation($in: SignUpInput!) { signUp(input: $in) { mfaRequired session { ` + sessionFields + ` } } }`
	signInOp = `mutation($in: SignInInput!) { signIn(input: $in) { mfaRequired mfaTicket factors { id type } session { ` + sessionFields + ` } } }`
	meOp     = `{ me { id email role isAnonymous emailVerified userMetadata banned createdAt lastSignInAt } }`
)

// publishableKey provisions a tenant and a publishable key (scopes []).
func publishableKey(t *testing.T, env *apptest.Env) (apptest.Tenant, string) {
	t.Helper()
	tn := env.NewTenant(t)
	_, pub := restKey(t, env, tn.Key, map[string]any{"label": "app", "scopes": []string{}})
	return tn, pub
}

func gqlSignUp(t *testing.T, env *apptest.Env, pub, email string) gqlSession {
	t.Helper()
	var out struct{ SignUp gqlSignIn }
	gql(t, env, pub, signUpOp, map[string]any{"in": map[string]any{
		"email": email, "password": "graph password 1", "userMetadata": map[string]any{"plan": "pro"}}}).decode(t, &out)
	require.NotNil(t, out.SignUp.Session)
	return *out.SignUp.Session
}

func TestIdentitySignUpMeRefreshSignOut(t *testing.T) {
	env := apptest.New(t)
	_, pub := publishableKey(t, env)

	s := gqlSignUp(t, env, pub, "Graph@Example.com")
	require.Equal(t, "bearer", s.TokenType)
	require.Equal(t, "graph@example.com", s.User.Email)

	var me struct {
		Me struct {
			ID           string         `json:"id"`
			Email        string         `json:"email"`
			Role         string         `json:"role"`
			UserMetadata map[string]any `json:"userMetadata"`
		}
	}
	gql(t, env, s.AccessToken, meOp, nil).decode(t, &me)
	require.Equal(t, s.User.ID, me.Me.ID)
	require.Equal(t, "authenticated", me.Me.Role)
	require.Equal(t, "pro", me.Me.UserMetadata["plan"])

	// me needs a user's token: a key gets UNAUTHORIZED.
	gql(t, env, pub, meOp, nil).requireCode(t, domain.CodeUnauthorized)

	// Wrong password, duplicate signup, bad input: the domain's codes.
	gql(t, env, pub, signInOp, map[string]any{"in": map[string]any{"email": "graph@example.com", "password": "nope nope"}}).
		requireCode(t, domain.CodeInvalidCredentials)
	gql(t, env, pub, signUpOp, map[string]any{"in": map[string]any{"email": "graph@example.com", "password": "graph password 1"}}).
		requireCode(t, domain.CodeConflict)
	gql(t, env, pub, signUpOp, map[string]any{"in": map[string]any{"email": "x@example.com", "password": "graph password 1", "userMetadata": []int{1}}}).
		requireCode(t, domain.CodeValidationFailed)

	var in struct{ SignIn gqlSignIn }
	gql(t, env, pub, signInOp, map[string]any{"in": map[string]any{"email": "graph@example.com", "password": "graph password 1"}}).decode(t, &in)
	require.False(t, in.SignIn.MFARequired)
	require.NotNil(t, in.SignIn.Session)

	var ref struct{ RefreshSession gqlSession }
	gql(t, env, pub, `mutation($t: String!) { refreshSession(refreshToken: $t) { `+sessionFields+` } }`,
		map[string]any{"t": in.SignIn.Session.RefreshToken}).decode(t, &ref)
	require.NotEqual(t, in.SignIn.Session.RefreshToken, ref.RefreshSession.RefreshToken)

	var out struct{ SignOut struct{ Message string } }
	gql(t, env, ref.RefreshSession.AccessToken, `mutation { signOut { message } }`, nil).decode(t, &out)
	require.NotEmpty(t, out.SignOut.Message)
	// The signed-out session's token is refused before GraphQL runs.
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/graphql", Key: ref.RefreshSession.AccessToken,
		Body: map[string]any{"query": meOp}})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	// The first session is still live.
	gql(t, env, s.AccessToken, meOp, nil).decode(t, &me)
}

func TestIdentityUsersAdmin(t *testing.T) {
	env := apptest.New(t)
	tn, pub := publishableKey(t, env)
	s := gqlSignUp(t, env, pub, "member@example.com")
	gqlSignUp(t, env, pub, "other@example.com")

	var list struct {
		Users struct {
			Users []struct{ ID, Email string }
			Total int
		}
	}
	gql(t, env, tn.Key, `{ users(limit: 1, search: "member") { total users { id email } } }`, nil).decode(t, &list)
	require.Equal(t, 1, list.Users.Total)
	require.Equal(t, s.User.ID, list.Users.Users[0].ID)

	// End users and publishable keys are not admins (an end user without an
	// RBAC role granting users:read is FORBIDDEN).
	gql(t, env, s.AccessToken, `{ users { total } }`, nil).requireCode(t, domain.CodeForbidden)
	gql(t, env, pub, `{ users { total } }`, nil).requireCode(t, domain.CodeInsufficientScope)

	var upd struct{ UpdateUser struct{ Banned bool } }
	gql(t, env, tn.Key, `mutation($id: ID!) { updateUser(id: $id, input: {banned: true, banReason: "spam"}) { banned } }`,
		map[string]any{"id": s.User.ID}).decode(t, &upd)
	require.True(t, upd.UpdateUser.Banned)
	// Banning ended the user's sessions.
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/graphql", Key: s.AccessToken, Body: map[string]any{"query": meOp}})
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)

	// Another tenant's admin cannot see the user.
	other := env.NewTenant(t)
	gql(t, env, other.Key, `query($id: ID!) { user(id: $id) { id } }`, map[string]any{"id": s.User.ID}).requireCode(t, domain.CodeNotFound)
}

func TestIdentityMFA(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, pub := publishableKey(t, env)
	s := gqlSignUp(t, env, pub, "mfa@example.com")

	var enr struct {
		EnrollMfa struct {
			FactorID string
			TOTP     struct{ Secret, URI, QRURI string } `json:"totp"`
		}
	}
	gql(t, env, s.AccessToken, `mutation { enrollMfa(friendlyName: "phone") { factorId totp { secret uri qrUri } } }`, nil).decode(t, &enr)
	require.NotEmpty(t, enr.EnrollMfa.TOTP.Secret)
	code := func() string {
		c, err := totp.GenerateCodeCustom(enr.EnrollMfa.TOTP.Secret, clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		require.NoError(t, err)
		return c
	}
	var ver struct {
		VerifyMfa struct {
			Verified      bool
			RecoveryCodes []string
		}
	}
	gql(t, env, s.AccessToken, `mutation($f: ID!, $c: String!) { verifyMfa(factorId: $f, code: $c) { verified recoveryCodes } }`,
		map[string]any{"f": enr.EnrollMfa.FactorID, "c": code()}).decode(t, &ver)
	require.True(t, ver.VerifyMfa.Verified)
	require.Len(t, ver.VerifyMfa.RecoveryCodes, 10)

	clock.Advance(31 * time.Second)
	var in struct{ SignIn gqlSignIn }
	gql(t, env, pub, signInOp, map[string]any{"in": map[string]any{"email": "mfa@example.com", "password": "graph password 1"}}).decode(t, &in)
	require.True(t, in.SignIn.MFARequired)
	require.Nil(t, in.SignIn.Session)
	require.Len(t, in.SignIn.Factors, 1)

	complete := `mutation($t: String!, $f: ID!, $c: String!) { completeMfa(mfaTicket: $t, factorId: $f, code: $c) { ` + sessionFields + ` } }`
	gql(t, env, "", complete, map[string]any{"t": *in.SignIn.MFATicket, "f": enr.EnrollMfa.FactorID, "c": "000000"}).
		requireCode(t, domain.CodeInvalidToken)
	var done struct{ CompleteMfa gqlSession }
	gql(t, env, "", complete, map[string]any{"t": *in.SignIn.MFATicket, "f": enr.EnrollMfa.FactorID, "c": code()}).decode(t, &done)
	require.Equal(t, s.User.ID, done.CompleteMfa.User.ID)
}

// TestIdentityPasskeys registers a passkey through REST (a browser ceremony,
// run by a software authenticator), then lists it on me and deletes it.
func TestIdentityPasskeys(t *testing.T) {
	env := apptest.New(t)
	tn, pub := publishableKey(t, env)
	res := env.Do(t, apptest.Request{Method: http.MethodPatch, Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{
		"passkeys": map[string]any{"enabled": true, "rp_id": "example.com", "origins": []string{"https://example.com"}}}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	s := gqlSignUp(t, env, pub, "passkey@example.com")

	res = env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/auth/passkeys/register/begin", Key: s.AccessToken})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var begun struct {
		Options json.RawMessage `json:"options"`
	}
	res.Decode(t, &begun)
	opts, err := virtualwebauthn.ParseAttestationOptions(string(begun.Options))
	require.NoError(t, err)
	rp := virtualwebauthn.RelyingParty{Name: "example.com", ID: "example.com", Origin: "https://example.com"}
	att := virtualwebauthn.CreateAttestationResponse(rp, virtualwebauthn.NewAuthenticator(),
		apptest.PasskeyCredential(), *opts)
	res = env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/auth/passkeys/register/complete", Key: s.AccessToken,
		Body: map[string]any{"credential": json.RawMessage(att), "friendly_name": "Phone"}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))

	type passkeys struct {
		Passkeys []struct {
			ID           string
			FriendlyName string
			CredentialID string
			LastUsedAt   *string
		}
	}
	var me struct{ Me passkeys }
	gql(t, env, s.AccessToken, `{ me { passkeys { id friendlyName credentialId lastUsedAt } } }`, nil).decode(t, &me)
	require.Len(t, me.Me.Passkeys, 1)
	require.Equal(t, "Phone", me.Me.Passkeys[0].FriendlyName)
	require.Regexp(t, `^pk_`, me.Me.Passkeys[0].ID)

	// Admins (auth scope) see a user's passkeys too.
	var admin struct{ User passkeys }
	gql(t, env, tn.Key, `query($id: ID!) { user(id: $id) { passkeys { id } } }`, map[string]any{"id": s.User.ID}).decode(t, &admin)
	require.Len(t, admin.User.Passkeys, 1)

	del := `mutation($id: ID!) { deletePasskey(id: $id) { deleted } }`
	gql(t, env, s.AccessToken, del, map[string]any{"id": "pk_missing"}).requireCode(t, domain.CodeNotFound)
	var out struct{ DeletePasskey struct{ Deleted bool } }
	gql(t, env, s.AccessToken, del, map[string]any{"id": me.Me.Passkeys[0].ID}).decode(t, &out)
	require.True(t, out.DeletePasskey.Deleted)
	gql(t, env, s.AccessToken, `{ me { passkeys { id } } }`, nil).decode(t, &me)
	require.Empty(t, me.Me.Passkeys)
	// Deleting needs the user's own token.
	gql(t, env, tn.Key, del, map[string]any{"id": "pk_missing"}).requireCode(t, domain.CodeUnauthorized)
}
