package rest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// mfaEnrolled is the answer of POST /v1/auth/mfa/enroll.
type mfaEnrolled struct {
	FactorID string `json:"factor_id"`
	Type     string `json:"type"`
	TOTP     struct {
		Secret string `json:"secret"`
		URI    string `json:"uri"`
		QRURI  string `json:"qr_uri"`
	} `json:"totp"`
}

// mfaFactor is a factor as GET /v1/auth/mfa/factors lists it.
type mfaFactor struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	FriendlyName string     `json:"friendly_name"`
	Status       string     `json:"status"`
	CreatedAt    time.Time  `json:"created_at"`
	VerifiedAt   *time.Time `json:"verified_at"`
}

var mfaTOTPOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// mfaCode is the authenticator app's code for secret at t.
func mfaCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, mfaTOTPOpts)
	require.NoError(t, err)
	return c
}

// mfaWrongCode is a well-formed code that matches none of the steps the
// server accepts around at.
func mfaWrongCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[mfaCode(t, secret, at.Add(d))] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", (123456+i*7919)%1000000)
		if !valid[c] {
			return c
		}
	}
}

// mfaAAL reads the aal claim of an access token (without verifying it).
func mfaAAL(t *testing.T, token string) string {
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

func mfaPost(t *testing.T, env *apptest.Env, key, path string, body map[string]any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: path, Key: key, Body: body})
}

func mfaEnroll(t *testing.T, env *apptest.Env, token, name string) mfaEnrolled {
	t.Helper()
	res := mfaPost(t, env, token, "/v1/auth/mfa/enroll", map[string]any{"friendly_name": name})
	require.Equal(t, http.StatusOK, res.Status, "enroll: %s", res.Body)
	var e mfaEnrolled
	res.Decode(t, &e)
	return e
}

func mfaFactors(t *testing.T, env *apptest.Env, token string) []mfaFactor {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/mfa/factors", Key: token})
	require.Equal(t, http.StatusOK, res.Status, "factors: %s", res.Body)
	var fs []mfaFactor
	res.Decode(t, &fs)
	return fs
}

// mfaTicket logs in a user with a verified factor and returns its ticket.
func mfaTicket(t *testing.T, env *apptest.Env, key, email, password string) sessionView {
	t.Helper()
	res := logIn(t, env, key, email, password)
	require.Equal(t, http.StatusOK, res.Status, "login: %s", res.Body)
	var l sessionView
	res.Decode(t, &l)
	require.True(t, l.MFARequired, "%s", res.Body)
	require.Empty(t, l.AccessToken)
	require.NotEmpty(t, l.MFATicket)
	return l
}

func mfaComplete(t *testing.T, env *apptest.Env, ticket, factorID, code string) *apptest.Response {
	t.Helper()
	return mfaPost(t, env, "", "/v1/auth/mfa/complete", map[string]any{"mfa_ticket": ticket, "factor_id": factorID, "code": code})
}

