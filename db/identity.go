package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// AuthUser is a row of auth_users: one end user of one tenant.
type AuthUser struct {
	bun.BaseModel   `bun:"table:auth_users,alias:u"`
	TenantID        string          `bun:"tenant_id,pk"`
	ID              string          `bun:"id,pk"`
	Email           *string         `bun:"email"`
	Phone           *string         `bun:"phone"`
	PasswordHash    *string         `bun:"password_hash"`
	Role            string          `bun:"role"`
	IsAnonymous     bool            `bun:"is_anonymous"`
	EmailVerifiedAt *time.Time      `bun:"email_verified_at"`
	PhoneVerifiedAt *time.Time      `bun:"phone_verified_at"`
	UserMetadata    json.RawMessage `bun:"user_metadata,type:jsonb"`
	AppMetadata     json.RawMessage `bun:"app_metadata,type:jsonb"`
	Banned          bool            `bun:"banned"`
	BanReason       string          `bun:"ban_reason"`
	BannedAt        *time.Time      `bun:"banned_at"`
	LastSignInAt    *time.Time      `bun:"last_sign_in_at"`
	CreatedAt       time.Time       `bun:"created_at"`
	UpdatedAt       time.Time       `bun:"updated_at"`
}

// AuthUserInsert creates a user. A duplicate email or phone is a unique
// violation (IsUniqueViolation).
func AuthUserInsert(ctx context.Context, idb bun.IDB, row *AuthUser) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthUserUpdate writes every column of row.
func AuthUserUpdate(ctx context.Context, idb bun.IDB, row *AuthUser) error {
	_, err := idb.NewUpdate().Model(row).WherePK().Exec(ctx)
	return err
}

// AuthUserGet loads a user of a tenant.
func AuthUserGet(ctx context.Context, idb bun.IDB, tenantID, id string) (*AuthUser, error) {
	row := new(AuthUser)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	return row, err
}

// AuthUserGetForUpdate loads and row-locks a user.
func AuthUserGetForUpdate(ctx context.Context, idb bun.IDB, tenantID, id string) (*AuthUser, error) {
	row := new(AuthUser)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id).For("UPDATE").Scan(ctx)
	return row, err
}

// AuthUserByEmail finds a user by lower-cased email.
func AuthUserByEmail(ctx context.Context, idb bun.IDB, tenantID, email string) (*AuthUser, error) {
	row := new(AuthUser)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND email = ?", tenantID, email).Scan(ctx)
	return row, err
}

// AuthUserByPhone finds a user by E.164 phone.
func AuthUserByPhone(ctx context.Context, idb bun.IDB, tenantID, phone string) (*AuthUser, error) {
	row := new(AuthUser)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND phone = ?", tenantID, phone).Scan(ctx)
	return row, err
}

// AuthSession is a row of auth_sessions.
type AuthSession struct {
	bun.BaseModel `bun:"table:auth_sessions,alias:s"`
	TenantID      string     `bun:"tenant_id,pk"`
	ID            string     `bun:"id,pk"`
	UserID        string     `bun:"user_id"`
	Method        string     `bun:"method"`
	AAL           string     `bun:"aal"`
	IP            string     `bun:"ip"`
	UserAgent     string     `bun:"user_agent"`
	CreatedAt     time.Time  `bun:"created_at"`
	LastActiveAt  time.Time  `bun:"last_active_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
	RevokeReason  string     `bun:"revoke_reason"`
}

// AuthSessionInsert creates a session.
func AuthSessionInsert(ctx context.Context, idb bun.IDB, row *AuthSession) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// SessionState is what checking an access token needs: the session and its
// user's current role and ban.
type SessionState struct {
	UserID     string     `bun:"user_id"`
	AAL        string     `bun:"aal"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	Role       string     `bun:"role"`
	Banned     bool       `bun:"banned"`
	TenantStat string     `bun:"tenant_status"`
}

// AuthSessionState loads a session with its user's role and ban and its
// tenant's status, in one round trip.
func AuthSessionState(ctx context.Context, idb bun.IDB, tenantID, sessionID string) (*SessionState, error) {
	st := new(SessionState)
	err := idb.NewSelect().TableExpr("auth_sessions AS s").
		ColumnExpr("s.user_id, s.aal, s.expires_at, s.revoked_at, u.role, u.banned, t.status AS tenant_status").
		Join("JOIN auth_users AS u ON u.tenant_id = s.tenant_id AND u.id = s.user_id").
		Join("JOIN tenants AS t ON t.id = s.tenant_id").
		Where("s.tenant_id = ? AND s.id = ?", tenantID, sessionID).Scan(ctx, st)
	return st, err
}

// AuthSessionGet loads one session of a user (revoked ones included).
func AuthSessionGet(ctx context.Context, idb bun.IDB, tenantID, sessionID string) (*AuthSession, error) {
	row := new(AuthSession)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, sessionID).Scan(ctx)
	return row, err
}

