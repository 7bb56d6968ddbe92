package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Narrow updates of the one-time-token flows (email verification, password
// reset, magic link, OTP). Each sets only its own columns, so a flow never
// overwrites a concurrent change to the rest of the user.

// AuthUserMarkEmailVerified sets email_verified_at (keeping an earlier
// time) on the user, provided its email is still email. It reports whether
// a row matched: false when the user is gone or its email changed.
func AuthUserMarkEmailVerified(ctx context.Context, idb bun.IDB, tenantID, id, email string, at time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("auth_users").
		Set("email_verified_at = COALESCE(email_verified_at, ?)", at).Set("updated_at = ?", at).
		Where("tenant_id = ? AND id = ? AND email = ?", tenantID, id, email).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthUserMarkPhoneVerified sets phone_verified_at (keeping an earlier
// time) on the user.
func AuthUserMarkPhoneVerified(ctx context.Context, idb bun.IDB, tenantID, id string, at time.Time) error {
	_, err := idb.NewUpdate().Table("auth_users").
		Set("phone_verified_at = COALESCE(phone_verified_at, ?)", at).Set("updated_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AuthUserSetPassword stores a new password hash.
func AuthUserSetPassword(ctx context.Context, idb bun.IDB, tenantID, id, hash string, at time.Time) error {
	_, err := idb.NewUpdate().Table("auth_users").
		Set("password_hash = ?", hash).Set("updated_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}
