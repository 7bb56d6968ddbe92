package governance

import (
	"context"
	"slices"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/identity"
)

// AAL2 is the assurance level of a session signed in with a second factor.
const AAL2 = "aal2"

// Admit applies the tenant's settings to a resolved caller, on every request
// of both surfaces: the IP allowlist (keys and end users; 403
// IP_NOT_ALLOWED), and MFA required for the user's roles. A user who must
// use MFA but whose session is not aal2 keeps its self-service (profile,
// sessions, MFA enrollment, logout) and loses every RBAC permission until a
// factor is verified (enrollment raises the session to aal2). The platform
// admin is exempt.
func (s *Service) Admit(ctx context.Context, p *domain.Principal, clientIP string) (*domain.Principal, error) {
	if p == nil || p.Kind == domain.PrincipalAdmin || p.TenantID == "" {
		return p, nil
	}
	c, err := s.settings(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	if !allowed(c.allow, clientIP) {
		return nil, domain.Errorf(domain.CodeIPNotAllowed, "Requests from this IP address are not allowed for this tenant.")
	}
	if p.Kind != domain.PrincipalUser || p.AAL == AAL2 || len(c.MFARequiredRoles) == 0 {
		return p, nil
	}
	// The caller resolved p's RBAC role names (p.Roles) before Admit.
	if !requiresMFA(c.MFARequiredRoles, p.Role, p.Roles) {
		return p, nil
	}
	limited := *p
	limited.Permissions = nil
	limited.MFAEnrollmentRequired = true
	return &limited, nil
}

// IdentityRules answers the rules identity applies at sign-in (it
// implements identity.Governance).
func (s *Service) IdentityRules(ctx context.Context, tenantID string) (identity.GovernanceRules, error) {
	c, err := s.settings(ctx, tenantID)
	if err != nil {
		return identity.GovernanceRules{}, err
	}
	return identity.GovernanceRules{PasswordMinLength: c.PasswordMinLength,
		SessionDuration: time.Duration(c.SessionDurationSecs) * time.Second}, nil
}

// MFARequired reports whether the tenant requires MFA of a user with this
// role string (or one of its RBAC roles).
func (s *Service) MFARequired(ctx context.Context, tenantID, userID, role string) (bool, error) {
	c, err := s.settings(ctx, tenantID)
	if err != nil {
		return false, err
	}
	return s.mfaRequired(ctx, c, tenantID, userID, role)
}

// mfaRequired matches the user's role string, then (only when needed) the
// names of its RBAC roles, against the required roles.
func (s *Service) mfaRequired(ctx context.Context, c *compiled, tenantID, userID, role string) (bool, error) {
	if len(c.MFARequiredRoles) == 0 {
		return false, nil
	}
	if slices.Contains(c.MFARequiredRoles, role) {
		return true, nil
	}
	names, err := db.UserRBACRoleNames(ctx, s.core.DB, tenantID, userID)
	if err != nil {
		return false, domain.Internal(err)
	}
	return requiresMFA(c.MFARequiredRoles, role, names), nil
}

// requiresMFA reports whether the role string or one of the RBAC role
// names is among the required roles.
func requiresMFA(required []string, role string, rbacRoles []string) bool {
	return slices.Contains(required, role) ||
		slices.ContainsFunc(rbacRoles, func(n string) bool { return slices.Contains(required, n) })
}
