package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/rest"
)

// referenceEndpoints is the API reference's endpoint list, from the
// repository root's sibling shared/api directory.
const referenceEndpoints = "../../shared/api/endpoints.json"

// referenceCount is the number of endpoints in the API reference.
const referenceCount = 339

// oaDoc is the part of the OpenAPI document the tests read.
type oaDoc struct {
	OpenAPI    string                            `json:"openapi"`
	Info       map[string]any                    `json:"info"`
	Paths      map[string]map[string]oaOperation `json:"paths"`
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		SecuritySchemes map[string]map[string]any  `json:"securitySchemes"`
	} `json:"components"`
}

type oaOperation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Tags        []string              `json:"tags"`
	Security    []map[string][]string `json:"security"`
	Parameters  []struct {
		Ref      string `json:"$ref"`
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema oaSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
		Content     map[string]struct {
			Schema oaSchema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
	Scope       string `json:"x-scope"`
	Permission  string `json:"x-permission"`
	BodyLimit   int64  `json:"x-body-limit"`
	Implemented *bool  `json:"x-implemented"`
}

type oaSchema struct {
	Ref        string              `json:"$ref"`
	Type       any                 `json:"type"`
	Properties map[string]oaSchema `json:"properties"`
	Items      *oaSchema           `json:"items"`
	Required   []string            `json:"required"`
}

// types lists the schema's JSON types ("type" is a string or a list).
func (s oaSchema) types() []string {
	switch t := s.Type.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, v := range t {
			out = append(out, v.(string))
		}
		return out
	}
	return nil
}

// data is the schema of the success envelope's data member.
func (op oaOperation) data(t *testing.T, status string) oaSchema {
	t.Helper()
	res, ok := op.Responses[status]
	require.True(t, ok, "no %s response", status)
	env := res.Content["application/json"].Schema
	require.Subset(t, env.Required, []string{"success", "data", "request_id"})
	return env.Properties["data"]
}

var pathParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func fetchDoc(t *testing.T, env *apptest.Env) ([]byte, oaDoc) {
	t.Helper()
	res := env.Do(t, apptest.Request{Path: "/docs/openapi.json"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"), res.Header.Get("Content-Type"))
	var doc oaDoc
	require.NoError(t, json.Unmarshal(res.Body, &doc))
	return res.Body, doc
}

func TestOpenAPIDocument(t *testing.T) {
	env := apptest.New(t)
	raw, doc := fetchDoc(t, env)
	require.Equal(t, "3.1.0", doc.OpenAPI)
	require.Equal(t, rest.OpenAPIVersion, doc.OpenAPI)
	require.Equal(t, "Platform API", doc.Info["title"])
	require.NotEmpty(t, doc.Info["version"])
	require.Contains(t, doc.Info["description"], "Idempotency-Key")

	t.Run("has every reference operation", func(t *testing.T) {
		blob, err := os.ReadFile(referenceEndpoints)
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("%s is absent: counting the route table's reference entries instead", referenceEndpoints)
			n := 0
			for _, r := range env.App.REST.Routes() {
				if !r.Extra {
					n++
					require.Contains(t, doc.Paths[openAPIPath(r.Path)], strings.ToLower(r.Method), "%s %s", r.Method, r.Path)
				}
			}
			require.Equal(t, referenceCount, n)
			return
		}
		require.NoError(t, err)
		var ref []struct{ Method, Path string }
		require.NoError(t, json.Unmarshal(blob, &ref))
		require.Len(t, ref, referenceCount)
		var missing []string
		for _, e := range ref {
			if _, ok := doc.Paths[openAPIPath(e.Path)][strings.ToLower(e.Method)]; !ok {
				missing = append(missing, e.Method+" "+e.Path)
			}
		}
		require.Empty(t, missing, "reference operations missing from the document")
	})

	t.Run("is valid OpenAPI 3.1", func(t *testing.T) {
		loaded, err := openapi3.NewLoader().LoadFromData(raw)
		require.NoError(t, err)
		require.True(t, loaded.IsOpenAPI31OrLater())
		require.NoError(t, loaded.Validate(context.Background()))
	})

	t.Run("operation ids are unique", func(t *testing.T) {
		seen := map[string]string{}
		for path, item := range doc.Paths {
			for method, op := range item {
				where := strings.ToUpper(method) + " " + path
				require.NotEmpty(t, op.OperationID, where)
				require.NotContains(t, seen, op.OperationID, "%s and %s", seen[op.OperationID], where)
				seen[op.OperationID] = where
			}
		}
		require.Equal(t, "createApiKey", doc.Paths["/v1/keys"]["post"].OperationID)
	})

	t.Run("every operation documents auth, tags and errors", func(t *testing.T) {
		for path, item := range doc.Paths {
			for method, op := range item {
				where := strings.ToUpper(method) + " " + path
				require.Len(t, op.Tags, 1, where)
				require.NotNil(t, op.Security, where)
				require.NotNil(t, op.Implemented, where)
				require.Positive(t, op.BodyLimit, where)
				require.Contains(t, op.Responses, "500", where)
				_, planned := op.Responses["501"]
				require.Equal(t, !*op.Implemented, planned, where)
			}
		}
		schemes := doc.Components.SecuritySchemes
		require.Equal(t, "bearer", schemes["ApiKeyBearer"]["scheme"])
		require.Equal(t, "X-API-Key", schemes["ApiKeyHeader"]["name"])
		require.Equal(t, "header", schemes["ApiKeyHeader"]["in"])
		require.Equal(t, "bearer", schemes["PlatformAdmin"]["scheme"])
		require.Contains(t, doc.Components.Schemas, "Error")

		keys := doc.Paths["/v1/keys"]["get"]
		require.ElementsMatch(t, []map[string][]string{{"ApiKeyBearer": {}}, {"ApiKeyHeader": {}}}, keys.Security)
		require.Equal(t, "*", keys.Scope)
		require.Equal(t, "keys:read", keys.Permission)
		require.Equal(t, []string{"API Keys"}, keys.Tags)
		require.Empty(t, doc.Paths["/health"]["get"].Security)
		require.Equal(t, []map[string][]string{{"PlatformAdmin": {}}}, doc.Paths["/v1/admin/tenants"]["get"].Security)
		require.Contains(t, doc.Paths["/v1/keys/{key_id}"]["patch"].Responses, "404")
	})

	t.Run("typed operations have request and response schemas", func(t *testing.T) {
		create := doc.Paths["/v1/keys"]["post"]
		require.NotNil(t, create.RequestBody)
		in := create.RequestBody.Content["application/json"].Schema
		require.Subset(t, propNames(in.Properties), []string{"label", "scopes", "ip_allowlist", "expires_at", "rate_limit"})
		require.Equal(t, []string{"array"}, in.Properties["scopes"].types())
		require.ElementsMatch(t, []string{"string", "null"}, in.Properties["expires_at"].types())
		require.Subset(t, propNames(in.Properties["rate_limit"].Properties), []string{"per_minute", "per_hour"})
		require.Contains(t, paramNames(create), "#/components/parameters/IdempotencyKey")

		created := create.data(t, "201")
		require.Subset(t, propNames(created.Properties), []string{"key", "token"})
		require.Subset(t, created.Required, []string{"key", "token"})
		key := created.Properties["key"]
		require.Subset(t, propNames(key.Properties), []string{"id", "label", "prefix", "scopes", "created_at"})
		require.NotContains(t, key.Properties, "secret_hash")

		list := doc.Paths["/v1/keys"]["get"].data(t, "200")
		require.Equal(t, []string{"array"}, list.types())
		require.Contains(t, list.Items.Properties, "prefix")

		update := doc.Paths["/v1/keys/{key_id}"]["patch"]
		require.Len(t, update.Parameters, 1)
		require.Equal(t, "key_id", update.Parameters[0].Name)
		require.Equal(t, "path", update.Parameters[0].In)
		require.True(t, update.Parameters[0].Required)
		body := update.RequestBody.Content["application/json"].Schema
		require.NotContains(t, body.Properties, "key_id", "path fields are not body members")
		require.NotContains(t, body.Properties, "KeyID")
		require.Contains(t, body.Properties["rate_limit"].types(), "null", "Optional members may be null")
		require.Contains(t, body.Properties["rate_limit"].Properties, "per_minute")

		tenants := doc.Paths["/v1/admin/tenants"]["get"]
		require.Subset(t, paramNames(tenants), []string{"cursor", "limit"})
		page := tenants.data(t, "200")
		require.Subset(t, propNames(page.Properties), []string{"results", "next_cursor", "total"})
		require.Contains(t, page.Properties["next_cursor"].types(), "null")
		require.Contains(t, page.Properties["results"].Items.Properties, "suspended_at")

		cfg := doc.Paths["/v1/tenant-config"]["get"]
		require.Subset(t, paramNames(cfg), []string{"tenant_id", "X-Tenant-ID"})

		planned := doc.Paths["/v1/webhooks"]["get"]
		if !*planned.Implemented {
			require.Contains(t, planned.Responses["501"].Ref, "NotImplemented")
		}
	})

	t.Run("answers match their schemas", func(t *testing.T) {
		loaded, err := openapi3.NewLoader().LoadFromData(raw)
		require.NoError(t, err)
		tn := env.NewTenant(t)
		check := func(method, path, status string, req apptest.Request) {
			t.Helper()
			req.Method = method
			res := env.Do(t, req)
			require.Equal(t, status, http.StatusText(res.Status), "%s %s: %s", method, req.Path, res.Body)
			op := loaded.Paths.Find(path).GetOperation(method)
			require.NotNil(t, op, "%s %s", method, path)
			rr := op.Responses.Status(res.Status)
			require.NotNil(t, rr, "%s %s has no %d response", method, path, res.Status)
			var v any
			require.NoError(t, json.Unmarshal(res.Body, &v))
			schema := rr.Value.Content.Get("application/json").Schema.Value
			require.NoError(t, schema.VisitJSON(v, openapi3.EnableJSONSchema2020()), "%s %s: %s", method, req.Path, res.Body)
		}
		check("GET", "/health", "OK", apptest.Request{Path: "/health"})
		check("GET", "/v1/keys", "OK", apptest.Request{Path: "/v1/keys", Key: tn.Key})
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
			Body: map[string]any{"label": "docs", "scopes": []string{"read"}}})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var created struct{ Key struct{ ID string } }
		res.Decode(t, &created)
		check("POST", "/v1/keys", "Created", apptest.Request{Path: "/v1/keys", Key: tn.Key,
			Body: map[string]any{"label": "limited", "rate_limit": map[string]int{"per_minute": 5, "per_hour": 50}}})
		check("PATCH", "/v1/keys/{key_id}", "OK", apptest.Request{Path: "/v1/keys/" + created.Key.ID, Key: tn.Key,
			Body: map[string]any{"label": "renamed", "rate_limit": nil}})
		check("POST", "/v1/keys/{key_id}/rotate", "Created", apptest.Request{Path: "/v1/keys/" + created.Key.ID + "/rotate", Key: tn.Key})
		check("GET", "/v1/usage", "OK", apptest.Request{Path: "/v1/usage", Key: tn.Key})
		check("GET", "/v1/admin/tenants", "OK", apptest.Request{Path: "/v1/admin/tenants?limit=2", Key: apptest.AdminKey})
		check("GET", "/v1/admin/tenants/{tenant_id}", "OK", apptest.Request{Path: "/v1/admin/tenants/" + tn.ID, Key: apptest.AdminKey})
		check("DELETE", "/v1/keys/{key_id}", "Not Found", apptest.Request{Path: "/v1/keys/key_unknown", Key: tn.Key})
		check("POST", "/v1/keys", "Bad Request", apptest.Request{Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"scopes": "all"}})
		check("GET", "/v1/keys", "Unauthorized", apptest.Request{Path: "/v1/keys"})
	})

	t.Run("is built once and revalidates", func(t *testing.T) {
		first := env.Do(t, apptest.Request{Path: "/docs/openapi.json"})
		etag := first.Header.Get("ETag")
		require.NotEmpty(t, etag)
		require.Equal(t, raw, first.Body)
		again := env.Do(t, apptest.Request{Path: "/docs/openapi.json", Header: map[string]string{"If-None-Match": etag}})
		require.Equal(t, http.StatusNotModified, again.Status)
	})
}

