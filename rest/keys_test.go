package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// keyView is an API key as the API shows it.
type keyView struct {
	ID          string   `json:"id"`
	Label       string   `json:"label"`
	Prefix      string   `json:"prefix"`
	Scopes      []string `json:"scopes"`
	IPAllowlist []string `json:"ip_allowlist"`
	RateLimit   *struct {
		PerMinute int `json:"per_minute"`
		PerHour   int `json:"per_hour"`
	} `json:"rate_limit"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// createdKey is the answer of POST /v1/keys.
type createdKey struct {
	Key   keyView `json:"key"`
	Token string  `json:"token"`
}

// rotatedKey is the answer of POST /v1/keys/:key_id/rotate.
type rotatedKey struct {
	OldKey keyView `json:"old_key"`
	NewKey keyView `json:"new_key"`
	Token  string  `json:"token"`
}

// issueKey creates a key with the caller's "*" key and returns it.
func issueKey(t *testing.T, env *apptest.Env, caller string, body map[string]any) createdKey {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: caller, Body: body})
	require.Equal(t, http.StatusCreated, res.Status, "create key: %s", res.Body)
	var c createdKey
	res.Decode(t, &c)
	return c
}

// scopedKey creates a key with the given scopes and returns its secret.
func scopedKey(t *testing.T, env *apptest.Env, caller string, scopes ...string) string {
	t.Helper()
	if scopes == nil {
		scopes = []string{}
	}
	return issueKey(t, env, caller, map[string]any{"label": "scoped", "scopes": scopes}).Token
}

// listKeys lists the keys of the caller's tenant.
func listKeys(t *testing.T, env *apptest.Env, caller string) []keyView {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/keys", Key: caller})
	require.Equal(t, http.StatusOK, res.Status, "list keys: %s", res.Body)
	var keys []keyView
	res.Decode(t, &keys)
	return keys
}

// findKey returns the key with id among keys, or nil.
func findKey(keys []keyView, id string) *keyView {
	for i := range keys {
		if keys[i].ID == id {
			return &keys[i]
		}
	}
	return nil
}

// defaultKeyID is the id of the "*" key a test tenant was provisioned with.
func defaultKeyID(t *testing.T, env *apptest.Env, tn apptest.Tenant) string {
	t.Helper()
	keys := listKeys(t, env, tn.Key)
	for _, k := range keys {
		if strings.HasPrefix(tn.Key, k.Prefix) && k.Label == "Default key" {
			return k.ID
		}
	}
	t.Fatalf("default key of %s not listed", tn.ID)
	return ""
}

// keyStatus reports the status a key gets on GET /v1/keys.
func keyStatus(t *testing.T, env *apptest.Env, token string) int {
	t.Helper()
	return env.Do(t, apptest.Request{Path: "/v1/keys", Key: token}).Status
}

func future(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339Nano) }

// requireNoSecrets checks that an answer shows no key secret (nor its hash).
func requireNoSecrets(t *testing.T, body []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		require.NotContains(t, string(body), s, "a key's secret is shown only on create and rotate")
	}
	require.NotContains(t, string(body), `"token"`)
	require.NotContains(t, string(body), "secret_hash")
	require.NotContains(t, string(body), "SecretHash")
}

func TestKeysList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	runEndpointCases(t, env, []endpointCase{
		{
			name: "star key lists the tenant's keys as a bare array",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: f.tn.Key}
			},
			status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.True(t, strings.HasPrefix(strings.TrimSpace(string(res.Data)), "["), "a bare array: %s", res.Data)
				var keys []keyView
				res.Decode(t, &keys)
				require.Len(t, keys, 1)
				k := keys[0]
				require.True(t, domain.ValidID(domain.PrefixKey, k.ID), k.ID)
				require.Equal(t, "Default key", k.Label)
				require.Equal(t, []string{"*"}, k.Scopes)
				require.Equal(t, []string{}, k.IPAllowlist)
				require.Nil(t, k.RateLimit)
				require.True(t, strings.HasPrefix(k.Prefix, "sk_"), k.Prefix)
				require.True(t, strings.HasPrefix(f.tn.Key, k.Prefix))
				require.Less(t, len(k.Prefix), len(f.tn.Key))
				requireNoSecrets(t, res.Body, f.tn.Key)
			},
		},
		{
			name: "X-API-Key header is accepted",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Header: map[string]string{"X-API-Key": f.tn.Key}}
			},
			status: 200,
		},
		{
			name: "bearer scheme is case-insensitive",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Header: map[string]string{"Authorization": "bearer " + f.tn.Key}}
			},
			status: 200,
		},
		{
			name: "lists newly created keys oldest first without secrets",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				a := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "a", "scopes": []string{"read"}})
				b := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "b", "scopes": []string{"write", "read"}})
				f.vars["a"], f.vars["b"], f.vars["secrets"] = a.Key.ID, b.Key.ID, a.Token+" "+b.Token
				return apptest.Request{Path: "/v1/keys", Key: f.tn.Key}
			},
			status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var keys []keyView
				res.Decode(t, &keys)
				require.Len(t, keys, 3)
				require.Equal(t, f.vars["a"], keys[1].ID)
				require.Equal(t, f.vars["b"], keys[2].ID)
				require.Equal(t, []string{"read", "write"}, keys[2].Scopes, "scopes are normalized")
				requireNoSecrets(t, res.Body, strings.Fields(f.vars["secrets"])...)
			},
		},
		{
			name: "no credential",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys"}
			},
			status: 401, code: "UNAUTHORIZED",
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
			},
		},
		{
			name: "empty bearer",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Header: map[string]string{"Authorization": "Bearer "}}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "garbage key with the sk_ prefix",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: "sk_" + strings.Repeat("x", 43)}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "garbage key without prefix",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: "hello"}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "garbage X-API-Key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Header: map[string]string{"X-API-Key": "sk_nope"}}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "very long key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: "sk_" + strings.Repeat("a", 4000)}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "key with a modified last character",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				k := f.tn.Key
				last := "a"
				if strings.HasSuffix(k, "a") {
					last = "b"
				}
				return apptest.Request{Path: "/v1/keys", Key: k[:len(k)-1] + last}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "admin key is not a tenant key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: apptest.AdminKey}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "read-only key lacks the * scope",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: scopedKey(t, f.env, f.tn.Key, "read")}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
		},
		{
			name: "key with every scope but * is refused",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: scopedKey(t, f.env, f.tn.Key, "read", "write", "schema", "files", "auth", "ai")}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
		},
		{
			name: "publishable key is refused",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/keys", Key: scopedKey(t, f.env, f.tn.Key)}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
		},
	})
}

func TestKeysCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	post := func(body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: body}
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name:   "creates a key and shows its secret once",
			req:    post(map[string]any{"label": "  Server  ", "scopes": []string{"write", "read", "read"}}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var c createdKey
				res.Decode(t, &c)
				require.True(t, domain.ValidID(domain.PrefixKey, c.Key.ID), c.Key.ID)
				require.Equal(t, "Server", c.Key.Label, "label is trimmed")
				require.Equal(t, []string{"read", "write"}, c.Key.Scopes, "scopes are sorted and deduplicated")
				require.Equal(t, []string{}, c.Key.IPAllowlist)
				require.Nil(t, c.Key.RateLimit)
				require.Nil(t, c.Key.ExpiresAt)
				require.Nil(t, c.Key.LastUsedAt)
				require.Equal(t, defaultKeyID(t, f.env, f.tn), c.Key.CreatedBy, "created_by is the calling key")
				require.WithinDuration(t, time.Now(), c.Key.CreatedAt, time.Minute)
				require.Regexp(t, `^sk_[0-9A-Za-z]{40,44}$`, c.Token, "sk_ + 32 random bytes in base62")
				require.True(t, strings.HasPrefix(c.Token, c.Key.Prefix))
				require.NotEqual(t, f.tn.Key, c.Token)

				// The token works as a bearer and as X-API-Key, with its scopes.
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Header: map[string]string{"X-API-Key": c.Token}})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				res = f.env.Do(t, apptest.Request{Path: "/v1/keys", Header: map[string]string{"X-API-Key": c.Token}})
				requireAPIError(t, res, http.StatusForbidden, "INSUFFICIENT_SCOPE")

				// The list shows the key but never its secret.
				list := f.env.Do(t, apptest.Request{Path: "/v1/keys", Key: f.tn.Key})
				require.Contains(t, string(list.Body), c.Key.ID)
				requireNoSecrets(t, list.Body, c.Token)
			},
		},
		{
			name: "creates a key with every option",
			req: post(map[string]any{"label": "full", "scopes": []string{"*"}, "ip_allowlist": []string{"127.0.0.1", " 10.0.0.0/8 ", "::1"},
				"rate_limit": map[string]int{"per_minute": 7, "per_hour": 70}, "expires_at": future(48 * time.Hour)}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var c createdKey
				res.Decode(t, &c)
				require.Equal(t, []string{"127.0.0.1", "10.0.0.0/8", "::1"}, c.Key.IPAllowlist)
				require.NotNil(t, c.Key.RateLimit)
				require.Equal(t, 7, c.Key.RateLimit.PerMinute)
				require.Equal(t, 70, c.Key.RateLimit.PerHour)
				require.NotNil(t, c.Key.ExpiresAt)
				require.WithinDuration(t, time.Now().Add(48*time.Hour), *c.Key.ExpiresAt, time.Minute)
				// The key's own rate limit applies to it.
				res = f.env.Do(t, apptest.Request{Path: "/v1/keys", Key: c.Token})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				require.Equal(t, "7", res.Header.Get("X-RateLimit-Limit-Minute"))
				require.Equal(t, "70", res.Header.Get("X-RateLimit-Limit-Hour"))
			},
		},
		{
			name:   "empty body creates a publishable key",
			req:    post(nil),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var c createdKey
				res.Decode(t, &c)
				require.Equal(t, []string{}, c.Key.Scopes)
			},
		},
		{
			name:   "unknown members are ignored",
			req:    post(map[string]any{"label": "x", "colour": "blue", "tenant_id": "tn_01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
			status: 201,
		},
		{
			name:   "Idempotency-Key replays the first answer",
			status: 201,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: map[string]any{"label": "idem"},
					Header: map[string]string{"Idempotency-Key": "keys-create-1"}}
			},
			check: func(t *testing.T, f *caseFixture, first *apptest.Response) {
				again := f.env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: map[string]any{"label": "idem"},
					Header: map[string]string{"Idempotency-Key": "keys-create-1"}})
				require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
				require.JSONEq(t, string(first.Data), string(again.Data))
				require.Len(t, listKeys(t, f.env, f.tn.Key), 2, "the retry created nothing")
			},
		},
		// Credentials.
		{
			name: "no credential", req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Body: map[string]any{"label": "x"}}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "garbage key", req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: "sk_garbage", Body: map[string]any{"label": "x"}}
			},
			status: 401, code: "UNAUTHORIZED",
		},
		{
			name: "read-only key", req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: scopedKey(t, f.env, f.tn.Key, "read"), Body: map[string]any{"scopes": []string{"*"}}}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
		},
		{
			name: "write key cannot mint itself a * key", req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: scopedKey(t, f.env, f.tn.Key, "read", "write"), Body: map[string]any{"scopes": []string{"*"}}}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
		},
		// Validation.
		{name: "unknown scope", req: post(map[string]any{"scopes": []string{"read", "admin"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "scope with different case", req: post(map[string]any{"scopes": []string{"READ"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "empty scope string", req: post(map[string]any{"scopes": []string{""}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "bad IP in allowlist", req: post(map[string]any{"ip_allowlist": []string{"10.0.0.1", "not-an-ip"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "IP out of range", req: post(map[string]any{"ip_allowlist": []string{"256.1.1.1"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "bad CIDR prefix length", req: post(map[string]any{"ip_allowlist": []string{"10.0.0.0/33"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "hostname in allowlist", req: post(map[string]any{"ip_allowlist": []string{"example.com"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "empty allowlist entry", req: post(map[string]any{"ip_allowlist": []string{""}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "expires_at in the past", req: post(map[string]any{"expires_at": future(-time.Minute)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"expires_at"}},
		{name: "expires_at not a timestamp", req: post(map[string]any{"expires_at": "tomorrow"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"expires_at"}},
		{name: "expires_at a number", req: post(map[string]any{"expires_at": 1700000000}), status: 400, code: "VALIDATION_FAILED", fields: []string{"expires_at"}},
		{name: "rate_limit per_hour below per_minute", req: post(map[string]any{"rate_limit": map[string]int{"per_minute": 100, "per_hour": 50}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_hour"}},
		{name: "rate_limit zero per_minute", req: post(map[string]any{"rate_limit": map[string]int{"per_minute": 0, "per_hour": 50}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_minute"}},
		{name: "rate_limit negative", req: post(map[string]any{"rate_limit": map[string]int{"per_minute": -1, "per_hour": -1}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_minute", "rate_limit.per_hour"}},
		{name: "rate_limit missing per_hour", req: post(map[string]any{"rate_limit": map[string]int{"per_minute": 10}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_hour"}},
		{name: "label too long", req: post(map[string]any{"label": strings.Repeat("x", 201)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "label of 200 characters", req: post(map[string]any{"label": strings.Repeat("x", 200)}), status: 201},
		{name: "label of 200 non-ASCII characters", req: post(map[string]any{"label": strings.Repeat("日", 200)}), status: 201},
		{name: "label of 201 non-ASCII characters", req: post(map[string]any{"label": strings.Repeat("日", 201)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "label with a NUL byte", req: post(map[string]any{"label": "a\x00b"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "every bad field is named at once", req: post(map[string]any{"label": strings.Repeat("x", 201), "scopes": []string{"nope"},
			"ip_allowlist": []string{"nope"}, "expires_at": future(-time.Hour)}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"label", "scopes", "ip_allowlist", "expires_at"}},
		// Wrong JSON types.
		{name: "scopes as a string", req: post(`{"scopes":"read"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "scopes of numbers", req: post(`{"scopes":[1,2]}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "label as a number", req: post(`{"label":5}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "ip_allowlist as a string", req: post(`{"ip_allowlist":"10.0.0.1"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "rate_limit as a string", req: post(`{"rate_limit":"fast"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit"}},
		{name: "rate_limit member as a string", req: post(`{"rate_limit":{"per_minute":"5","per_hour":10}}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_minute"}},
		{name: "rate_limit member fractional", req: post(`{"rate_limit":{"per_minute":1.5,"per_hour":10}}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_minute"}},
		{name: "rate_limit member overflowing", req: post(`{"rate_limit":{"per_minute":99999999999999999999,"per_hour":10}}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_minute"}},
		// Malformed bodies.
		{name: "malformed JSON", req: post(`{"label":`), status: 400, code: "BAD_REQUEST"},
		{name: "JSON with trailing data", req: post(`{"label":"a"}{"label":"b"}`), status: 400, code: "BAD_REQUEST"},
		{name: "array instead of object", req: post(`[{"label":"a"}]`), status: 400, code: "BAD_REQUEST"},
		{name: "string instead of object", req: post(`"label"`), status: 400, code: "BAD_REQUEST"},
		{
			name: "text/plain content type", status: 400, code: "BAD_REQUEST",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: `{"label":"x"}`,
					Header: map[string]string{"Content-Type": "text/plain"}}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []any{"application/json"}, res.Error.Extra["accepted_content_types"])
				require.Len(t, listKeys(t, f.env, f.tn.Key), 1, "nothing was created")
			},
		},
		{
			name: "form content type", status: 400, code: "BAD_REQUEST",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: `label=x`,
					Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
			},
		},
		{
			name: "JSON content type with charset is accepted", status: 201,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key, Body: `{"label":"x"}`,
					Header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}
			},
		},
		{
			name: "body over 1 MiB", status: 413, code: "PAYLOAD_TOO_LARGE",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key,
					Body: []byte(`{"label":"` + strings.Repeat("x", 1<<20) + `"}`)}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.EqualValues(t, 1<<20, res.Error.Extra["max_bytes"])
			},
		},
		{
			name: "body of exactly 1 MiB is read (and validated)", status: 400, code: "VALIDATION_FAILED", fields: []string{"label"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				prefix, suffix := `{"label":"`, `"}`
				return apptest.Request{Method: "POST", Path: "/v1/keys", Key: f.tn.Key,
					Body: []byte(prefix + strings.Repeat("x", 1<<20-len(prefix)-len(suffix)) + suffix)}
			},
		},
	})
}

// TestKeysCreateOversizeChunked sends an oversize body without a
// Content-Length (chunked), which only the reader's limit can catch.
func TestKeysCreateOversizeChunked(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"label":"`))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := 0; i < 20; i++ { // 1.25 MiB
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		_, _ = pw.Write([]byte(`"}`))
		_ = pw.Close()
	}()
	req, err := http.NewRequest("POST", env.URL+"/v1/keys", pr)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tn.Key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	require.Equal(t, "PAYLOAD_TOO_LARGE", body.Error.Code)
	_ = pr.Close()
}

func TestKeysPlanLimit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	limit := domain.Plans["free"].Limits.APIKeys

	t.Run("sequential", func(t *testing.T) {
		t.Parallel()
		tn := env.NewTenant(t)
		for i := 1; i < limit; i++ { // the tenant starts with one key
			issueKey(t, env, tn.Key, map[string]any{"label": "k"})
		}
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "one too many"}})
		requireAPIError(t, res, http.StatusConflict, "CONFLICT")
		require.EqualValues(t, limit, res.Error.Extra["limit"])
		require.Len(t, listKeys(t, env, tn.Key), limit)
	})

	t.Run("concurrent creates never exceed the limit", func(t *testing.T) {
		t.Parallel()
		tn := env.NewTenant(t)
		const n = 40
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "race"}}).Status
			}()
		}
		wg.Wait()
		var created, conflicts int
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				conflicts++
			default:
				t.Fatalf("unexpected status %d", s)
			}
		}
		require.Equal(t, limit-1, created, "exactly the plan's allowance is created")
		require.Equal(t, n-(limit-1), conflicts)
		require.Len(t, listKeys(t, env, tn.Key), limit)
	})
}

