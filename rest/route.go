package rest

import (
	"context"
	"net/http"
	"reflect"
	"strings"
)

// AuthMode says which credential a route needs.
type AuthMode int

// Auth modes.
const (
	// Public routes need no credential; a valid one, when sent, still names
	// the caller (for example the tenant of /v1/tenant-config).
	Public AuthMode = iota
	// Bearer routes need an API key (or, later, an end-user token).
	Bearer
	// Optional routes take a credential when sent and refuse a bad one, but
	// let anonymous callers through (GraphQL: its resolvers decide).
	Optional
	// Admin routes need the platform admin key (PLATFORM_ADMIN_KEY).
	Admin
)

func (m AuthMode) String() string {
	return [...]string{"public", "bearer", "optional", "admin"}[m]
}

// DefaultBodyLimit caps request bodies of routes that set no BodyLimit.
const DefaultBodyLimit = 1 << 20

// JSON is the content type every JSON route accepts.
const JSON = "application/json"

// Route is one entry of the route table: the single source from which the
// router, the OpenAPI document and the coverage test are built.
type Route struct {
	Section string
	Method  string
	// Path in the reference's style, "/v1/keys/:key_id".
	Path    string
	Summary string
	Auth    AuthMode
	// Scope is the API-key scope the domain method requires ("" = any
	// credential of the tenant, including a publishable key).
	Scope string
	// Permission is what an end user's roles must grant (RBAC), in the
	// contract's "<resource>:<action>" form.
	Permission string
	// BodyLimit caps the request body in bytes (DefaultBodyLimit when 0).
	BodyLimit int64
	// Accepts lists request content types (JSON when empty).
	Accepts []string
	// Status is the success status (200 when 0).
	Status int
	// Op is the typed operation; nil answers 501 NOT_IMPLEMENTED.
	Op *Operation
	// Raw serves routes whose answer is not the JSON envelope (HTML pages,
	// the OpenAPI document, GraphQL).
	Raw http.Handler
	// Extra marks routes that are not in the API reference (admin API).
	Extra bool
	// NoRateLimit exempts probes (health, readiness) from per-IP limits.
	NoRateLimit bool
	// Stream marks long-lived routes (websockets, SSE): no request deadline.
	Stream bool
}

// Implemented reports whether the route has a handler.
func (r Route) Implemented() bool { return r.Op != nil || r.Raw != nil }

// ChiPath converts ":param" segments to chi's "{param}".
func (r Route) ChiPath() string {
	segs := strings.Split(r.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// PathParams lists the ":param" names of the path, in order.
func (r Route) PathParams() []string {
	var out []string
	for _, s := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(s, ":") {
			out = append(out, s[1:])
		}
	}
	return out
}

func (r Route) bodyLimit() int64 {
	if r.BodyLimit > 0 {
		return r.BodyLimit
	}
	return DefaultBodyLimit
}

func (r Route) accepts() []string {
	if len(r.Accepts) > 0 {
		return r.Accepts
	}
	return []string{JSON}
}

func (r Route) status() int {
	if r.Status != 0 {
		return r.Status
	}
	return http.StatusOK
}

// Operation adapts one domain method to HTTP: it decodes the request into the
// method's input type, calls it, and the router encodes the answer.
type Operation struct {
	In   reflect.Type // nil when the method takes no input
	Out  reflect.Type
	call func(ctx context.Context, r *http.Request, body []byte) (any, error)
}

// Op adapts a domain method taking an input struct. The struct's fields are
// filled from the JSON body (json tags), path parameters (path:"name"),
// query parameters (query:"name") and headers (header:"Name").
func Op[In, Out any](fn func(context.Context, In) (Out, error)) *Operation {
	return &Operation{
		In:  reflect.TypeFor[In](),
		Out: reflect.TypeFor[Out](),
		call: func(ctx context.Context, r *http.Request, body []byte) (any, error) {
			var in In
			if err := bind(r, body, &in); err != nil {
				return nil, err
			}
			return fn(ctx, in)
		},
	}
}

// Op0 adapts a domain method that takes no input.
func Op0[Out any](fn func(context.Context) (Out, error)) *Operation {
	return &Operation{
		Out: reflect.TypeFor[Out](),
		call: func(ctx context.Context, _ *http.Request, _ []byte) (any, error) {
			return fn(ctx)
		},
	}
}

// WithRequest keeps op's documented input and output types but hands the
// request and its body (already limited and content-type checked, with
// idempotency applied) to fn: for endpoints that take more than a JSON body,
// such as file uploads.
func (op *Operation) WithRequest(fn func(r *http.Request, body []byte) (any, error)) *Operation {
	c := *op
	c.call = func(ctx context.Context, r *http.Request, body []byte) (any, error) {
		return fn(r.WithContext(ctx), body)
	}
	return &c
}
