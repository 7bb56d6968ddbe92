package graph_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/graph"
	"github.com/platformhq/platform/graph/generated"
)

// depthSchema is recursive, so operations of any depth are valid against it.
const depthSchema = `type Query { node: Node }
type Node { name: String child: Node children: [Node!] }`

// chain returns `{ node { child { child ... { name } } } }` nested depth fields deep.
func chain(depth int) string {
	return "{" + strings.Repeat(" node {", 1) + strings.Repeat(" child {", depth-2) + " name" +
		strings.Repeat(" }", depth-1) + " }"
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	schema, err := gqlparser.LoadSchema(&ast.Source{Input: depthSchema})
	require.NoError(t, err)
	limit := graph.DepthLimit{Max: graph.MaxDepth}
	check := func(t *testing.T, query string) *gqlerror.Error {
		t.Helper()
		doc, errs := gqlparser.LoadQuery(schema, query)
		require.Empty(t, errs)
		return limit.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
	}
	refused := func(t *testing.T, query string, depth int) {
		t.Helper()
		err := check(t, query)
		require.NotNil(t, err, "depth %d accepted", depth)
		require.Equal(t, domain.CodeValidationFailed, err.Extensions["code"])
		require.Equal(t, depth, err.Extensions["depth"])
		require.Equal(t, graph.MaxDepth, err.Extensions["max_depth"])
		require.Equal(t, "The operation is nested 13 levels deep; the limit is 12.", err.Message)
	}

	require.Nil(t, check(t, chain(graph.MaxDepth)))
	refused(t, chain(graph.MaxDepth+1), graph.MaxDepth+1)

	t.Run("through fragments and inline fragments", func(t *testing.T) {
		q := `query { node { ...A } }
fragment A on Node { child { ... on Node { child { ...B } } } }
fragment B on Node { children { child { child { child { child { child { child { child { child { name } } } } } } } } } }`
		refused(t, q, 13)
		require.Nil(t, check(t, strings.Replace(q, "child { name }", "name", 1)))
	})

	t.Run("the deepest branch counts", func(t *testing.T) {
		q := strings.Replace(chain(graph.MaxDepth+1), "{ node {", "{ a: node { name } node {", 1)
		refused(t, q, 13)
	})

	t.Run("fragments are measured once", func(t *testing.T) {
		// F0 spreads F1 twice, F1 spreads F2 twice...: 2^40 paths, one walk each.
		var b strings.Builder
		b.WriteString("query { node { ...F0 } }\n")
		for i := range 40 {
			fmt.Fprintf(&b, "fragment F%d on Node { a%d: child { ...F%d } b%d: child { ...F%d } }\n", i, i, i+1, i, i+1)
		}
		b.WriteString("fragment F40 on Node { name }\n")
		doc, errs := gqlparser.LoadQuery(schema, b.String())
		require.Empty(t, errs)
		done := make(chan *gqlerror.Error, 1)
		go func() {
			done <- limit.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
		}()
		select {
		case err := <-done:
			require.NotNil(t, err)
			require.Equal(t, 42, err.Extensions["depth"])
		case <-time.After(5 * time.Second):
			t.Fatal("depth check did not finish")
		}
	})

	t.Run("introspection is left to gqlparser's own rule", func(t *testing.T) {
		deep := `{ __type(name: "Node") {` + strings.Repeat(" ofType {", 13) + " name" + strings.Repeat(" }", 15)
		require.Nil(t, check(t, deep))
	})
}

// TestDepthLimitEndpoint checks the limit inside gqlgen's pipeline on the real
// schema (whose deepest path is shorter than MaxDepth, hence a lower limit
// here), and that GraphiQL's introspection passes the real endpoint.
func TestDepthLimitEndpoint(t *testing.T) {
	t.Parallel()
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}))
	srv.AddTransport(transport.POST{})
	srv.Use(graph.DepthLimit{Max: 3})
	body := `{"query":"mutation { createApiKey(input: {scopes: []}) { key { rateLimit { perMinute } } } }"}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	var res gqlResult
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	res.Body = rec.Body.Bytes()
	res.requireCode(t, domain.CodeValidationFailed)
	require.JSONEq(t, `null`, orNull(res.Data))

	env := apptest.New(t)
	tn := env.NewTenant(t)
	out := gql(t, env, tn.Key, introspectionQuery, nil)
	require.Empty(t, out.Errors, string(out.Body))
	require.Contains(t, string(out.Data), `"ApiKeyEvent"`)
	require.Contains(t, string(out.Data), `"scope"`) // the documentation directive

	t.Run("over websocket, a refused operation is an error message", func(t *testing.T) {
		ws := dialWS(t, env, nil)
		ws.init(map[string]any{"Authorization": "Bearer " + tn.Key})
		ws.send(map[string]any{"id": "d", "type": "subscribe", "payload": map[string]any{"query": `{ nope }`}})
		require.Contains(t, string(ws.expect("error").Payload), "GRAPHQL_VALIDATION_FAILED")
	})
}

func orNull(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	return string(raw)
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: viewer { scopes }", i) // 2 points each
		}
		return b.String() + " }"
	}
	res := gql(t, env, tn.Key, aliases(graph.MaxComplexity/2), nil)
	require.Empty(t, res.Errors, string(res.Body[:200]))

	res = gql(t, env, tn.Key, aliases(graph.MaxComplexity/2+1), nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	e := res.requireCode(t, "COMPLEXITY_LIMIT_EXCEEDED")
	require.Contains(t, e.Message, "exceeds the limit of 1000")
}

func TestPersistedQueries(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	query := `query PersistedViewer { viewer { tenant { id } } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}

	// The hash alone, before the server knows it.
	res := gqlPost(t, env, tn.Key, map[string]any{"extensions": ext})
	e := res.requireCode(t, "PERSISTED_QUERY_NOT_FOUND")
	require.Equal(t, "PersistedQueryNotFound", e.Message)

	// Hash and query: runs and registers the query.
	var got viewerData
	gqlPost(t, env, tn.Key, map[string]any{"query": query, "extensions": ext}).decode(t, &got)
	require.Equal(t, tn.ID, got.Viewer.Tenant.ID)

	// Then the hash alone works, over POST and GET.
	got = viewerData{}
	gqlPost(t, env, tn.Key, map[string]any{"extensions": ext}).decode(t, &got)
	require.Equal(t, tn.ID, got.Viewer.Tenant.ID)

	raw, _ := json.Marshal(ext)
	r := env.Do(t, apptest.Request{Path: "/graphql?extensions=" + url.QueryEscape(string(raw)), Key: tn.Key})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), tn.ID)

	t.Run("a hash that does not match the query", func(t *testing.T) {
		res := gqlPost(t, env, tn.Key, map[string]any{"query": `{ viewer { scopes } }`, "extensions": ext})
		require.NotEmpty(t, res.Errors)
		require.Contains(t, res.Errors[0].Message, "does not match")
	})
}

// introspectionQuery is graphql-js 16's getIntrospectionQuery() as GraphiQL 3
// sends it (descriptions, deprecated input values, eight nested ofType).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}
fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType { kind name }
              }
            }
          }
        }
      }
    }
  }
}`
