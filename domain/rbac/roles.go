package rbac

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// RoleRef names a role by id (role_...) or name.
type RoleRef struct {
	RoleID string `path:"role_id" json:"-"`
}

// CreateInput is the body of POST /v1/roles.
type CreateInput struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	// ParentRoleID (id or name) makes the new role inherit that role's
	// permissions.
	ParentRoleID *string `json:"parent_role_id"`
}

// UpdateInput is the body of PATCH /v1/roles/:role_id. Absent members keep
// their value; permissions replaces the list; parent_role_id may be null.
type UpdateInput struct {
	RoleID       string                  `path:"role_id" json:"-"`
	Name         *string                 `json:"name"`
	Description  *string                 `json:"description"`
	Permissions  *[]string               `json:"permissions"`
	ParentRoleID domain.Optional[string] `json:"parent_role_id"`
}

// AddPermissionsInput is the body of POST /v1/roles/:role_id/permissions.
type AddPermissionsInput struct {
	RoleID      string   `path:"role_id" json:"-"`
	Permissions []string `json:"permissions"`
}

// DeleteInput is DELETE /v1/roles/:role_id.
type DeleteInput struct {
	RoleID string `path:"role_id" json:"-"`
	// Force with ConfirmToken (from the 409 DEPENDENCY_EXISTS answer)
	// deletes a role still held by users or inherited by other roles.
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// List returns the tenant's roles by name (a bare list; at most MaxRoles).
// Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE, FORBIDDEN.
func (s *Service) List(ctx context.Context) ([]Role, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.RBACRoleList(ctx, s.core.DB, p.TenantID, MaxRoles)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Role, len(rows))
	for i := range rows {
		out[i] = roleFromRow(&rows[i])
	}
	return out, nil
}

// Get loads a role by id or name. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, in RoleRef) (Role, error) {
	p, err := reader(ctx)
	if err != nil {
		return Role{}, err
	}
	row, err := s.role(ctx, s.core.DB, p.TenantID, in.RoleID, false)
	if err != nil {
		return Role{}, err
	}
	return roleFromRow(row), nil
}

// Create defines a role. Errors: VALIDATION_FAILED (name, description,
// permissions[i], parent_role_id, the role cap), CONFLICT (name taken),
// FORBIDDEN (an end user granting what it does not hold).
func (s *Service) Create(ctx context.Context, in CreateInput) (Role, error) {
	p, err := manager(ctx)
	if err != nil {
		return Role{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v domain.Validation
	checkName(&v, in.Name)
	domain.CheckText(&v, "description", in.Description, maxDescription, false)
	perms := checkPermissions(&v, in.Permissions)
	if err := v.Err(); err != nil {
		return Role{}, err
	}
	if err := checkGrantable(p, perms); err != nil {
		return Role{}, err
	}
	var out Role
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.insertRole(ctx, w, p, in.Name, in.Description, perms, in.ParentRoleID)
		if err != nil {
			return err
		}
		out = roleFromRow(row)
		return record(w, "role.create", EventCreated, nil, &out)
	})
	return out, err
}

func (s *Service) insertRole(ctx context.Context, w *domain.Write, p *domain.Principal, name, desc string, perms []string, parentRef *string) (*db.RBACRole, error) {
	if err := db.LockRBACRoles(ctx, w.Tx, p.TenantID); err != nil {
		return nil, domain.Internal(err)
	}
	n, err := db.RBACRoleCount(ctx, w.Tx, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if n >= MaxRoles {
		return nil, domain.Invalid("name", "cannot be added: a tenant has at most "+strconv.Itoa(MaxRoles)+" roles")
	}
	now := s.core.Clock.Now()
	row := &db.RBACRole{TenantID: p.TenantID, ID: domain.NewID(PrefixRole), Name: name, Description: desc,
		Permissions: perms, CreatedAt: now, UpdatedAt: now}
	if parentRef != nil {
		if row.ParentRoleID, err = s.checkParent(ctx, w.Tx, p, row, *parentRef); err != nil {
			return nil, err
		}
	}
	if err := db.RBACRoleInsert(ctx, w.Tx, row); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, nameTaken(name)
		}
		return nil, domain.Internal(err)
	}
	return row, nil
}

// Update renames a role or changes its description, permissions (replaced)
// or parent. Errors: NOT_FOUND, VALIDATION_FAILED (also a parent that would
// make a cycle or a chain deeper than MaxDepth), CONFLICT, FORBIDDEN.
func (s *Service) Update(ctx context.Context, in UpdateInput) (Role, error) {
	p, err := manager(ctx)
	if err != nil {
		return Role{}, err
	}
	var out Role
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.LockRBACRoles(ctx, w.Tx, p.TenantID); err != nil {
			return domain.Internal(err)
		}
		row, err := s.role(ctx, w.Tx, p.TenantID, in.RoleID, true)
		if err != nil {
			return err
		}
		before := roleFromRow(row)
		if err := s.applyUpdate(ctx, w.Tx, p, row, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.RBACRoleUpdate(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return nameTaken(row.Name)
			}
			return domain.Internal(err)
		}
		out = roleFromRow(row)
		return record(w, "role.update", EventUpdated, &before, &out)
	})
	if err == nil {
		s.cache.invalidateTenant(ctx, p.TenantID)
	}
	return out, err
}

