package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

const keyFields = `id label prefix scopes ipAllowlist rateLimit { perMinute perHour } expiresAt lastUsedAt createdBy createdAt updatedAt`

type apiKey struct {
	ID          string     `json:"id"`
	Label       string     `json:"label"`
	Prefix      string     `json:"prefix"`
	Scopes      []string   `json:"scopes"`
	IPAllowlist []string   `json:"ipAllowlist"`
	RateLimit   *rateLimit `json:"rateLimit"`
	ExpiresAt   *time.Time `json:"expiresAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt"`
	CreatedBy   string     `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

type rateLimit struct {
	PerMinute int `json:"perMinute"`
	PerHour   int `json:"perHour"`
}

const (
	listKeys  = `{ apiKeys { ` + keyFields + ` } }`
	createKey = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token key { ` + keyFields + ` } } }`
	updateKey = `mutation($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) { ` + keyFields + ` } }`
	revokeKey = `mutation($id: ID!) { revokeApiKey(id: $id) { id revoked revokedAt } }`
	rotateKey = `mutation($id: ID!, $input: RotateApiKeyInput) { rotateApiKey(id: $id, input: $input) { token oldKey { id } newKey { ` + keyFields + ` } } }`
)

type createdKey struct {
	Token string `json:"token"`
	Key   apiKey `json:"key"`
}

// gqlCreateKey creates a key through GraphQL.
func gqlCreateKey(t *testing.T, env *apptest.Env, key string, input map[string]any) createdKey {
	t.Helper()
	var got struct{ CreateApiKey createdKey }
	gql(t, env, key, createKey, map[string]any{"input": input}).decode(t, &got)
	return got.CreateApiKey
}

func listIDs(t *testing.T, env *apptest.Env, key string) []string {
	t.Helper()
	var got struct{ APIKeys []apiKey }
	gql(t, env, key, listKeys, nil).decode(t, &got)
	ids := []string{}
	for _, k := range got.APIKeys {
		ids = append(ids, k.ID)
	}
	return ids
}

func TestAPIKeysQuery(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	var got struct{ APIKeys []apiKey }
	gql(t, env, tn.Key, listKeys, nil).decode(t, &got)
	require.Len(t, got.APIKeys, 1)
	k := got.APIKeys[0]
	require.Equal(t, "Default key", k.Label)
	require.Equal(t, []string{"*"}, k.Scopes)
	require.Equal(t, []string{}, k.IPAllowlist)
	require.Nil(t, k.RateLimit)
	require.True(t, strings.HasPrefix(tn.Key, k.Prefix), "prefix %q", k.Prefix)
	require.Equal(t, "admin", k.CreatedBy) // provisioned by the platform admin

	// The same list as REST's, from the same domain method.
	res := env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key})
	var rest []struct{ ID string }
	res.Decode(t, &rest)
	require.Equal(t, k.ID, rest[0].ID)

	t.Run("anonymous", func(t *testing.T) {
		gql(t, env, "", listKeys, nil).requireCode(t, domain.CodeUnauthorized)
	})
	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read", "write"}})
		e := gql(t, env, readOnly, listKeys, nil).requireCode(t, domain.CodeInsufficientScope)
		require.Equal(t, "*", e.Extensions["required_scope"])
		require.Contains(t, e.Message, "scope")
	})
}

func TestCreateAPIKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	created := gqlCreateKey(t, env, tn.Key, map[string]any{
		"label": " Backend ", "scopes": []string{"write", "read"}, "ipAllowlist": []string{"10.0.0.0/8"},
		"expiresAt": exp.Format(time.RFC3339), "rateLimit": map[string]any{"perMinute": 100, "perHour": 1000},
	})
	require.True(t, strings.HasPrefix(created.Token, "sk_"))
	k := created.Key
	require.True(t, strings.HasPrefix(k.ID, "key_"))
	require.Equal(t, "Backend", k.Label)
	require.Equal(t, []string{"read", "write"}, k.Scopes)
	require.Equal(t, []string{"10.0.0.0/8"}, k.IPAllowlist)
	require.Equal(t, &rateLimit{PerMinute: 100, PerHour: 1000}, k.RateLimit)
	require.NotNil(t, k.ExpiresAt)
	require.True(t, exp.Equal(*k.ExpiresAt))
	require.Nil(t, k.LastUsedAt)
	require.True(t, strings.HasPrefix(k.CreatedBy, "key_"))
	require.Contains(t, listIDs(t, env, tn.Key), k.ID)

	// The new secret works (from anywhere but its allowlist it would not).
	open := gqlCreateKey(t, env, tn.Key, map[string]any{"scopes": []string{"*"}})
	require.Contains(t, listIDs(t, env, open.Token), open.Key.ID)
	require.Equal(t, "", open.Key.Label)

	t.Run("validation", func(t *testing.T) {
		res := gql(t, env, tn.Key, createKey, map[string]any{"input": map[string]any{
			"scopes": []string{"bogus"}, "expiresAt": time.Now().Add(-time.Hour).Format(time.RFC3339),
			"rateLimit": map[string]any{"perMinute": 0, "perHour": 10},
		}})
		e := res.requireCode(t, domain.CodeValidationFailed)
		require.Equal(t, []any{"createApiKey"}, e.Path)
		fields, _ := e.Extensions["fields"].(map[string]any)
		require.Contains(t, fields, "scopes")
		require.Contains(t, fields, "expires_at")
		require.Contains(t, fields, "rate_limit.per_minute")
	})
	t.Run("malformed time", func(t *testing.T) {
		res := gql(t, env, tn.Key, `mutation { createApiKey(input: {scopes: ["read"], expiresAt: "tomorrow"}) { token } }`, nil)
		res.requireCode(t, domain.CodeValidationFailed)
	})
	t.Run("schema violations keep GraphQL's codes", func(t *testing.T) {
		res := gql(t, env, tn.Key, `mutation { createApiKey(input: {label: "x"}) { token } }`, nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		res.requireCode(t, "GRAPHQL_VALIDATION_FAILED")
	})
	t.Run("anonymous", func(t *testing.T) {
		gql(t, env, "", createKey, map[string]any{"input": map[string]any{"scopes": []string{"read"}}}).
			requireCode(t, domain.CodeUnauthorized)
	})
	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		res := gql(t, env, readOnly, createKey, map[string]any{"input": map[string]any{"scopes": []string{"read"}}})
		res.requireCode(t, domain.CodeInsufficientScope)
		require.JSONEq(t, `null`, string(res.Data))
	})
}

func TestUpdateAPIKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	exp := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	k := gqlCreateKey(t, env, tn.Key, map[string]any{"label": "a", "scopes": []string{"read"},
		"expiresAt": exp.Format(time.RFC3339), "rateLimit": map[string]any{"perMinute": 5, "perHour": 50}}).Key

	update := func(t *testing.T, input map[string]any) apiKey {
		t.Helper()
		var got struct{ UpdateApiKey apiKey }
		gql(t, env, tn.Key, updateKey, map[string]any{"id": k.ID, "input": input}).decode(t, &got)
		return got.UpdateApiKey
	}

	// Absent members keep their value.
	got := update(t, map[string]any{"label": "b", "scopes": []string{"read", "write"}})
	require.Equal(t, "b", got.Label)
	require.Equal(t, []string{"read", "write"}, got.Scopes)
	require.Equal(t, &rateLimit{PerMinute: 5, PerHour: 50}, got.RateLimit)
	require.NotNil(t, got.ExpiresAt)
	require.True(t, exp.Equal(*got.ExpiresAt))

	// null clears rateLimit; expiresAt, absent, stays.
	got = update(t, map[string]any{"rateLimit": nil})
	require.Nil(t, got.RateLimit)
	require.NotNil(t, got.ExpiresAt)
	require.Equal(t, "b", got.Label)

	// A literal null (no variables) clears expiresAt too.
	var lit struct{ UpdateApiKey apiKey }
	gql(t, env, tn.Key, `mutation { updateApiKey(id: "`+k.ID+`", input: {expiresAt: null, rateLimit: {perMinute: 7, perHour: 70}}) { `+keyFields+` } }`, nil).
		decode(t, &lit)
	require.Nil(t, lit.UpdateApiKey.ExpiresAt)
	require.Equal(t, &rateLimit{PerMinute: 7, PerHour: 70}, lit.UpdateApiKey.RateLimit)

	// REST reads what GraphQL wrote.
	res := env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key})
	var rest []struct {
		ID        string            `json:"id"`
		Label     string            `json:"label"`
		RateLimit *domain.RateLimit `json:"rate_limit"`
		ExpiresAt *time.Time        `json:"expires_at"`
	}
	res.Decode(t, &rest)
	i := slices.IndexFunc(rest, func(r struct {
		ID        string            `json:"id"`
		Label     string            `json:"label"`
		RateLimit *domain.RateLimit `json:"rate_limit"`
		ExpiresAt *time.Time        `json:"expires_at"`
	}) bool {
		return r.ID == k.ID
	})
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, "b", rest[i].Label)
	require.Equal(t, &domain.RateLimit{PerMinute: 7, PerHour: 70}, rest[i].RateLimit)
	require.Nil(t, rest[i].ExpiresAt)

	t.Run("validation", func(t *testing.T) {
		res := gql(t, env, tn.Key, updateKey, map[string]any{"id": k.ID, "input": map[string]any{
			"rateLimit": map[string]any{"perMinute": 100, "perHour": 10}, "ipAllowlist": []string{"not an ip"}}})
		e := res.requireCode(t, domain.CodeValidationFailed)
		fields, _ := e.Extensions["fields"].(map[string]any)
		require.Contains(t, fields, "rate_limit.per_hour")
		require.Contains(t, fields, "ip_allowlist")
	})
	t.Run("unknown id", func(t *testing.T) {
		for _, id := range []string{"key_01J00000000000000000000000", "nope"} {
			gql(t, env, tn.Key, updateKey, map[string]any{"id": id, "input": map[string]any{"label": "x"}}).
				requireCode(t, domain.CodeNotFound)
		}
	})
	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		gql(t, env, readOnly, updateKey, map[string]any{"id": k.ID, "input": map[string]any{"label": "x"}}).
			requireCode(t, domain.CodeInsufficientScope)
	})
	t.Run("anonymous", func(t *testing.T) {
		gql(t, env, "", updateKey, map[string]any{"id": k.ID, "input": map[string]any{"label": "x"}}).
			requireCode(t, domain.CodeUnauthorized)
	})
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	k := gqlCreateKey(t, env, tn.Key, map[string]any{"scopes": []string{"*"}})
	require.Contains(t, listIDs(t, env, k.Token), k.Key.ID)

	var got struct {
		RevokeApiKey struct {
			ID        string    `json:"id"`
			Revoked   bool      `json:"revoked"`
			RevokedAt time.Time `json:"revokedAt"`
		}
	}
	gql(t, env, tn.Key, revokeKey, map[string]any{"id": k.Key.ID}).decode(t, &got)
	require.Equal(t, k.Key.ID, got.RevokeApiKey.ID)
	require.True(t, got.RevokeApiKey.Revoked)
	require.WithinDuration(t, time.Now(), got.RevokeApiKey.RevokedAt, time.Minute)

	require.NotContains(t, listIDs(t, env, tn.Key), k.Key.ID)
	// The revoked secret stops working at once.
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/graphql", Key: k.Token, Body: map[string]any{"query": listKeys}})
	require.Equal(t, http.StatusUnauthorized, res.Status, string(res.Body))

	t.Run("unknown id", func(t *testing.T) {
		gql(t, env, tn.Key, revokeKey, map[string]any{"id": "key_01J00000000000000000000000"}).requireCode(t, domain.CodeNotFound)
	})
	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		gql(t, env, readOnly, revokeKey, map[string]any{"id": k.Key.ID}).requireCode(t, domain.CodeInsufficientScope)
	})
	t.Run("anonymous", func(t *testing.T) {
		gql(t, env, "", revokeKey, map[string]any{"id": k.Key.ID}).requireCode(t, domain.CodeUnauthorized)
	})
}

func TestRotateAPIKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	old := gqlCreateKey(t, env, tn.Key, map[string]any{"label": "svc", "scopes": []string{"*"},
		"rateLimit": map[string]any{"perMinute": 30, "perHour": 300}})

	type rotated struct {
		Token  string `json:"token"`
		OldKey struct {
			ID string `json:"id"`
		} `json:"oldKey"`
		NewKey apiKey `json:"newKey"`
	}
	var got struct{ RotateApiKey rotated }
	gql(t, env, tn.Key, rotateKey, map[string]any{"id": old.Key.ID, "input": map[string]any{"label": "svc v2"}}).decode(t, &got)
	r := got.RotateApiKey
	require.Equal(t, old.Key.ID, r.OldKey.ID)
	require.NotEqual(t, old.Key.ID, r.NewKey.ID)
	require.Equal(t, "svc v2", r.NewKey.Label)
	require.Equal(t, []string{"*"}, r.NewKey.Scopes)
	require.Equal(t, &rateLimit{PerMinute: 30, PerHour: 300}, r.NewKey.RateLimit)
	require.NotEqual(t, old.Token, r.Token)

	ids := listIDs(t, env, r.Token) // the new secret works
	require.Contains(t, ids, r.NewKey.ID)
	require.NotContains(t, ids, old.Key.ID)

	// Without input: label and scopes are copied.
	var again struct{ RotateApiKey rotated }
	gql(t, env, tn.Key, rotateKey, map[string]any{"id": r.NewKey.ID}).decode(t, &again)
	require.Equal(t, "svc v2", again.RotateApiKey.NewKey.Label)

	t.Run("validation", func(t *testing.T) {
		gql(t, env, tn.Key, rotateKey, map[string]any{"id": again.RotateApiKey.NewKey.ID, "input": map[string]any{"scopes": []string{"root"}}}).
			requireCode(t, domain.CodeValidationFailed)
	})
	t.Run("unknown id", func(t *testing.T) {
		// A rotated key is revoked: it cannot be rotated again.
		gql(t, env, tn.Key, rotateKey, map[string]any{"id": "key_01J00000000000000000000000"}).requireCode(t, domain.CodeNotFound)
	})
	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		gql(t, env, readOnly, rotateKey, map[string]any{"id": r.NewKey.ID}).requireCode(t, domain.CodeInsufficientScope)
	})
	t.Run("anonymous", func(t *testing.T) {
		gql(t, env, "", rotateKey, map[string]any{"id": r.NewKey.ID}).requireCode(t, domain.CodeUnauthorized)
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := env.NewTenant(t, "A")
	b := env.NewTenant(t, "B")
	ka := gqlCreateKey(t, env, a.Key, map[string]any{"label": "a-only", "scopes": []string{"read"}})

	require.NotContains(t, listIDs(t, env, b.Key), ka.Key.ID)
	vars := map[string]any{"id": ka.Key.ID}
	gql(t, env, b.Key, revokeKey, vars).requireCode(t, domain.CodeNotFound)
	gql(t, env, b.Key, rotateKey, vars).requireCode(t, domain.CodeNotFound)
	gql(t, env, b.Key, updateKey, map[string]any{"id": ka.Key.ID, "input": map[string]any{"label": "pwned"}}).
		requireCode(t, domain.CodeNotFound)

	// A's key is untouched.
	var got struct{ APIKeys []apiKey }
	gql(t, env, a.Key, listKeys, nil).decode(t, &got)
	i := slices.IndexFunc(got.APIKeys, func(k apiKey) bool { return k.ID == ka.Key.ID })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, "a-only", got.APIKeys[i].Label)

	var va, vb viewerData
	gql(t, env, a.Key, viewerQuery, nil).decode(t, &va)
	gql(t, env, b.Key, viewerQuery, nil).decode(t, &vb)
	require.Equal(t, "A", va.Viewer.Tenant.Name)
	require.Equal(t, "B", vb.Viewer.Tenant.Name)
}
