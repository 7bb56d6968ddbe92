package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// govSettings is GET/PATCH /v1/governance as a client sees it.
type govSettings struct {
	IPAllowlist         []string   `json:"ip_allowlist"`
	SessionDurationSecs int        `json:"session_duration_secs"`
	PasswordMinLength   int        `json:"password_min_length"`
	MFARequiredRoles    []string   `json:"mfa_required_roles"`
	AuditRetentionDays  int        `json:"audit_retention_days"`
	UpdatedAt           *time.Time `json:"updated_at"`
	UpdatedBy           string     `json:"updated_by"`
}

// govPatch sends PATCH /v1/governance, from ip when set (X-Forwarded-For;
// the env must trust the proxy header).
func govPatch(t *testing.T, env *apptest.Env, key, ip string, body map[string]any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/governance", Key: key, Body: body, Header: govFrom(ip)})
}

func govMustPatch(t *testing.T, env *apptest.Env, key string, body map[string]any) govSettings {
	t.Helper()
	res := govPatch(t, env, key, "", body)
	require.Equal(t, http.StatusOK, res.Status, "patch governance: %s", res.Body)
	var s govSettings
	res.Decode(t, &s)
	return s
}

func govFrom(ip string) map[string]string {
	if ip == "" {
		return nil
	}
	return map[string]string{"X-Forwarded-For": ip}
}

// govRoleFor creates an RBAC role with perms and assigns it to userID.
func govRoleFor(t *testing.T, env *apptest.Env, key, name, userID string, perms ...string) {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/roles", Key: key,
		Body: map[string]any{"name": name, "permissions": perms}})
	require.Equal(t, http.StatusCreated, res.Status, "create role: %s", res.Body)
	var role struct {
		ID string `json:"id"`
	}
	res.Decode(t, &role)
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/roles/assign", Key: key,
		Body: map[string]any{"user_id": userID, "role_id": role.ID}})
	require.Less(t, res.Status, 300, "assign role: %s", res.Body)
}

