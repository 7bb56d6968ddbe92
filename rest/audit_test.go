package rest_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/governance"
)

// auditLog is one row of GET /v1/audit-logs.
type auditLog struct {
	ID           string         `json:"id"`
	ActorType    string         `json:"actor_type"`
	ActorID      string         `json:"actor_id"`
	Action       string         `json:"action"`
	ResourceType string         `json:"resource_type"`
	ResourceID   string         `json:"resource_id"`
	Changes      map[string]any `json:"changes"`
	IP           string         `json:"ip"`
	RequestID    string         `json:"request_id"`
	CreatedAt    time.Time      `json:"created_at"`
}

type auditPage struct {
	Logs  []auditLog `json:"logs"`
	Total int        `json:"total"`
}

// auditList lists the caller's audit log with query q.
func auditList(t *testing.T, env *apptest.Env, key string, q url.Values) auditPage {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/audit-logs?" + q.Encode(), Key: key})
	require.Equal(t, http.StatusOK, res.Status, "audit logs: %s", res.Body)
	var p auditPage
	res.Decode(t, &p)
	return p
}

func TestAuditLogActorsAndFilters(t *testing.T) {
	env := apptest.New(t, apptest.Options{TrustProxy: true})
	tn, pub := authTenant(t, env)

	// A key's write, with the caller's request id and address.
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
		Body:   map[string]any{"label": "audited", "scopes": []string{"read"}},
		Header: map[string]string{"X-Request-Id": "req-audit-key", "X-Forwarded-For": "192.0.2.10"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var created createdKey
	res.Decode(t, &created)

	// An end user's writes: sign-up and a profile change.
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/auth/signup", Key: pub,
		Body:   map[string]any{"email": "audited@example.com", "password": "audit me please"},
		Header: map[string]string{"X-Request-Id": "req-audit-signup", "X-Forwarded-For": "192.0.2.11"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var s sessionView
	res.Decode(t, &s)
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth/user", Key: s.AccessToken,
		Body:   map[string]any{"user_metadata": map[string]any{"theme": "dark"}},
		Header: map[string]string{"X-Request-Id": "req-audit-user", "X-Forwarded-For": "192.0.2.12"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	// The platform admin's write.
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/admin/tenants/" + tn.ID, Key: apptest.AdminKey,
		Body:   map[string]any{"name": "Renamed by admin"},
		Header: map[string]string{"X-Request-Id": "req-audit-admin", "X-Forwarded-For": "192.0.2.13"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	byRequest := map[string]auditLog{}
	all := auditList(t, env, tn.Key, url.Values{"limit": {"1000"}})
	require.Equal(t, len(all.Logs), all.Total)
	for i, l := range all.Logs {
		if i > 0 {
			require.False(t, l.CreatedAt.After(all.Logs[i-1].CreatedAt), "newest first")
		}
		if _, seen := byRequest[l.RequestID]; !seen {
			byRequest[l.RequestID] = l
		}
	}
	for name, tc := range map[string]struct {
		request, actorType, actorPrefix, action, ip string
	}{
		"key":   {"req-audit-key", "key", "key_", "api_key.create", "192.0.2.10"},
		"user":  {"req-audit-user", "user", "usr_", "user.update", "192.0.2.12"},
		"admin": {"req-audit-admin", "admin", "admin", "tenant.update", "192.0.2.13"},
	} {
		t.Run(name, func(t *testing.T) {
			l, ok := byRequest[tc.request]
			require.True(t, ok, "no audit row for %s", tc.request)
			require.Equal(t, tc.actorType, l.ActorType)
			require.Regexp(t, "^"+tc.actorPrefix, l.ActorID)
			require.Equal(t, tc.ip, l.IP)
			require.Regexp(t, `^aud_`, l.ID)
			require.Equal(t, tc.action, l.Action)
		})
	}
	// Signing up is the user's act, though it comes through the publishable key.
	signIn := auditList(t, env, tn.Key, url.Values{"action": {"auth.sign_in"}})
	require.Equal(t, 1, signIn.Total)
	require.Equal(t, "user", signIn.Logs[0].ActorType)
	require.Equal(t, s.User.ID, signIn.Logs[0].ActorID)
	require.Equal(t, "req-audit-signup", signIn.Logs[0].RequestID)
	require.Equal(t, "192.0.2.11", signIn.Logs[0].IP)

	// Filters: action, resource type and id, actor, time range.
	keys := auditList(t, env, tn.Key, url.Values{"resource_type": {"api_key"}})
	require.Equal(t, 3, keys.Total, "tenant's default key, the publishable key and the audited one")
	for _, l := range keys.Logs {
		require.Equal(t, "api_key", l.ResourceType)
	}
	one := auditList(t, env, tn.Key, url.Values{"resource_id": {created.Key.ID}, "action": {"api_key.create"}})
	require.Equal(t, 1, one.Total)
	require.Equal(t, "req-audit-key", one.Logs[0].RequestID)
	mine := auditList(t, env, tn.Key, url.Values{"actor_id": {s.User.ID}})
	require.GreaterOrEqual(t, mine.Total, 2)
	for _, l := range mine.Logs {
		require.Equal(t, s.User.ID, l.ActorID)
	}
	newest := all.Logs[0].CreatedAt
	none := auditList(t, env, tn.Key, url.Values{"from": {newest.Add(time.Second).Format(time.RFC3339Nano)}})
	require.Zero(t, none.Total)
	upTo := auditList(t, env, tn.Key, url.Values{"to": {newest.Add(time.Second).Format(time.RFC3339Nano)}})
	require.Equal(t, all.Total, upTo.Total)

	// Pagination: limit and offset over a stable order, total unchanged.
	first := auditList(t, env, tn.Key, url.Values{"limit": {"2"}})
	second := auditList(t, env, tn.Key, url.Values{"limit": {"2"}, "offset": {"2"}})
	require.Len(t, first.Logs, 2)
	require.Equal(t, all.Total, first.Total)
	require.Equal(t, all.Logs[2].ID, second.Logs[0].ID)
	require.Equal(t, all.Total, len(auditList(t, env, tn.Key, url.Values{"limit": {"5000"}}).Logs), "a limit above 1,000 is clamped")

	for name, q := range map[string]string{
		"negative limit":  "limit=-1",
		"negative offset": "offset=-3",
		"bad from":        "from=yesterday",
		"to before from":  "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
	} {
		res := env.Do(t, apptest.Request{Path: "/v1/audit-logs?" + q, Key: tn.Key})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", name, res.Body)
		require.Equal(t, "VALIDATION_FAILED", res.Error.Code, name)
	}

	// Tenants see only their own log; the auth scope gates it.
	other := env.NewTenant(t)
	for _, l := range auditList(t, env, other.Key, url.Values{"limit": {"1000"}}).Logs {
		require.NotContains(t, []string{"req-audit-key", "req-audit-user", "req-audit-admin"}, l.RequestID)
	}
	res = env.Do(t, apptest.Request{Path: "/v1/audit-logs", Key: scopedKey(t, env, tn.Key, "read")})
	require.Equal(t, http.StatusForbidden, res.Status)
	require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
	res = env.Do(t, apptest.Request{Path: "/v1/audit-logs", Key: s.AccessToken})
	require.Equal(t, http.StatusForbidden, res.Status, "an end user needs audit:read")
}

func TestAuditLogAppendOnly(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	ctx := context.Background()
	idb := env.App.Core.DB
	var id string
	require.NoError(t, idb.NewRaw(`SELECT id FROM audit_logs WHERE tenant_id = ? LIMIT 1`, tn.ID).Scan(ctx, &id))

	_, err := idb.ExecContext(ctx, `UPDATE audit_logs SET action = 'forged' WHERE tenant_id = ? AND id = ?`, tn.ID, id)
	require.ErrorContains(t, err, "append-only")
	_, err = idb.ExecContext(ctx, `DELETE FROM audit_logs WHERE tenant_id = ? AND id = ?`, tn.ID, id)
	require.ErrorContains(t, err, "append-only")
	_, err = idb.ExecContext(ctx, `TRUNCATE audit_logs`)
	require.ErrorContains(t, err, "append-only")

	// Even the purge flag does not allow an UPDATE.
	err = idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL platform.audit_purge = 'on'"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_logs SET action = 'forged' WHERE tenant_id = ?`, tn.ID)
		return err
	})
	require.ErrorContains(t, err, "append-only")

	// Deleting the tenant removes its log with it (the cascade is allowed).
	res := env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/admin/tenants/" + tn.ID, Key: apptest.AdminKey})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var n int
	require.NoError(t, idb.NewRaw(`SELECT count(*) FROM audit_logs WHERE tenant_id = ?`, tn.ID).Scan(ctx, &n))
	require.Zero(t, n)
}

func TestAuditRetentionJob(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock, NoBackground: true})
	ctx := context.Background()
	kept, trimmed := env.NewTenant(t), env.NewTenant(t)
	for _, tn := range []apptest.Tenant{kept, trimmed} {
		issueKey(t, env, tn.Key, map[string]any{"label": "old", "scopes": []string{"read"}})
	}
	clock.Advance(40 * 24 * time.Hour)
	issueKey(t, env, trimmed.Key, map[string]any{"label": "new", "scopes": []string{"read"}})
	govMustPatch(t, env, trimmed.Key, map[string]any{"audit_retention_days": 30})
	count := func(tenantID string) (old, recent int) {
		cutoff := clock.Now().Add(-30 * 24 * time.Hour)
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FILTER (WHERE created_at < ?), count(*) FILTER (WHERE created_at >= ?)
			FROM audit_logs WHERE tenant_id = ?`, cutoff, cutoff, tenantID).Scan(ctx, &old, &recent))
		return old, recent
	}
	keptOld, _ := count(kept.ID)
	trimmedOld, trimmedRecent := count(trimmed.ID)
	require.Positive(t, keptOld)
	require.Positive(t, trimmedOld)

	worker := &governance.RetentionWorker{Service: env.App.Governance}
	require.NoError(t, worker.Work(ctx, nil))

	old, recent := count(trimmed.ID)
	require.Zero(t, old, "rows past the retention are purged")
	require.Equal(t, trimmedRecent+1, recent, "recent rows stay, and the purge is itself recorded")
	purge := auditList(t, env, trimmed.Key, url.Values{"action": {"audit.purge"}})
	require.Equal(t, 1, purge.Total)
	require.Equal(t, "system", purge.Logs[0].ActorType)
	require.EqualValues(t, trimmedOld, purge.Logs[0].Changes["deleted"])
	old, _ = count(kept.ID)
	require.Equal(t, keptOld, old, "a tenant without retention keeps everything")

	// A second run finds nothing more to do.
	require.NoError(t, worker.Work(ctx, nil))
	require.Equal(t, 1, auditList(t, env, trimmed.Key, url.Values{"action": {"audit.purge"}}).Total)
}
