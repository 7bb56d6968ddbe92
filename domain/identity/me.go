package identity

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// UpdateMeInput is the body of PATCH /v1/auth/user. An anonymous user that
// sets an email and a password becomes a full account.
type UpdateMeInput struct {
	Email        *string         `json:"email"`
	Phone        *string         `json:"phone"`
	Password     *string         `json:"password"`
	UserMetadata json.RawMessage `json:"user_metadata"`
	Role         *string         `json:"role"` // refused: 403
	RedirectTo   string          `json:"redirect_to"`
}

// Me returns the signed-in user. Errors: UNAUTHORIZED (not a user token).
func (s *Service) Me(ctx context.Context) (User, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return User{}, err
	}
	u, err := s.currentUser(ctx, s.core.DB, p, false)
	if err != nil {
		return User{}, err
	}
	return userFromRow(u), nil
}

// currentUser loads the signed-in user (row-locked when forUpdate). A user
// deleted since its token was checked is INVALID_TOKEN.
func (s *Service) currentUser(ctx context.Context, idb bun.IDB, p *domain.Principal, forUpdate bool) (*db.AuthUser, error) {
	get := db.AuthUserGet
	if forUpdate {
		get = db.AuthUserGetForUpdate
	}
	u, err := get(ctx, idb, p.TenantID, p.UserID)
	if db.IsNoRows(err) {
		return nil, domain.Errorf(domain.CodeInvalidToken, "The session has ended.")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return u, nil
}

// meChange is a validated UpdateMeInput.
type meChange struct {
	email, phone *string
	passwordHash *string
	meta         json.RawMessage
}

// UpdateMe changes the signed-in user's email, phone, password or metadata.
// A new email is unverified until its link is opened (a verification is
// mailed); a new phone is unverified; a new password ends the user's other
// sessions. Errors: FORBIDDEN (role), VALIDATION_FAILED, CONFLICT.
func (s *Service) UpdateMe(ctx context.Context, in UpdateMeInput) (User, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return User{}, err
	}
	if in.Role != nil {
		return User{}, domain.Errorf(domain.CodeForbidden, "Users cannot change their own role.")
	}
	cfg, err := s.config(ctx, p.TenantID)
	if err != nil {
		return User{}, err
	}
	cur, err := s.currentUser(ctx, s.core.DB, p, false)
	if err != nil {
		return User{}, err
	}
	ch, err := s.checkMeUpdate(ctx, cfg, cur, in)
	if err != nil {
		return User{}, err
	}
	var out User
	var changed []string
	err = s.core.Write(ctx, func(w *domain.Write) error {
		u, err := s.currentUser(ctx, w.Tx, p, true)
		if err != nil {
			return err
		}
		changed = s.applyMeUpdate(u, ch)
		out = userFromRow(u)
		if len(changed) == 0 {
			return nil
		}
		return s.saveMe(ctx, w, p, u, changed)
	})
	if err != nil {
		return User{}, err
	}
	if slices.Contains(changed, "email") {
		u := &db.AuthUser{TenantID: p.TenantID, ID: out.ID, Email: out.Email}
		if err := s.sendVerification(ctx, p.TenantID, u, in.RedirectTo); err != nil {
			s.core.Log.Warn("verification email not sent", "tenant_id", p.TenantID, "user_id", out.ID, "err", err)
		}
	}
	return out, nil
}

// checkMeUpdate validates an update against the current user before any row
// is locked (hashing a password is slow).
func (s *Service) checkMeUpdate(ctx context.Context, cfg *Config, cur *db.AuthUser, in UpdateMeInput) (*meChange, error) {
	ch := &meChange{}
	var v domain.Validation
	if in.Email != nil {
		e := normalizeEmail(*in.Email)
		checkEmail(&v, "email", e, true)
		ch.email = &e
	}
	if in.Phone != nil {
		ph := strings.TrimSpace(*in.Phone)
		checkPhone(&v, "phone", ph, false)
		// Removing the phone must leave a way to sign in.
		v.Check(ph == "" && cur.Email == nil && in.Email == nil && !cur.IsAnonymous, "phone", "cannot be removed from a user without an email")
		ch.phone = &ph
	}
	if in.Password != nil {
		cfg.checkPassword(&v, "password", *in.Password)
	}
	// An anonymous user's email makes it a real account, which needs a
	// password to sign in again.
	v.Check(cur.IsAnonymous && in.Email != nil && in.Password == nil && cur.PasswordHash == nil,
		"password", "is required to turn an anonymous user into a full account")
	if len(in.UserMetadata) > 0 {
		ch.meta = checkMetadata(&v, "user_metadata", in.UserMetadata)
	}
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashOptional(ctx, in.Password)
	ch.passwordHash = hash
	return ch, err
}

