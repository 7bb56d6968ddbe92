package identity

import (
	"context"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// Throttled actions (per tenant and client IP).
const (
	actSignup    = "signup"
	actLogin     = "login"
	actOTP       = "otp"
	actMagicLink = "magic_link"
	actReset     = "password_reset"
	actVerify    = "verify"
	actIdentify  = "identify"
)

// callerTenant is the tenant of an /v1/auth/* call: named by the bearer,
// which is any key of the tenant (a publishable key suffices) or a user's
// access token. Errors: UNAUTHORIZED.
func callerTenant(ctx context.Context) (string, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return "", err
	}
	return p.TenantID, nil
}

// portalTenant resolves the tenant a public portal call names (body
// tenant_id or X-Tenant-ID). An unknown or suspended tenant is 404 / 403.
func (s *Service) portalTenant(ctx context.Context, tenantID string) (string, error) {
	tenantID = strings.TrimSpace(tenantID)
	if tenantID == "" {
		return "", domain.Invalid("tenant_id", "is required (body tenant_id or X-Tenant-ID header)")
	}
	if !domain.ValidID(domain.PrefixTenant, tenantID) {
		return "", domain.NotFound("tenant")
	}
	t, err := db.TenantGetByID(ctx, s.core.DB, tenantID)
	if db.IsNoRows(err) {
		return "", domain.NotFound("tenant")
	}
	if err != nil {
		return "", domain.Internal(err)
	}
	if t.Status == "suspended" {
		return "", domain.Errorf(domain.CodeTenantSuspended, "This tenant is suspended.")
	}
	return tenantID, nil
}

// throttle counts one attempt of action from the caller's IP in tenantID
// against perMinute, refusing with 429 RATE_LIMITED past it. Redis being
// down lets the attempt through (fail open, logged), like the API limiter.
func (s *Service) throttle(ctx context.Context, tenantID, action string, perMinute int) error {
	if perMinute <= 0 {
		return nil
	}
	ip := domain.RequestMetaFrom(ctx).IP
	return s.limit(ctx, kv.TenantKey(tenantID, "authrl", action, ip), perMinute, time.Minute)
}

// limit applies one fixed window of limit events per period to subject.
func (s *Service) limit(ctx context.Context, subject string, limit int, period time.Duration) error {
	d, err := s.limiter.Allow(ctx, subject, s.now(), []kv.Window{{Limit: limit, Period: period}})
	if err != nil {
		s.core.Log.Warn("auth throttle unavailable; attempt allowed", "err", err)
		return nil
	}
	if !d.Allowed {
		secs := int((d.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return domain.Errorf(domain.CodeRateLimited, "Too many attempts; retry in %d seconds.", secs).With("retry_after", secs)
	}
	return nil
}

// normalizeEmail trims and lower-cases an email address.
func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
