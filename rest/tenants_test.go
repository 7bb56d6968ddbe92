package rest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// tenantView is a tenant as the admin API shows it.
type tenantView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Plan     string `json:"plan"`
	Status   string `json:"status"`
	Settings struct {
		CORSOrigins []string `json:"cors_origins"`
	} `json:"settings"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SuspendedAt *time.Time `json:"suspended_at"`
}

// provisioned is the answer of POST /v1/admin/tenants.
type provisioned struct {
	Tenant   tenantView `json:"tenant"`
	TenantID string     `json:"tenant_id"`
	APIKey   string     `json:"api_key"`
	Key      keyView    `json:"key"`
}

// tenantPage is a page of GET /v1/admin/tenants.
type tenantPage struct {
	Results    []tenantView `json:"results"`
	NextCursor *string      `json:"next_cursor"`
	Total      int          `json:"total"`
}

// usageView is the answer of GET /v1/usage.
type usageView struct {
	TenantID string `json:"tenant_id"`
	PlanTier struct {
		Name   string         `json:"name"`
		Limits map[string]any `json:"limits"`
	} `json:"plan_tier"`
	PlanLimits       map[string]any `json:"plan_limits"`
	UsedStorageBytes *int64         `json:"used_storage_bytes"`
	Usage            map[string]any `json:"usage"`
}

func admin(method, path string, body any) apptest.Request {
	return apptest.Request{Method: method, Path: path, Key: apptest.AdminKey, Body: body}
}

// provision creates a tenant through the admin API.
func provision(t *testing.T, env *apptest.Env, body map[string]any) provisioned {
	t.Helper()
	res := env.Do(t, admin("POST", "/v1/admin/tenants", body))
	require.Equal(t, http.StatusCreated, res.Status, "create tenant: %s", res.Body)
	var p provisioned
	res.Decode(t, &p)
	return p
}

func getTenant(t *testing.T, env *apptest.Env, id string) tenantView {
	t.Helper()
	res := env.Do(t, admin("GET", "/v1/admin/tenants/"+id, nil))
	require.Equal(t, http.StatusOK, res.Status, "get tenant: %s", res.Body)
	var v tenantView
	res.Decode(t, &v)
	return v
}

func getUsage(t *testing.T, env *apptest.Env, key string) usageView {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/v1/usage", Key: key})
	require.Equal(t, http.StatusOK, res.Status, "usage: %s", res.Body)
	requireEnvelope(t, res)
	var u usageView
	res.Decode(t, &u)
	return u
}

func TestTenantsUsage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	get := func(key func(t *testing.T, f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			return apptest.Request{Path: "/v1/usage", Key: key(t, f)}
		}
	}
	ok := func(t *testing.T, f *caseFixture, res *apptest.Response) {
		var u usageView
		res.Decode(t, &u)
		require.Equal(t, f.tn.ID, u.TenantID)
		require.Equal(t, "free", u.PlanTier.Name)
		free := domain.Plans["free"].Limits
		require.EqualValues(t, free.APIKeys, u.PlanLimits["api_keys"])
		require.EqualValues(t, free.StorageBytes, u.PlanLimits["storage_bytes"])
		require.EqualValues(t, free.RequestsPerMonth, u.PlanLimits["requests_per_month"])
		require.Equal(t, u.PlanLimits, u.PlanTier.Limits)
		require.NotNil(t, u.UsedStorageBytes)
		require.EqualValues(t, 0, *u.UsedStorageBytes)
		require.Contains(t, u.Usage, "api_keys")
		require.Contains(t, u.Usage, "requests_this_month")
		require.Greater(t, u.Usage["requests_this_month"], float64(0), "this request counts")
	}
	runEndpointCases(t, env, []endpointCase{
		{name: "star key", req: get(func(t *testing.T, f *caseFixture) string { return f.tn.Key }), status: 200, check: ok},
		{name: "read-only key", req: get(func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key, "read") }), status: 200, check: ok},
		{name: "ai-only key", req: get(func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key, "ai") }), status: 200, check: ok},
		{name: "publishable key", req: get(func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key) }), status: 200, check: ok},
		{
			name: "X-API-Key", status: 200, check: ok,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/usage", Header: map[string]string{"X-API-Key": f.tn.Key}}
			},
		},
		{name: "no credential", req: get(func(t *testing.T, f *caseFixture) string { return "" }), status: 401, code: "UNAUTHORIZED"},
		{name: "garbage key", req: get(func(t *testing.T, f *caseFixture) string { return "sk_garbage" }), status: 401, code: "UNAUTHORIZED"},
		{name: "admin key", req: get(func(t *testing.T, f *caseFixture) string { return apptest.AdminKey }), status: 401, code: "UNAUTHORIZED"},
		{
			name: "wrong method", status: 405, code: "METHOD_NOT_ALLOWED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: "/v1/usage", Key: f.tn.Key, Body: map[string]any{}}
			},
		},
	})

	t.Run("api_keys counts active keys", func(t *testing.T) {
		t.Parallel()
		tn := env.NewTenant(t)
		require.EqualValues(t, 1, getUsage(t, env, tn.Key).Usage["api_keys"])
		a := issueKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		issueKey(t, env, tn.Key, map[string]any{"scopes": []string{"write"}})
		require.EqualValues(t, 3, getUsage(t, env, tn.Key).Usage["api_keys"])
		require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/keys/" + a.Key.ID, Key: tn.Key}).Status)
		require.EqualValues(t, 2, getUsage(t, env, tn.Key).Usage["api_keys"], "revoked keys do not count")
		rot := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys/" + defaultKeyID(t, env, tn) + "/rotate", Key: tn.Key})
		require.Equal(t, http.StatusCreated, rot.Status)
		var r rotatedKey
		rot.Decode(t, &r)
		require.EqualValues(t, 2, getUsage(t, env, r.Token).Usage["api_keys"], "a rotation replaces a key")
		require.Len(t, listKeys(t, env, r.Token), 2)
	})

	t.Run("requests_this_month grows with each request of any key", func(t *testing.T) {
		t.Parallel()
		tn := env.NewTenant(t)
		read := scopedKey(t, env, tn.Key, "read")
		first := getUsage(t, env, read).Usage["requests_this_month"].(float64)
		require.Positive(t, first)
		for range 3 {
			env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key})
		}
		env.Do(t, apptest.Request{Path: "/v1/keys", Key: read}) // 403, still a request
		second := getUsage(t, env, read).Usage["requests_this_month"].(float64)
		require.Equal(t, first+5, second)
		// Another tenant's requests do not count.
		other := env.NewTenant(t)
		env.Do(t, apptest.Request{Path: "/v1/keys", Key: other.Key})
		require.Equal(t, second+1, getUsage(t, env, read).Usage["requests_this_month"].(float64))
	})

	t.Run("plan changes are reflected", func(t *testing.T) {
		t.Parallel()
		tn := env.NewTenant(t)
		res := env.Do(t, admin("PATCH", "/v1/admin/tenants/"+tn.ID, map[string]any{"plan": "pro"}))
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		u := getUsage(t, env, tn.Key)
		require.Equal(t, "pro", u.PlanTier.Name)
		require.EqualValues(t, domain.Plans["pro"].Limits.APIKeys, u.PlanLimits["api_keys"])
	})
}

func TestTenantsPublicConfig(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	cfg := func(query string, header map[string]string, key func(f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			q := strings.ReplaceAll(query, "{tenant}", f.tn.ID)
			h := map[string]string{}
			for k, v := range header {
				h[k] = strings.ReplaceAll(v, "{tenant}", f.tn.ID)
			}
			r := apptest.Request{Path: "/v1/tenant-config" + q, Header: h}
			if key != nil {
				r.Key = key(f)
			}
			return r
		}
	}
	mine := func(t *testing.T, f *caseFixture, res *apptest.Response) {
		var c map[string]any
		res.Decode(t, &c)
		require.Equal(t, f.tn.ID, c["tenant_id"])
		require.Equal(t, "Test tenant", c["name"])
		requireNoSecrets(t, res.Body, f.tn.Key)
	}
	starKey := func(f *caseFixture) string { return f.tn.Key }
	runEndpointCases(t, env, []endpointCase{
		{name: "tenant_id query parameter", req: cfg("?tenant_id={tenant}", nil, nil), status: 200, check: mine},
		{name: "X-Tenant-ID header", req: cfg("", map[string]string{"X-Tenant-ID": "{tenant}"}, nil), status: 200, check: mine},
		{name: "the caller's key names the tenant", req: cfg("", nil, starKey), status: 200, check: mine},
		{
			name: "X-API-Key names the tenant", status: 200, check: mine,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/tenant-config", Header: map[string]string{"X-API-Key": f.tn.Key}}
			},
		},
		{
			name: "a publishable key names the tenant", status: 200, check: mine,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: "/v1/tenant-config", Key: scopedKey(t, f.env, f.tn.Key)}
			},
		},
		{
			name: "the query wins over the header", status: 200, check: mine,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				other := f.env.NewTenant(t, "Other")
				return apptest.Request{Path: "/v1/tenant-config?tenant_id=" + f.tn.ID, Header: map[string]string{"X-Tenant-ID": other.ID}}
			},
		},
		{
			name: "a named tenant wins over the key's", status: 200, check: mine,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				other := f.env.NewTenant(t, "Other")
				return apptest.Request{Path: "/v1/tenant-config?tenant_id=" + f.tn.ID, Key: other.Key}
			},
		},
		{name: "nothing names a tenant", req: cfg("", nil, nil), status: 400, code: "VALIDATION_FAILED", fields: []string{"tenant_id"}},
		{name: "empty tenant_id", req: cfg("?tenant_id=", nil, nil), status: 400, code: "VALIDATION_FAILED", fields: []string{"tenant_id"}},
		{name: "garbage key names no tenant", req: cfg("", nil, func(*caseFixture) string { return "sk_garbage" }), status: 400, code: "VALIDATION_FAILED", fields: []string{"tenant_id"}},
		{name: "unknown tenant", req: cfg("?tenant_id="+domain.NewID(domain.PrefixTenant), nil, nil), status: 404, code: "NOT_FOUND"},
		{name: "unknown tenant in the header", req: cfg("", map[string]string{"X-Tenant-ID": domain.NewID(domain.PrefixTenant)}, nil), status: 404, code: "NOT_FOUND"},
		{name: "malformed tenant id", req: cfg("?tenant_id=tn_nope", nil, nil), status: 404, code: "NOT_FOUND"},
		{name: "SQL in the tenant id", req: cfg("?tenant_id="+url.QueryEscape("tn_' OR '1'='1"), nil, nil), status: 404, code: "NOT_FOUND"},
		{
			name: "suspended tenant", status: 403, code: "TENANT_SUSPENDED",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				require.Equal(t, http.StatusOK, f.env.Do(t, admin("POST", "/v1/admin/tenants/"+f.tn.ID+"/suspend", nil)).Status)
				return apptest.Request{Path: "/v1/tenant-config?tenant_id=" + f.tn.ID}
			},
		},
		{
			name: "deleted tenant", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				require.Equal(t, http.StatusOK, f.env.Do(t, admin("DELETE", "/v1/admin/tenants/"+f.tn.ID, nil)).Status)
				return apptest.Request{Path: "/v1/tenant-config?tenant_id=" + f.tn.ID}
			},
		},
	})
}

func TestTenantsAdminList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	var ours []string
	for _, name := range []string{"List one", "List two", "List three"} {
		ours = append(ours, provision(t, env, map[string]any{"name": name}).TenantID)
	}

	// Follow next_cursor with limit=1 until ours are all seen.
	seen := map[string]int{}
	var order []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10_000, "pagination terminates")
		path := "/v1/admin/tenants?limit=1"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		res := env.Do(t, admin("GET", path, nil))
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Contains(t, string(res.Data), `"next_cursor"`)
		require.Contains(t, string(res.Data), `"total"`)
		var p tenantPage
		res.Decode(t, &p)
		require.GreaterOrEqual(t, p.Total, 3)
		require.LessOrEqual(t, len(p.Results), 1)
		for _, r := range p.Results {
			seen[r.ID]++
			order = append(order, r.ID)
			require.True(t, domain.ValidID(domain.PrefixTenant, r.ID))
			require.NotEmpty(t, r.Name)
		}
		if p.NextCursor == nil {
			break
		}
		require.NotEmpty(t, *p.NextCursor)
		for _, r := range p.Results {
			require.NotContains(t, *p.NextCursor, r.ID, "cursors are opaque")
		}
		cursor = *p.NextCursor
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "tenant %s listed once", id)
	}
	idx := func(id string) int {
		for i, o := range order {
			if o == id {
				return i
			}
		}
		t.Fatalf("tenant %s not listed", id)
		return -1
	}
	require.Less(t, idx(ours[0]), idx(ours[1]), "creation order")
	require.Less(t, idx(ours[1]), idx(ours[2]), "creation order")

	// Defaults and clamping.
	var def, big tenantPage
	res := env.Do(t, admin("GET", "/v1/admin/tenants", nil))
	require.Equal(t, http.StatusOK, res.Status)
	res.Decode(t, &def)
	require.LessOrEqual(t, len(def.Results), domain.DefaultLimit)
	if def.Total > domain.DefaultLimit {
		require.Len(t, def.Results, domain.DefaultLimit)
		require.NotNil(t, def.NextCursor)
	}
	res = env.Do(t, admin("GET", "/v1/admin/tenants?limit=100000", nil))
	require.Equal(t, http.StatusOK, res.Status)
	res.Decode(t, &big)
	require.LessOrEqual(t, len(big.Results), domain.MaxLimit, "limit is clamped")

	// Unknown query parameters are ignored.
	require.Equal(t, http.StatusOK, env.Do(t, admin("GET", "/v1/admin/tenants?colour=blue", nil)).Status)

	// Errors.
	page := env.Do(t, admin("GET", "/v1/admin/tenants?limit=1", nil))
	var first tenantPage
	page.Decode(t, &first)
	require.NotNil(t, first.NextCursor)
	valid := *first.NextCursor
	body, mac, _ := strings.Cut(valid, ".")
	forged := []string{
		"garbage",
		"dG5fMDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVY", // base64 of an id, unsigned
		body + ".AAAAAAAAAAAAAAAAAAAAAAAA",
		body[:len(body)-2] + "AA." + mac,
		"." + mac,
		valid + "x",
	}
	for _, c := range forged {
		res := env.Do(t, admin("GET", "/v1/admin/tenants?cursor="+url.QueryEscape(c), nil))
		requireAPIError(t, res, http.StatusBadRequest, "BAD_REQUEST")
	}
	res = env.Do(t, admin("GET", "/v1/admin/tenants?limit=ten", nil))
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "limit")
}

func TestTenantsAdminCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	post := func(body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request { return admin("POST", "/v1/admin/tenants", body) }
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "creates a tenant with a working * key", req: post(map[string]any{"name": "  Acme  "}), status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var p provisioned
				res.Decode(t, &p)
				require.True(t, domain.ValidID(domain.PrefixTenant, p.TenantID), p.TenantID)
				require.Regexp(t, `^sk_[0-9A-Za-z]{40,44}$`, p.APIKey)
				require.Equal(t, p.TenantID, p.Tenant.ID)
				require.Equal(t, "Acme", p.Tenant.Name, "name is trimmed")
				require.Equal(t, "free", p.Tenant.Plan)
				require.Equal(t, "active", p.Tenant.Status)
				require.Equal(t, []string{}, p.Tenant.Settings.CORSOrigins)
				require.Nil(t, p.Tenant.SuspendedAt)
				require.Equal(t, []string{"*"}, p.Key.Scopes)

				keys := listKeys(t, f.env, p.APIKey)
				require.Len(t, keys, 1)
				require.Equal(t, p.Key.ID, keys[0].ID)
				require.Equal(t, p.TenantID, getUsage(t, f.env, p.APIKey).TenantID)
				// The secret is shown this once.
				requireNoSecrets(t, f.env.Do(t, admin("GET", "/v1/admin/tenants/"+p.TenantID, nil)).Body, p.APIKey)
			},
		},
		{
			name: "plan and CORS origins", req: post(map[string]any{"name": "Pro", "plan": "pro", "cors_origins": []string{"https://app.example.com", "http://localhost:3000"}}), status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var p provisioned
				res.Decode(t, &p)
				require.Equal(t, "pro", p.Tenant.Plan)
				require.Equal(t, []string{"https://app.example.com", "http://localhost:3000"}, p.Tenant.Settings.CORSOrigins)
				require.Equal(t, "pro", getTenant(t, f.env, p.TenantID).Plan)
			},
		},
		{name: "enterprise plan", req: post(map[string]any{"name": "Big", "plan": "enterprise"}), status: 201},
		{name: "wildcard origin", req: post(map[string]any{"name": "Any", "cors_origins": []string{"*"}}), status: 201},
		{name: "missing name", req: post(map[string]any{"plan": "free"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "blank name", req: post(map[string]any{"name": "   "}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "name too long", req: post(map[string]any{"name": strings.Repeat("n", 201)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "name of 200 non-ASCII characters", req: post(map[string]any{"name": strings.Repeat("ü", 200)}), status: 201},
		{name: "name with a NUL byte", req: post(map[string]any{"name": "a\x00b"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "unknown plan", req: post(map[string]any{"name": "x", "plan": "gold"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"plan"}},
		{name: "bad origin scheme", req: post(map[string]any{"name": "x", "cors_origins": []string{"ftp://example.com"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"cors_origins"}},
		{name: "origin with a path", req: post(map[string]any{"name": "x", "cors_origins": []string{"https://example.com/app"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"cors_origins"}},
		{name: "every bad field at once", req: post(map[string]any{"plan": "gold", "cors_origins": []string{"nope"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name", "plan", "cors_origins"}},
		{name: "name as a number", req: post(`{"name":42}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "cors_origins as a string", req: post(`{"name":"x","cors_origins":"https://a.example"}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"cors_origins"}},
		{name: "malformed JSON", req: post(`{"name":"x"`), status: 400, code: "BAD_REQUEST"},
		{name: "empty body", req: post(nil), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{
			name: "text/plain content type", status: 400, code: "BAD_REQUEST",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := admin("POST", "/v1/admin/tenants", `{"name":"x"}`)
				r.Header = map[string]string{"Content-Type": "text/plain"}
				return r
			},
		},
		{name: "body over 1 MiB", req: post([]byte(`{"name":"` + strings.Repeat("x", 1<<20) + `"}`)), status: 413, code: "PAYLOAD_TOO_LARGE"},
	})
}

func TestTenantsAdminGetAndUpdate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	at := func(method string, body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			return admin(method, "/v1/admin/tenants/"+f.tn.ID, body)
		}
	}
	decoded := func(t *testing.T, f *caseFixture, res *apptest.Response) tenantView {
		var v tenantView
		res.Decode(t, &v)
		require.Equal(t, f.tn.ID, v.ID)
		got := getTenant(t, f.env, f.tn.ID)
		require.Equal(t, v.Name, got.Name, "a get agrees with the answer")
		require.Equal(t, v.Plan, got.Plan)
		require.Equal(t, v.Status, got.Status)
		require.Equal(t, v.Settings, got.Settings)
		require.WithinDuration(t, v.UpdatedAt, got.UpdatedAt, time.Millisecond)
		requireNoSecrets(t, res.Body, f.tn.Key)
		return v
	}
	unknown := domain.NewID(domain.PrefixTenant)
	runEndpointCases(t, env, []endpointCase{
		{
			name: "get", req: at("GET", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				v := decoded(t, f, res)
				require.Equal(t, "Test tenant", v.Name)
				require.Equal(t, "free", v.Plan)
				require.Equal(t, "active", v.Status)
				require.Equal(t, []string{}, v.Settings.CORSOrigins)
				require.WithinDuration(t, time.Now(), v.CreatedAt, time.Minute)
			},
		},
		{name: "get unknown tenant", req: func(t *testing.T, f *caseFixture) apptest.Request {
			return admin("GET", "/v1/admin/tenants/"+unknown, nil)
		}, status: 404, code: "NOT_FOUND"},
		{name: "get malformed id", req: func(t *testing.T, f *caseFixture) apptest.Request { return admin("GET", "/v1/admin/tenants/acme", nil) }, status: 404, code: "NOT_FOUND"},
		{
			name: "update name", req: at("PATCH", map[string]any{"name": "Renamed"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				v := decoded(t, f, res)
				require.Equal(t, "Renamed", v.Name)
				require.Equal(t, "free", v.Plan, "absent members keep their value")
				require.Equal(t, []string{}, v.Settings.CORSOrigins)
				require.False(t, v.UpdatedAt.Before(v.CreatedAt))
				var c map[string]any
				f.env.Do(t, apptest.Request{Path: "/v1/tenant-config?tenant_id=" + f.tn.ID}).Decode(t, &c)
				require.Equal(t, "Renamed", c["name"])
			},
		},
		{
			name: "update plan", req: at("PATCH", map[string]any{"plan": "enterprise"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				v := decoded(t, f, res)
				require.Equal(t, "enterprise", v.Plan)
				require.Equal(t, "Test tenant", v.Name)
			},
		},
		{
			name: "update cors_origins", req: at("PATCH", map[string]any{"cors_origins": []string{"https://shop.example"}}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"https://shop.example"}, decoded(t, f, res).Settings.CORSOrigins)
				// And clear them again.
				res = f.env.Do(t, admin("PATCH", "/v1/admin/tenants/"+f.tn.ID, map[string]any{"cors_origins": []string{}}))
				require.Equal(t, http.StatusOK, res.Status)
				require.Equal(t, []string{}, decoded(t, f, res).Settings.CORSOrigins)
			},
		},
		{
			name: "PUT is an alias of PATCH", req: at("PUT", map[string]any{"name": "Put"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				v := decoded(t, f, res)
				require.Equal(t, "Put", v.Name)
				require.Equal(t, "free", v.Plan)
			},
		},
		{name: "empty body changes nothing", req: at("PATCH", nil), status: 200},
		{name: "unknown plan", req: at("PATCH", map[string]any{"plan": "platinum"}), status: 400, code: "VALIDATION_FAILED", fields: []string{"plan"},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "free", getTenant(t, f.env, f.tn.ID).Plan)
			}},
		{name: "empty plan", req: at("PATCH", map[string]any{"plan": ""}), status: 400, code: "VALIDATION_FAILED", fields: []string{"plan"}},
		{name: "empty name", req: at("PATCH", map[string]any{"name": " "}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "name too long", req: at("PATCH", map[string]any{"name": strings.Repeat("n", 201)}), status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}},
		{name: "bad origin", req: at("PATCH", map[string]any{"cors_origins": []string{"example.com"}}), status: 400, code: "VALIDATION_FAILED", fields: []string{"cors_origins"}},
		{name: "plan as a number", req: at("PATCH", `{"plan":1}`), status: 400, code: "VALIDATION_FAILED", fields: []string{"plan"}},
		{name: "malformed JSON", req: at("PATCH", `{`), status: 400, code: "BAD_REQUEST"},
		{name: "update unknown tenant", req: func(t *testing.T, f *caseFixture) apptest.Request {
			return admin("PATCH", "/v1/admin/tenants/"+unknown, map[string]any{"name": "x"})
		}, status: 404, code: "NOT_FOUND"},
		{name: "update malformed id", req: func(t *testing.T, f *caseFixture) apptest.Request {
			return admin("PATCH", "/v1/admin/tenants/nope", map[string]any{"name": "x"})
		}, status: 404, code: "NOT_FOUND"},
	})
}

func TestTenantsAdminSuspendResume(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	other := env.NewTenant(t)
	read := scopedKey(t, env, tn.Key, "read")
	// Used once, so the principals are cached.
	require.Equal(t, http.StatusOK, keyStatus(t, env, tn.Key))
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: read}).Status)

	res := env.Do(t, admin("POST", "/v1/admin/tenants/"+tn.ID+"/suspend", nil))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	requireEnvelope(t, res)
	var v tenantView
	res.Decode(t, &v)
	require.Equal(t, "suspended", v.Status)
	require.NotNil(t, v.SuspendedAt)
	require.WithinDuration(t, time.Now(), *v.SuspendedAt, time.Minute)

	// Every key of the tenant is refused at once, whatever the endpoint.
	for _, req := range []apptest.Request{
		{Path: "/v1/keys", Key: tn.Key},
		{Path: "/v1/usage", Key: read},
		{Path: "/v1/usage", Header: map[string]string{"X-API-Key": tn.Key}},
		{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "while suspended"}},
	} {
		requireAPIError(t, env.Do(t, req), http.StatusForbidden, "TENANT_SUSPENDED")
	}
	requireAPIError(t, env.Do(t, apptest.Request{Path: "/v1/tenant-config?tenant_id=" + tn.ID}), http.StatusForbidden, "TENANT_SUSPENDED")
	// Other tenants are unaffected.
	require.Equal(t, http.StatusOK, keyStatus(t, env, other.Key))
	// The admin still sees it; suspending again is harmless and keeps the date.
	require.Equal(t, "suspended", getTenant(t, env, tn.ID).Status)
	res = env.Do(t, admin("POST", "/v1/admin/tenants/"+tn.ID+"/suspend", nil))
	require.Equal(t, http.StatusOK, res.Status)
	var again tenantView
	res.Decode(t, &again)
	require.NotNil(t, again.SuspendedAt)
	require.WithinDuration(t, *v.SuspendedAt, *again.SuspendedAt, time.Millisecond, "a second suspend keeps suspended_at")

	res = env.Do(t, admin("POST", "/v1/admin/tenants/"+tn.ID+"/resume", nil))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res.Decode(t, &v)
	require.Equal(t, "active", v.Status)
	require.Nil(t, v.SuspendedAt)
	require.Equal(t, http.StatusOK, keyStatus(t, env, tn.Key), "keys work again at once")
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/usage", Key: read}).Status)
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/tenant-config?tenant_id=" + tn.ID}).Status)
	// Resuming an active tenant is harmless.
	require.Equal(t, http.StatusOK, env.Do(t, admin("POST", "/v1/admin/tenants/"+tn.ID+"/resume", nil)).Status)

	// Audit rows record both, by the admin.
	rows, err := db.AuditListByTenant(context.Background(), env.App.Core.DB, tn.ID, 100)
	require.NoError(t, err)
	actions := map[string]int{}
	for _, r := range rows {
		if r.Action == "tenant.suspend" || r.Action == "tenant.resume" {
			actions[r.Action]++
			require.Equal(t, "tenant", r.ResourceType)
			require.Equal(t, tn.ID, r.ResourceID)
			require.Equal(t, "admin", r.ActorType)
			require.Regexp(t, requestIDPattern, r.RequestID)
		}
	}
	require.Equal(t, 2, actions["tenant.suspend"])
	require.Equal(t, 2, actions["tenant.resume"])

	// Unknown tenants.
	for _, p := range []string{"/suspend", "/resume"} {
		requireAPIError(t, env.Do(t, admin("POST", "/v1/admin/tenants/"+domain.NewID(domain.PrefixTenant)+p, nil)), http.StatusNotFound, "NOT_FOUND")
		requireAPIError(t, env.Do(t, admin("POST", "/v1/admin/tenants/nope"+p, nil)), http.StatusNotFound, "NOT_FOUND")
	}
}

func TestTenantsAdminDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	tn := env.NewTenant(t)
	other := env.NewTenant(t)
	read := scopedKey(t, env, tn.Key, "read")
	require.Equal(t, http.StatusOK, keyStatus(t, env, tn.Key)) // cached principal

	res := env.Do(t, admin("DELETE", "/v1/admin/tenants/"+tn.ID, nil))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	requireEnvelope(t, res)
	var d struct {
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}
	res.Decode(t, &d)
	require.Equal(t, tn.ID, d.ID)
	require.True(t, d.Deleted)

	// Its keys stop working at once.
	requireAPIError(t, env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key}), http.StatusUnauthorized, "UNAUTHORIZED")
	requireAPIError(t, env.Do(t, apptest.Request{Path: "/v1/usage", Key: read}), http.StatusUnauthorized, "UNAUTHORIZED")
	// It is gone.
	requireAPIError(t, env.Do(t, admin("GET", "/v1/admin/tenants/"+tn.ID, nil)), http.StatusNotFound, "NOT_FOUND")
	requireAPIError(t, env.Do(t, admin("DELETE", "/v1/admin/tenants/"+tn.ID, nil)), http.StatusNotFound, "NOT_FOUND")
	requireAPIError(t, env.Do(t, admin("PATCH", "/v1/admin/tenants/"+tn.ID, map[string]any{"name": "x"})), http.StatusNotFound, "NOT_FOUND")
	requireAPIError(t, env.Do(t, admin("POST", "/v1/admin/tenants/"+tn.ID+"/resume", nil)), http.StatusNotFound, "NOT_FOUND")
	// Its rows cascaded.
	for _, table := range []string{"api_keys", "audit_logs", "outbox_events"} {
		n, err := env.App.Core.DB.NewSelect().Table(table).Where("tenant_id = ?", tn.ID).Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "%s rows of a deleted tenant", table)
	}
	// Other tenants keep theirs.
	n, err := env.App.Core.DB.NewSelect().Table("api_keys").Where("tenant_id = ?", other.ID).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Equal(t, http.StatusOK, keyStatus(t, env, other.Key))

	requireAPIError(t, env.Do(t, admin("DELETE", "/v1/admin/tenants/"+domain.NewID(domain.PrefixTenant), nil)), http.StatusNotFound, "NOT_FOUND")
	requireAPIError(t, env.Do(t, admin("DELETE", "/v1/admin/tenants/tn_x", nil)), http.StatusNotFound, "NOT_FOUND")
}

// TestTenantsAdminAuth checks that every admin endpoint refuses anything but
// the platform admin key.
func TestTenantsAdminAuth(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	endpoints := []struct{ method, path string }{
		{"GET", "/v1/admin/tenants"},
		{"POST", "/v1/admin/tenants"},
		{"GET", "/v1/admin/tenants/" + tn.ID},
		{"PATCH", "/v1/admin/tenants/" + tn.ID},
		{"PUT", "/v1/admin/tenants/" + tn.ID},
		{"POST", "/v1/admin/tenants/" + tn.ID + "/suspend"},
		{"POST", "/v1/admin/tenants/" + tn.ID + "/resume"},
		{"DELETE", "/v1/admin/tenants/" + tn.ID},
	}
	creds := []struct {
		name   string
		header map[string]string
	}{
		{"no credential", nil},
		{"tenant * key", map[string]string{"Authorization": "Bearer " + tn.Key}},
		{"tenant key as X-API-Key", map[string]string{"X-API-Key": tn.Key}},
		{"wrong admin key", map[string]string{"Authorization": "Bearer " + apptest.AdminKey + "x"}},
		{"admin key prefix", map[string]string{"Authorization": "Bearer " + apptest.AdminKey[:len(apptest.AdminKey)-1]}},
		{"admin key with another scheme", map[string]string{"Authorization": "Basic " + apptest.AdminKey}},
		{"empty bearer", map[string]string{"Authorization": "Bearer "}},
	}
	for _, ep := range endpoints {
		for _, c := range creds {
			res := env.Do(t, apptest.Request{Method: ep.method, Path: ep.path, Header: c.header, Body: map[string]any{"name": "Hijack", "plan": "enterprise"}})
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s %s with %s: %s", ep.method, ep.path, c.name, res.Body)
			requireEnvelope(t, res)
			require.Equal(t, "UNAUTHORIZED", res.Error.Code)
		}
	}
	// Nothing happened to the tenant.
	v := getTenant(t, env, tn.ID)
	require.Equal(t, "Test tenant", v.Name)
	require.Equal(t, "free", v.Plan)
	require.Equal(t, "active", v.Status)
	require.Equal(t, http.StatusOK, keyStatus(t, env, tn.Key))
	// The admin key works as X-API-Key too.
	res := env.Do(t, apptest.Request{Path: "/v1/admin/tenants/" + tn.ID, Header: map[string]string{"X-API-Key": apptest.AdminKey}})
	require.Equal(t, http.StatusOK, res.Status)
}
