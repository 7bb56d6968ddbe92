package rest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// This file holds the scenario runner shared by keys_test.go and
// tenants_test.go, and the tests of what every answer has in common: the
// envelope, request ids, routing errors, security headers, probes, metrics
// and resistance to bad input.

// caseFixture is what one scenario runs against: a running platform and a
// fresh tenant of its own (its "*" key in tn.Key), so scenarios never share
// state or rate-limit budgets.
type caseFixture struct {
	env *apptest.Env
	tn  apptest.Tenant
	// vars carries values a scenario's setup computed for its checks.
	vars map[string]string
}

// endpointCase is one row of an endpoint's scenario table.
type endpointCase struct {
	name string
	// req builds the request; it may create keys or tenants first.
	req    func(t *testing.T, f *caseFixture) apptest.Request
	status int
	// code is the expected error code (answers with status >= 400).
	code string
	// fields must all be members of error.fields.
	fields []string
	// errorHas are further members the error object must carry.
	errorHas map[string]any
	// contains and absent are substrings the raw body must (not) hold.
	contains []string
	absent   []string
	// check runs further assertions.
	check func(t *testing.T, f *caseFixture, res *apptest.Response)
}

// runEndpointCases runs each scenario in parallel on env, with its own tenant.
func runEndpointCases(t *testing.T, env *apptest.Env, cases []endpointCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &caseFixture{env: env, tn: env.NewTenant(t), vars: map[string]string{}}
			res := env.Do(t, tc.req(t, f))
			require.Equal(t, tc.status, res.Status, "body: %s", res.Body)
			requireEnvelope(t, res)
			if tc.status >= 400 {
				require.False(t, res.Success, "an error answer has success=false")
				require.Equal(t, tc.code, res.Error.Code, "body: %s", res.Body)
				require.NotEmpty(t, res.Error.Message)
			} else {
				require.True(t, res.Success, "body: %s", res.Body)
			}
			for _, field := range tc.fields {
				require.Contains(t, res.Error.Fields, field, "error.fields must name %q: %s", field, res.Body)
				require.NotEmpty(t, res.Error.Fields[field])
			}
			for k, v := range tc.errorHas {
				require.Equal(t, v, res.Error.Extra[k], "error.%s: %s", k, res.Body)
			}
			for _, s := range tc.contains {
				require.Contains(t, string(res.Body), s)
			}
			for _, s := range tc.absent {
				require.NotContains(t, string(res.Body), s)
			}
			if tc.check != nil {
				tc.check(t, f, res)
			}
		})
	}
}

var requestIDPattern = regexp.MustCompile(`^req_[0-9a-z]{26}$`)

// requireEnvelope checks the JSON envelope every /v1 answer has: JSON content
// type, a success member, and a request_id equal to the X-Request-Id header.
func requireEnvelope(t *testing.T, res *apptest.Response) {
	t.Helper()
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"),
		"content type %q, body %s", res.Header.Get("Content-Type"), res.Body)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(res.Body, &raw), "body is JSON: %s", res.Body)
	require.Contains(t, raw, "success")
	require.Contains(t, raw, "request_id")
	require.NotEmpty(t, res.RequestID)
	require.Equal(t, res.Header.Get("X-Request-Id"), res.RequestID, "request_id equals X-Request-Id")
	if res.Success {
		require.Contains(t, raw, "data")
		require.NotContains(t, raw, "error")
	} else {
		require.Contains(t, raw, "error")
		require.NotContains(t, raw, "data")
		require.Regexp(t, `^[A-Z][A-Z_]*[A-Z]$`, res.Error.Code, "codes are upper snake case")
	}
}

// requireAPIError checks an error answer's status, code and field names.
func requireAPIError(t *testing.T, res *apptest.Response, status int, code string, fields ...string) {
	t.Helper()
	require.Equal(t, status, res.Status, "body: %s", res.Body)
	requireEnvelope(t, res)
	require.False(t, res.Success)
	require.Equal(t, code, res.Error.Code, "body: %s", res.Body)
	for _, f := range fields {
		require.Contains(t, res.Error.Fields, f, "error.fields must name %q: %s", f, res.Body)
	}
}