func TestKeysUpdate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// patch updates a fresh key of the scenario's tenant.
	patch := func(method string, body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			c := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "before", "scopes": []string{"read"},
				"ip_allowlist": []string{"127.0.0.1"}, "rate_limit": map[string]int{"per_minute": 5, "per_hour": 50},
				"expires_at": future(24 * time.Hour)})
			f.vars["id"], f.vars["token"] = c.Key.ID, c.Token
			return apptest.Request{Method: method, Path: "/v1/keys/" + c.Key.ID, Key: f.tn.Key, Body: body}
		}
	}
	decoded := func(t *testing.T, f *caseFixture, res *apptest.Response) keyView {
		var k keyView
		res.Decode(t, &k)
		require.Equal(t, f.vars["id"], k.ID)
		requireNoSecrets(t, res.Body, f.vars["token"], f.tn.Key)
		// The list agrees with the answer.
		listed := findKey(listKeys(t, f.env, f.tn.Key), k.ID)
		require.NotNil(t, listed)
		require.Equal(t, k.Label, listed.Label)
		require.Equal(t, k.Scopes, listed.Scopes)
		require.Equal(t, k.IPAllowlist, listed.IPAllowlist)
		require.Equal(t, k.RateLimit, listed.RateLimit)
		return k
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "label only; other members keep their value", req: patch("PATCH", map[string]any{"label": "after"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := decoded(t, f, res)
				require.Equal(t, "after", k.Label)
				require.Equal(t, []string{"read"}, k.Scopes)
				require.Equal(t, []string{"127.0.0.1"}, k.IPAllowlist)
				require.NotNil(t, k.RateLimit)
				require.Equal(t, 5, k.RateLimit.PerMinute)
				require.NotNil(t, k.ExpiresAt)
				require.True(t, k.UpdatedAt.After(k.CreatedAt) || k.UpdatedAt.Equal(k.CreatedAt))
			},
		},
		{
			name: "PUT is an alias of PATCH", req: patch("PUT", map[string]any{"label": "put"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := decoded(t, f, res)
				require.Equal(t, "put", k.Label)
				require.Equal(t, []string{"read"}, k.Scopes, "PUT is partial too")
			},
		},
		{
			name: "scopes take effect at once", req: patch("PATCH", map[string]any{"scopes": []string{"*"}}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"*"}, decoded(t, f, res).Scopes)
				require.Equal(t, http.StatusOK, keyStatus(t, f.env, f.vars["token"]))
				// And back down: the cached principal is dropped.
				res = f.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key,
					Body: map[string]any{"scopes": []string{"read"}}})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				res = f.env.Do(t, apptest.Request{Path: "/v1/keys", Key: f.vars["token"]})
				requireAPIError(t, res, http.StatusForbidden, "INSUFFICIENT_SCOPE")
			},
		},
		{
			name: "empty scopes make a publishable key", req: patch("PATCH", map[string]any{"scopes": []string{}}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{}, decoded(t, f, res).Scopes)
			},
		},
		{
			name: "ip_allowlist takes effect at once", req: patch("PATCH", map[string]any{"ip_allowlist": []string{"10.0.0.0/8"}}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"10.0.0.0/8"}, decoded(t, f, res).IPAllowlist)
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]})
				requireAPIError(t, res, http.StatusForbidden, "IP_NOT_ALLOWED")
				// An empty list allows every address again.
				res = f.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key,
					Body: map[string]any{"ip_allowlist": []string{}}})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				require.Equal(t, http.StatusOK, f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]}).Status)
			},
		},
		{
			name: "rate_limit is replaced and null resets it to the defaults",
			req:  patch("PATCH", map[string]any{"rate_limit": map[string]int{"per_minute": 9, "per_hour": 90}}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := decoded(t, f, res)
				require.NotNil(t, k.RateLimit)
				require.Equal(t, 9, k.RateLimit.PerMinute)
				require.Equal(t, 90, k.RateLimit.PerHour)
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]})
				require.Equal(t, "9", res.Header.Get("X-RateLimit-Limit-Minute"))

				res = f.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key, Body: `{"rate_limit":null}`})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				require.Contains(t, string(res.Data), `"rate_limit":null`)
				require.Nil(t, decoded(t, f, res).RateLimit)
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]})
				require.Equal(t, "60", res.Header.Get("X-RateLimit-Limit-Minute"))
				require.Equal(t, "3600", res.Header.Get("X-RateLimit-Limit-Hour"))
			},
		},
		{
			name: "expires_at is replaced and null clears it",
			req:  patch("PATCH", map[string]any{"expires_at": future(72 * time.Hour)}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := decoded(t, f, res)
				require.NotNil(t, k.ExpiresAt)
				require.WithinDuration(t, time.Now().Add(72*time.Hour), *k.ExpiresAt, time.Minute)
				res = f.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key, Body: `{"expires_at":null}`})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				require.Nil(t, decoded(t, f, res).ExpiresAt)
			},
		},
		{
			name: "null label and scopes keep their value", req: patch("PATCH", `{"label":null,"scopes":null,"ip_allowlist":null}`), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := decoded(t, f, res)
				require.Equal(t, "before", k.Label)
				require.Equal(t, []string{"read"}, k.Scopes)
				require.Equal(t, []string{"127.0.0.1"}, k.IPAllowlist)
			},
		},
		{name: "empty body changes nothing", req: patch("PATCH", nil), status: 200},
		{
			name: "a key may update itself", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				f.vars["id"] = defaultKeyID(t, f.env, f.tn)
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key, Body: map[string]any{"label": "me"}}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "me", decoded(t, f, res).Label)
			},
		},
		// Not found.
		{
			name: "unknown key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + domain.NewID(domain.PrefixKey), Key: f.tn.Key, Body: map[string]any{"label": "x"}}
			},
		},
		{
			name: "malformed key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/nope", Key: f.tn.Key, Body: map[string]any{"label": "x"}}
			},
		},
		{
			name: "id of another kind", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + f.tn.ID, Key: f.tn.Key, Body: map[string]any{"label": "x"}}
			},
		},
		{
			name: "revoked key", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				c := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "gone"})
				require.Equal(t, http.StatusOK, f.env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/keys/" + c.Key.ID, Key: f.tn.Key}).Status)
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + c.Key.ID, Key: f.tn.Key, Body: map[string]any{"label": "x"}}
			},
		},
		// Credentials.
		{
			name: "no credential", status: 401, code: "UNAUTHORIZED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn), Body: map[string]any{"label": "x"}}
			},
		},
		{
			name: "read-only key cannot widen its own scopes", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				c := issueKey(t, f.env, f.tn.Key, map[string]any{"scopes": []string{"read"}})
				return apptest.Request{Method: "PATCH", Path: "/v1/keys/" + c.Key.ID, Key: c.Token, Body: map[string]any{"scopes": []string{"*"}}}
			},
		},
		// Validation.
		{name: "unknown scope", req: patch("PATCH", map[string]any{"scopes": []string{"root"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "bad IP", req: patch("PATCH", map[string]any{"ip_allowlist": []string{"1.2.3"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "bad CIDR", req: patch("PATCH", map[string]any{"ip_allowlist": []string{"10.0.0.0/99"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"ip_allowlist"}},
		{name: "expires_at in the past", req: patch("PATCH", map[string]any{"expires_at": future(-time.Hour)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"expires_at"}},
		{name: "expires_at not a timestamp", req: patch("PATCH", map[string]any{"expires_at": "soon"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"expires_at"}},
		{name: "per_hour below per_minute", req: patch("PATCH", map[string]any{"rate_limit": map[string]int{"per_minute": 10, "per_hour": 5}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit.per_hour"}},
		{name: "label too long", req: patch("PATCH", map[string]any{"label": strings.Repeat("é", 201)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{
			name: "label of 200 non-ASCII characters", req: patch("PATCH", map[string]any{"label": strings.Repeat("é", 200)}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, strings.Repeat("é", 200), decoded(t, f, res).Label)
			},
		},
		{name: "scopes as a string", req: patch("PATCH", `{"scopes":"read"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "label as an object", req: patch("PATCH", `{"label":{}}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "rate_limit as a string", req: patch("PATCH", `{"rate_limit":"fast"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"rate_limit"}},
		{name: "malformed JSON", req: patch("PATCH", `{"label":"x"`), status: 400, code: "BAD_REQUEST"},
		{name: "array body", req: patch("PATCH", `[]`), status: 400, code: "BAD_REQUEST"},
		{
			name: "text/plain content type", status: 400, code: "BAD_REQUEST",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch("PATCH", `{"label":"x"}`)(t, f)
				r.Header = map[string]string{"Content-Type": "text/plain"}
				return r
			},
		},
		{
			name: "body over 1 MiB", status: 413, code: "PAYLOAD_TOO_LARGE",
			req: patch("PATCH", []byte(`{"label":"`+strings.Repeat("x", 1<<20)+`"}`)),
		},
		{
			name: "a failed update changes nothing", req: patch("PATCH", map[string]any{"label": "changed", "scopes": []string{"bogus"}}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				k := findKey(listKeys(t, f.env, f.tn.Key), f.vars["id"])
				require.NotNil(t, k)
				require.Equal(t, "before", k.Label)
			},
		},
	})
}

func TestKeysRevoke(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	del := func(t *testing.T, f *caseFixture) apptest.Request {
		c := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "doomed", "scopes": []string{"read"}})
		f.vars["id"], f.vars["token"] = c.Key.ID, c.Token
		// Use it once so that its principal is cached.
		require.Equal(t, http.StatusOK, f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status)
		return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + c.Key.ID, Key: f.tn.Key}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "revokes a key: 401 at once, gone from the list", req: del, status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var r struct {
					ID        string    `json:"id"`
					Revoked   bool      `json:"revoked"`
					RevokedAt time.Time `json:"revoked_at"`
				}
				res.Decode(t, &r)
				require.Equal(t, f.vars["id"], r.ID)
				require.True(t, r.Revoked)
				require.WithinDuration(t, time.Now(), r.RevokedAt, time.Minute)
				requireNoSecrets(t, res.Body, f.vars["token"])

				for _, req := range []apptest.Request{
					{Path: "/v1/usage", Key: f.vars["token"]},
					{Path: "/v1/usage", Header: map[string]string{"X-API-Key": f.vars["token"]}},
				} {
					requireAPIError(t, f.env.Do(t, req), http.StatusUnauthorized, "UNAUTHORIZED")
				}
				require.Nil(t, findKey(listKeys(t, f.env, f.tn.Key), f.vars["id"]))
				// Revoking again: the key no longer exists.
				res = f.env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/keys/" + f.vars["id"], Key: f.tn.Key})
				requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
				// Other keys are unaffected.
				require.Equal(t, http.StatusOK, keyStatus(t, f.env, f.tn.Key))
			},
		},
		{
			name: "a key may revoke itself", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				c := issueKey(t, f.env, f.tn.Key, map[string]any{"scopes": []string{"*"}})
				f.vars["token"] = c.Token
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + c.Key.ID, Key: c.Token}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, http.StatusUnauthorized, keyStatus(t, f.env, f.vars["token"]))
			},
		},
		{
			name: "unknown key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + domain.NewID(domain.PrefixKey), Key: f.tn.Key}
			},
		},
		{
			name: "malformed key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/key_nope", Key: f.tn.Key}
			},
		},
		{
			name: "SQL in the key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/key_'%20OR%201=1--", Key: f.tn.Key}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Len(t, listKeys(t, f.env, f.tn.Key), 1)
			},
		},
		{
			name: "no credential", status: 401, code: "UNAUTHORIZED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn)}
			},
		},
		{
			name: "garbage key", status: 401, code: "UNAUTHORIZED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn), Key: "sk_garbage"}
			},
		},
		{
			name: "write key cannot revoke", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn), Key: scopedKey(t, f.env, f.tn.Key, "write")}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, http.StatusOK, keyStatus(t, f.env, f.tn.Key), "the target survives")
			},
		},
	})
}

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	rotate := func(body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			c := issueKey(t, f.env, f.tn.Key, map[string]any{"label": "old", "scopes": []string{"write", "read"},
				"ip_allowlist": []string{"127.0.0.0/8"}, "rate_limit": map[string]int{"per_minute": 11, "per_hour": 110},
				"expires_at": future(24 * time.Hour)})
			f.vars["id"], f.vars["token"] = c.Key.ID, c.Token
			require.Equal(t, http.StatusOK, f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status)
			return apptest.Request{Method: "POST", Path: "/v1/keys/" + c.Key.ID + "/rotate", Key: f.tn.Key, Body: body}
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "rotates: new secret works, old one is 401 at once", req: rotate(nil), status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var r rotatedKey
				res.Decode(t, &r)
				require.Equal(t, f.vars["id"], r.OldKey.ID)
				require.True(t, domain.ValidID(domain.PrefixKey, r.NewKey.ID))
				require.NotEqual(t, r.OldKey.ID, r.NewKey.ID)
				require.Regexp(t, `^sk_[0-9A-Za-z]{40,44}$`, r.Token)
				require.NotEqual(t, f.vars["token"], r.Token)
				require.True(t, strings.HasPrefix(r.Token, r.NewKey.Prefix))
				require.NotContains(t, string(res.Body), f.vars["token"], "the old secret is not shown")
				// The new key copies the old one's settings.
				require.Equal(t, "old", r.NewKey.Label)
				require.Equal(t, []string{"read", "write"}, r.NewKey.Scopes)
				require.Equal(t, []string{"127.0.0.0/8"}, r.NewKey.IPAllowlist)
				require.NotNil(t, r.NewKey.RateLimit)
				require.Equal(t, 11, r.NewKey.RateLimit.PerMinute)
				require.NotNil(t, r.NewKey.ExpiresAt)
				require.NotNil(t, r.OldKey.ExpiresAt)
				require.WithinDuration(t, *r.OldKey.ExpiresAt, *r.NewKey.ExpiresAt, time.Millisecond)

				requireAPIError(t, f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]}), http.StatusUnauthorized, "UNAUTHORIZED")
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: r.Token})
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				require.Equal(t, "11", res.Header.Get("X-RateLimit-Limit-Minute"))
				res = f.env.Do(t, apptest.Request{Path: "/v1/usage", Header: map[string]string{"X-API-Key": r.Token}})
				require.Equal(t, http.StatusOK, res.Status)

				keys := listKeys(t, f.env, f.tn.Key)
				require.Nil(t, findKey(keys, r.OldKey.ID), "the old key is gone from the list")
				require.NotNil(t, findKey(keys, r.NewKey.ID))
				requireNoSecrets(t, f.env.Do(t, apptest.Request{Path: "/v1/keys", Key: f.tn.Key}).Body, r.Token)

				// The old id cannot be rotated, updated or revoked again.
				for _, m := range []string{"POST /rotate", "PATCH", "DELETE"} {
					method, suffix, _ := strings.Cut(m, " ")
					res = f.env.Do(t, apptest.Request{Method: method, Path: "/v1/keys/" + r.OldKey.ID + suffix, Key: f.tn.Key, Body: map[string]any{}})
					requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
				}
			},
		},
		{
			name: "label and scopes may be replaced", req: rotate(map[string]any{"label": "new", "scopes": []string{"ai"}}), status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var r rotatedKey
				res.Decode(t, &r)
				require.Equal(t, "new", r.NewKey.Label)
				require.Equal(t, []string{"ai"}, r.NewKey.Scopes)
			},
		},
		{
			name: "a key may rotate itself", status: 201,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn) + "/rotate", Key: f.tn.Key}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var r rotatedKey
				res.Decode(t, &r)
				require.Equal(t, http.StatusUnauthorized, keyStatus(t, f.env, f.tn.Key))
				require.Equal(t, http.StatusOK, keyStatus(t, f.env, r.Token))
			},
		},
		{
			name: "unknown key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys/" + domain.NewID(domain.PrefixKey) + "/rotate", Key: f.tn.Key}
			},
		},
		{
			name: "malformed key id", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys/123/rotate", Key: f.tn.Key}
			},
		},
		{
			name: "invalid scopes", req: rotate(map[string]any{"scopes": []string{"everything"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, http.StatusOK, f.env.Do(t, apptest.Request{Path: "/v1/usage", Key: f.vars["token"]}).Status, "a failed rotation keeps the old key")
			},
		},
		{name: "scopes as a string", req: rotate(`{"scopes":"read"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"scopes"}},
		{name: "label too long", req: rotate(map[string]any{"label": strings.Repeat("x", 300)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"label"}},
		{name: "malformed JSON", req: rotate(`{`), status: 400, code: "BAD_REQUEST"},
		{
			name: "no credential", status: 401, code: "UNAUTHORIZED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/keys/" + defaultKeyID(t, f.env, f.tn) + "/rotate"}
			},
		},
		{
			name: "read-only key cannot rotate itself", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "*"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				c := issueKey(t, f.env, f.tn.Key, map[string]any{"scopes": []string{"read"}})
				return apptest.Request{Method: "POST", Path: "/v1/keys/" + c.Key.ID + "/rotate", Key: c.Token}
			},
		},
	})
}

func TestKeysIPAllowlist(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	cases := []struct {
		allow  []string
		status int
		code   string
	}{
		{[]string{"10.0.0.0/8"}, 403, "IP_NOT_ALLOWED"},
		{[]string{"192.168.1.1"}, 403, "IP_NOT_ALLOWED"},
		{[]string{"::1"}, 403, "IP_NOT_ALLOWED"},
		{[]string{"127.0.0.2"}, 403, "IP_NOT_ALLOWED"},
		{[]string{"127.0.0.1"}, 200, ""},
		{[]string{"127.0.0.0/8"}, 200, ""},
		{[]string{"10.0.0.0/8", "127.0.0.1"}, 200, ""},
		{[]string{"0.0.0.0/0"}, 200, ""},
		{[]string{"::ffff:127.0.0.1"}, 200, ""},
		{[]string{}, 200, ""},
	}
	for _, tc := range cases {
		c := issueKey(t, env, tn.Key, map[string]any{"label": "ip", "scopes": []string{"read"}, "ip_allowlist": tc.allow})
		for _, req := range []apptest.Request{
			{Path: "/v1/usage", Key: c.Token},
			{Path: "/v1/usage", Header: map[string]string{"X-API-Key": c.Token}},
		} {
			res := env.Do(t, req)
			require.Equal(t, tc.status, res.Status, "allowlist %v: %s", tc.allow, res.Body)
			requireEnvelope(t, res)
			if tc.code != "" {
				require.Equal(t, tc.code, res.Error.Code)
			}
		}
	}
	// A spoofed X-Forwarded-For is not trusted by default.
	c := issueKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}, "ip_allowlist": []string{"10.1.2.3"}})
	res := env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token, Header: map[string]string{"X-Forwarded-For": "10.1.2.3"}})
	requireAPIError(t, res, http.StatusForbidden, "IP_NOT_ALLOWED")
}

func TestKeysExpiry(t *testing.T) {
	t.Parallel()
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock})
	tn := env.NewTenant(t)
	exp := clock.Now().Add(time.Hour)
	c := issueKey(t, env, tn.Key, map[string]any{"label": "short-lived", "scopes": []string{"read"}, "expires_at": exp.Format(time.RFC3339Nano)})
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status)

	clock.Advance(59 * time.Minute)
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status, "still valid")

	// Past expiry: 401 on the very next request, though the principal is
	// cached (expiry is checked on every request).
	clock.Advance(2 * time.Minute)
	res := env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token})
	requireAPIError(t, res, http.StatusUnauthorized, "UNAUTHORIZED")
	res = env.Do(t, apptest.Request{Path: "/v1/usage", Header: map[string]string{"X-API-Key": c.Token}})
	requireAPIError(t, res, http.StatusUnauthorized, "UNAUTHORIZED")
	// Other keys are unaffected.
	require.Equal(t, http.StatusOK, keyStatus(t, env, tn.Key))

	// expires_at in the past is judged by the platform's clock.
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"expires_at": exp.Add(30 * time.Second).Format(time.RFC3339Nano)}})
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "expires_at")

	// Extending an expired key's expiry revives it.
	res = env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/" + c.Key.ID, Key: tn.Key, Body: map[string]any{"expires_at": clock.Now().Add(time.Hour).Format(time.RFC3339Nano)}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status)
}

