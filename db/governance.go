package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// GovernanceSettings is a row of governance_settings.
type GovernanceSettings struct {
	bun.BaseModel       `bun:"table:governance_settings"`
	TenantID            string    `bun:"tenant_id,pk"`
	IPAllowlist         []string  `bun:"ip_allowlist,array"`
	SessionDurationSecs int       `bun:"session_duration_secs"`
	PasswordMinLength   int       `bun:"password_min_length"`
	MFARequiredRoles    []string  `bun:"mfa_required_roles,array"`
	AuditRetentionDays  int       `bun:"audit_retention_days"`
	UpdatedAt           time.Time `bun:"updated_at"`
	UpdatedBy           string    `bun:"updated_by"`
}

// GovernanceGet loads a tenant's settings (sql.ErrNoRows when never set).
func GovernanceGet(ctx context.Context, idb bun.IDB, tenantID string) (*GovernanceSettings, error) {
	row := new(GovernanceSettings)
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Scan(ctx)
	return row, err
}

// GovernanceGetForUpdate loads and locks a tenant's settings row.
func GovernanceGetForUpdate(ctx context.Context, idb bun.IDB, tenantID string) (*GovernanceSettings, error) {
	row := new(GovernanceSettings)
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).For("UPDATE").Scan(ctx)
	return row, err
}

// GovernanceUpsert writes a tenant's settings.
func GovernanceUpsert(ctx context.Context, idb bun.IDB, row *GovernanceSettings) error {
	_, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id) DO UPDATE").
		Set("ip_allowlist = EXCLUDED.ip_allowlist, session_duration_secs = EXCLUDED.session_duration_secs").
		Set("password_min_length = EXCLUDED.password_min_length, mfa_required_roles = EXCLUDED.mfa_required_roles").
		Set("audit_retention_days = EXCLUDED.audit_retention_days, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by").
		Exec(ctx)
	return err
}

// GovernanceCapSessions ends a tenant's live sessions at created_at + secs
// when that is sooner than their expiry: a shorter session duration applies
// to sessions already signed in. It returns how many were shortened.
func GovernanceCapSessions(ctx context.Context, idb bun.IDB, tenantID string, secs int) (int, error) {
	res, err := idb.NewRaw(`UPDATE auth_sessions SET expires_at = created_at + make_interval(secs => ?)
		WHERE tenant_id = ? AND revoked_at IS NULL AND expires_at > created_at + make_interval(secs => ?)`,
		secs, tenantID, secs).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// GovernanceRetention is a tenant whose audit rows expire.
type GovernanceRetention struct {
	TenantID           string `bun:"tenant_id"`
	AuditRetentionDays int    `bun:"audit_retention_days"`
}

// GovernanceRetentions lists the tenants with an audit retention, in tenant
// order after afterTenantID (keyset paging over many tenants).
func GovernanceRetentions(ctx context.Context, idb bun.IDB, afterTenantID string, limit int) ([]GovernanceRetention, error) {
	rows := []GovernanceRetention{}
	err := idb.NewSelect().Table("governance_settings").Column("tenant_id", "audit_retention_days").
		Where("audit_retention_days > 0 AND tenant_id > ?", afterTenantID).
		OrderExpr("tenant_id").Limit(int64(limit)).Scan(ctx, &rows)
	return rows, err
}

// UserRBACRoleNames lists the names of the RBAC roles assigned to a user.
func UserRBACRoleNames(ctx context.Context, idb bun.IDB, tenantID, userID string) ([]string, error) {
	names := []string{}
	err := idb.NewRaw(`SELECT r.name FROM rbac_user_roles ur
		JOIN rbac_roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.tenant_id = ? AND ur.user_id = ?`, tenantID, userID).Scan(ctx, &names)
	return names, err
}
