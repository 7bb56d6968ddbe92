package domain

import (
	"context"
	"slices"
)

// Scopes an API key may hold (contract: "Identity of callers and tenants").
const (
	ScopeRead   = "read"
	ScopeWrite  = "write"
	ScopeSchema = "schema"
	ScopeFiles  = "files"
	ScopeAuth   = "auth"
	ScopeAI     = "ai"
	ScopeAll    = "*"
)

// AllScopes lists every valid scope, in documentation order.
var AllScopes = []string{ScopeRead, ScopeWrite, ScopeSchema, ScopeFiles, ScopeAuth, ScopeAI, ScopeAll}

// PrincipalKind says what kind of credential made the request.
type PrincipalKind string

// Principal kinds.
const (
	PrincipalKey   PrincipalKind = "key"
	PrincipalUser  PrincipalKind = "user"
	PrincipalAdmin PrincipalKind = "admin"
)

// RateLimit is a per-minute and per-hour request allowance.
type RateLimit struct {
	PerMinute int `json:"per_minute"`
	PerHour   int `json:"per_hour"`
}

// DefaultRateLimit applies to keys whose rate_limit is null.
var DefaultRateLimit = RateLimit{PerMinute: 60, PerHour: 3600}

// Principal is the authenticated caller. It travels in context.Context and
// every domain method authorizes against it.
type Principal struct {
	Kind      PrincipalKind
	TenantID  string
	KeyID     string // set for key principals
	UserID    string // set for end-user principals
	SessionID string // set for end-user principals: the session the token belongs to
	Role      string // end user's role string
	AAL       string // end user's assurance level: "aal1", or "aal2" after MFA
	Scopes    []string
	RateLimit RateLimit
}

// ActorID is the id recorded as created_by / audit actor.
func (p *Principal) ActorID() string {
	switch p.Kind {
	case PrincipalKey:
		return p.KeyID
	case PrincipalUser:
		return p.UserID
	default:
		return "admin"
	}
}

// HasScope reports whether p holds scope (or "*").
func (p *Principal) HasScope(scope string) bool {
	return slices.Contains(p.Scopes, ScopeAll) || slices.Contains(p.Scopes, scope)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller of ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// RequireTenant returns the caller, or UNAUTHORIZED when there is none.
func RequireTenant(ctx context.Context) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil || p.TenantID == "" {
		return nil, Errorf(CodeUnauthorized, "Authentication required.")
	}
	return p, nil
}

// RequireScope returns the caller when it is an API key holding scope.
// End users are refused until their permissions (RBAC) say otherwise; the
// platform admin may act on any tenant named in ctx.
func RequireScope(ctx context.Context, scope string) (*Principal, error) {
	p, err := RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	switch p.Kind {
	case PrincipalAdmin:
		return p, nil
	case PrincipalKey:
		if p.HasScope(scope) {
			return p, nil
		}
	}
	return nil, (&Error{Code: CodeInsufficientScope,
		Message: "This credential lacks the " + scope + " scope."}).With("required_scope", scope)
}

// RequireUser returns the caller when it is a signed-in end user (the
// self-service endpoints: /v1/auth/user, sessions, MFA, export).
func RequireUser(ctx context.Context) (*Principal, error) {
	p, err := RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if p.Kind != PrincipalUser {
		return nil, Errorf(CodeUnauthorized, "This endpoint needs a signed-in user's access token as the bearer.")
	}
	return p, nil
}

// RequestMeta describes the transport request behind ctx: id and client IP are
// recorded in audit rows and logs.
type RequestMeta struct {
	RequestID string
	IP        string
	UserAgent string
}

type metaKey struct{}

// WithRequestMeta returns ctx carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// RequestMetaFrom returns the request metadata of ctx (zero when absent).
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(metaKey{}).(RequestMeta)
	return m
}