func TestEnvelopeRequestID(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	// Every kind of answer carries a generated req_ id in body and header.
	for _, req := range []apptest.Request{
		{Path: "/health"},
		{Path: "/ready"},
		{Path: "/v1/keys", Key: tn.Key},
		{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "rid"}},
		{Path: "/v1/keys"}, // 401
		{Path: "/v1/keys/key_nope", Method: "DELETE", Key: tn.Key}, // 404
		{Path: "/v1/no-such-route"},                                // 404 (router)
		{Method: "DELETE", Path: "/v1/usage", Key: tn.Key},         // 405
		{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: "{"}, // 400
		{Path: "/v1/tenant-config"},                                // 400
		{Path: "/v1/admin/tenants"},                                // 401
	} {
		res := env.Do(t, req)
		requireEnvelope(t, res)
		require.Regexp(t, requestIDPattern, res.RequestID, "%s %s", req.Method, req.Path)
	}

	// Ids are unique per request.
	a := env.Do(t, apptest.Request{Path: "/health"})
	b := env.Do(t, apptest.Request{Path: "/health"})
	require.NotEqual(t, a.RequestID, b.RequestID)

	// HTML pages and metrics carry the header too.
	for _, p := range []string{"/", "/metrics"} {
		res := env.Do(t, apptest.Request{Path: p})
		require.Equal(t, http.StatusOK, res.Status)
		require.Regexp(t, requestIDPattern, res.Header.Get("X-Request-Id"), p)
	}
}

func TestEnvelopeClientRequestID(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	cases := []struct {
		name string
		sent string
		kept bool
	}{
		{"simple token", "trace-123_ABC", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"single character", "x", true},
		{"65 characters", strings.Repeat("a", 65), false},
		{"space", "bad id", false},
		{"slash", "a/b", false},
		{"dot", "a.b", false},
		{"quote", `a"b`, false},
		{"unicode", "idé", false},
		{"html", "<script>", false},
	}
	for _, tc := range cases {
		for _, req := range []apptest.Request{
			{Path: "/v1/keys", Key: tn.Key},
			{Path: "/v1/keys"},        // 401
			{Path: "/v1/nope/really"}, // 404
		} {
			req.Header = map[string]string{"X-Request-Id": tc.sent}
			res := env.Do(t, req)
			requireEnvelope(t, res)
			if tc.kept {
				require.Equal(t, tc.sent, res.RequestID, "%s: a sane X-Request-Id is kept", tc.name)
			} else {
				require.NotEqual(t, tc.sent, res.RequestID, "%s: an insane X-Request-Id is replaced", tc.name)
				require.Regexp(t, requestIDPattern, res.RequestID, tc.name)
			}
		}
	}
}

func TestEnvelopeRoutingErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	cases := []struct {
		method, path string
		key          string
		status       int
		code         string
	}{
		{"GET", "/v1/nope", "", 404, "NOT_FOUND"},
		{"GET", "/v1/nope", tn.Key, 404, "NOT_FOUND"},
		{"GET", "/nope", "", 404, "NOT_FOUND"},
		{"GET", "/v1/keys/key_x/nope", tn.Key, 404, "NOT_FOUND"},
		{"POST", "/v1/admin/tenants/tn_x/nope", apptest.AdminKey, 404, "NOT_FOUND"},
		{"GET", "/v2/keys", tn.Key, 404, "NOT_FOUND"},
		{"DELETE", "/v1/usage", tn.Key, 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/health", "", 405, "METHOD_NOT_ALLOWED"},
		{"PUT", "/v1/keys", tn.Key, 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "/v1/keys", tn.Key, 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/v1/keys/key_x/rotate", tn.Key, 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/", "", 405, "METHOD_NOT_ALLOWED"},
		{"PATCH", "/v1/admin/tenants", apptest.AdminKey, 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tc := range cases {
		res := env.Do(t, apptest.Request{Method: tc.method, Path: tc.path, Key: tc.key})
		require.Equal(t, tc.status, res.Status, "%s %s: %s", tc.method, tc.path, res.Body)
		requireEnvelope(t, res)
		require.Equal(t, tc.code, res.Error.Code, "%s %s", tc.method, tc.path)
		require.Contains(t, res.Error.Message, tc.method, "the message names the method")
	}

	// A route whose handler is not written yet answers 501 in the envelope.
	for _, r := range env.App.REST.Routes() {
		if r.Implemented() || strings.Contains(r.Path, ":") || r.Method != http.MethodGet {
			continue
		}
		res := env.Do(t, apptest.Request{Method: r.Method, Path: r.Path, Key: tn.Key})
		requireAPIError(t, res, http.StatusNotImplemented, "NOT_IMPLEMENTED")
		break
	}
}

func TestEnvelopeSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	for _, req := range []apptest.Request{
		{Path: "/"},
		{Path: "/health"},
		{Path: "/metrics"},
		{Path: "/v1/keys", Key: tn.Key},
		{Path: "/v1/keys"},
		{Path: "/v1/nope"},
		{Method: "DELETE", Path: "/v1/usage", Key: tn.Key},
		{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: "{"},
	} {
		res := env.Do(t, req)
		name := req.Method + " " + req.Path
		require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), name)
		require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), name)
		require.NotEmpty(t, res.Header.Get("Content-Security-Policy"), name)
		require.NotEmpty(t, res.Header.Get("Referrer-Policy"), name)
		require.NotEmpty(t, res.Header.Get("Strict-Transport-Security"), name)
		require.Empty(t, res.Header.Values("Set-Cookie"), "%s: no cookies outside the console", name)
	}
}

