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
	// MFAEnrollmentRequired: governance requires MFA of the user's role and
	// it has no factor; the session reaches only self-service until one is
	// verified (see docs/access.md "Governance").
	MFAEnrollmentRequired bool `json:"mfa_enrollment_required,omitempty"`
}

// SignIn is the answer of a sign-in that may need a second factor: a
// session, an MFA challenge (contract: "End-user identity"), or, when the
// tenant requires a confirmed email, the new user without tokens.
type SignIn struct {
	Session     *Session
	User        *User
	MFARequired bool
	MFATicket   string
	Factors     []FactorRef
}

// MarshalJSON writes the one shape that applies.
func (s SignIn) MarshalJSON() ([]byte, error) {
	switch {
	case s.Session != nil:
		return json.Marshal(s.Session)
	case s.MFARequired:
		return json.Marshal(struct {
			MFARequired bool        `json:"mfa_required"`
			MFATicket   string      `json:"mfa_ticket"`
			Factors     []FactorRef `json:"factors"`
		}{true, s.MFATicket, s.Factors})
	default:
		return json.Marshal(struct {
			User                 *User `json:"user"`
			ConfirmationRequired bool  `json:"email_confirmation_required"`
		}{s.User, true})
	}
}

// FactorRef names a verified factor in an MFA challenge.
type FactorRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}