// applyMeUpdate applies ch to u and names the members it changed.
func (s *Service) applyMeUpdate(u *db.AuthUser, ch *meChange) (changed []string) {
	if ch.email != nil && !sameString(u.Email, *ch.email) {
		u.Email, u.EmailVerifiedAt = ch.email, nil
		changed = append(changed, "email")
	}
	if ch.phone != nil && !sameString(u.Phone, *ch.phone) {
		u.Phone, u.PhoneVerifiedAt = optString(*ch.phone), nil
		changed = append(changed, "phone")
	}
	if ch.passwordHash != nil {
		u.PasswordHash = ch.passwordHash
		changed = append(changed, "password")
	}
	if ch.meta != nil {
		u.UserMetadata = ch.meta
		changed = append(changed, "user_metadata")
	}
	if u.IsAnonymous && u.Email != nil && u.PasswordHash != nil {
		u.IsAnonymous = false
		if u.Role == AnonymousRole {
			u.Role = DefaultRole
		}
		changed = append(changed, "is_anonymous")
	}
	if len(changed) > 0 {
		u.UpdatedAt = s.now()
	}
	return changed
}

// saveMe writes the changed user; a new password ends the user's other
// sessions (whoever knew the old one is out), keeping the caller's.
func (s *Service) saveMe(ctx context.Context, w *domain.Write, p *domain.Principal, u *db.AuthUser, changed []string) error {
	if err := db.AuthUserUpdate(ctx, w.Tx, u); err != nil {
		if db.IsUniqueViolation(err) {
			return domain.Errorf(domain.CodeConflict, "A user with this email or phone already exists.")
		}
		return domain.Internal(err)
	}
	var revoked []string
	if slices.Contains(changed, "password") {
		var err error
		revoked, err = db.AuthSessionsRevokeOthers(ctx, w.Tx, p.TenantID, u.ID, p.SessionID, "password_changed", s.now())
		if err != nil {
			return domain.Internal(err)
		}
	}
	view := userFromRow(u)
	if err := w.Audit(p.TenantID, "user.update", "user", u.ID, map[string]any{"changed": changed,
		"after": auditUser(view), "sessions_revoked": len(revoked)}); err != nil {
		return err
	}
	return w.Emit(p.TenantID, Topic, EventUserUpdated, view)
}

// exportEvery is how often a user may export its data.
const exportEvery = time.Hour

// Bounds of an export's lists (the newest rows are kept).
const (
	exportMaxSessions = 500
	exportMaxMessages = 200
	exportMaxAudit    = 1000
)

