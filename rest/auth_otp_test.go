package rest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// otpSend posts /v1/auth/otp/send.
func otpSend(t *testing.T, env *apptest.Env, key, phone string) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/otp/send", Key: key, Body: map[string]any{"phone": phone}})
}

// otpVerify posts /v1/auth/otp/verify.
func otpVerify(t *testing.T, env *apptest.Env, key, phone, code string) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/otp/verify", Key: key,
		Body: map[string]any{"phone": phone, "code": code}})
}

// otpCode sends a code to phone and returns it as texted.
func otpCode(t *testing.T, env *apptest.Env, tenantID, key, phone string) string {
	t.Helper()
	res := otpSend(t, env, key, phone)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	msg := env.LastMessage(t, tenantID, phone)
	require.Equal(t, "sms", msg.Channel)
	require.Equal(t, "otp", msg.Kind)
	require.Regexp(t, `^[0-9]{6}$`, msg.Code)
	return msg.Code
}

// otpWrong is a code that is not code.
func otpWrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestAuthOTPSignIn(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	_, otherPub := authTenant(t, env)

	t.Run("new phone signs up; code is single use", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230001"
		code := otpCode(t, env, tn.ID, pub, phone)

		res := otpVerify(t, env, pub, phone, otpWrong(code))
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
		res = otpVerify(t, env, otherPub, phone, code)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)

		res = otpVerify(t, env, pub, phone, code)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var s sessionView
		res.Decode(t, &s)
		require.NotEmpty(t, s.AccessToken)
		require.Regexp(t, `^usr_`, s.User.ID)
		u, err := db.AuthUserByPhone(context.Background(), env.App.Core.DB, tn.ID, phone)
		require.NoError(t, err)
		require.Equal(t, s.User.ID, u.ID)
		require.NotNil(t, u.PhoneVerifiedAt)

		res = otpVerify(t, env, pub, phone, code)
		require.Equal(t, http.StatusUnauthorized, res.Status)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)

		// Signing in again finds the same user.
		res = otpVerify(t, env, pub, phone, otpCode(t, env, tn.ID, pub, phone))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var again sessionView
		res.Decode(t, &again)
		require.Equal(t, s.User.ID, again.User.ID)
	})

	t.Run("existing user with that phone", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
			Body: map[string]any{"email": "phone@example.com", "password": "long enough 1", "phone": "+15551230002"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var signed sessionView
		res.Decode(t, &signed)
		res = otpVerify(t, env, pub, "+15551230002", otpCode(t, env, tn.ID, pub, "+15551230002"))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var s sessionView
		res.Decode(t, &s)
		require.Equal(t, signed.User.ID, s.User.ID)
	})

	t.Run("five wrong guesses drop the code", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230003"
		code := otpCode(t, env, tn.ID, pub, phone)
		for i := 0; i < 5; i++ {
			res := otpVerify(t, env, pub, phone, otpWrong(code))
			require.Equal(t, http.StatusUnauthorized, res.Status, "attempt %d: %s", i+1, res.Body)
		}
		res := otpVerify(t, env, pub, phone, code)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})

	t.Run("four wrong guesses leave the right one valid", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230004"
		code := otpCode(t, env, tn.ID, pub, phone)
		for i := 0; i < 4; i++ {
			require.Equal(t, http.StatusUnauthorized, otpVerify(t, env, pub, phone, otpWrong(code)).Status)
		}
		res := otpVerify(t, env, pub, phone, code)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})

	t.Run("expired after ten minutes", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230005"
		code := otpCode(t, env, tn.ID, pub, phone)
		clock.Advance(11 * time.Minute)
		res := otpVerify(t, env, pub, phone, code)
		require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})

	t.Run("a new code replaces the previous one", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230006"
		first := otpCode(t, env, tn.ID, pub, phone)
		second := otpCode(t, env, tn.ID, pub, phone)
		if first != second {
			require.Equal(t, http.StatusUnauthorized, otpVerify(t, env, pub, phone, first).Status)
		}
		require.Equal(t, http.StatusOK, otpVerify(t, env, pub, phone, second).Status)
	})

	t.Run("five sends an hour per phone", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		phone := "+15551230007"
		for i := 0; i < 5; i++ {
			otpCode(t, env, tn.ID, pub, phone)
		}
		res := otpSend(t, env, pub, phone)
		require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
		require.Equal(t, "RATE_LIMITED", res.Error.Code)
		require.NotEmpty(t, res.Header.Get("Retry-After"))
		require.Len(t, env.Messages(t, tn.ID, phone), 5)
		clock.Advance(time.Hour)
		otpCode(t, env, tn.ID, pub, phone)
	})

	t.Run("closed sign-ups: unknown phone gets nothing, same answer", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		linksConfig(t, env, tn.ID, `{"signup_enabled":false}`, nil)
		res := otpSend(t, env, pub, "+15551230008")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"message":"If this phone can sign in, a code has been sent."}`, string(res.Data))
		require.Empty(t, env.Messages(t, tn.ID, "+15551230008"))
	})

	t.Run("disabled", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		linksConfig(t, env, tn.ID, `{"otp_enabled":false}`, nil)
		res := otpSend(t, env, pub, "+15551230009")
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		require.Equal(t, "FORBIDDEN", res.Error.Code)
		res = otpVerify(t, env, pub, "+15551230009", "123456")
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	})

	t.Run("bad input", func(t *testing.T) {
		tn, pub := authTenant(t, env)
		_ = tn
		for _, tc := range []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"send without phone", "/v1/auth/otp/send", map[string]any{}, "phone"},
			{"send non-E.164", "/v1/auth/otp/send", map[string]any{"phone": "555-1234"}, "phone"},
			{"verify without code", "/v1/auth/otp/verify", map[string]any{"phone": "+15551230010"}, "code"},
			{"verify non-E.164", "/v1/auth/otp/verify", map[string]any{"phone": "15551230010", "code": "123456"}, "phone"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := env.Do(t, apptest.Request{Method: "POST", Path: tc.path, Key: pub, Body: tc.body})
				require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
				require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
				require.Contains(t, res.Error.Fields, tc.field)
			})
		}
		res := otpVerify(t, env, pub, "+15551230010", "123456")
		require.Equal(t, http.StatusUnauthorized, res.Status, "no code was sent: %s", res.Body)
		require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	})
}
