package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// MFA factors, recovery codes and session assurance levels. Every query is
// scoped by tenant and, where a user acts on its own rows, by user.

// AuthFactorsOfUser lists a user's factors (verified or not), oldest first.
func AuthFactorsOfUser(ctx context.Context, idb bun.IDB, tenantID, userID string) ([]AuthFactor, error) {
	rows := []AuthFactor{}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).
		OrderExpr("created_at, id").Scan(ctx)
	return rows, err
}

// AuthFactorGet loads one factor of a user.
func AuthFactorGet(ctx context.Context, idb bun.IDB, tenantID, userID, id string) (*AuthFactor, error) {
	row := new(AuthFactor)
	err := idb.NewSelect().Model(row).
		Where("tenant_id = ? AND user_id = ? AND id = ?", tenantID, userID, id).Scan(ctx)
	return row, err
}

// AuthFactorInsert stores a new factor.
func AuthFactorInsert(ctx context.Context, idb bun.IDB, row *AuthFactor) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthFactorsDeleteUnverified drops a user's unverified factors (abandoned
// enrollments).
func AuthFactorsDeleteUnverified(ctx context.Context, idb bun.IDB, tenantID, userID string) error {
	_, err := idb.NewDelete().Table("auth_mfa_factors").
		Where("tenant_id = ? AND user_id = ? AND verified_at IS NULL", tenantID, userID).Exec(ctx)
	return err
}

// AuthFactorDelete deletes one factor of a user and reports whether it
// existed.
func AuthFactorDelete(ctx context.Context, idb bun.IDB, tenantID, userID, id string) (bool, error) {
	res, err := idb.NewDelete().Table("auth_mfa_factors").
		Where("tenant_id = ? AND user_id = ? AND id = ?", tenantID, userID, id).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthFactorUseStep records that the TOTP time step was used, provided it
// is later than the last used one (the replay guard, atomic under
// concurrent requests), and marks the factor verified (keeping an earlier
// time). It reports whether the step was accepted.
func AuthFactorUseStep(ctx context.Context, idb bun.IDB, tenantID, id string, step int64, at time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("auth_mfa_factors").
		Set("last_used_step = ?", step).Set("verified_at = COALESCE(verified_at, ?)", at).
		Where("tenant_id = ? AND id = ? AND last_used_step < ?", tenantID, id, step).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthFactorsVerifiedCount counts a user's verified factors.
func AuthFactorsVerifiedCount(ctx context.Context, idb bun.IDB, tenantID, userID string) (int, error) {
	n, err := idb.NewSelect().Table("auth_mfa_factors").
		Where("tenant_id = ? AND user_id = ? AND verified_at IS NOT NULL", tenantID, userID).Count(ctx)
	return int(n), err
}

// AuthRecoveryCode is a row of auth_recovery_codes (an HMAC, never the code).
type AuthRecoveryCode struct {
	bun.BaseModel `bun:"table:auth_recovery_codes,alias:rc"`
	TenantID      string     `bun:"tenant_id,pk"`
	UserID        string     `bun:"user_id,pk"`
	CodeHash      []byte     `bun:"code_hash,pk"`
	UsedAt        *time.Time `bun:"used_at"`
	CreatedAt     time.Time  `bun:"created_at"`
}

// AuthRecoveryCodesReplace replaces a user's recovery codes with hashes.
func AuthRecoveryCodesReplace(ctx context.Context, idb bun.IDB, tenantID, userID string, hashes [][]byte, at time.Time) error {
	if err := AuthRecoveryCodesDelete(ctx, idb, tenantID, userID); err != nil {
		return err
	}
	rows := make([]AuthRecoveryCode, len(hashes))
	for i, h := range hashes {
		rows[i] = AuthRecoveryCode{TenantID: tenantID, UserID: userID, CodeHash: h, CreatedAt: at}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// AuthRecoveryCodesDelete deletes a user's recovery codes.
func AuthRecoveryCodesDelete(ctx context.Context, idb bun.IDB, tenantID, userID string) error {
	_, err := idb.NewDelete().Table("auth_recovery_codes").
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx)
	return err
}

// AuthRecoveryCodeUse marks an unused recovery code of a user used and
// reports whether one matched (false: unknown or already used).
func AuthRecoveryCodeUse(ctx context.Context, idb bun.IDB, tenantID, userID string, hash []byte, at time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("auth_recovery_codes").Set("used_at = ?", at).
		Where("tenant_id = ? AND user_id = ? AND code_hash = ? AND used_at IS NULL", tenantID, userID, hash).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthSessionSetAAL raises a live session of a user to aal.
func AuthSessionSetAAL(ctx context.Context, idb bun.IDB, tenantID, userID, sessionID, aal string) error {
	_, err := idb.NewUpdate().Table("auth_sessions").Set("aal = ?", aal).
		Where("tenant_id = ? AND id = ? AND user_id = ? AND revoked_at IS NULL", tenantID, sessionID, userID).Exec(ctx)
	return err
}