func TestDocsUI(t *testing.T) {
	env := apptest.New(t)
	page := env.Do(t, apptest.Request{Path: "/docs"})
	require.Equal(t, http.StatusOK, page.Status, string(page.Body))
	require.True(t, strings.HasPrefix(page.Header.Get("Content-Type"), "text/html"), page.Header.Get("Content-Type"))
	html := string(page.Body)
	require.NotContains(t, html, "http://")
	require.NotContains(t, html, "https://")
	require.Contains(t, html, "/docs/assets/swagger-ui-bundle.js")

	csp := page.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self'")
	require.Contains(t, csp, "connect-src 'self'")
	require.NotContains(t, csp, "unsafe-eval")
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		require.Contains(t, tag, `src="/docs/assets/`, "no inline scripts: %s", tag)
	}

	assets := regexp.MustCompile(`(?:src|href)="(/docs/assets/[^"]+)"`).FindAllStringSubmatch(html, -1)
	require.NotEmpty(t, assets)
	for _, m := range assets {
		res := env.Do(t, apptest.Request{Path: m[1]})
		require.Equal(t, http.StatusOK, res.Status, m[1])
		require.NotEmpty(t, res.Body, m[1])
		ct := res.Header.Get("Content-Type")
		switch {
		case strings.HasSuffix(m[1], ".js"):
			require.Regexp(t, `^(text|application)/javascript`, ct, m[1])
		case strings.HasSuffix(m[1], ".css"):
			require.True(t, strings.HasPrefix(ct, "text/css"), "%s: %s", m[1], ct)
		}
	}

	init := env.Do(t, apptest.Request{Path: "/docs/assets/platform-docs.js"})
	require.Equal(t, http.StatusOK, init.Status)
	js := string(init.Body)
	for _, want := range []string{"/docs/openapi.json", "deepLinking: true", "persistAuthorization: true", "tryItOutEnabled: true", "validatorUrl: null"} {
		require.Contains(t, js, want)
	}
	require.NotContains(t, js, "http://")
	require.NotContains(t, js, "https://")

	bundle := env.Do(t, apptest.Request{Path: "/docs/assets/swagger-ui-bundle.js"})
	require.Equal(t, http.StatusOK, bundle.Status)
	require.Contains(t, string(bundle.Body), "SwaggerUIBundle")

	// Only the files the page uses are served: not swagger's own index.html
	// and initializer, which point at the petstore.
	for _, path := range []string{"/docs/assets/swagger-initializer.js", "/docs/assets/index.html", "/docs/assets/", "/docs/assets/../openapi.json"} {
		res := env.Do(t, apptest.Request{Path: path})
		require.Equal(t, http.StatusNotFound, res.Status, path)
	}
}

// openAPIPath turns ":param" segments into "{param}".
func openAPIPath(path string) string { return pathParam.ReplaceAllString(path, "{$1}") }

// propNames lists a schema's property names.
func propNames(props map[string]oaSchema) []string {
	var out []string
	for k := range props {
		out = append(out, k)
	}
	return out
}

// paramNames lists an operation's parameter names (or $refs).
func paramNames(op oaOperation) []string {
	var out []string
	for _, p := range op.Parameters {
		out = append(out, p.Name+p.Ref)
	}
	return out
}
