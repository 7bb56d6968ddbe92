package identity

import (
	"context"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
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

// Anti-enumeration answers: the same text whether or not the account
// exists, was created, or was sent anything.
const (
	noticeRecovery  = "If an account exists for this email, a password reset link has been sent."
	noticeMagicLink = "If this email can sign in, a sign-in link has been sent."
)

// mailsPerHour bounds the messages of one kind to one address, so that the
// flows cannot be used to flood a mailbox. Past it, sending is skipped
// silently: the answer stays the same, telling nothing about the account.
const mailsPerHour = 5

// verifyTypes are the accepted values of VerifyInput.Type (empty: signup).
var verifyTypes = map[string]bool{"": true, "signup": true, "email": true, "email_change": true}

func invalidToken() error {
	return domain.Errorf(domain.CodeInvalidToken, "The token is invalid or has expired.")
}

// VerifyEmail confirms an email address with the token mailed at signup
// (or on an email change). Errors: INVALID_TOKEN.
func (s *Service) VerifyEmail(ctx context.Context, in VerifyInput) (Verified, error) {
	var v domain.Validation
	v.Check(strings.TrimSpace(in.Token) == "", "token", "is required")
	v.Check(!verifyTypes[in.Type], "type", "must be signup, email or email_change")
	if err := v.Err(); err != nil {
		return Verified{}, err
	}
	tenantID, err := s.verifyTenant(ctx, in.TenantID)
	if err != nil {
		return Verified{}, err
	}
	if err := s.verifyEmail(ctx, tenantID, in.Token); err != nil {
		return Verified{}, err
	}
	return Verified{Verified: true}, nil
}

// verifyTenant is the tenant of a verification: the caller's when a key or
// user token came with it, else the link's tenant_id query parameter (a
// browser opening the mailed link sends no header).
func (s *Service) verifyTenant(ctx context.Context, queryTenant string) (string, error) {
	if p := domain.PrincipalFrom(ctx); p != nil && p.TenantID != "" {
		return p.TenantID, nil
	}
	if strings.TrimSpace(queryTenant) == "" {
		return "", domain.Invalid("tenant_id", "is required in the query when no API key is sent")
	}
	return s.portalTenant(ctx, queryTenant)
}

// verifyEmail consumes a verification token and marks the email it was
// sent to as verified, provided the user still has that email.
func (s *Service) verifyEmail(ctx context.Context, tenantID string, token string) error {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return err
	}
	if err := s.throttle(ctx, tenantID, actVerify, cfg.RateLimits.VerifyPerMinute); err != nil {
		return err
	}
	var p verifyPayload
	if err := s.consumeOTT(ctx, tenantID, ottVerify, strings.TrimSpace(token), &p); err != nil {
		return err
	}
	return s.core.Write(ctx, func(w *domain.Write) error {
		return s.markEmailVerified(ctx, w, tenantID, p.UserID, p.Email)
	})
}

// markEmailVerified sets email_verified_at in w when userID still has
// email (else INVALID_TOKEN: the token was for an address since replaced),
// with its audit row and event.
func (s *Service) markEmailVerified(ctx context.Context, w *domain.Write, tenantID, userID, email string) error {
	ok, err := db.AuthUserMarkEmailVerified(ctx, w.Tx, tenantID, userID, email, s.now())
	if err != nil {
		return domain.Internal(err)
	}
	if !ok {
		return invalidToken()
	}
	u, err := db.AuthUserGet(ctx, w.Tx, tenantID, userID)
	if err != nil {
		return domain.Internal(err)
	}
	if err := w.Audit(tenantID, "user.verify_email", "user", userID, map[string]any{"email": email}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, EventUserUpdated, userFromRow(u))
}

// mailAllowed counts one message of kind to addr against mailsPerHour.
func (s *Service) mailAllowed(ctx context.Context, tenantID, kind, addr string) bool {
	return s.limit(ctx, kv.TenantKey(tenantID, "mailrl", kind, addr), mailsPerHour, time.Hour) == nil
}

// ForgotPassword mails a reset link when the account exists, and answers
// the same either way (no enumeration).
func (s *Service) ForgotPassword(ctx context.Context, in ForgotPasswordInput) (Notice, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return Notice{}, err
	}
	if err := s.forgotPassword(ctx, tenantID, in); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeRecovery}, nil
}