func TestEnvelopeHealth(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	res := env.Do(t, apptest.Request{Path: "/health"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	requireEnvelope(t, res)
	var h map[string]any
	res.Decode(t, &h)
	for _, k := range []string{"status", "service", "version", "timestamp", "region", "uptime"} {
		require.Contains(t, h, k)
	}
	require.Equal(t, "ok", h["status"])
	require.Equal(t, "platform", h["service"])
	require.NotEmpty(t, h["version"])
	require.Equal(t, "test", h["region"])
	require.IsType(t, "", h["uptime"])
	ts, err := time.Parse(time.RFC3339Nano, h["timestamp"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), ts, time.Minute)
	// Probes need no credential and a bad one does not break them.
	res = env.Do(t, apptest.Request{Path: "/health", Key: "sk_garbage"})
	require.Equal(t, http.StatusOK, res.Status)
	// Probes are exempt from the per-IP limit: no rate-limit headers.
	require.Empty(t, res.Header.Get("X-RateLimit-Limit"))
}

func TestEnvelopeReady(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	res := env.Do(t, apptest.Request{Path: "/ready"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	requireEnvelope(t, res)
	var r struct {
		Status    string            `json:"status"`
		Service   string            `json:"service"`
		Timestamp time.Time         `json:"timestamp"`
		Checks    map[string]string `json:"checks"`
	}
	res.Decode(t, &r)
	require.Equal(t, "ready", r.Status)
	require.Equal(t, "platform", r.Service)
	require.WithinDuration(t, time.Now(), r.Timestamp, time.Minute)
	require.Equal(t, map[string]string{"postgres": "ok", "redis": "ok"}, r.Checks)
}

func TestEnvelopeLandingPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	res := env.Do(t, apptest.Request{Path: "/"})
	require.Equal(t, http.StatusOK, res.Status)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"), res.Header.Get("Content-Type"))
	body := string(res.Body)
	require.Contains(t, strings.ToLower(body), "<!doctype html>")
	require.Contains(t, body, `href="/docs"`)
	require.Contains(t, body, `href="/graphql"`)
}

func TestEnvelopeMetrics(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key}).Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, apptest.Request{Path: "/v1/keys"}).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: "/v1/keys/key_nope", Method: "DELETE", Key: tn.Key}).Status)

	res := env.Do(t, apptest.Request{Path: "/metrics"})
	require.Equal(t, http.StatusOK, res.Status)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain"), res.Header.Get("Content-Type"))
	body := string(res.Body)
	for _, want := range []string{
		// Requests by route pattern (not raw path), method and status.
		`platform_http_requests_total{method="GET",route="/v1/keys",status="200"} 1`,
		`platform_http_requests_total{method="GET",route="/v1/keys",status="401"} 1`,
		`platform_http_requests_total{method="DELETE",route="/v1/keys/{key_id}",status="404"} 1`,
		// Latency histogram.
		`platform_http_request_duration_seconds_bucket{method="GET",route="/v1/keys",le="+Inf"}`,
		`platform_http_request_duration_seconds_count{method="GET",route="/v1/keys"}`,
		// DB pool stats: collectors.NewDBStatsCollector(db, "platform") names
		// its series go_sql_* with the label db_name="platform".
		`go_sql_max_open_connections{db_name="platform"} 10`,
		`go_sql_open_connections{db_name="platform"}`,
		`go_sql_in_use_connections{db_name="platform"}`,
		`go_sql_idle_connections{db_name="platform"}`,
		`go_sql_wait_count_total{db_name="platform"}`,
		// Runtime.
		`go_goroutines`,
	} {
		require.Contains(t, body, want)
	}
	// Raw paths never become labels (unbounded cardinality).
	require.NotContains(t, body, `route="/v1/keys/key_nope"`)
}

