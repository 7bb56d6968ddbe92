package identity

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Event types on the "auth" topic.
const (
	EventUserCreated = "user.created"
	EventUserUpdated = "user.updated"
	EventUserDeleted = "user.deleted"
)

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
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !cfg.SignupEnabled {
		return nil, domain.Errorf(domain.CodeForbidden, "Sign-ups are disabled for this tenant.")
	}
	if err := s.throttle(ctx, tenantID, actSignup, cfg.RateLimits.SignupPerMinute); err != nil {
		return nil, err
	}
	email, phone := normalizeEmail(in.Email), strings.TrimSpace(in.Phone)
	var v domain.Validation
	checkEmail(&v, "email", email, true)
	checkPhone(&v, "phone", phone, false)
	cfg.checkPassword(&v, "password", in.Password)
	meta := checkMetadata(&v, "user_metadata", in.UserMetadata)
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.verifyCaptcha(ctx, cfg, in.TurnstileToken); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Email: &email, PasswordHash: &hash,
		Role: DefaultRole, UserMetadata: meta, AppMetadata: json.RawMessage(`{"provider":"email"}`), CreatedAt: now, UpdatedAt: now}
	if phone != "" {
		u.Phone = &phone
	}
	var out *SignIn
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := s.insertUser(ctx, w, u); err != nil {
			return err
		}
		if cfg.EmailConfirmRequired {
			out = &SignIn{User: ptr(userFromRow(u))}
			return nil
		}
		sess, err := s.startSession(ctx, w, cfg, newSessionInput{TenantID: tenantID, User: u, Method: "signup"})
		out = &SignIn{Session: sess}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendVerification(ctx, tenantID, u, in.RedirectTo); err != nil {
		s.core.Log.Warn("verification email not sent", "tenant_id", tenantID, "user_id", u.ID, "err", err)
	}
	return out, nil
}

// DefaultRole is a new user's role string.
const DefaultRole = "authenticated"

// insertUser stores a new user in w with its audit row and event; a taken
// email or phone is CONFLICT.
func (s *Service) insertUser(ctx context.Context, w *domain.Write, u *db.AuthUser) error {
	if err := db.AuthUserInsert(ctx, w.Tx, u); err != nil {
		if db.IsUniqueViolation(err) {
			return domain.Errorf(domain.CodeConflict, "A user with this email or phone already exists.")
		}
		return domain.Internal(err)
	}
	view := userFromRow(u)
	if err := w.Audit(u.TenantID, "user.create", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role}); err != nil {
		return err
	}
	return w.Emit(u.TenantID, Topic, EventUserCreated, view)
}

func ptr[T any](v T) *T { return &v }

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
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.throttle(ctx, tenantID, actLogin, cfg.RateLimits.LoginPerMinute); err != nil {
		return nil, err
	}
	email := normalizeEmail(in.Email)
	var v domain.Validation
	v.Check(email == "", "email", "is required")
	v.Check(in.Password == "", "password", "is required")
	v.Check(len(in.Password) > 1024, "password", "is too long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.verifyCaptcha(ctx, cfg, in.TurnstileToken); err != nil {
		return nil, err
	}
	u, err := db.AuthUserByEmail(ctx, s.core.DB, tenantID, email)
	if err != nil && !db.IsNoRows(err) {
		return nil, domain.Internal(err)
	}
	known := err == nil
	if known {
		if err := s.checkLock(ctx, cfg, tenantID, u.ID); err != nil {
			return nil, err
		}
	}
	encoded := ""
	if known && u.PasswordHash != nil {
		encoded = *u.PasswordHash
	}
	// An unknown email still costs one hash, so timing does not tell
	// which emails have accounts.
	ok, err := s.hasher.Verify(ctx, in.Password, encoded)
	if err != nil {
		return nil, err
	}
	if !ok {
		if known {
			if err := s.recordFailure(ctx, cfg, tenantID, u.ID); err != nil {
				return nil, err
			}
		}
		return nil, domain.Errorf(domain.CodeInvalidCredentials, "Invalid email or password.")
	}
	s.clearFailures(ctx, tenantID, u.ID)
	return s.signIn(ctx, cfg, tenantID, u, "password")
}