// recoveryPayload is what a password reset token stands for: the user, and
// the address the link went to (proof of that mailbox).
type recoveryPayload struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// forgotPassword validates the request and, when the email belongs to a
// user who may sign in, mails a reset link. Only bad input and throttling
// are errors: whether an account exists never changes the answer.
func (s *Service) forgotPassword(ctx context.Context, tenantID string, in ForgotPasswordInput) error {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return err
	}
	if err := s.throttle(ctx, tenantID, actReset, cfg.RateLimits.PasswordResetPerMinute); err != nil {
		return err
	}
	email := normalizeEmail(in.Email)
	var v domain.Validation
	checkEmail(&v, "email", email, true)
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.verifyCaptcha(ctx, cfg, in.TurnstileToken); err != nil {
		return err
	}
	// Counted for every address, known or not, so that neither the count
	// nor the work done tells which addresses have accounts.
	allowed := s.mailAllowed(ctx, tenantID, "recovery", email)
	u, err := db.AuthUserByEmail(ctx, s.core.DB, tenantID, email)
	if db.IsNoRows(err) || (err == nil && u.Banned) || !allowed {
		return nil
	}
	if err != nil {
		return domain.Internal(err)
	}
	// A failure to send is logged, not answered: answering it would tell
	// that the account exists.
	if err := s.sendRecovery(ctx, tenantID, email, u.ID, in.RedirectTo); err != nil {
		s.core.Log.Warn("password reset email not sent", "tenant_id", tenantID, "user_id", u.ID, "err", err)
	}
	return nil
}

func (s *Service) sendRecovery(ctx context.Context, tenantID, email, userID, redirectTo string) error {
	token, err := s.issueOTT(ctx, tenantID, ottRecovery, recoveryPayload{UserID: userID, Email: email}, recoveryTTL)
	if err != nil {
		return err
	}
	link := s.link(tenantID, "/v1/auth/reset-password", redirectTo, token, "recovery")
	return s.opts.Sender.Send(ctx, Message{TenantID: tenantID, Channel: "email", Recipient: email, Kind: "recovery",
		Subject: "Reset your password",
		Body: "Someone asked to reset the password of your account. Open this link to choose a new one (valid 1 hour):\n\n" +
			link + "\n\nToken: " + token + "\n\nIf it was not you, ignore this email.\n",
		Link: link, Code: token})
}

// ResetPassword sets a new password with a reset token and revokes every
// session of the user. Errors: INVALID_TOKEN, VALIDATION_FAILED.
func (s *Service) ResetPassword(ctx context.Context, in ResetPasswordInput) (PasswordReset, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return PasswordReset{}, err
	}
	if err := s.resetPassword(ctx, tenantID, in); err != nil {
		return PasswordReset{}, err
	}
	return PasswordReset{PasswordReset: true}, nil
}

// resetPassword checks the new password before consuming the token, so
// that a password the policy refuses does not burn the link.
func (s *Service) resetPassword(ctx context.Context, tenantID string, in ResetPasswordInput) error {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return err
	}
	if err := s.throttle(ctx, tenantID, actReset, cfg.RateLimits.PasswordResetPerMinute); err != nil {
		return err
	}
	token := strings.TrimSpace(in.Token)
	if token == "" {
		return domain.Invalid("token", "is required")
	}
	var p recoveryPayload
	if err := s.peekOTT(ctx, tenantID, ottRecovery, token, &p); err != nil {
		return err
	}
	var v domain.Validation
	cfg.checkPassword(&v, "password", in.Password)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}
	// GETDEL: of two concurrent resets with one token, one wins.
	if err := s.consumeOTT(ctx, tenantID, ottRecovery, token, &p); err != nil {
		return err
	}
	if err := s.core.Write(ctx, func(w *domain.Write) error { return s.applyReset(ctx, w, tenantID, p, hash) }); err != nil {
		return err
	}
	s.clearFailures(ctx, tenantID, p.UserID)
	return nil
}

// applyReset stores the new password hash, marks the mailbox proven and
// revokes every session of the user (whoever knew the old password is out).
func (s *Service) applyReset(ctx context.Context, w *domain.Write, tenantID string, p recoveryPayload, hash string) error {
	now := s.now()
	u, err := db.AuthUserGetForUpdate(ctx, w.Tx, tenantID, p.UserID)
	if db.IsNoRows(err) {
		return invalidToken()
	}
	if err != nil {
		return domain.Internal(err)
	}
	if u.Banned {
		return domain.Errorf(domain.CodeUserBanned, "This user is banned.")
	}
	if err := db.AuthUserSetPassword(ctx, w.Tx, tenantID, u.ID, hash, now); err != nil {
		return domain.Internal(err)
	}
	if u.Email != nil && *u.Email == p.Email {
		if _, err := db.AuthUserMarkEmailVerified(ctx, w.Tx, tenantID, u.ID, p.Email, now); err != nil {
			return domain.Internal(err)
		}
	}
	revoked, err := db.AuthSessionsRevoke(ctx, w.Tx, tenantID, u.ID, nil, "password_reset", now)
	if err != nil {
		return domain.Internal(err)
	}
	if err := w.Audit(tenantID, "user.password_reset", "user", u.ID, map[string]any{"sessions_revoked": len(revoked)}); err != nil {
		return err
	}
	if u, err = db.AuthUserGet(ctx, w.Tx, tenantID, u.ID); err != nil {
		return domain.Internal(err)
	}
	return w.Emit(tenantID, Topic, EventUserUpdated, userFromRow(u))
}

// SendMagicLink mails a sign-in link (answering the same whether or not the
// account exists).
func (s *Service) SendMagicLink(ctx context.Context, in MagicLinkInput) (Notice, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return Notice{}, err
	}
	if err := s.sendMagicLink(ctx, tenantID, in); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeMagicLink}, nil
}