// ExportMe returns all data held about the signed-in user (GDPR), at most
// once an hour: no secrets (password hash, TOTP seeds, tokens, the links and
// codes of messages). Errors: RATE_LIMITED with retry_after.
func (s *Service) ExportMe(ctx context.Context) (map[string]any, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	key := kv.TenantKey(p.TenantID, "export", p.UserID)
	if err := s.exportSlot(ctx, key); err != nil {
		return nil, err
	}
	out, err := s.exportData(ctx, p)
	if err != nil {
		// A failed export does not spend the hour.
		s.core.Redis.Del(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return out, nil
}

// exportSlot takes the user's hourly export slot (SET NX with a TTL), or
// answers RATE_LIMITED with the slot's remaining seconds. Redis being down
// lets the export through (fail open, logged), like the auth throttles.
func (s *Service) exportSlot(ctx context.Context, key string) error {
	ok, err := s.core.Redis.SetNX(ctx, key, s.now().UTC().Format(time.RFC3339), exportEvery).Result()
	if err != nil {
		s.core.Log.Warn("export limiter unavailable; export allowed", "err", err)
		return nil
	}
	if ok {
		return nil
	}
	ttl, err := s.core.Redis.TTL(ctx, key).Result()
	if err != nil || ttl <= 0 {
		ttl = time.Second
	}
	secs := int((ttl + time.Second - 1) / time.Second)
	return domain.Errorf(domain.CodeRateLimited, "Your data can be exported once an hour; retry in %d seconds.", secs).
		With("retry_after", secs)
}

// exportData gathers the user's rows.
func (s *Service) exportData(ctx context.Context, p *domain.Principal) (map[string]any, error) {
	u, err := s.currentUser(ctx, s.core.DB, p, false)
	if err != nil {
		return nil, err
	}
	sessions, err := db.AuthSessionsOfUser(ctx, s.core.DB, p.TenantID, u.ID, exportMaxSessions)
	if err != nil {
		return nil, domain.Internal(err)
	}
	factors, err := s.listFactors(ctx, p.TenantID, u.ID)
	if err != nil {
		return nil, err
	}
	var to []string
	for _, r := range []*string{u.Email, u.Phone} {
		if r != nil {
			to = append(to, *r)
		}
	}
	msgs, err := db.AuthMessagesTo(ctx, s.core.DB, p.TenantID, to, exportMaxMessages)
	if err != nil {
		return nil, domain.Internal(err)
	}
	audit, err := db.AuditByActor(ctx, s.core.DB, p.TenantID, u.ID, exportMaxAudit)
	if err != nil {
		return nil, domain.Internal(err)
	}
	return map[string]any{
		"_meta": map[string]any{"user_id": u.ID, "tenant_id": p.TenantID, "export_type": "user_data_export",
			"exported_at": s.now().UTC()},
		"user":        userFromRow(u),
		"sessions":    exportSessions(sessions),
		"mfa_factors": exportFactors(factors),
		"messages":    exportMessages(msgs),
		"audit":       exportAudit(audit),
	}, nil
}

// exportedSession is a session in an export (ended ones included).
type exportedSession struct {
	ID           string     `json:"id"`
	IP           string     `json:"ip"`
	UserAgent    string     `json:"user_agent"`
	Method       string     `json:"method"`
	AAL          string     `json:"aal"`
	CreatedAt    time.Time  `json:"created_at"`
	LastActiveAt time.Time  `json:"last_active_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RevokedAt    *time.Time `json:"revoked_at"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
}

func exportSessions(rows []db.AuthSession) []exportedSession {
	out := make([]exportedSession, 0, len(rows))
	for _, r := range rows {
		out = append(out, exportedSession{ID: r.ID, IP: r.IP, UserAgent: r.UserAgent, Method: r.Method, AAL: r.AAL,
			CreatedAt: r.CreatedAt, LastActiveAt: r.LastActiveAt, ExpiresAt: r.ExpiresAt,
			RevokedAt: r.RevokedAt, RevokeReason: r.RevokeReason})
	}
	return out
}

// exportedFactor is an MFA factor in an export: never its secret.
type exportedFactor struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	FriendlyName string     `json:"friendly_name"`
	CreatedAt    time.Time  `json:"created_at"`
	VerifiedAt   *time.Time `json:"verified_at"`
}

func exportFactors(fs []Factor) []exportedFactor {
	out := make([]exportedFactor, 0, len(fs))
	for _, f := range fs {
		out = append(out, exportedFactor{ID: f.ID, Type: f.Type, FriendlyName: f.FriendlyName,
			CreatedAt: f.CreatedAt, VerifiedAt: f.VerifiedAt})
	}
	return out
}

// exportedMessage is a message in an export: what was sent and when, never
// its link or code (some may still be valid).
type exportedMessage struct {
	Kind      string    `json:"kind"`
	Channel   string    `json:"channel"`
	CreatedAt time.Time `json:"created_at"`
}

func exportMessages(rows []db.AuthMessage) []exportedMessage {
	out := make([]exportedMessage, 0, len(rows))
	for _, r := range rows {
		out = append(out, exportedMessage{Kind: r.Kind, Channel: r.Channel, CreatedAt: r.CreatedAt})
	}
	return out
}

// exportedAudit is an action of the user in an export.
type exportedAudit struct {
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	IP           string    `json:"ip"`
	CreatedAt    time.Time `json:"created_at"`
}

func exportAudit(rows []db.AuditLog) []exportedAudit {
	out := make([]exportedAudit, 0, len(rows))
	for _, r := range rows {
		out = append(out, exportedAudit{Action: r.Action, ResourceType: r.ResourceType, ResourceID: r.ResourceID,
			IP: r.IP, CreatedAt: r.CreatedAt})
	}
	return out
}