func TestKeysLastUsedAt(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	c := issueKey(t, env, tn.Key, map[string]any{"label": "tracked", "scopes": []string{"read"}})
	idle := issueKey(t, env, tn.Key, map[string]any{"label": "idle", "scopes": []string{"read"}})
	require.NoError(t, env.App.Keys.FlushLastUsed(context.Background()))
	k := findKey(listKeys(t, env, tn.Key), c.Key.ID)
	require.NotNil(t, k)
	require.Nil(t, k.LastUsedAt, "never used yet")

	before := time.Now()
	for range 3 {
		require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: c.Token}).Status)
	}
	require.NoError(t, env.App.Keys.FlushLastUsed(context.Background()))
	keys := listKeys(t, env, tn.Key)
	k = findKey(keys, c.Key.ID)
	require.NotNil(t, k)
	require.NotNil(t, k.LastUsedAt, "last_used_at is set once flushed")
	require.WithinDuration(t, before, *k.LastUsedAt, 10*time.Second)
	require.Nil(t, findKey(keys, idle.Key.ID).LastUsedAt)
	// The caller's own key was used too (listing, creating).
	require.NotNil(t, findKey(keys, defaultKeyID(t, env, tn)).LastUsedAt)
}

func TestKeysTenantIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a, b := env.NewTenant(t, "A"), env.NewTenant(t, "B")
	aKey := issueKey(t, env, a.Key, map[string]any{"label": "A's key", "scopes": []string{"read"}})
	aDefault := defaultKeyID(t, env, a)
	before := listKeys(t, env, a.Key)

	// B's list shows only B's key.
	bKeys := listKeys(t, env, b.Key)
	require.Len(t, bKeys, 1)
	for _, k := range bKeys {
		require.NotEqual(t, aKey.Key.ID, k.ID)
		require.NotEqual(t, aDefault, k.ID)
	}
	bRes := env.Do(t, apptest.Request{Path: "/v1/keys", Key: b.Key})
	require.NotContains(t, string(bRes.Body), aKey.Key.ID)
	require.NotContains(t, string(bRes.Body), aDefault)

	// B can neither update, rotate nor revoke A's keys: they do not exist for B.
	for _, id := range []string{aKey.Key.ID, aDefault} {
		for _, req := range []apptest.Request{
			{Method: "PATCH", Path: "/v1/keys/" + id, Key: b.Key, Body: map[string]any{"label": "pwned", "scopes": []string{"*"}}},
			{Method: "PUT", Path: "/v1/keys/" + id, Key: b.Key, Body: map[string]any{"ip_allowlist": []string{"10.0.0.1"}}},
			{Method: "POST", Path: "/v1/keys/" + id + "/rotate", Key: b.Key},
			{Method: "DELETE", Path: "/v1/keys/" + id, Key: b.Key},
		} {
			res := env.Do(t, req)
			requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
			require.NotContains(t, string(res.Body), "A's key")
		}
	}

	// A's keys are untouched and still work.
	after := listKeys(t, env, a.Key)
	require.Len(t, after, len(before))
	for i := range before {
		require.Equal(t, before[i].ID, after[i].ID)
		require.Equal(t, before[i].Label, after[i].Label)
		require.Equal(t, before[i].Scopes, after[i].Scopes)
		require.Equal(t, before[i].IPAllowlist, after[i].IPAllowlist)
		require.True(t, before[i].UpdatedAt.Equal(after[i].UpdatedAt), "updated_at unchanged")
	}
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: aKey.Token}).Status)
	require.Equal(t, http.StatusOK, keyStatus(t, env, a.Key))
	require.Len(t, listKeys(t, env, b.Key), 1, "B created nothing by rotating")

	// No audit row of A names B's attempts.
	rows, err := db.AuditListByTenant(context.Background(), env.App.Core.DB, a.ID, 100)
	require.NoError(t, err)
	for _, r := range rows {
		require.NotEqual(t, "api_key.update", r.Action)
		require.NotEqual(t, "api_key.revoke", r.Action)
		require.NotEqual(t, "api_key.rotate", r.Action)
	}
}