func (s *Service) applyUpdate(ctx context.Context, idb bun.IDB, p *domain.Principal, row *db.RBACRole, in UpdateInput) error {
	var v domain.Validation
	if in.Name != nil {
		row.Name = strings.TrimSpace(*in.Name)
		checkName(&v, row.Name)
	}
	if in.Description != nil {
		row.Description = *in.Description
		domain.CheckText(&v, "description", row.Description, maxDescription, false)
	}
	var added []string
	if in.Permissions != nil {
		perms := checkPermissions(&v, *in.Permissions)
		added = newPermissions(row.Permissions, perms)
		row.Permissions = perms
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := checkGrantable(p, added); err != nil {
		return err
	}
	if !in.ParentRoleID.Set {
		return nil
	}
	if in.ParentRoleID.Value == nil {
		row.ParentRoleID = nil
		return nil
	}
	parent, err := s.checkParent(ctx, idb, p, row, *in.ParentRoleID.Value)
	row.ParentRoleID = parent
	return err
}

// AddPermissions adds permissions to a role; ones it has already are kept
// once (idempotent). It answers the role. Errors: NOT_FOUND,
// VALIDATION_FAILED (permissions[i]), FORBIDDEN.
func (s *Service) AddPermissions(ctx context.Context, in AddPermissionsInput) (Role, error) {
	p, err := manager(ctx)
	if err != nil {
		return Role{}, err
	}
	var v domain.Validation
	perms := checkPermissions(&v, in.Permissions)
	if len(perms) == 0 && len(in.Permissions) == 0 {
		v.Add("permissions", "is required")
	}
	if err := v.Err(); err != nil {
		return Role{}, err
	}
	if err := checkGrantable(p, perms); err != nil {
		return Role{}, err
	}
	var out Role
	changed := false
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.role(ctx, w.Tx, p.TenantID, in.RoleID, true)
		if err != nil {
			return err
		}
		added := newPermissions(row.Permissions, perms)
		if len(added) == 0 {
			out = roleFromRow(row)
			w.SkipAudit("role already holds every permission given: nothing changed")
			return nil
		}
		if len(row.Permissions)+len(added) > MaxPermissions {
			return domain.Invalid("permissions", "would give the role more than "+strconv.Itoa(MaxPermissions)+" permissions")
		}
		before := roleFromRow(row)
		row.Permissions = append(slices.Clone(row.Permissions), added...)
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.RBACRoleUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out, changed = roleFromRow(row), true
		return record(w, "role.permissions_add", EventUpdated, &before, &out)
	})
	if err == nil && changed {
		s.cache.invalidateTenant(ctx, p.TenantID)
	}
	return out, err
}

// Delete deletes a role. A role held by users or inherited by other roles
// answers 409 DEPENDENCY_EXISTS with a confirm_token; with
// ?force=true&confirm_token=... the delete removes the assignments and
// detaches the child roles (they keep their own permissions). Errors:
// NOT_FOUND, DEPENDENCY_EXISTS, INVALID_CONFIRM_TOKEN.
func (s *Service) Delete(ctx context.Context, in DeleteInput) (Deleted, error) {
	p, err := manager(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.LockRBACRoles(ctx, w.Tx, p.TenantID); err != nil {
			return domain.Internal(err)
		}
		row, err := s.role(ctx, w.Tx, p.TenantID, in.RoleID, true)
		if err != nil {
			return err
		}
		if err := s.checkDeletable(ctx, w, p.TenantID, row.ID, in); err != nil {
			return err
		}
		if err := db.RBACRoleDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := roleFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return record(w, "role.delete", EventDeleted, &before, nil)
	})
	if err == nil {
		s.cache.invalidateTenant(ctx, p.TenantID)
	}
	return out, err
}

func (s *Service) checkDeletable(ctx context.Context, w *domain.Write, tenantID, roleID string, in DeleteInput) error {
	resource := "role:" + roleID
	if in.Force {
		return s.core.ConsumeConfirmToken(ctx, tenantID, resource, in.ConfirmToken)
	}
	users, children, err := db.RBACRoleHolders(ctx, w.Tx, tenantID, roleID)
	if err != nil {
		return domain.Internal(err)
	}
	var deps []domain.Dependency
	if users > 0 {
		deps = append(deps, domain.Dependency{Type: "user_roles", Count: users, Label: "Users holding the role"})
	}
	if children > 0 {
		deps = append(deps, domain.Dependency{Type: "child_roles", Count: children, Label: "Roles inheriting from the role"})
	}
	if len(deps) == 0 {
		return nil
	}
	return s.core.DependencyError(ctx, tenantID, resource, deps, true)
}

