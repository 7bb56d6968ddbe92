package identity

import (
	"context"
)

// VerifyInput is POST /v1/auth/verify's body or GET's query (browser link:
// tenant_id in the query).
type VerifyInput struct {
	Token    string `json:"token" query:"token"`
	Type     string `json:"type" query:"type"`
	TenantID string `json:"-" query:"tenant_id"`
}

// Verified answers an email verification.
type Verified struct {
	Verified bool `json:"verified"`
}

// ForgotPasswordInput is the body of POST /v1/auth/forgot-password.
type ForgotPasswordInput struct {
	Email          string `json:"email"`
	RedirectTo     string `json:"redirect_to"`
	TurnstileToken string `json:"turnstile_token"`
}

// ResetPasswordInput is the body of POST /v1/auth/reset-password.
type ResetPasswordInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// PasswordReset answers a password reset.
type PasswordReset struct {
	PasswordReset bool `json:"password_reset"`
}

// MagicLinkInput is the body of POST /v1/auth/magic-link.
type MagicLinkInput struct {
	Email      string `json:"email"`
	RedirectTo string `json:"redirect_to"`
}

// TokenInput is a body carrying one token (magic-link verify).
type TokenInput struct {
	Token string `json:"token"`
}

// VerifyEmail confirms an email address with the token mailed at signup
// (or on an email change). Errors: INVALID_TOKEN.
func (s *Service) VerifyEmail(ctx context.Context, in VerifyInput) (Verified, error) {
	return Verified{}, errNotYet
}

// ForgotPassword mails a reset link when the account exists, and answers
// the same either way (no enumeration).
func (s *Service) ForgotPassword(ctx context.Context, in ForgotPasswordInput) (Notice, error) {
	return Notice{}, errNotYet
}

// ResetPassword sets a new password with a reset token and revokes every
// session of the user. Errors: INVALID_TOKEN, VALIDATION_FAILED.
func (s *Service) ResetPassword(ctx context.Context, in ResetPasswordInput) (PasswordReset, error) {
	return PasswordReset{}, errNotYet
}

// SendMagicLink mails a sign-in link (answering the same whether or not the
// account exists).
func (s *Service) SendMagicLink(ctx context.Context, in MagicLinkInput) (Notice, error) {
	return Notice{}, errNotYet
}

// VerifyMagicLink exchanges a magic-link token for a session.
func (s *Service) VerifyMagicLink(ctx context.Context, in TokenInput) (*SignIn, error) {
	return nil, errNotYet
}
