// Package graph is the GraphQL surface (gqlgen): thin resolvers over the
// domain services, the playground, and subscriptions fed by Redis fan-out.
//
// /graphql sits behind the REST middleware (request id, credential
// resolution in auth mode Optional, rate limits), so a principal sent in
// headers is already in the request context; websockets may instead send
// their credential in the connection_init payload. Authorization happens in
// the domain methods the resolvers call.
package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/domain/governance"
	"github.com/platformhq/platform/domain/identity"
	"github.com/platformhq/platform/domain/invoicing"
	"github.com/platformhq/platform/domain/objects"
	"github.com/platformhq/platform/domain/rbac"
	"github.com/platformhq/platform/domain/tenancy"
	"github.com/platformhq/platform/graph/generated"
	"github.com/platformhq/platform/graph/playground"
)

// Config wires the GraphQL surface.
type Config struct {
	Core    *domain.Core
	Keys    *apikeys.Service
	Tenants *tenancy.Service
	// Accounting is the ledger (chart of accounts, journal entries, reports).
	Accounting *accounting.Service
	// Invoicing is invoices, payments, banking, recurring entries and their
	// reports.
	Invoicing *invoicing.Service
	// Identity is end-user sign-in (me, sign-up/in, MFA, users admin).
	Identity *identity.Service
	// Objects is the dynamic data model (object types, properties, views).
	Objects *objects.Service
	// Roles is RBAC (roles, assignments).
	Roles *rbac.Service
	// Governance is the tenant's security settings and the audit log.
	Governance *governance.Service
	// Authenticate resolves a credential sent in the websocket
	// connection_init payload (browsers cannot set headers on websockets).
	Authenticate func(ctx context.Context, token, ip string) (*domain.Principal, error)
}

// Limits of the GraphQL endpoint.
const (
	// MaxComplexity caps an operation's complexity (one point per field
	// selected, introspection included).
	MaxComplexity = 1000
	// MaxDepth caps the nesting of an operation's selections (see DepthLimit).
	MaxDepth = 12
	// MaxBodyBytes caps the request body of a query or mutation.
	MaxBodyBytes = 1 << 20
	// Sizes of the parsed-query cache and of the persisted-query (APQ) cache.
	queryCacheSize = 1000
	apqCacheSize   = 1000
	// Websocket timings: connection_init must arrive within wsInitTimeout;
	// the server pings every wsPingInterval (graphql-transport-ws clients
	// answer pong, a silent peer is dropped after two intervals).
	wsInitTimeout  = 10 * time.Second
	wsPingInterval = 10 * time.Second
)

// NewHandler returns the /graphql handler: queries and mutations over POST
// and GET, subscriptions over websocket (graphql-transport-ws, and the legacy
// graphql-ws), the GraphiQL playground for browsers (GET with Accept:
// text/html) and its files under /graphql/assets/.
func NewHandler(cfg Config) http.Handler {
	log := cfg.Core.Log
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{core: cfg.Core, keys: cfg.Keys, tenants: cfg.Tenants, books: cfg.Accounting, billing: cfg.Invoicing, auth: cfg.Identity, objects: cfg.Objects, roles: cfg.Roles, governance: cfg.Governance},
	})
	srv := handler.New(schema)
	ws := &wsAuth{authenticate: cfg.Authenticate, log: log}
	srv.AddTransport(transport.Websocket{
		// Origins are not checked: websockets authenticate with a token in
		// connection_init (or a header), never with ambient cookies.
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}},
		InitFunc:              ws.init,
		InitTimeout:           wsInitTimeout,
		KeepAlivePingInterval: wsPingInterval, // legacy graphql-ws protocol
		PingPongInterval:      wsPingInterval, // graphql-transport-ws
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](queryCacheSize))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](apqCacheSize)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(DepthLimit{Max: MaxDepth})
	srv.AroundOperations(withAccountLoader(cfg.Accounting))   // per-operation batching of Line.account
	srv.AroundOperations(withInvoicingLoaders(cfg.Invoicing)) // per-operation invoices and payments of allocations
	srv.AroundOperations(withObjectsLoaders(cfg.Objects))     // per-operation properties and views of types
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic)
	return &endpoint{gql: srv, playground: playground.New()}
}

// endpoint routes /graphql between gqlgen and the playground.
type endpoint struct {
	gql        http.Handler
	playground *playground.Handler
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upgrade := r.Header.Get("Upgrade") != ""
	switch {
	case strings.HasPrefix(r.URL.Path, playground.AssetsPath):
		e.playground.ServeAsset(w, r)
		return
	case r.Method == http.MethodGet && !upgrade && acceptsHTML(r):
		e.playground.ServePage(w, r)
		return
	case upgrade:
		// Keep the header credential, so that the connection can check it
		// is still valid for as long as the socket lives.
		r = r.WithContext(withHeaderToken(r.Context(), headerToken(r)))
	case r.ContentLength > MaxBodyBytes:
		tooLarge(w)
		return
	default:
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	}
	e.gql.ServeHTTP(w, r)
}

// tooLarge answers a body over MaxBodyBytes (a chunked body that grows past
// it fails while gqlgen reads it, with "request body too large").
func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_ = json.NewEncoder(w).Encode(map[string]any{"data": nil, "errors": []any{map[string]any{
		"message":    fmt.Sprintf("The request body exceeds %d bytes.", MaxBodyBytes),
		"extensions": map[string]any{"code": domain.CodePayloadTooLarge, "max_bytes": MaxBodyBytes},
	}}})
}

func acceptsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(v, "text/html") {
			return true
		}
	}
	return false
}

// headerToken is the credential sent as "Authorization: Bearer" or
// X-API-Key, as the REST middleware reads it.
func headerToken(r *http.Request) string {
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// bearer returns the token of "Bearer <token>" (or a bare token).
func bearer(v string) string {
	v = strings.TrimSpace(v)
	if scheme, token, ok := strings.Cut(v, " "); ok {
		if !strings.EqualFold(scheme, "Bearer") {
			return ""
		}
		return strings.TrimSpace(token)
	}
	return v
}
