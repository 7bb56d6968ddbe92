package db

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// AuthUserListParams filters and pages a tenant's users.
type AuthUserListParams struct {
	TenantID string
	Search   string // email or phone substring, case-insensitive
	Role     string // exact role, "" for any
	Limit    int
	Offset   int
}

// AuthUserList returns one page of a tenant's users, newest first, and the
// number of users matching the filters.
func AuthUserList(ctx context.Context, idb bun.IDB, p AuthUserListParams) ([]AuthUser, int, error) {
	rows := []AuthUser{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", p.TenantID)
	if p.Search != "" {
		pattern := "%" + likeEscape(strings.ToLower(p.Search)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`email LIKE ? ESCAPE '\'`, pattern).
				WhereOr(`phone LIKE ? ESCAPE '\'`, pattern)
		})
	}
	if p.Role != "" {
		q = q.Where("role = ?", p.Role)
	}
	total, err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	return rows, int(total), err
}

// AuthUserDelete deletes a user; its sessions, refresh tokens, factors and
// recovery codes go with it (ON DELETE CASCADE). It reports whether a row
// was deleted.
func AuthUserDelete(ctx context.Context, idb bun.IDB, tenantID, id string) (bool, error) {
	res, err := idb.NewDelete().Model((*AuthUser)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthUserDependents counts what deleting a user would take with it: its
// live sessions and its MFA factors.
func AuthUserDependents(ctx context.Context, idb bun.IDB, tenantID, userID string, now time.Time) (sessions, factors int, err error) {
	err = idb.NewRaw(`SELECT
		(SELECT count(*) FROM auth_sessions WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?),
		(SELECT count(*) FROM auth_mfa_factors WHERE tenant_id = ? AND user_id = ?)`,
		tenantID, userID, now, tenantID, userID).Scan(ctx, &sessions, &factors)
	return sessions, factors, err
}

// AuthConfigLock loads and row-locks a tenant's stored auth configuration,
// creating an empty one first, so that concurrent updates apply one after
// the other.
func AuthConfigLock(ctx context.Context, idb bun.IDB, tenantID string, now time.Time) (*AuthConfig, error) {
	_, err := idb.NewInsert().Model(&AuthConfig{TenantID: tenantID, Config: []byte("{}"), UpdatedAt: now}).
		On("CONFLICT (tenant_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, err
	}
	row := new(AuthConfig)
	err = idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).For("UPDATE").Scan(ctx)
	return row, err
}

// TenantOfEmail is one active tenant with a user of a given email.
type TenantOfEmail struct {
	ID   string `bun:"id"`
	Name string `bun:"name"`
}

// TenantsOfEmail lists the active tenants that have a user with email
// (already lower-cased), by name, at most limit.
func TenantsOfEmail(ctx context.Context, idb bun.IDB, email string, limit int) ([]TenantOfEmail, error) {
	rows := []TenantOfEmail{}
	err := idb.NewSelect().TableExpr("auth_users AS u").
		ColumnExpr("t.id, t.name").
		Join("JOIN tenants AS t ON t.id = u.tenant_id").
		Where("u.email = ? AND t.status = 'active'", email).
		OrderExpr("t.name, t.id").Limit(int64(limit)).Scan(ctx, &rows)
	return rows, err
}
