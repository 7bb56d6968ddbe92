package identity

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// refreshGrace is how long a used refresh token still answers its
// successor: two tabs refreshing at once both get the same new token. A
// reuse after that is taken as theft and ends the session (contract:
// "Refresh tokens").
const refreshGrace = 10 * time.Second

// maxRefreshToken bounds what is worth hashing (real tokens are 43 chars).
const maxRefreshToken = 128

func errRefreshInvalid() error {
	return domain.Errorf(domain.CodeInvalidToken, "The refresh token is invalid, expired or was revoked.")
}

// refreshAAD binds a sealed successor to its tenant and session.
func refreshAAD(tenantID, sessionID string) string { return "refresh:" + tenantID + ":" + sessionID }

// Refresh exchanges a refresh token for new tokens (rotation with reuse
// detection). Errors: VALIDATION_FAILED (no token), INVALID_TOKEN,
// USER_BANNED.
func (s *Service) Refresh(ctx context.Context, in RefreshInput) (*Session, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(in.RefreshToken)
	if token == "" {
		return nil, domain.Invalid("refresh_token", "is required")
	}
	if !strings.HasPrefix(token, RefreshPrefix) || len(token) > maxRefreshToken {
		return nil, errRefreshInvalid()
	}
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out *Session
	var stolen bool
	err = s.core.Write(ctx, func(w *domain.Write) error {
		out, stolen, err = s.rotate(ctx, w, cfg, tenantID, token)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The family revocation had to commit, so the refusal comes after.
	if stolen {
		return nil, errRefreshInvalid()
	}
	return out, nil
}

// rotate exchanges token in w. stolen reports a reuse past the grace, whose
// session rotate has revoked.
func (s *Service) rotate(ctx context.Context, w *domain.Write, cfg *Config, tenantID, token string) (out *Session, stolen bool, err error) {
	hash := tokenHash(s.core.Secret, token)
	// The row lock serializes concurrent exchanges of one token: the
	// second one sees it used and gets the same successor.
	rt, err := db.AuthRefreshTokenForUpdate(ctx, w.Tx, tenantID, hash)
	if db.IsNoRows(err) {
		return nil, false, errRefreshInvalid()
	}
	if err != nil {
		return nil, false, domain.Internal(err)
	}
	sess, u, err := s.liveSession(ctx, w, tenantID, rt.SessionID)
	if err != nil {
		return nil, false, err
	}
	// Governance's session duration counts from sign-in; sessions older
	// than it were cut when it was set, this catches any created meanwhile.
	if d := cfg.governance.SessionDuration; d > 0 && !sess.CreatedAt.Add(d).After(s.now()) {
		return nil, false, errRefreshInvalid()
	}
	now, aad := s.now(), refreshAAD(tenantID, sess.ID)
	switch {
	case rt.UsedAt == nil:
		successor, err := s.newRefreshToken(ctx, w, tenantID, sess.ID)
		if err != nil {
			return nil, false, err
		}
		if err := db.AuthRefreshTokenMarkUsed(ctx, w.Tx, tenantID, hash, now, s.sealer.seal([]byte(successor), aad)); err != nil {
			return nil, false, domain.Internal(err)
		}
		if err := w.AuditAs(string(domain.PrincipalUser), u.ID, tenantID, "auth.token_refresh", "session", sess.ID,
			map[string]any{"user_id": u.ID}); err != nil {
			return nil, false, err
		}
		if out, err = s.answer(cfg, tenantID, u, sess.ID, sess.AAL, successor); err != nil {
			return nil, false, err
		}
		return out, false, s.flagEnrollment(ctx, tenantID, u, sess.AAL, out)
	case now.Sub(*rt.UsedAt) <= refreshGrace:
		// Only a row lock was taken: the rotation was audited when it happened.
		w.SkipAudit("refresh replayed within the grace period")
		successor, err := s.sealer.open(rt.SuccessorEnc, aad)
		if err != nil {
			// Only a changed server secret does this: sign in again.
			return nil, false, errRefreshInvalid()
		}
		if out, err = s.answer(cfg, tenantID, u, sess.ID, sess.AAL, string(successor)); err != nil {
			return nil, false, err
		}
		return out, false, s.flagEnrollment(ctx, tenantID, u, sess.AAL, out)
	default:
		if _, err := db.AuthSessionRevokeAny(ctx, w.Tx, tenantID, sess.ID, "refresh_token_reuse", now); err != nil {
			return nil, false, domain.Internal(err)
		}
		s.core.Log.Warn("refresh token reused; session revoked", "tenant_id", tenantID, "session_id", sess.ID, "user_id", u.ID)
		return nil, true, w.Audit(tenantID, "session.revoke", "session", sess.ID,
			map[string]any{"user_id": u.ID, "reason": "refresh_token_reuse"})
	}
}

// liveSession loads a session that may still be refreshed, with its user.
// Errors: INVALID_TOKEN (ended session, gone user), USER_BANNED.
func (s *Service) liveSession(ctx context.Context, w *domain.Write, tenantID, sessionID string) (*db.AuthSession, *db.AuthUser, error) {
	sess, err := db.AuthSessionGet(ctx, w.Tx, tenantID, sessionID)
	if db.IsNoRows(err) {
		return nil, nil, errRefreshInvalid()
	}
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	if sess.RevokedAt != nil || !sess.ExpiresAt.After(s.now()) {
		return nil, nil, errRefreshInvalid()
	}
	u, err := db.AuthUserGet(ctx, w.Tx, tenantID, sess.UserID)
	if db.IsNoRows(err) {
		return nil, nil, errRefreshInvalid()
	}
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	if u.Banned {
		return nil, nil, domain.Errorf(domain.CodeUserBanned, "This user is banned.")
	}
	return sess, u, nil
}

// Logout revokes the session of the given refresh token (or, without one,
// the caller's own session when the bearer is a user token). A user bearer
// may only end its own sessions. Logging out an ended session again
// succeeds. Errors: VALIDATION_FAILED, INVALID_TOKEN.
func (s *Service) Logout(ctx context.Context, in LogoutInput) (Notice, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return Notice{}, err
	}
	token := strings.TrimSpace(in.RefreshToken)
	isUser := p.Kind == domain.PrincipalUser
	if token == "" && !isUser {
		return Notice{}, domain.Invalid("refresh_token", "is required when the bearer is an API key")
	}
	if token != "" && (!strings.HasPrefix(token, RefreshPrefix) || len(token) > maxRefreshToken) {
		return Notice{}, errRefreshInvalid()
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sessionID := p.SessionID
		if token != "" {
			rt, err := db.AuthRefreshTokenForUpdate(ctx, w.Tx, p.TenantID, tokenHash(s.core.Secret, token))
			if db.IsNoRows(err) {
				return errRefreshInvalid()
			}
			if err != nil {
				return domain.Internal(err)
			}
			sessionID = rt.SessionID
		}
		sess, err := db.AuthSessionGet(ctx, w.Tx, p.TenantID, sessionID)
		if db.IsNoRows(err) || (err == nil && isUser && sess.UserID != p.UserID) {
			return errRefreshInvalid()
		}
		if err != nil {
			return domain.Internal(err)
		}
		return s.endSession(ctx, w, sess, "logout")
	})
	if err != nil {
		return Notice{}, err
	}
	return Notice{Message: "Logged out."}, nil
}