func TestKeysAudit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	actor := defaultKeyID(t, env, tn)
	ctx := context.Background()

	do := func(req apptest.Request, want int) *apptest.Response {
		t.Helper()
		res := env.Do(t, req)
		require.Equal(t, want, res.Status, string(res.Body))
		return res
	}
	created := do(apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "audited", "scopes": []string{"read"}},
		Header: map[string]string{"X-Request-Id": "audit-create-" + tn.ID}}, 201)
	var c createdKey
	created.Decode(t, &c)
	updated := do(apptest.Request{Method: "PATCH", Path: "/v1/keys/" + c.Key.ID, Key: tn.Key, Body: map[string]any{"label": "audited 2"}}, 200)
	rotated := do(apptest.Request{Method: "POST", Path: "/v1/keys/" + c.Key.ID + "/rotate", Key: tn.Key}, 201)
	var r rotatedKey
	rotated.Decode(t, &r)
	revoked := do(apptest.Request{Method: "DELETE", Path: "/v1/keys/" + r.NewKey.ID, Key: tn.Key}, 200)
	// A failed write leaves no audit row.
	do(apptest.Request{Method: "PATCH", Path: "/v1/keys/" + c.Key.ID, Key: tn.Key, Body: map[string]any{"label": "x"}}, 404)
	do(apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"scopes": []string{"bad"}}}, 400)

	rows, err := db.AuditListByTenant(ctx, env.App.Core.DB, tn.ID, 100)
	require.NoError(t, err)
	byRequest := map[string][]db.AuditLog{}
	for _, row := range rows {
		byRequest[row.RequestID] = append(byRequest[row.RequestID], row)
		require.NotContains(t, string(row.Changes), c.Token, "audit rows never hold secrets")
		require.NotContains(t, string(row.Changes), r.Token, "audit rows never hold secrets")
	}
	expect := []struct {
		res      *apptest.Response
		action   string
		resource string
	}{
		{created, "api_key.create", c.Key.ID},
		{updated, "api_key.update", c.Key.ID},
		{rotated, "api_key.rotate", c.Key.ID},
		{rotated, "api_key.create", r.NewKey.ID},
		{revoked, "api_key.revoke", r.NewKey.ID},
	}
	require.Equal(t, "audit-create-"+tn.ID, created.Header.Get("X-Request-Id"), "the client's request id is kept")
	for _, e := range expect {
		rid := e.res.Header.Get("X-Request-Id")
		require.NotEmpty(t, rid)
		var found *db.AuditLog
		for i, row := range byRequest[rid] {
			if row.Action == e.action && row.ResourceID == e.resource {
				found = &byRequest[rid][i]
			}
		}
		require.NotNil(t, found, "audit row %s %s for request %s; rows: %+v", e.action, e.resource, rid, rows)
		require.Equal(t, "api_key", found.ResourceType)
		require.Equal(t, "key", found.ActorType)
		require.Equal(t, actor, found.ActorID, "the actor is the calling key")
		require.Equal(t, "127.0.0.1", found.IP)
		require.WithinDuration(t, time.Now(), found.CreatedAt, time.Minute)
		require.True(t, json.Valid(found.Changes))
	}
	var n int
	for _, row := range rows {
		if strings.HasPrefix(row.Action, "api_key.") && row.ActorType == "key" {
			n++
		}
	}
	require.Equal(t, len(expect), n, "exactly one row per change, none for failed writes")
}
