package identity

import (
	"context"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// PortalTenant names the tenant of a portal call: body tenant_id, else the
// X-Tenant-ID header.
type PortalTenant struct {
	TenantID     string `json:"tenant_id"`
	TenantHeader string `json:"-" header:"X-Tenant-ID"`
}

func (p PortalTenant) id() string {
	if p.TenantID != "" {
		return p.TenantID
	}
	return p.TenantHeader
}

// LookupInput is the body of POST /v1/tenants/lookup and
// /v1/auth/portal-identify.
type LookupInput struct {
	Email string `json:"email"`
}

// TenantMatch is one tenant an email belongs to (tenants/lookup shape).
type TenantMatch struct {
	TenantID  string `json:"tenant_id"`
	BrandName string `json:"brand_name"`
}

// Identified is portal-identify's shape of the same answer.
type Identified struct {
	TenantID        *string       `json:"tenant_id"`
	MultipleTenants bool          `json:"multiple_tenants"`
	Tenants         []IdentifiedT `json:"tenants"`
}

// IdentifiedT is one tenant of portal-identify.
type IdentifiedT struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// identifyPerMinute bounds tenant lookups by email per client IP: the
// answer tells which tenants an address belongs to.
const (
	identifyPerMinute = 10
	identifyMax       = 20
)

// LookupTenants finds the tenants an email belongs to (ids and names only;
// rate-limited per IP). Errors: VALIDATION_FAILED, RATE_LIMITED.
func (s *Service) LookupTenants(ctx context.Context, in LookupInput) ([]TenantMatch, error) {
	ts, err := s.tenantsOfEmail(ctx, in.Email)
	if err != nil {
		return nil, err
	}
	out := make([]TenantMatch, 0, len(ts))
	for _, t := range ts {
		out = append(out, TenantMatch{TenantID: t.ID, BrandName: t.Name})
	}
	return out, nil
}

// PortalIdentify is LookupTenants in portal-identify's shape: tenant_id is
// set when exactly one tenant matches.
func (s *Service) PortalIdentify(ctx context.Context, in LookupInput) (Identified, error) {
	ts, err := s.tenantsOfEmail(ctx, in.Email)
	if err != nil {
		return Identified{}, err
	}
	out := Identified{MultipleTenants: len(ts) > 1, Tenants: ts}
	if len(ts) == 1 {
		out.TenantID = &ts[0].ID
	}
	return out, nil
}

// tenantsOfEmail lists the active tenants with a user of email, by name,
// at most identifyMax, counting the lookup against the caller's IP.
func (s *Service) tenantsOfEmail(ctx context.Context, email string) ([]IdentifiedT, error) {
	email = normalizeEmail(email)
	var v domain.Validation
	checkEmail(&v, "email", email, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	ip := domain.RequestMetaFrom(ctx).IP
	if err := s.limit(ctx, "identify:"+ip, identifyPerMinute, time.Minute); err != nil {
		return nil, err
	}
	rows, err := db.TenantsOfEmail(ctx, s.core.DB, email, identifyMax)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]IdentifiedT, 0, len(rows))
	for _, r := range rows {
		out = append(out, IdentifiedT{ID: r.ID, Name: r.Name})
	}
	return out, nil
}

// Portal inputs: the /v1/auth counterpart's body plus the tenant.
type (
	PortalSignupInput struct {
		PortalTenant
		SignupInput
	}
	PortalLoginInput struct {
		PortalTenant
		LoginInput
	}
	PortalForgotPasswordInput struct {
		PortalTenant
		ForgotPasswordInput
	}
	PortalResetPasswordInput struct {
		PortalTenant
		ResetPasswordInput
	}
	PortalMagicLinkInput struct {
		PortalTenant
		MagicLinkInput
	}
	PortalTokenInput struct {
		PortalTenant
		TokenInput
	}
	PortalOTPSendInput struct {
		PortalTenant
		OTPSendInput
	}
	PortalOTPVerifyInput struct {
		PortalTenant
		OTPVerifyInput
	}
)

// Portal notices.
const (
	noticePasswordReset = "Your password has been reset."
	noticeEmailVerified = "Your email address has been verified."
)

// PortalSignup is Signup for the tenant the portal names.
func (s *Service) PortalSignup(ctx context.Context, in PortalSignupInput) (*SignIn, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return nil, err
	}
	return s.signup(ctx, tenantID, in.SignupInput)
}

// PortalLogin is Login for the tenant the portal names.
func (s *Service) PortalLogin(ctx context.Context, in PortalLoginInput) (*SignIn, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return nil, err
	}
	return s.login(ctx, tenantID, in.LoginInput)
}

// PortalForgotPassword is ForgotPassword for the tenant the portal names.
func (s *Service) PortalForgotPassword(ctx context.Context, in PortalForgotPasswordInput) (Notice, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return Notice{}, err
	}
	if err := s.forgotPassword(ctx, tenantID, in.ForgotPasswordInput); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeRecovery}, nil
}

// PortalResetPassword is ResetPassword for the tenant the portal names.
func (s *Service) PortalResetPassword(ctx context.Context, in PortalResetPasswordInput) (Notice, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return Notice{}, err
	}
	if err := s.resetPassword(ctx, tenantID, in.ResetPasswordInput); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticePasswordReset}, nil
}

// PortalMagicLink is SendMagicLink for the tenant the portal names.
func (s *Service) PortalMagicLink(ctx context.Context, in PortalMagicLinkInput) (Notice, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return Notice{}, err
	}
	if err := s.sendMagicLink(ctx, tenantID, in.MagicLinkInput); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeMagicLink}, nil
}

// PortalMagicLinkVerify is VerifyMagicLink for the tenant the portal names.
func (s *Service) PortalMagicLinkVerify(ctx context.Context, in PortalTokenInput) (*SignIn, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return nil, err
	}
	return s.verifyMagicLink(ctx, tenantID, in.Token)
}

// PortalOTPSend is SendOTP for the tenant the portal names.
func (s *Service) PortalOTPSend(ctx context.Context, in PortalOTPSendInput) (Notice, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return Notice{}, err
	}
	if err := s.sendOTP(ctx, tenantID, in.OTPSendInput); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeOTP}, nil
}

// PortalOTPVerify is VerifyOTP for the tenant the portal names.
func (s *Service) PortalOTPVerify(ctx context.Context, in PortalOTPVerifyInput) (*SignIn, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return nil, err
	}
	return s.verifyOTP(ctx, tenantID, in.OTPVerifyInput)
}

// PortalVerifyEmail is VerifyEmail for the tenant the portal names.
func (s *Service) PortalVerifyEmail(ctx context.Context, in PortalTokenInput) (Notice, error) {
	tenantID, err := s.portalTenant(ctx, in.id())
	if err != nil {
		return Notice{}, err
	}
	if strings.TrimSpace(in.Token) == "" {
		return Notice{}, domain.Invalid("token", "is required")
	}
	if err := s.verifyEmail(ctx, tenantID, in.Token); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeEmailVerified}, nil
}
