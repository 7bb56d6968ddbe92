package domain

import (
	"context"
	"slices"
	"strings"
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
	// Roles are the end user's RBAC role names (rbac_user_roles).
	Roles []string
	// Permissions are the end user's effective RBAC permissions: the union of
	// its roles' permissions, parent roles included.
	Permissions []string
	// MFAEnrollmentRequired marks an end user whose role governance requires
	// MFA but whose session is not aal2: it keeps its self-service and is
	// refused everything else with MFA_ENROLLMENT_REQUIRED.
	MFAEnrollmentRequired bool
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

// Authorize returns the caller when it may perform an operation guarded by
// scope (for API keys) and permission (for end users). The platform admin may
// do anything; a key needs the scope (INSUFFICIENT_SCOPE otherwise, as
// RequireScope); an end user needs an RBAC permission that covers permission
// (FORBIDDEN with required_permission otherwise). Default deny.
func Authorize(ctx context.Context, scope, permission string) (*Principal, error) {
	p, err := RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	switch p.Kind {
	case PrincipalAdmin:
		return p, nil
	case PrincipalKey:
		return RequireScope(ctx, scope)
	case PrincipalUser:
		if p.Allows(permission) {
			return p, nil
		}
		return nil, p.Denied(permission)
	}
	return nil, Errorf(CodeUnauthorized, "Authentication required.")
}

// Denied is the error for an end user lacking permission: enrolling in MFA
// comes first when governance requires it of the user's role.
func (p *Principal) Denied(permission string) *Error {
	if p != nil && p.MFAEnrollmentRequired {
		return (&Error{Code: CodeMFAEnrollmentRequired,
			Message: "Your role requires multi-factor authentication: enroll a factor (POST /v1/auth/mfa/enroll) to continue."}).
			With("required_permission", permission)
	}
	return ForbiddenPermission(permission)
}

// ForbiddenPermission is the error for an end user whose roles do not grant
// permission.
func ForbiddenPermission(permission string) *Error {
	return (&Error{Code: CodeForbidden,
		Message: "Your roles do not grant the " + permission + " permission."}).With("required_permission", permission)
}

// Allows reports whether one of p's effective permissions covers permission.
// Only end users carry permissions; the admin is allowed everything and keys
// are governed by scopes (see Authorize).
func (p *Principal) Allows(permission string) bool {
	if p == nil {
		return false
	}
	if p.Kind == PrincipalAdmin {
		return true
	}
	for _, granted := range p.Permissions {
		if PermissionCovers(granted, permission) {
			return true
		}
	}
	return false
}

// PermissionCovers reports whether the granted permission covers the
// required one. Permissions are "<resource>:<action>" or
// "<resource>:<type>:<action>"; a granted part "*" matches any value of that
// part, and "*" alone grants everything. A granted two-part permission covers
// every type of its resource ("objects:read" == "objects:*:read"), because a
// grant that names no type is a grant over all types. A granted three-part
// permission never covers a two-part requirement (the requirement means "all
// types"). A "*" in the required permission is literal: "objects:*:read"
// (read across all types) needs a granted "*" there.
func PermissionCovers(granted, required string) bool {
	if granted == "*" {
		return true
	}
	g := strings.Split(granted, ":")
	r := strings.Split(required, ":")
	if len(g) == 2 && len(r) == 3 {
		g = []string{g[0], "*", g[1]}
	}
	if len(g) != len(r) || len(g) < 2 || len(g) > 3 {
		return false
	}
	for i := range g {
		if g[i] != "*" && g[i] != r[i] {
			return false
		}
	}
	return true
}

// ValidPermission reports whether s has the permission format: "*", or two or
// three non-empty parts of [a-z0-9_-] (or "*") separated by ':'.
func ValidPermission(s string) bool {
	if s == "*" {
		return true
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, part := range parts {
		if !validPermissionPart(part) {
			return false
		}
	}
	return true
}

func validPermissionPart(part string) bool {
	if part == "*" {
		return true
	}
	if part == "" || len(part) > 64 {
		return false
	}
	for _, c := range part {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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
