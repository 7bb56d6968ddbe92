package identity

import (
	"context"
	"net/url"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// mfaTicket is the payload of an MFA ticket: whose sign-in waits for its
// second factor, and how the first factor was given.
type mfaTicket struct {
	UserID string `json:"user_id"`
	Method string `json:"method"`
}

// admit checks that a user may sign in at all: not banned, and (when the
// tenant requires it) with a confirmed email. Every sign-in path calls it.
func admit(cfg *Config, u *db.AuthUser) error {
	if u.Banned {
		return domain.Errorf(domain.CodeUserBanned, "This user is banned.")
	}
	if cfg.EmailConfirmRequired && u.Email != nil && u.EmailVerifiedAt == nil && !u.IsAnonymous {
		return domain.Errorf(domain.CodeEmailNotConfirmed, "Confirm your email address before signing in.")
	}
	return nil
}

// signIn finishes a first-factor sign-in: a user with a verified MFA factor
// gets an MFA challenge (ticket + factors, no tokens); anyone else gets a
// session. method names the first factor (password, magic_link, otp, ...).
func (s *Service) signIn(ctx context.Context, cfg *Config, tenantID string, u *db.AuthUser, method string) (*SignIn, error) {
	if err := admit(cfg, u); err != nil {
		return nil, err
	}
	factors, err := db.AuthFactorsVerified(ctx, s.core.DB, tenantID, u.ID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if len(factors) > 0 {
		ticket, err := s.issueOTT(ctx, tenantID, ottMFATicket, mfaTicket{UserID: u.ID, Method: method}, mfaTicketTTL)
		if err != nil {
			return nil, err
		}
		// The ticket names its tenant, so that the public complete and
		// recover endpoints need no key.
		out := &SignIn{MFARequired: true, MFATicket: tenantID + "." + ticket}
		for _, f := range factors {
			out.Factors = append(out.Factors, FactorRef{ID: f.ID, Type: f.Type})
		}
		return out, nil
	}
	var sess *Session
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sess, err = s.startSession(ctx, w, cfg, newSessionInput{TenantID: tenantID, User: u, Method: method})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &SignIn{Session: sess}, nil
}

// verifyPayload is what an email verification token stands for.
type verifyPayload struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// sendVerification mails a verification link for u's current email. The
// link opens GET /v1/auth/verify (tenant in the query, as browsers cannot
// send headers), or redirectTo (already allowlisted) with the token.
func (s *Service) sendVerification(ctx context.Context, tenantID string, u *db.AuthUser, redirectTo string) error {
	if u.Email == nil {
		return nil
	}
	token, err := s.issueOTT(ctx, tenantID, ottVerify, verifyPayload{UserID: u.ID, Email: *u.Email}, verifyTTL)
	if err != nil {
		return err
	}
	link := s.link(tenantID, "/v1/auth/verify", redirectTo, token, "signup")
	return s.opts.Sender.Send(ctx, Message{TenantID: tenantID, Channel: "email", Recipient: *u.Email, Kind: "verification",
		Subject: "Confirm your email address",
		Body:    "Confirm your email address by opening this link (valid 24 hours):\n\n" + link + "\n\nToken: " + token + "\n",
		Link:    link, Code: token})
}

// link builds an action link: redirectTo (allowlisted by the caller) or the
// platform's own endpoint at path, carrying the token, its type and the
// tenant.
func (s *Service) link(tenantID, path, redirectTo, token, typ string) string {
	base := s.opts.PublicURL + path
	if redirectTo != "" {
		base = redirectTo
	}
	u, err := url.Parse(base)
	if err != nil {
		u, _ = url.Parse(s.opts.PublicURL + path)
	}
	q := u.Query()
	q.Set("token", token)
	q.Set("type", typ)
	q.Set("tenant_id", tenantID)
	u.RawQuery = q.Encode()
	return u.String()
}
