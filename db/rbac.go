package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// RBACRole is a row of rbac_roles: a tenant-defined role carrying permission
// strings and optionally inheriting its parent's.
type RBACRole struct {
	bun.BaseModel `bun:"table:rbac_roles"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	Description   string    `bun:"description"`
	Permissions   []string  `bun:"permissions,array"`
	ParentRoleID  *string   `bun:"parent_role_id"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// RBACUserRole is a row of rbac_user_roles: a role held by an end user.
type RBACUserRole struct {
	bun.BaseModel `bun:"table:rbac_user_roles"`
	TenantID      string    `bun:"tenant_id,pk"`
	UserID        string    `bun:"user_id,pk"`
	RoleID        string    `bun:"role_id,pk"`
	AssignedAt    time.Time `bun:"assigned_at"`
	AssignedBy    string    `bun:"assigned_by"`
}

// RBACUserRoleRow is a role as held by a user: the role and its assignment.
type RBACUserRoleRow struct {
	RBACRole   `bun:",extend"`
	AssignedAt time.Time `bun:"assigned_at"`
	AssignedBy string    `bun:"assigned_by"`
}

// RBACRoleList returns a tenant's roles by name, at most limit.
func RBACRoleList(ctx context.Context, idb bun.IDB, tenantID string, limit int64) ([]RBACRole, error) {
	rows := []RBACRole{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("name").Limit(limit).Scan(ctx)
	return rows, err
}

// RBACRoleCount counts a tenant's roles.
func RBACRoleCount(ctx context.Context, idb bun.IDB, tenantID string) (int64, error) {
	return idb.NewSelect().Model((*RBACRole)(nil)).Where("tenant_id = ?", tenantID).Count(ctx)
}

// RBACRoleGet loads a role by id, or by name when byName; lock takes a row
// lock (FOR UPDATE).
func RBACRoleGet(ctx context.Context, idb bun.IDB, tenantID, ref string, byName, lock bool) (*RBACRole, error) {
	return getByRef[RBACRole](ctx, idb, tenantID, ref, byName, lock)
}

// RBACRoleInsert inserts row.
func RBACRoleInsert(ctx context.Context, idb bun.IDB, row *RBACRole) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// RBACRoleUpdate writes the mutable columns of row.
func RBACRoleUpdate(ctx context.Context, idb bun.IDB, row *RBACRole) error {
	_, err := idb.NewUpdate().Model(row).
		Column("name", "description", "permissions", "parent_role_id", "updated_at").WherePK().Exec(ctx)
	return err
}

// RBACRoleDelete deletes a role; its assignments go with it and its child
// roles lose their parent (foreign keys).
func RBACRoleDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*RBACRole)(nil)).Where("tenant_id = ?", tenantID).Where("id = ?", id).Exec(ctx)
	return err
}

// LockRBACRoles serializes changes to a tenant's role graph (creates counted
// against the cap, parent changes checked for cycles) for the transaction.
func LockRBACRoles(ctx context.Context, idb bun.IDB, tenantID string) error {
	_, err := idb.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('rbac_roles:' || ?))", tenantID)
	return err
}

// RBACAncestorIDs returns the ids on roleID's parent chain, nearest first,
// roleID itself included, following at most maxDepth links (a cycle, which
// the domain never writes, stops there too).
func RBACAncestorIDs(ctx context.Context, idb bun.IDB, tenantID, roleID string, maxDepth int) ([]string, error) {
	var ids []string
	err := idb.NewRaw(`WITH RECURSIVE chain AS (
		SELECT id, parent_role_id, 0 AS depth FROM rbac_roles WHERE tenant_id = ? AND id = ?
		UNION ALL
		SELECT r.id, r.parent_role_id, c.depth + 1 FROM chain c
		JOIN rbac_roles r ON r.tenant_id = ? AND r.id = c.parent_role_id
		WHERE c.depth < ?
	) SELECT id FROM chain ORDER BY depth`, tenantID, roleID, tenantID, maxDepth).Scan(ctx, &ids)
	return ids, err
}

// RBACDescendantDepth returns how many levels of child roles hang below
// roleID (0: none), counting at most maxDepth levels.
func RBACDescendantDepth(ctx context.Context, idb bun.IDB, tenantID, roleID string, maxDepth int) (int, error) {
	var depth int
	err := idb.NewRaw(`WITH RECURSIVE below AS (
		SELECT id, 0 AS depth FROM rbac_roles WHERE tenant_id = ? AND id = ?
		UNION ALL
		SELECT r.id, b.depth + 1 FROM below b
		JOIN rbac_roles r ON r.tenant_id = ? AND r.parent_role_id = b.id
		WHERE b.depth < ?
	) SELECT max(depth) FROM below`, tenantID, roleID, tenantID, maxDepth).Scan(ctx, &depth)
	return depth, err
}

