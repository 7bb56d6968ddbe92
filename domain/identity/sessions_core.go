package identity

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// RefreshPrefix starts every refresh token.
const RefreshPrefix = "rt_"

// newSessionInput says how a session starts.
type newSessionInput struct {
	TenantID string
	User     *db.AuthUser
	Method   string // password, magic_link, otp, anonymous, signup, mfa, recovery, oauth, ...
	AAL      string // "aal1" (default) or "aal2"
}

// startSession creates a session and its first refresh token in w, marks the
// user's sign-in and answers the tokens. Every sign-in path ends here.
func (s *Service) startSession(ctx context.Context, w *domain.Write, cfg *Config, in newSessionInput) (*Session, error) {
	now := s.now()
	meta := domain.RequestMetaFrom(ctx)
	aal := in.AAL
	if aal == "" {
		aal = "aal1"
	}
	lifetime := s.opts.SessionLifetime
	if cfg.SessionLifetimeSecs > 0 {
		lifetime = time.Duration(cfg.SessionLifetimeSecs) * time.Second
	}
	// Governance's session duration is an upper bound (the stricter wins).
	if d := cfg.governance.SessionDuration; d > 0 && d < lifetime {
		lifetime = d
	}
	sess := &db.AuthSession{TenantID: in.TenantID, ID: domain.NewID(domain.PrefixSession), UserID: in.User.ID,
		Method: in.Method, AAL: aal, IP: meta.IP, UserAgent: truncate(meta.UserAgent, 512),
		CreatedAt: now, LastActiveAt: now, ExpiresAt: now.Add(lifetime)}
	if err := db.AuthSessionInsert(ctx, w.Tx, sess); err != nil {
		return nil, domain.Internal(err)
	}
	refresh, err := s.newRefreshToken(ctx, w, in.TenantID, sess.ID)
	if err != nil {
		return nil, err
	}
	in.User.LastSignInAt = &now
	if _, err := w.Tx.NewUpdate().Table("auth_users").Set("last_sign_in_at = ?", now).
		Where("tenant_id = ? AND id = ?", in.TenantID, in.User.ID).Exec(ctx); err != nil {
		return nil, domain.Internal(err)
	}
	if err := w.AuditAs(string(domain.PrincipalUser), in.User.ID, in.TenantID, "auth.sign_in", "user", in.User.ID,
		map[string]any{"method": in.Method, "session_id": sess.ID, "aal": aal}); err != nil {
		return nil, err
	}
	out, err := s.answer(cfg, in.TenantID, in.User, sess.ID, aal, refresh)
	if err != nil {
		return nil, err
	}
	return out, s.flagEnrollment(ctx, in.TenantID, in.User, aal, out)
}

// flagEnrollment marks an answer whose session governance limits to MFA
// enrollment: the user's role requires MFA and the session is not aal2
// (the user has no verified factor, or it would have been challenged).
// Authenticate's caller (the app) applies the limit on every request.
func (s *Service) flagEnrollment(ctx context.Context, tenantID string, u *db.AuthUser, aal string, out *Session) error {
	if s.opts.Governance == nil || aal == "aal2" {
		return nil
	}
	required, err := s.opts.Governance.MFARequired(ctx, tenantID, u.ID, u.Role)
	if err != nil {
		return err
	}
	out.MFAEnrollmentRequired = required
	return nil
}

// newRefreshToken stores a fresh refresh token of a session.
func (s *Service) newRefreshToken(ctx context.Context, w *domain.Write, tenantID, sessionID string) (string, error) {
	token := randomToken(RefreshPrefix, 40)
	err := db.AuthRefreshTokenInsert(ctx, w.Tx, &db.AuthRefreshToken{TokenHash: tokenHash(s.core.Secret, token),
		TenantID: tenantID, SessionID: sessionID, CreatedAt: s.now()})
	if err != nil {
		return "", domain.Internal(err)
	}
	return token, nil
}

