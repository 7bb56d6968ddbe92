package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Sessions, refresh-token families and a user's data export. Every query is
// scoped by tenant and, where a user acts on its own rows, by user.

// AuthSessionForUpdate loads and row-locks a session, so that a refresh and
// a revocation of the same session are serialized.
func AuthSessionForUpdate(ctx context.Context, idb bun.IDB, tenantID, sessionID string) (*AuthSession, error) {
	row := new(AuthSession)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, sessionID).For("UPDATE").Scan(ctx)
	return row, err
}

// AuthSessionRevokeAny revokes one live session whatever its user (family
// revocation on refresh-token reuse) and reports whether it was live.
func AuthSessionRevokeAny(ctx context.Context, idb bun.IDB, tenantID, sessionID, reason string, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("auth_sessions").
		Set("revoked_at = ?", now).Set("revoke_reason = ?", reason).
		Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, sessionID).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthSessionsRevokeOthers revokes a user's live sessions except keepID and
// returns the ids it revoked.
func AuthSessionsRevokeOthers(ctx context.Context, idb bun.IDB, tenantID, userID, keepID, reason string, now time.Time) ([]string, error) {
	var revoked []string
	err := idb.NewUpdate().Table("auth_sessions").
		Set("revoked_at = ?", now).Set("revoke_reason = ?", reason).
		Where("tenant_id = ? AND user_id = ? AND id <> ? AND revoked_at IS NULL", tenantID, userID, keepID).
		Returning("id").Scan(ctx, &revoked)
	return revoked, err
}

// AuthSessionsOfUser lists a user's sessions, ended ones included, newest
// first.
func AuthSessionsOfUser(ctx context.Context, idb bun.IDB, tenantID, userID string, limit int) ([]AuthSession, error) {
	rows := []AuthSession{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND user_id = ?", tenantID, userID).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// AuthMessagesTo lists the messages sent to any of recipients, newest first.
func AuthMessagesTo(ctx context.Context, idb bun.IDB, tenantID string, recipients []string, limit int) ([]AuthMessage, error) {
	rows := []AuthMessage{}
	if len(recipients) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND recipient IN (?)", tenantID, bun.In(recipients)).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// AuditByActor lists a tenant's audit rows written by one actor, newest first.
func AuditByActor(ctx context.Context, idb bun.IDB, tenantID, actorID string, limit int) ([]AuditLog, error) {
	rows := []AuditLog{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND actor_id = ?", tenantID, actorID).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}