// magicPayload is what a magic-link token stands for.
type magicPayload struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// sendMagicLink mails a sign-in link to an existing user, or (when the
// tenant allows sign-ups) to a new passwordless user created for the
// address, as Supabase does. Unknown addresses of a closed tenant and
// banned users get nothing, with the same answer.
func (s *Service) sendMagicLink(ctx context.Context, tenantID string, in MagicLinkInput) error {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return err
	}
	if !cfg.MagicLinkEnabled {
		return domain.Errorf(domain.CodeForbidden, "Magic-link sign-in is disabled for this tenant.")
	}
	if err := s.throttle(ctx, tenantID, actMagicLink, cfg.RateLimits.MagicLinkPerMinute); err != nil {
		return err
	}
	email := normalizeEmail(in.Email)
	var v domain.Validation
	checkEmail(&v, "email", email, true)
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return err
	}
	// Past the per-mailbox allowance nothing is sent (nor created).
	if !s.mailAllowed(ctx, tenantID, "magic_link", email) {
		return nil
	}
	u, err := s.userByEmailOrNew(ctx, cfg, tenantID, email)
	if err != nil {
		return err
	}
	if u == nil || u.Banned {
		return nil
	}
	if err := s.sendMagic(ctx, tenantID, email, u.ID, in.RedirectTo); err != nil {
		s.core.Log.Warn("magic link not sent", "tenant_id", tenantID, "user_id", u.ID, "err", err)
	}
	return nil
}

// userByEmailOrNew finds the user of email, or creates a passwordless one
// (email unverified) when sign-ups are open; nil when neither.
func (s *Service) userByEmailOrNew(ctx context.Context, cfg *Config, tenantID, email string) (*db.AuthUser, error) {
	u, err := db.AuthUserByEmail(ctx, s.core.DB, tenantID, email)
	if err == nil {
		return u, nil
	}
	if !db.IsNoRows(err) {
		return nil, domain.Internal(err)
	}
	if !cfg.SignupEnabled {
		return nil, nil
	}
	now := s.now()
	u = &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Email: &email, Role: DefaultRole,
		UserMetadata: []byte(`{}`), AppMetadata: []byte(`{"provider":"email"}`), CreatedAt: now, UpdatedAt: now}
	err = s.core.Write(ctx, func(w *domain.Write) error { return s.insertUser(ctx, w, u) })
	if domain.ErrorCode(err) == domain.CodeConflict {
		// A concurrent request created it first: use theirs.
		if u, err = db.AuthUserByEmail(ctx, s.core.DB, tenantID, email); err != nil {
			return nil, domain.Internal(err)
		}
		return u, nil
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) sendMagic(ctx context.Context, tenantID, email, userID, redirectTo string) error {
	token, err := s.issueOTT(ctx, tenantID, ottMagicLink, magicPayload{UserID: userID, Email: email}, magicLinkTTL)
	if err != nil {
		return err
	}
	link := s.link(tenantID, "/v1/auth/magic-link/verify", redirectTo, token, "magiclink")
	return s.opts.Sender.Send(ctx, Message{TenantID: tenantID, Channel: "email", Recipient: email, Kind: "magic_link",
		Subject: "Your sign-in link",
		Body: "Open this link to sign in (valid 15 minutes, once):\n\n" + link + "\n\nToken: " + token +
			"\n\nIf you did not ask for it, ignore this email.\n",
		Link: link, Code: token})
}

// VerifyMagicLink exchanges a magic-link token for a session.
func (s *Service) VerifyMagicLink(ctx context.Context, in TokenInput) (*SignIn, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.verifyMagicLink(ctx, tenantID, in.Token)
}

// verifyMagicLink consumes the token, marks the email verified (the link
// proved the mailbox) and signs the user in (an MFA challenge when the
// user has factors).
func (s *Service) verifyMagicLink(ctx context.Context, tenantID string, token string) (*SignIn, error) {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !cfg.MagicLinkEnabled {
		return nil, domain.Errorf(domain.CodeForbidden, "Magic-link sign-in is disabled for this tenant.")
	}
	if err := s.throttle(ctx, tenantID, actVerify, cfg.RateLimits.VerifyPerMinute); err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, domain.Invalid("token", "is required")
	}
	var p magicPayload
	if err := s.consumeOTT(ctx, tenantID, ottMagicLink, token, &p); err != nil {
		return nil, err
	}
	u, err := db.AuthUserGet(ctx, s.core.DB, tenantID, p.UserID)
	if db.IsNoRows(err) || (err == nil && (u.Email == nil || *u.Email != p.Email)) {
		return nil, invalidToken()
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if u.EmailVerifiedAt == nil {
		err := s.core.Write(ctx, func(w *domain.Write) error { return s.markEmailVerified(ctx, w, tenantID, u.ID, p.Email) })
		if err != nil {
			return nil, err
		}
		u.EmailVerifiedAt = ptr(s.now())
	}
	return s.signIn(ctx, cfg, tenantID, u, "magic_link")
}