// answer signs an access token for the session and builds the answer.
func (s *Service) answer(cfg *Config, tenantID string, u *db.AuthUser, sessionID, aal, refresh string) (*Session, error) {
	ttl := time.Duration(cfg.JWTExpirySecs) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	now := s.now()
	c := AccessClaims{TenantID: tenantID, SessionID: sessionID, Role: u.Role, AAL: aal, Anonymous: u.IsAnonymous}
	c.Subject = u.ID
	if u.Email != nil {
		c.Email = *u.Email
	}
	token, err := s.signer.sign(c, now, ttl)
	if err != nil {
		return nil, domain.Internal(err)
	}
	return &Session{AccessToken: token, RefreshToken: refresh, TokenType: "bearer",
		ExpiresIn: int(ttl / time.Second), ExpiresAt: now.Add(ttl).Unix(),
		User: SessionUser{ID: u.ID, Email: u.Email, Role: u.Role}}, nil
}

// LooksLikeAccessToken tells an end-user JWT from an API key without
// parsing it, so the credential resolver picks the right path.
func LooksLikeAccessToken(token string) bool {
	return strings.HasPrefix(token, "eyJ") && strings.Count(token, ".") == 2
}

// Authenticate resolves an end user's access token into a principal. The
// session is checked on every request (revoked, expired, banned user,
// suspended tenant), so revocation ends outstanding tokens at once; the
// user's current role is read with it. Errors: INVALID_TOKEN, USER_BANNED,
// TENANT_SUSPENDED.
func (s *Service) Authenticate(ctx context.Context, token, clientIP string) (*domain.Principal, error) {
	now := s.now()
	c, err := s.signer.verify(token, now)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalidToken, "The access token is invalid or expired.")
	}
	st, err := db.AuthSessionState(ctx, s.core.DB, c.TenantID, c.SessionID)
	if db.IsNoRows(err) {
		return nil, domain.Errorf(domain.CodeInvalidToken, "The session has ended.")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	// A ban revokes the user's sessions too; it is reported first so the
	// client learns why its token stopped working.
	switch {
	case st.UserID != c.Subject:
		return nil, domain.Errorf(domain.CodeInvalidToken, "The session has ended.")
	case st.Banned:
		return nil, domain.Errorf(domain.CodeUserBanned, "This user is banned.")
	case st.RevokedAt != nil, !st.ExpiresAt.After(now):
		return nil, domain.Errorf(domain.CodeInvalidToken, "The session has ended.")
	case st.TenantStat == "suspended":
		return nil, domain.Errorf(domain.CodeTenantSuspended, "This tenant is suspended.")
	}
	s.touch.mark(c.TenantID, c.SessionID, now)
	return &domain.Principal{Kind: domain.PrincipalUser, TenantID: c.TenantID, UserID: c.Subject,
		SessionID: c.SessionID, Role: st.Role, AAL: st.AAL, RateLimit: UserRateLimit}, nil
}

// UserRateLimit is an end user's request allowance (per user).
var UserRateLimit = domain.RateLimit{PerMinute: 300, PerHour: 10_000}

// sessionTouches batches last_active_at so that authenticating a request
// never writes to Postgres.
type sessionTouches struct {
	mu sync.Mutex
	at map[[2]string]time.Time
}

func newSessionTouches() *sessionTouches { return &sessionTouches{at: map[[2]string]time.Time{}} }

func (t *sessionTouches) mark(tenantID, sessionID string, at time.Time) {
	t.mu.Lock()
	t.at[[2]string{tenantID, sessionID}] = at
	t.mu.Unlock()
}

// FlushSessionActivity writes pending last_active_at times in one statement.
func (s *Service) FlushSessionActivity(ctx context.Context) error {
	s.touch.mu.Lock()
	batch := s.touch.at
	s.touch.at = map[[2]string]time.Time{}
	s.touch.mu.Unlock()
	var tenants, ids []string
	var times []time.Time
	for k, at := range batch {
		tenants, ids, times = append(tenants, k[0]), append(ids, k[1]), append(times, at)
	}
	return db.AuthSessionTouch(ctx, s.core.DB, tenants, ids, times)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