func TestAuthMFAFlow(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn, pub := authTenant(t, env)
	const email, password = "mfa@example.com", "correct horse 1"
	s := signUp(t, env, pub, email, password)
	require.Equal(t, "aal1", mfaAAL(t, s.AccessToken))

	// Enrollment: a secret, its otpauth URI and a PNG QR code.
	e := mfaEnroll(t, env, s.AccessToken, "")
	require.Regexp(t, `^mfa_`, e.FactorID)
	require.Equal(t, "totp", e.Type)
	require.NotEmpty(t, e.TOTP.Secret)
	require.Contains(t, e.TOTP.URI, "otpauth://totp/")
	require.Contains(t, e.TOTP.URI, "secret="+e.TOTP.Secret)
	require.Contains(t, e.TOTP.URI, ":mfa@example.com?")
	require.True(t, strings.HasPrefix(e.TOTP.QRURI, "data:image/png;base64,"))
	fs := mfaFactors(t, env, s.AccessToken)
	require.Len(t, fs, 1)
	require.Equal(t, "unverified", fs[0].Status)
	require.Equal(t, "Authenticator", fs[0].FriendlyName)
	require.Nil(t, fs[0].VerifiedAt)

	// An unverified factor does not gate login yet.
	res := logIn(t, env, pub, email, password)
	require.Equal(t, http.StatusOK, res.Status)
	var direct sessionView
	res.Decode(t, &direct)
	require.NotEmpty(t, direct.AccessToken)

	verifyBody := func(code string) map[string]any { return map[string]any{"factor_id": e.FactorID, "code": code} }
	res = mfaPost(t, env, s.AccessToken, "/v1/auth/mfa/verify", verifyBody(mfaWrongCode(t, e.TOTP.Secret, clock.Now())))
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	code0 := mfaCode(t, e.TOTP.Secret, clock.Now())
	res = mfaPost(t, env, s.AccessToken, "/v1/auth/mfa/verify", verifyBody(code0))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var verified struct {
		Verified      bool     `json:"verified"`
		RecoveryCodes []string `json:"recovery_codes"`
	}
	res.Decode(t, &verified)
	require.True(t, verified.Verified)
	require.Len(t, verified.RecoveryCodes, 10)
	seen := map[string]bool{}
	for _, c := range verified.RecoveryCodes {
		require.Regexp(t, `^[0-9a-z]{5}-[0-9a-z]{5}$`, c)
		seen[c] = true
	}
	require.Len(t, seen, 10)

	// The same code is accepted once, even for the same factor.
	res = mfaPost(t, env, s.AccessToken, "/v1/auth/mfa/verify", verifyBody(code0))
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	fs = mfaFactors(t, env, s.AccessToken)
	require.Len(t, fs, 1)
	require.Equal(t, "verified", fs[0].Status)
	require.NotNil(t, fs[0].VerifiedAt)

	// Login now answers an MFA challenge without tokens.
	l := mfaTicket(t, env, pub, email, password)
	require.True(t, strings.HasPrefix(l.MFATicket, tn.ID+"."))
	require.Len(t, l.Factors, 1)
	require.Equal(t, e.FactorID, l.Factors[0].ID)
	require.Equal(t, "totp", l.Factors[0].Type)

	clock.Advance(30 * time.Second)
	code1 := mfaCode(t, e.TOTP.Secret, clock.Now())

	t.Run("wrong code keeps the ticket", func(t *testing.T) {
		res := mfaComplete(t, env, l.MFATicket, e.FactorID, mfaWrongCode(t, e.TOTP.Secret, clock.Now()))
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})
	t.Run("bad tickets do not burn the code", func(t *testing.T) {
		_, otherPub := authTenant(t, env)
		other := env.NewTenant(t)
		for _, ticket := range []string{
			tn.ID + ".bogus",
			"no-dot-at-all",
			other.ID + strings.TrimPrefix(l.MFATicket, tn.ID), // another tenant's name on the token
			"tn_doesnotexist." + strings.TrimPrefix(l.MFATicket, tn.ID+"."),
		} {
			res := mfaComplete(t, env, ticket, e.FactorID, code1)
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s: %s", ticket, res.Body)
			require.Equal(t, "INVALID_TOKEN", res.Error.Code)
		}
		// A bearer of another tenant cannot use this tenant's ticket.
		res := mfaPost(t, env, otherPub, "/v1/auth/mfa/complete", map[string]any{"mfa_ticket": l.MFATicket, "factor_id": e.FactorID, "code": code1})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})
	t.Run("missing fields", func(t *testing.T) {
		res := mfaPost(t, env, "", "/v1/auth/mfa/complete", map[string]any{})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
		for _, f := range []string{"mfa_ticket", "factor_id", "code"} {
			require.Contains(t, res.Error.Fields, f)
		}
	})

	// The good ticket and the (unburned) code sign in with aal2.
	res = mfaComplete(t, env, l.MFATicket, e.FactorID, code1)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var sess sessionView
	res.Decode(t, &sess)
	require.NotEmpty(t, sess.AccessToken)
	require.Regexp(t, `^rt_`, sess.RefreshToken)
	require.Equal(t, s.User.ID, sess.User.ID)
	require.Equal(t, "aal2", mfaAAL(t, sess.AccessToken))
	require.Len(t, mfaFactors(t, env, sess.AccessToken), 1)
	if res := env.Do(t, apptest.Request{Method: "GET", Path: "/v1/auth/user", Key: sess.AccessToken}); res.Status != http.StatusNotImplemented {
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	}

	// The ticket is single use.
	res = mfaComplete(t, env, l.MFATicket, e.FactorID, mfaCode(t, e.TOTP.Secret, clock.Now().Add(30*time.Second)))
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)

	// The same code on a new ticket within the same step is a replay.
	l2 := mfaTicket(t, env, pub, email, password)
	res = mfaComplete(t, env, l2.MFATicket, e.FactorID, code1)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	clock.Advance(30 * time.Second)
	res = mfaComplete(t, env, l2.MFATicket, e.FactorID, mfaCode(t, e.TOTP.Secret, clock.Now()))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	t.Run("a ticket dies after five wrong codes", func(t *testing.T) {
		clock.Advance(30 * time.Second)
		l3 := mfaTicket(t, env, pub, email, password)
		wrong := mfaWrongCode(t, e.TOTP.Secret, clock.Now())
		for range 5 {
			res := mfaComplete(t, env, l3.MFATicket, e.FactorID, wrong)
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		}
		res := mfaComplete(t, env, l3.MFATicket, e.FactorID, mfaCode(t, e.TOTP.Secret, clock.Now()))
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})

	t.Run("recovery codes are single use", func(t *testing.T) {
		l4 := mfaTicket(t, env, pub, email, password)
		// Typed in upper case with spaces: still the code.
		typed := "  " + strings.ToUpper(verified.RecoveryCodes[0]) + " "
		res := mfaPost(t, env, "", "/v1/auth/mfa/recover", map[string]any{"mfa_ticket": l4.MFATicket, "recovery_code": typed})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var rs sessionView
		res.Decode(t, &rs)
		require.NotEmpty(t, rs.AccessToken)
		require.Equal(t, "aal2", mfaAAL(t, rs.AccessToken))

		l5 := mfaTicket(t, env, pub, email, password)
		for _, c := range []string{verified.RecoveryCodes[0], "aaaaa-bbbbb"} {
			res = mfaPost(t, env, "", "/v1/auth/mfa/recover", map[string]any{"mfa_ticket": l5.MFATicket, "recovery_code": c})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			require.Equal(t, "INVALID_TOKEN", res.Error.Code)
		}
		res = mfaPost(t, env, "", "/v1/auth/mfa/recover", map[string]any{"mfa_ticket": l5.MFATicket})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "recovery_code")
		// The ticket survived the wrong codes.
		res = mfaPost(t, env, "", "/v1/auth/mfa/recover", map[string]any{"mfa_ticket": l5.MFATicket, "recovery_code": verified.RecoveryCodes[1]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = mfaPost(t, env, "", "/v1/auth/mfa/recover", map[string]any{"mfa_ticket": l5.MFATicket, "recovery_code": verified.RecoveryCodes[2]})
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	})

	t.Run("step-up challenge", func(t *testing.T) {
		other := signUp(t, env, pub, "other@example.com", password)
		// s is an aal1 session from before the enrollment.
		clock.Advance(30 * time.Second)
		code := mfaCode(t, e.TOTP.Secret, clock.Now())
		tests := []struct {
			name   string
			key    string
			body   map[string]any
			status int
			code   string
		}{
			{"another user's id", direct.AccessToken, map[string]any{"factor_id": e.FactorID, "code": code, "user_id": other.User.ID}, 403, "FORBIDDEN"},
			{"a key caller", pub, map[string]any{"factor_id": e.FactorID, "code": code, "user_id": s.User.ID}, 401, "UNAUTHORIZED"},
			{"no factor", direct.AccessToken, map[string]any{"code": code}, 400, "VALIDATION_FAILED"},
			{"another user's factor", other.AccessToken, map[string]any{"factor_id": e.FactorID, "code": code}, 404, "NOT_FOUND"},
			{"wrong code", direct.AccessToken, map[string]any{"factor_id": e.FactorID, "code": mfaWrongCode(t, e.TOTP.Secret, clock.Now())}, 401, "INVALID_TOKEN"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := mfaPost(t, env, tc.key, "/v1/auth/mfa/challenge", tc.body)
				require.Equal(t, tc.status, res.Status, "%s", res.Body)
				require.Equal(t, tc.code, res.Error.Code)
			})
		}
		res := mfaPost(t, env, direct.AccessToken, "/v1/auth/mfa/challenge", map[string]any{"factor_id": e.FactorID, "code": code, "user_id": s.User.ID})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var ch struct {
			UserID   string `json:"user_id"`
			Verified bool   `json:"verified"`
		}
		res.Decode(t, &ch)
		require.Equal(t, s.User.ID, ch.UserID)
		require.True(t, ch.Verified)
		res = mfaPost(t, env, direct.AccessToken, "/v1/auth/mfa/challenge", map[string]any{"factor_id": e.FactorID, "code": code})
		require.Equal(t, http.StatusUnauthorized, res.Status, "replay: %s", res.Body)
	})

	t.Run("enrollment rules", func(t *testing.T) {
		for _, key := range []string{"", pub, tn.Key} {
			res := mfaPost(t, env, key, "/v1/auth/mfa/enroll", map[string]any{})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			require.Equal(t, "UNAUTHORIZED", res.Error.Code)
		}
		res := mfaPost(t, env, sess.AccessToken, "/v1/auth/mfa/enroll", map[string]any{"friendly_name": strings.Repeat("x", 101)})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "friendly_name")
		res = mfaPost(t, env, sess.AccessToken, "/v1/auth/mfa/enroll", map[string]any{"friendly_name": "authenticator"})
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		require.Equal(t, "CONFLICT", res.Error.Code)

		// A new enrollment replaces an abandoned one.
		first := mfaEnroll(t, env, sess.AccessToken, "Phone")
		second := mfaEnroll(t, env, sess.AccessToken, "Phone")
		fs := mfaFactors(t, env, sess.AccessToken)
		require.Len(t, fs, 2)
		require.Equal(t, e.FactorID, fs[0].ID)
		require.Equal(t, second.FactorID, fs[1].ID)
		require.Equal(t, "unverified", fs[1].Status)
		res = mfaPost(t, env, sess.AccessToken, "/v1/auth/mfa/verify", map[string]any{"factor_id": first.FactorID, "code": mfaCode(t, first.TOTP.Secret, clock.Now())})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

		// Verifying a second factor issues no new recovery codes.
		res = mfaPost(t, env, sess.AccessToken, "/v1/auth/mfa/verify", map[string]any{"factor_id": second.FactorID, "code": mfaCode(t, second.TOTP.Secret, clock.Now())})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.NotContains(t, string(res.Data), "recovery_codes")
		l := mfaTicket(t, env, pub, email, password)
		require.Len(t, l.Factors, 2)

		// Another user sees and touches none of these factors.
		other := signUp(t, env, pub, "third@example.com", password)
		require.Empty(t, mfaFactors(t, env, other.AccessToken))
		res = mfaPost(t, env, other.AccessToken, "/v1/auth/mfa/verify", map[string]any{"factor_id": second.FactorID, "code": "123456"})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
		res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/mfa/" + second.FactorID, Key: other.AccessToken})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

		res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/mfa/" + second.FactorID, Key: sess.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})

	t.Run("unenroll", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/mfa/mfa_nope", Key: sess.AccessToken})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
		res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/mfa/" + e.FactorID, Key: sess.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var u struct {
			Unenrolled bool `json:"unenrolled"`
		}
		res.Decode(t, &u)
		require.True(t, u.Unenrolled)
		require.Empty(t, mfaFactors(t, env, sess.AccessToken))
		res = env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/auth/mfa/" + e.FactorID, Key: sess.AccessToken})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

		// Without a verified factor, login answers a session again.
		res = logIn(t, env, pub, email, password)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var ls sessionView
		res.Decode(t, &ls)
		require.False(t, ls.MFARequired)
		require.NotEmpty(t, ls.AccessToken)
	})
}

// Anonymous users cannot enroll a factor (when anonymous sign-ins exist).
func TestAuthMFAAnonymous(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{"anonymous_enabled": true}})
	if res.Status != http.StatusOK {
		t.Skipf("auth-config not available yet: %d", res.Status)
	}
	res = mfaPost(t, env, pub, "/v1/auth/anonymous", nil)
	if res.Status != http.StatusOK {
		t.Skipf("anonymous sign-in not available yet: %d", res.Status)
	}
	var a sessionView
	res.Decode(t, &a)
	res = mfaPost(t, env, a.AccessToken, "/v1/auth/mfa/enroll", map[string]any{})
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "FORBIDDEN", res.Error.Code)
}