// RBACRoleHolders counts the users holding roleID, and the roles that name
// it as their parent.
func RBACRoleHolders(ctx context.Context, idb bun.IDB, tenantID, roleID string) (users, children int, err error) {
	err = idb.NewRaw(`SELECT
		(SELECT count(*) FROM rbac_user_roles WHERE tenant_id = ? AND role_id = ?),
		(SELECT count(*) FROM rbac_roles WHERE tenant_id = ? AND parent_role_id = ?)`,
		tenantID, roleID, tenantID, roleID).Scan(ctx, &users, &children)
	return users, children, err
}

// RBACAssign gives userID the role; it reports whether the assignment is
// new (an existing one is kept as it was).
func RBACAssign(ctx context.Context, idb bun.IDB, row *RBACUserRole) (bool, error) {
	res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, user_id, role_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RBACUnassign takes the role from userID; it reports whether the user held it.
func RBACUnassign(ctx context.Context, idb bun.IDB, tenantID, userID, roleID string) (bool, error) {
	res, err := idb.NewDelete().Model((*RBACUserRole)(nil)).Where("tenant_id = ?", tenantID).
		Where("user_id = ?", userID).Where("role_id = ?", roleID).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RBACAssignmentGet loads one assignment.
func RBACAssignmentGet(ctx context.Context, idb bun.IDB, tenantID, userID, roleID string) (*RBACUserRole, error) {
	row := new(RBACUserRole)
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).
		Where("user_id = ?", userID).Where("role_id = ?", roleID).Scan(ctx)
	return row, err
}

// RBACUserRoles returns the roles assigned to userID (not their parents), by
// name, at most limit.
func RBACUserRoles(ctx context.Context, idb bun.IDB, tenantID, userID string, limit int64) ([]RBACUserRoleRow, error) {
	rows := []RBACUserRoleRow{}
	err := idb.NewSelect().Model(&rows).ModelTableExpr("rbac_roles AS r").
		ColumnExpr("r.*, ur.assigned_at, ur.assigned_by").
		Join("JOIN rbac_user_roles AS ur ON ur.tenant_id = r.tenant_id AND ur.role_id = r.id").
		Where("r.tenant_id = ?", tenantID).Where("ur.user_id = ?", userID).
		OrderExpr("r.name").Limit(limit).Scan(ctx)
	return rows, err
}

// RBACGrant is what a user's roles give it: the names of its roles and of
// their ancestors, and the union of their permissions.
type RBACGrant struct {
	Roles       []string
	Permissions []string
}

// RBACUserGrant computes userID's grant in one statement, following
// parent_role_id at most maxDepth links up from each assigned role.
func RBACUserGrant(ctx context.Context, idb bun.IDB, tenantID, userID string, maxDepth int) (RBACGrant, error) {
	var g RBACGrant
	err := idb.NewRaw(`WITH RECURSIVE chain AS (
		SELECT r.id, r.name, r.permissions, r.parent_role_id, 0 AS depth
		FROM rbac_user_roles ur JOIN rbac_roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.tenant_id = ? AND ur.user_id = ?
		UNION ALL
		SELECT r.id, r.name, r.permissions, r.parent_role_id, c.depth + 1 FROM chain c
		JOIN rbac_roles r ON r.tenant_id = ? AND r.id = c.parent_role_id
		WHERE c.depth < ?
	) SELECT
		coalesce((SELECT array_agg(DISTINCT name ORDER BY name) FROM chain), '{}'),
		coalesce((SELECT array_agg(DISTINCT p ORDER BY p) FROM chain, unnest(chain.permissions) AS p), '{}')`,
		tenantID, userID, tenantID, maxDepth).Scan(ctx, pgdialect.Array(&g.Roles), pgdialect.Array(&g.Permissions))
	return g, err
}

// RBACRoleChainPermissions returns the union of the permissions of roleID and
// its ancestors (at most maxDepth links up): what holding the role grants.
func RBACRoleChainPermissions(ctx context.Context, idb bun.IDB, tenantID, roleID string, maxDepth int) ([]string, error) {
	var perms []string
	err := idb.NewRaw(`WITH RECURSIVE chain AS (
		SELECT permissions, parent_role_id, 0 AS depth FROM rbac_roles WHERE tenant_id = ? AND id = ?
		UNION ALL
		SELECT r.permissions, r.parent_role_id, c.depth + 1 FROM chain c
		JOIN rbac_roles r ON r.tenant_id = ? AND r.id = c.parent_role_id
		WHERE c.depth < ?
	) SELECT coalesce((SELECT array_agg(DISTINCT p ORDER BY p) FROM chain, unnest(chain.permissions) AS p), '{}')`,
		tenantID, roleID, tenantID, maxDepth).Scan(ctx, pgdialect.Array(&perms))
	return perms, err
}
