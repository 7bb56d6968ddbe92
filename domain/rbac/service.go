// Package rbac is role-based access control for a tenant's end users: roles
// carrying permission strings ("<resource>:<action>",
// "<resource>:<type>:<action>", "*"), optionally inheriting a parent role's
// permissions, and their assignment to users. Authenticate-time loading of a
// user's effective permissions lives in grant.go; the matching rules live in
// domain (Principal.Allows).
//
// API keys need the "auth" scope; end users need roles:read or roles:manage,
// and may only hand out permissions they hold themselves.
package rbac

import (
	"context"
	"regexp"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Topic and event types of role changes.
const (
	Topic           = "roles"
	EventCreated    = "role.created"
	EventUpdated    = "role.updated"
	EventDeleted    = "role.deleted"
	EventAssigned   = "role.assigned"
	EventUnassigned = "role.unassigned"
)

// PrefixRole is the id prefix of roles.
const PrefixRole = "role_"

// Caps.
const (
	// MaxRoles caps a tenant's roles (the list is a bare array: contract
	// limit of 1,000 items).
	MaxRoles = 1000
	// MaxPermissions caps one role's own permission strings.
	MaxPermissions = 200
	// MaxDepth caps the parent chain (a role and up to MaxDepth-1
	// ancestors); the effective-permission query stops there too.
	MaxDepth       = 10
	maxDescription = 2000
	maxUserRoles   = 1000
)

// Permissions a caller needs (end users); keys need the "auth" scope.
const (
	PermissionRead   = "roles:read"
	PermissionManage = "roles:manage"
)

// namePattern is the rule of role names (the same as object type names).
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Service manages roles and assignments and loads end users' permissions.
type Service struct {
	core  *domain.Core
	cache *grantCache
}

// NewService returns the RBAC service.
func NewService(core *domain.Core) *Service {
	return &Service{core: core, cache: newGrantCache(core)}
}

// Role is a tenant-defined role.
type Role struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"tenant_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Permissions  []string  `json:"permissions"`
	ParentRoleID *string   `json:"parent_role_id"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func roleFromRow(r *db.RBACRole) Role {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return Role{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description, Permissions: perms,
		ParentRoleID: r.ParentRoleID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// UserRole is a role as held by a user: the role plus when and by whom it
// was assigned.
type UserRole struct {
	Role
	AssignedAt time.Time `json:"assigned_at"`
	AssignedBy string    `json:"assigned_by"`
}

// Assignment answers an assign or a removal.
type Assignment struct {
	UserID     string     `json:"user_id"`
	RoleID     string     `json:"role_id"`
	Assigned   bool       `json:"assigned"`
	AssignedAt *time.Time `json:"assigned_at,omitempty"`
	AssignedBy string     `json:"assigned_by,omitempty"`
}

// Deleted answers a role delete.
type Deleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

func reader(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeAuth, PermissionRead)
}

func manager(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeAuth, PermissionManage)
}

// checkGrantable refuses an end user handing out a permission its own roles
// do not grant (no escalation through roles:manage). Keys and the admin are
// server-side credentials and may grant anything.
func checkGrantable(p *domain.Principal, perms []string) error {
	if p.Kind != domain.PrincipalUser {
		return nil
	}
	for _, perm := range perms {
		if !p.Allows(perm) {
			return (&domain.Error{Code: domain.CodeForbidden,
				Message: "You cannot grant the " + perm + " permission: your roles do not grant it."}).
				With("required_permission", perm)
		}
	}
	return nil
}