func TestGovernanceSettings(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)

	res := env.Do(t, apptest.Request{Path: "/v1/governance", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var got govSettings
	res.Decode(t, &got)
	require.Equal(t, govSettings{IPAllowlist: []string{}, MFARequiredRoles: []string{}}, got)

	set := govMustPatch(t, env, tn.Key, map[string]any{"session_duration_secs": 7200, "password_min_length": 12,
		"mfa_required_roles": []string{" admin ", "finance", "admin"}, "audit_retention_days": 90,
		"ip_allowlist": []string{"127.0.0.1", "10.0.0.0/8", "::1"}})
	require.Equal(t, 7200, set.SessionDurationSecs)
	require.Equal(t, 12, set.PasswordMinLength)
	require.Equal(t, []string{"admin", "finance"}, set.MFARequiredRoles)
	require.Equal(t, 90, set.AuditRetentionDays)
	require.Equal(t, []string{"127.0.0.1", "10.0.0.0/8", "::1"}, set.IPAllowlist)
	require.NotNil(t, set.UpdatedAt)
	require.Regexp(t, `^key_`, set.UpdatedBy)

	// Absent fields keep their value; 0 and [] switch a rule off.
	set = govMustPatch(t, env, tn.Key, map[string]any{"password_min_length": 0, "ip_allowlist": []string{}})
	require.Equal(t, 0, set.PasswordMinLength)
	require.Empty(t, set.IPAllowlist)
	require.Equal(t, 7200, set.SessionDurationSecs)
	res = env.Do(t, apptest.Request{Path: "/v1/governance", Key: tn.Key})
	res.Decode(t, &got)
	require.Equal(t, set, got)

	var actions []string
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT action FROM audit_logs WHERE tenant_id = ? AND resource_type = 'governance'`,
		tn.ID).Scan(context.Background(), &actions))
	require.Equal(t, []string{"governance.update", "governance.update"}, actions)

	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = fmt.Sprintf("10.0.%d.%d", i/200, i%200)
	}
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"bad ip":             {map[string]any{"ip_allowlist": []string{"127.0.0.1", "not-an-ip"}}, "ip_allowlist"},
		"bad cidr":           {map[string]any{"ip_allowlist": []string{"10.0.0.0/33"}}, "ip_allowlist"},
		"too many entries":   {map[string]any{"ip_allowlist": append(hundredOne, "127.0.0.1")}, "ip_allowlist"},
		"session too short":  {map[string]any{"session_duration_secs": 10}, "session_duration_secs"},
		"session negative":   {map[string]any{"session_duration_secs": -1}, "session_duration_secs"},
		"password too short": {map[string]any{"password_min_length": 7}, "password_min_length"},
		"password too long":  {map[string]any{"password_min_length": 129}, "password_min_length"},
		"retention negative": {map[string]any{"audit_retention_days": -1}, "audit_retention_days"},
		"role with a space":  {map[string]any{"mfa_required_roles": []string{"two words"}}, "mfa_required_roles"},
	} {
		t.Run(name, func(t *testing.T) {
			res := govPatch(t, env, tn.Key, "", tc.body)
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
			require.Contains(t, res.Error.Fields, tc.field)
		})
	}
	res = govPatch(t, env, tn.Key, "", map[string]any{"session_duration_secs": "long"})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)

	// The auth scope gates both routes.
	readOnly := scopedKey(t, env, tn.Key, "read", "write")
	for _, method := range []string{"GET", "PATCH"} {
		res := env.Do(t, apptest.Request{Method: method, Path: "/v1/governance", Key: readOnly, Body: map[string]any{}})
		require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
	}
	authKey := scopedKey(t, env, tn.Key, "auth")
	require.Equal(t, http.StatusOK, govPatch(t, env, authKey, "", map[string]any{"audit_retention_days": 30}).Status)
}

func TestGovernanceIPAllowlist(t *testing.T) {
	env := apptest.New(t, apptest.Options{TrustProxy: true})
	tn, pub := authTenant(t, env)
	const inside, outside = "203.0.113.7", "198.51.100.9"
	s := signUp(t, env, pub, "ip@example.com", "ip allowlist 1")

	// A list that would refuse the caller's own address is refused.
	res := govPatch(t, env, tn.Key, outside, map[string]any{"ip_allowlist": []string{"203.0.113.0/24"}})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
	require.Contains(t, res.Error.Fields["ip_allowlist"][0], outside)
	res = govPatch(t, env, tn.Key, inside, map[string]any{"ip_allowlist": []string{"203.0.113.0/24", "2001:db8::/32"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	for name, tc := range map[string]struct {
		key, path string
	}{
		"api key":           {tn.Key, "/v1/keys"},
		"end-user token":    {s.AccessToken, "/v1/auth/user"},
		"graphql (api key)": {tn.Key, "/graphql"},
	} {
		t.Run(name, func(t *testing.T) {
			method, body := "GET", any(nil)
			if tc.path == "/graphql" {
				method, body = "POST", map[string]any{"query": "{ __typename }"}
			}
			for ip, want := range map[string]int{outside: http.StatusForbidden, inside: http.StatusOK, "2001:db8::5": http.StatusOK, "::ffff:198.51.100.9": http.StatusForbidden} {
				res := env.Do(t, apptest.Request{Method: method, Path: tc.path, Key: tc.key, Body: body, Header: govFrom(ip)})
				if want == http.StatusForbidden {
					require.Equal(t, want, res.Status, "%s from %s: %s", tc.path, ip, res.Body)
					require.Equal(t, "IP_NOT_ALLOWED", res.Error.Code)
					continue
				}
				require.NotEqual(t, http.StatusForbidden, res.Status, "%s from %s: %s", tc.path, ip, res.Body)
				require.Less(t, res.Status, 300, "%s from %s: %s", tc.path, ip, res.Body)
			}
		})
	}

	// Signing in from outside is refused at the key, before any password check.
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/login", Key: pub, Header: govFrom(outside),
		Body: map[string]any{"email": "ip@example.com", "password": "ip allowlist 1"}})
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "IP_NOT_ALLOWED", res.Error.Code)
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/login", Key: pub, Header: govFrom(inside),
		Body: map[string]any{"email": "ip@example.com", "password": "ip allowlist 1"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	// The platform admin is exempt, and lifting the list reopens the tenant.
	res = env.Do(t, apptest.Request{Path: "/v1/admin/tenants/" + tn.ID, Key: apptest.AdminKey, Header: govFrom(outside)})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = govPatch(t, env, tn.Key, inside, map[string]any{"ip_allowlist": []string{}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key, Header: govFrom(outside)})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}

func TestGovernancePasswordMinimum(t *testing.T) {
	env := apptest.New(t)
	tn, pub := authTenant(t, env)
	signUpStatus := func(email, password string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
			Body: map[string]any{"email": email, "password": password}})
	}
	require.Equal(t, http.StatusOK, signUpStatus("a@example.com", "ten chars!").Status)

	// Governance 12 is stricter than auth-config's default 8: it wins.
	govMustPatch(t, env, tn.Key, map[string]any{"password_min_length": 12})
	res := signUpStatus("b@example.com", "ten chars!")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, []string{"must be at least 12 characters"}, res.Error.Fields["password"])
	require.Equal(t, http.StatusOK, signUpStatus("b@example.com", "twelve chars").Status)

	// auth-config 14 is stricter than governance 12: it wins.
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{"password_min_length": 14}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = signUpStatus("c@example.com", "thirteen char")
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, []string{"must be at least 14 characters"}, res.Error.Fields["password"])

	// auth-config still reports its own value, not governance's.
	govMustPatch(t, env, tn.Key, map[string]any{"password_min_length": 20})
	res = env.Do(t, apptest.Request{Path: "/v1/auth-config", Key: tn.Key})
	var cfg struct {
		PasswordMinLength int `json:"password_min_length"`
	}
	res.Decode(t, &cfg)
	require.Equal(t, 14, cfg.PasswordMinLength)
	res = signUpStatus("d@example.com", strings.Repeat("x", 19))
	require.Equal(t, []string{"must be at least 20 characters"}, res.Error.Fields["password"])
}

func TestGovernanceSessionDuration(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn, pub := authTenant(t, env)
	refresh := func(token string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/refresh", Key: pub, Body: map[string]any{"refresh_token": token}})
	}
	me := func(token string) int {
		return env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: token}).Status
	}
	early := signUp(t, env, pub, "early@example.com", "session length 1")

	// Set 2 hours, 30 minutes after the early sign-in: it is cut at 2h too.
	clock.Advance(30 * time.Minute)
	govMustPatch(t, env, tn.Key, map[string]any{"session_duration_secs": 7200})
	late := signUp(t, env, pub, "late@example.com", "session length 1")

	clock.Advance(80 * time.Minute) // early: 1h50 old, late: 1h20
	res := refresh(early.RefreshToken)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var renewed sessionView
	res.Decode(t, &renewed)
	require.Equal(t, http.StatusOK, me(renewed.AccessToken))

	clock.Advance(15 * time.Minute) // early: 2h05 old, late: 1h35
	require.Equal(t, http.StatusUnauthorized, me(renewed.AccessToken), "the access token outlives its session no more")
	res = refresh(renewed.RefreshToken)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
	res = refresh(late.RefreshToken)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &renewed)

	clock.Advance(30 * time.Minute) // late: 2h05 old
	require.Equal(t, http.StatusUnauthorized, me(renewed.AccessToken))
	require.Equal(t, http.StatusUnauthorized, refresh(renewed.RefreshToken).Status)

	// A sign-in after the change also ends at the governance duration.
	fresh := logIn(t, env, pub, "late@example.com", "session length 1")
	require.Equal(t, http.StatusOK, fresh.Status, "%s", fresh.Body)
	var s sessionView
	fresh.Decode(t, &s)
	clock.Advance(2*time.Hour - time.Minute)
	require.Equal(t, http.StatusOK, refresh(s.RefreshToken).Status)
	clock.Advance(2 * time.Minute)
	require.Equal(t, http.StatusUnauthorized, refresh(s.RefreshToken).Status)
}

func TestGovernanceMFARequiredRole(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn, pub := authTenant(t, env)
	const email, password = "cfo@example.com", "mfa required 1"
	s := signUp(t, env, pub, email, password)
	govRoleFor(t, env, tn.Key, "finance", s.User.ID, "audit:read")
	auditList := func(token string) *apptest.Response {
		return env.Do(t, apptest.Request{Path: "/v1/audit-logs?limit=1", Key: token})
	}
	require.Equal(t, http.StatusOK, auditList(s.AccessToken).Status, "the role grants audit:read")

	// Requiring MFA of the RBAC role limits the user's aal1 session at once.
	govMustPatch(t, env, tn.Key, map[string]any{"mfa_required_roles": []string{"finance"}})
	res := auditList(s.AccessToken)
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	require.Equal(t, "MFA_ENROLLMENT_REQUIRED", res.Error.Code)

	// Without a factor, login answers a session flagged for enrollment
	// that reaches only self-service.
	res = logIn(t, env, pub, email, password)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var limited struct {
		sessionView
		MFAEnrollmentRequired bool `json:"mfa_enrollment_required"`
	}
	res.Decode(t, &limited)
	require.True(t, limited.MFAEnrollmentRequired, "%s", res.Body)
	require.NotEmpty(t, limited.AccessToken)
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: limited.AccessToken}).Status)
	require.Equal(t, http.StatusForbidden, auditList(limited.AccessToken).Status)

	// Enrolling and verifying a factor raises that session to aal2: full access.
	e := mfaEnroll(t, env, limited.AccessToken, "phone")
	res = mfaPost(t, env, limited.AccessToken, "/v1/auth/mfa/verify",
		map[string]any{"factor_id": e.FactorID, "code": mfaCode(t, e.TOTP.Secret, clock.Now())})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusOK, auditList(limited.AccessToken).Status)
	require.Equal(t, http.StatusForbidden, auditList(s.AccessToken).Status, "the other aal1 session stays limited")

	// From now on login is the MFA challenge; its session is not limited.
	l := mfaTicket(t, env, pub, email, password)
	clock.Advance(30 * time.Second)
	res = mfaComplete(t, env, l.MFATicket, e.FactorID, mfaCode(t, e.TOTP.Secret, clock.Now()))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var full struct {
		sessionView
		MFAEnrollmentRequired bool `json:"mfa_enrollment_required"`
	}
	res.Decode(t, &full)
	require.False(t, full.MFAEnrollmentRequired)
	require.Equal(t, http.StatusOK, auditList(full.AccessToken).Status)

	// A user's role string is matched too; other users are not concerned.
	govMustPatch(t, env, tn.Key, map[string]any{"mfa_required_roles": []string{"authenticated"}})
	other := signUp(t, env, pub, "staff@example.com", password)
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
		Body: map[string]any{"email": "staff2@example.com", "password": password}})
	require.Contains(t, string(res.Body), `"mfa_enrollment_required":true`)
	govMustPatch(t, env, tn.Key, map[string]any{"mfa_required_roles": []string{"admin"}})
	res = logIn(t, env, pub, "staff@example.com", password)
	require.NotContains(t, string(res.Body), "mfa_enrollment_required")
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: other.AccessToken}).Status)
}