// TestEnvelopeBadInputNeverFails sends hostile input to every implemented
// endpoint that takes a body or an id: the answer is never a 5xx and is always
// the JSON envelope.
func TestEnvelopeBadInputNeverFails(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)

	bodies := []struct {
		name string
		body string
	}{
		{"malformed", `{"label":`},
		{"trailing garbage", `{"label":"x"} trailing`},
		{"two objects", `{}{}`},
		{"null", `null`},
		{"array", `[]`},
		{"array of objects", `[{"label":"x"}]`},
		{"string", `"hello"`},
		{"number", `42`},
		{"boolean", `true`},
		{"huge float", `{"rate_limit":{"per_minute":1e400,"per_hour":1e400},"name":"x"}`},
		{"huge integer", `{"rate_limit":{"per_minute":99999999999999999999999,"per_hour":1},"name":"x"}`},
		{"negative numbers", `{"rate_limit":{"per_minute":-1,"per_hour":-5},"name":"x"}`},
		{"fractional", `{"rate_limit":{"per_minute":1.5,"per_hour":2.5}}`},
		{"nul in label", `{"label":"a\u0000b","name":"a\u0000b"}`},
		{"nul in scopes", `{"scopes":["read\u0000"]}`},
		{"nul in allowlist", `{"ip_allowlist":["10.0.0.1\u0000"]}`},
		{"nul in origins", `{"name":"x","cors_origins":["https://a.example\u0000"]}`},
		{"invalid utf-8", "{\"label\":\"\xff\xfe\",\"name\":\"\xff\xfe\"}"},
		{"lone surrogate", `{"label":"\ud800","name":"\ud800"}`},
		{"far future expiry", `{"expires_at":"9999999-01-01T00:00:00Z"}`},
		{"year 9999 expiry", `{"expires_at":"9999-12-31T23:59:59Z"}`},
		{"zero time expiry", `{"expires_at":"0001-01-01T00:00:00Z"}`},
		{"numeric expiry", `{"expires_at":1700000000}`},
		{"object as scopes", `{"scopes":{"read":true}}`},
		{"null members", `{"label":null,"scopes":null,"ip_allowlist":null,"rate_limit":null,"expires_at":null,"name":null,"plan":null,"cors_origins":null}`},
		{"sql in strings", `{"label":"'; DROP TABLE api_keys;--","name":"'; DROP TABLE tenants;--","plan":"free' OR '1'='1"}`},
		{"deep nesting", `{"label":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`},
		{"long strings", `{"label":"` + strings.Repeat("é", 100_000) + `","name":"` + strings.Repeat("x", 100_000) + `"}`},
		{"many scopes", `{"scopes":[` + strings.TrimSuffix(strings.Repeat(`"read",`, 10_000), ",") + `]}`},
		{"many allowlist entries", `{"ip_allowlist":[` + strings.TrimSuffix(strings.Repeat(`"10.0.0.1",`, 10_000), ",") + `]}`},
	}
	ids := []string{
		"key_' OR 1=1--",
		"key_\x00",
		"key_" + strings.Repeat("a", 5000),
		"tn_' OR '1'='1",
		"../../etc/passwd",
		"key_01ARZ3NDEKTSV4RRFFQ69G5FAV", // well formed, unknown
		"tn_01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"\U0001F4A9",
	}

	type target struct {
		method, path string
		admin        bool
		badQuery     bool // a query value Postgres cannot hold: 400, not 404
	}
	var targets []target
	for _, id := range ids {
		esc := url.PathEscape(id)
		targets = append(targets,
			// The id is one path segment, escaped as a client library would.
			target{method: "PATCH", path: "/v1/keys/" + esc, admin: false},
			target{method: "PUT", path: "/v1/keys/" + esc, admin: false},
			target{method: "DELETE", path: "/v1/keys/" + esc, admin: false},
			target{method: "POST", path: "/v1/keys/" + esc + "/rotate", admin: false},
			target{method: "GET", path: "/v1/admin/tenants/" + esc, admin: true},
			target{method: "PATCH", path: "/v1/admin/tenants/" + esc, admin: true},
			target{method: "DELETE", path: "/v1/admin/tenants/" + esc, admin: true},
			target{method: "POST", path: "/v1/admin/tenants/" + esc + "/suspend", admin: true},
			target{method: "POST", path: "/v1/admin/tenants/" + esc + "/resume", admin: true},
			target{method: "GET", path: "/v1/tenant-config?tenant_id=" + url.QueryEscape(id), badQuery: strings.ContainsRune(id, 0)},
		)
	}
	for _, tg := range targets {
		t.Run(tg.method+" "+tg.path, func(t *testing.T) {
			t.Parallel()
			key := apptest.AdminKey
			if !tg.admin {
				key = env.NewTenant(t).Key
			}
			res := env.Do(t, apptest.Request{Method: tg.method, Path: tg.path, Key: key, Body: map[string]any{"label": "x"}})
			require.Less(t, res.Status, 500, "body: %s", res.Body)
			requireEnvelope(t, res)
			if tg.badQuery {
				require.Equal(t, http.StatusBadRequest, res.Status, "a NUL byte in a query parameter is bad input: %s", res.Body)
				require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
				return
			}
			require.Equal(t, http.StatusNotFound, res.Status, "an unknown or malformed id is 404: %s", res.Body)
			require.Equal(t, "NOT_FOUND", res.Error.Code)
		})
	}

	bodyTargets := []target{
		{method: "POST", path: "/v1/keys", admin: false},
		{method: "PATCH", path: "/v1/keys/{key}", admin: false},
		{method: "POST", path: "/v1/keys/{key}/rotate", admin: false},
		{method: "POST", path: "/v1/admin/tenants", admin: true},
		{method: "PATCH", path: "/v1/admin/tenants/{tenant}", admin: true},
	}
	for _, tg := range bodyTargets {
		for _, b := range bodies {
			t.Run(tg.method+" "+tg.path+" "+b.name, func(t *testing.T) {
				t.Parallel()
				tn := env.NewTenant(t)
				key := tn.Key
				if tg.admin {
					key = apptest.AdminKey
				}
				path := strings.ReplaceAll(tg.path, "{tenant}", tn.ID)
				if strings.Contains(path, "{key}") {
					path = strings.ReplaceAll(path, "{key}", issueKey(t, env, tn.Key, map[string]any{"label": "target"}).Key.ID)
				}
				res := env.Do(t, apptest.Request{Method: tg.method, Path: path, Key: key, Body: b.body})
				require.Less(t, res.Status, 500, "body: %s", res.Body)
				requireEnvelope(t, res)
				if res.Status >= 400 {
					require.Contains(t, []string{"BAD_REQUEST", "VALIDATION_FAILED", "PAYLOAD_TOO_LARGE"}, res.Error.Code, "body: %s", res.Body)
				}
			})
		}
	}
}

func TestEnvelopeMetricsToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{MetricsToken: "scrape-secret"})
	res := env.Do(t, apptest.Request{Path: "/metrics"})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Equal(t, "UNAUTHORIZED", res.Error.Code)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, apptest.Request{Path: "/metrics", Key: "wrong"}).Status)
	res = env.Do(t, apptest.Request{Path: "/metrics", Key: "scrape-secret"})
	require.Equal(t, http.StatusOK, res.Status)
	require.Contains(t, string(res.Body), "platform_http_requests_total")
}