// AuthSessionsActive lists a user's live sessions, newest first.
func AuthSessionsActive(ctx context.Context, idb bun.IDB, tenantID, userID string, now time.Time, limit int) ([]AuthSession, error) {
	rows := []AuthSession{}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?", tenantID, userID, now).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// AuthSessionsRevoke revokes a user's live sessions (all, or only ids when
// given) and returns the ids it revoked.
func AuthSessionsRevoke(ctx context.Context, idb bun.IDB, tenantID, userID string, ids []string, reason string, now time.Time) ([]string, error) {
	q := idb.NewUpdate().Table("auth_sessions").
		Set("revoked_at = ?", now).Set("revoke_reason = ?", reason).
		Where("tenant_id = ? AND user_id = ? AND revoked_at IS NULL", tenantID, userID)
	if ids != nil {
		q = q.Where("id IN (?)", bun.In(ids))
	}
	var revoked []string
	err := q.Returning("id").Scan(ctx, &revoked)
	return revoked, err
}

// AuthSessionTouch records activity on sessions: ids mapped to times.
func AuthSessionTouch(ctx context.Context, idb bun.IDB, tenantIDs, ids []string, at []time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := idb.NewRaw(`UPDATE auth_sessions AS s SET last_active_at = v.at
		FROM unnest(?::text[], ?::text[], ?::timestamptz[]) AS v(tenant_id, id, at)
		WHERE s.tenant_id = v.tenant_id AND s.id = v.id AND s.last_active_at < v.at`,
		pgdialect.Array(tenantIDs), pgdialect.Array(ids), pgdialect.Array(at)).Exec(ctx)
	return err
}

// AuthRefreshToken is a row of auth_refresh_tokens.
type AuthRefreshToken struct {
	bun.BaseModel `bun:"table:auth_refresh_tokens,alias:rt"`
	TenantID      string     `bun:"tenant_id,pk"`
	TokenHash     []byte     `bun:"token_hash,pk"`
	SessionID     string     `bun:"session_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	UsedAt        *time.Time `bun:"used_at"`
	SuccessorEnc  []byte     `bun:"successor_enc"`
}

// AuthRefreshTokenInsert stores a new refresh token.
func AuthRefreshTokenInsert(ctx context.Context, idb bun.IDB, row *AuthRefreshToken) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthRefreshTokenForUpdate loads and row-locks a tenant's refresh token by hash.
func AuthRefreshTokenForUpdate(ctx context.Context, idb bun.IDB, tenantID string, hash []byte) (*AuthRefreshToken, error) {
	row := new(AuthRefreshToken)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND token_hash = ?", tenantID, hash).For("UPDATE").Scan(ctx)
	return row, err
}

// AuthRefreshTokenMarkUsed records that a token was exchanged and for what.
func AuthRefreshTokenMarkUsed(ctx context.Context, idb bun.IDB, tenantID string, hash []byte, at time.Time, successorEnc []byte) error {
	_, err := idb.NewUpdate().Table("auth_refresh_tokens").
		Set("used_at = ?", at).Set("successor_enc = ?", successorEnc).
		Where("tenant_id = ? AND token_hash = ?", tenantID, hash).Exec(ctx)
	return err
}

// AuthConfig is a row of auth_configs.
type AuthConfig struct {
	bun.BaseModel `bun:"table:auth_configs"`
	TenantID      string          `bun:"tenant_id,pk"`
	Config        json.RawMessage `bun:"config,type:jsonb"`
	SecretsEnc    []byte          `bun:"secrets_enc"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// AuthConfigGet loads a tenant's stored auth configuration.
func AuthConfigGet(ctx context.Context, idb bun.IDB, tenantID string) (*AuthConfig, error) {
	row := new(AuthConfig)
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Scan(ctx)
	return row, err
}

// AuthConfigUpsert stores a tenant's auth configuration.
func AuthConfigUpsert(ctx context.Context, idb bun.IDB, row *AuthConfig) error {
	_, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id) DO UPDATE").
		Set("config = EXCLUDED.config, secrets_enc = EXCLUDED.secrets_enc, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return err
}

// AuthMessage is a row of auth_messages (the local outbox of end-user mail).
type AuthMessage struct {
	bun.BaseModel `bun:"table:auth_messages"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Channel       string    `bun:"channel"`
	Recipient     string    `bun:"recipient"`
	Kind          string    `bun:"kind"`
	Subject       string    `bun:"subject"`
	Body          string    `bun:"body"`
	Link          string    `bun:"link"`
	Code          string    `bun:"code"`
	Status        string    `bun:"status"`
	CreatedAt     time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// AuthMessageInsert stores a message.
func AuthMessageInsert(ctx context.Context, idb bun.IDB, row *AuthMessage) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthMessageList returns messages newest first, optionally of one tenant
// and one recipient.
func AuthMessageList(ctx context.Context, idb bun.IDB, tenantID, recipient string, limit int) ([]AuthMessage, error) {
	rows := []AuthMessage{}
	q := idb.NewSelect().Model(&rows).OrderExpr("created_at DESC, id DESC").Limit(int64(limit))
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	if recipient != "" {
		q = q.Where("recipient = ?", recipient)
	}
	return rows, q.Scan(ctx)
}

// AuthFactor is a row of auth_mfa_factors.
type AuthFactor struct {
	bun.BaseModel `bun:"table:auth_mfa_factors,alias:f"`
	TenantID      string     `bun:"tenant_id,pk"`
	ID            string     `bun:"id,pk"`
	UserID        string     `bun:"user_id"`
	Type          string     `bun:"type"`
	FriendlyName  string     `bun:"friendly_name"`
	SecretEnc     []byte     `bun:"secret_enc"`
	LastUsedStep  int64      `bun:"last_used_step"`
	VerifiedAt    *time.Time `bun:"verified_at"`
	CreatedAt     time.Time  `bun:"created_at"`
}

// AuthFactorsVerified lists a user's verified factors, oldest first.
func AuthFactorsVerified(ctx context.Context, idb bun.IDB, tenantID, userID string) ([]AuthFactor, error) {
	rows := []AuthFactor{}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND user_id = ? AND verified_at IS NOT NULL", tenantID, userID).
		OrderExpr("created_at, id").Scan(ctx)
	return rows, err
}