// endSession revokes sess (when still live) with its audit row.
func (s *Service) endSession(ctx context.Context, w *domain.Write, sess *db.AuthSession, reason string) error {
	ended, err := db.AuthSessionRevokeAny(ctx, w.Tx, sess.TenantID, sess.ID, reason, s.now())
	if err != nil {
		return domain.Internal(err)
	}
	if !ended {
		w.SkipAudit("session already ended")
		return nil
	}
	return w.AuditAs(string(domain.PrincipalUser), sess.UserID, sess.TenantID, "auth.sign_out", "user", sess.UserID,
		map[string]any{"session_id": sess.ID, "reason": reason})
}

// AnonymousRole is the role string of anonymous users.
const AnonymousRole = "anonymous"

// Anonymous creates an anonymous user and signs it in (when the tenant
// enables anonymous sign-ins). It counts against the signup throttle.
// Errors: FORBIDDEN, RATE_LIMITED.
func (s *Service) Anonymous(ctx context.Context) (*Session, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !cfg.AnonymousEnabled {
		return nil, domain.Errorf(domain.CodeForbidden, "Anonymous sign-ins are disabled for this tenant.")
	}
	if err := s.throttle(ctx, tenantID, actSignup, cfg.RateLimits.SignupPerMinute); err != nil {
		return nil, err
	}
	now := s.now()
	u := &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Role: AnonymousRole, IsAnonymous: true,
		UserMetadata: json.RawMessage(`{}`), AppMetadata: json.RawMessage(`{"provider":"anonymous"}`), CreatedAt: now, UpdatedAt: now}
	var out *Session
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := s.insertUser(ctx, w, u); err != nil {
			return err
		}
		out, err = s.startSession(ctx, w, cfg, newSessionInput{TenantID: tenantID, User: u, Method: "anonymous"})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