// checkParent resolves ref (id or name) to a role of the tenant that row may
// inherit from: not row itself nor one of its descendants (a cycle), not
// making a chain deeper than MaxDepth, and (for an end user) granting only
// what the caller holds. Errors: VALIDATION_FAILED on parent_role_id,
// FORBIDDEN.
func (s *Service) checkParent(ctx context.Context, idb bun.IDB, p *domain.Principal, row *db.RBACRole, ref string) (*string, error) {
	parent, err := s.role(ctx, idb, row.TenantID, strings.TrimSpace(ref), false)
	if err != nil {
		return nil, domain.Invalid("parent_role_id", "does not name a role of this tenant")
	}
	ancestors, err := db.RBACAncestorIDs(ctx, idb, row.TenantID, parent.ID, MaxDepth)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if slices.Contains(ancestors, row.ID) {
		return nil, domain.Invalid("parent_role_id", "would make a cycle: the role would inherit from itself")
	}
	if err := s.checkRoleGrantable(ctx, idb, p, parent.ID); err != nil {
		return nil, err
	}
	below, err := db.RBACDescendantDepth(ctx, idb, row.TenantID, row.ID, MaxDepth)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if len(ancestors)+1+below > MaxDepth {
		return nil, domain.Invalid("parent_role_id", "would make a chain of more than "+strconv.Itoa(MaxDepth)+" roles")
	}
	return &parent.ID, nil
}

// checkRoleGrantable refuses an end user handing out roleID when holding it
// grants something the caller's own roles do not.
func (s *Service) checkRoleGrantable(ctx context.Context, idb bun.IDB, p *domain.Principal, roleID string) error {
	if p.Kind != domain.PrincipalUser {
		return nil
	}
	perms, err := db.RBACRoleChainPermissions(ctx, idb, p.TenantID, roleID, MaxDepth)
	if err != nil {
		return domain.Internal(err)
	}
	return checkGrantable(p, perms)
}

// role loads a role by id (role_...) or name. Errors: NOT_FOUND (also for
// refs no role can have).
func (s *Service) role(ctx context.Context, idb bun.IDB, tenantID, ref string, lock bool) (*db.RBACRole, error) {
	byName := !domain.ValidID(PrefixRole, ref)
	if byName && !namePattern.MatchString(ref) {
		return nil, domain.NotFound("role")
	}
	row, err := db.RBACRoleGet(ctx, idb, tenantID, ref, byName, lock)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("role")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// checkName applies the rule of role names: like object type names, and
// never shaped like a role id, so :role_id (id or name) is unambiguous.
func checkName(v *domain.Validation, name string) {
	switch {
	case name == "":
		v.Add("name", "is required")
	case !namePattern.MatchString(name):
		v.Add("name", "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)")
	case domain.ValidID(PrefixRole, name):
		v.Add("name", "must not look like an id ("+PrefixRole+"...)")
	}
}

// checkPermissions validates each permission string (naming the bad item as
// permissions[i]) and returns the list trimmed, without duplicates, in the
// order given.
func checkPermissions(v *domain.Validation, perms []string) []string {
	out := make([]string, 0, len(perms))
	if len(perms) > MaxPermissions {
		v.Add("permissions", "must hold at most "+strconv.Itoa(MaxPermissions)+" permissions")
		return out
	}
	for i, perm := range perms {
		perm = strings.TrimSpace(perm)
		if !domain.ValidPermission(perm) {
			v.Add("permissions["+strconv.Itoa(i)+"]", "must be \"<resource>:<action>\", \"<resource>:<type>:<action>\" or \"*\" (lower-case a-z, 0-9, _ and -, or * for a whole part); got "+strconv.Quote(perm))
			continue
		}
		if !slices.Contains(out, perm) {
			out = append(out, perm)
		}
	}
	return out
}

// newPermissions returns the members of next that current lacks.
func newPermissions(current, next []string) []string {
	var added []string
	for _, perm := range next {
		if !slices.Contains(current, perm) {
			added = append(added, perm)
		}
	}
	return added
}

func nameTaken(name string) error {
	return domain.Errorf(domain.CodeConflict, "A role named %q exists already.", name)
}

func record(w *domain.Write, action, event string, before, after *Role) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if err := w.Audit(cur.TenantID, action, "role", cur.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(cur.TenantID, Topic, event, cur)
}
