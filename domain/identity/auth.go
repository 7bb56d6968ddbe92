package identity

import (
	"context"
	"encoding/json"

	"github.com/platformhq/platform/domain"
)

var errNotYet = domain.Errorf(domain.CodeNotImplemented, "Not implemented yet.")

// SignupInput is the body of POST /v1/auth/signup.
type SignupInput struct {
	Email          string          `json:"email"`
	Password       string          `json:"password"`
	Phone          string          `json:"phone"`
	UserMetadata   json.RawMessage `json:"user_metadata"`
	TurnstileToken string          `json:"turnstile_token"`
	RedirectTo     string          `json:"redirect_to"`
}

// LoginInput is the body of POST /v1/auth/login.
type LoginInput struct {
	Email          string `json:"email"`
	Password       string `json:"password"`
	TurnstileToken string `json:"turnstile_token"`
}

// RefreshInput is the body of POST /v1/auth/refresh.
type RefreshInput struct {
	RefreshToken string `json:"refresh_token"`
}

// LogoutInput is the body of POST /v1/auth/logout.
type LogoutInput struct {
	RefreshToken string `json:"refresh_token"`
}

// Notice is the answer of actions that only report a message (anti-
// enumeration answers say the same whether or not the account exists).
type Notice struct {
	Message string `json:"message"`
}

// Signup creates a user in the caller's tenant and (unless the tenant
// requires a confirmed email) signs it in. Errors: VALIDATION_FAILED,
// CONFLICT (email or phone taken), FORBIDDEN (signups disabled),
// RATE_LIMITED.
func (s *Service) Signup(ctx context.Context, in SignupInput) (*SignIn, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.signup(ctx, tenantID, in)
}

func (s *Service) signup(ctx context.Context, tenantID string, in SignupInput) (*SignIn, error) {
	return nil, errNotYet
}

// Login signs a user in with email and password; a user with a verified MFA
// factor gets the MFA challenge instead of tokens. Errors:
// INVALID_CREDENTIALS, USER_BANNED, EMAIL_NOT_CONFIRMED, ACCOUNT_LOCKED,
// RATE_LIMITED.
func (s *Service) Login(ctx context.Context, in LoginInput) (*SignIn, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, tenantID, in)
}

func (s *Service) login(ctx context.Context, tenantID string, in LoginInput) (*SignIn, error) {
	return nil, errNotYet
}

// Refresh exchanges a refresh token for new tokens (rotation with reuse
// detection). Errors: INVALID_TOKEN.
func (s *Service) Refresh(ctx context.Context, in RefreshInput) (*Session, error) {
	return nil, errNotYet
}

// Logout revokes the session of the given refresh token (or, without one,
// the caller's own session when the bearer is a user token).
func (s *Service) Logout(ctx context.Context, in LogoutInput) (Notice, error) {
	return Notice{}, errNotYet
}

// Anonymous creates an anonymous user and signs it in (when the tenant
// enables anonymous sign-ins). Errors: FORBIDDEN, RATE_LIMITED.
func (s *Service) Anonymous(ctx context.Context) (*Session, error) {
	return nil, errNotYet
}
