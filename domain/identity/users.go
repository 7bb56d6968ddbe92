package identity

import (
	"encoding/json"
	"time"

	"github.com/platformhq/platform/db"
)

// User is an end user as its owner and the tenant's admins see it.
type User struct {
	ID             string          `json:"id"`
	Email          *string         `json:"email"`
	Phone          *string         `json:"phone"`
	Role           string          `json:"role"`
	IsAnonymous    bool            `json:"is_anonymous"`
	EmailVerified  bool            `json:"email_verified"`
	PhoneVerified  bool            `json:"phone_verified"`
	UserMetadata   json.RawMessage `json:"user_metadata"`
	AppMetadata    json.RawMessage `json:"app_metadata"`
	Banned         bool            `json:"banned"`
	BanReason      string          `json:"ban_reason,omitempty"`
	HasPassword    bool            `json:"has_password"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	LastSignInAt   *time.Time      `json:"last_sign_in_at"`
	EmailConfirmAt *time.Time      `json:"email_confirmed_at"`
}

func userFromRow(r *db.AuthUser) User {
	meta, app := r.UserMetadata, r.AppMetadata
	if len(meta) == 0 {
		meta = json.RawMessage("{}")
	}
	if len(app) == 0 {
		app = json.RawMessage("{}")
	}
	return User{ID: r.ID, Email: r.Email, Phone: r.Phone, Role: r.Role, IsAnonymous: r.IsAnonymous,
		EmailVerified: r.EmailVerifiedAt != nil, PhoneVerified: r.PhoneVerifiedAt != nil,
		UserMetadata: meta, AppMetadata: app, Banned: r.Banned, BanReason: r.BanReason,
		HasPassword: r.PasswordHash != nil, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		LastSignInAt: r.LastSignInAt, EmailConfirmAt: r.EmailVerifiedAt}
}

// SessionUser is the short user of a session answer.
type SessionUser struct {
	ID    string  `json:"id"`
	Email *string `json:"email"`
	Role  string  `json:"role"`
}

// Session is the answer of every sign-in: tokens and the user.
type Session struct {
	AccessToken  string      `json:"access_token"`
	RefreshToken string      `json:"refresh_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    int         `json:"expires_in"`
	ExpiresAt    int64       `json:"expires_at"`
	User         SessionUser `json:"user"`
}

// SignIn is the answer of a sign-in that may need a second factor: either a
// session or an MFA challenge (contract: "End-user identity").
type SignIn struct {
	*Session
	MFARequired bool        `json:"mfa_required,omitempty"`
	MFATicket   string      `json:"mfa_ticket,omitempty"`
	Factors     []FactorRef `json:"factors,omitempty"`
}

// FactorRef names a verified factor in an MFA challenge.
type FactorRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}
