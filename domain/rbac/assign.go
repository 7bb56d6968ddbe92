package rbac

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// AssignInput is the body of POST /v1/roles/assign.
type AssignInput struct {
	UserID string `json:"user_id"`
	RoleID string `json:"role_id"`
}

// UnassignInput is DELETE /v1/roles/:role_id/users/:user_id.
type UnassignInput struct {
	RoleID string `path:"role_id" json:"-"`
	UserID string `path:"user_id" json:"-"`
}

// UserRef names an end user (GET /v1/users/:user_id/roles).
type UserRef struct {
	UserID string `path:"user_id" json:"-"`
}

// Assign gives a user of the tenant a role (id or name). Assigning a role
// the user holds already changes nothing and answers the existing
// assignment. Errors: VALIDATION_FAILED (missing ids), NOT_FOUND (user or
// role), FORBIDDEN (an end user handing out permissions it lacks).
func (s *Service) Assign(ctx context.Context, in AssignInput) (Assignment, error) {
	p, err := manager(ctx)
	if err != nil {
		return Assignment{}, err
	}
	var v domain.Validation
	v.Check(in.UserID == "", "user_id", "is required")
	v.Check(in.RoleID == "", "role_id", "is required")
	if err := v.Err(); err != nil {
		return Assignment{}, err
	}
	var out Assignment
	created := false
	err = s.core.Write(ctx, func(w *domain.Write) error {
		role, err := s.role(ctx, w.Tx, p.TenantID, in.RoleID, false)
		if err != nil {
			return err
		}
		if err := s.requireUser(ctx, w.Tx, p.TenantID, in.UserID); err != nil {
			return err
		}
		if err := s.checkRoleGrantable(ctx, w.Tx, p, role.ID); err != nil {
			return err
		}
		row := &db.RBACUserRole{TenantID: p.TenantID, UserID: in.UserID, RoleID: role.ID,
			AssignedAt: s.core.Clock.Now(), AssignedBy: p.ActorID()}
		if created, err = db.RBACAssign(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if !created {
			if row, err = db.RBACAssignmentGet(ctx, w.Tx, p.TenantID, in.UserID, role.ID); err != nil {
				return domain.Internal(err)
			}
		}
		out = Assignment{UserID: row.UserID, RoleID: row.RoleID, Assigned: true, AssignedAt: &row.AssignedAt, AssignedBy: row.AssignedBy}
		if !created {
			w.SkipAudit("user already holds the role: nothing changed")
			return nil
		}
		return recordAssignment(w, p.TenantID, "role.assign", EventAssigned, out)
	})
	if err == nil && created {
		s.cache.invalidateUser(ctx, p.TenantID, in.UserID)
	}
	return out, err
}

// Unassign takes a role (id or name) from a user. Errors: NOT_FOUND (user,
// role, or a user not holding the role).
func (s *Service) Unassign(ctx context.Context, in UnassignInput) (Assignment, error) {
	p, err := manager(ctx)
	if err != nil {
		return Assignment{}, err
	}
	var out Assignment
	err = s.core.Write(ctx, func(w *domain.Write) error {
		role, err := s.role(ctx, w.Tx, p.TenantID, in.RoleID, false)
		if err != nil {
			return err
		}
		if err := s.requireUser(ctx, w.Tx, p.TenantID, in.UserID); err != nil {
			return err
		}
		held, err := db.RBACUnassign(ctx, w.Tx, p.TenantID, in.UserID, role.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if !held {
			return domain.Errorf(domain.CodeNotFound, "This user does not hold the role.")
		}
		out = Assignment{UserID: in.UserID, RoleID: role.ID, Assigned: false}
		return recordAssignment(w, p.TenantID, "role.unassign", EventUnassigned, out)
	})
	if err == nil {
		s.cache.invalidateUser(ctx, p.TenantID, in.UserID)
	}
	return out, err
}

// UserRoles lists the roles assigned to a user (not the parents they
// inherit from), by name. Errors: NOT_FOUND (user).
func (s *Service) UserRoles(ctx context.Context, in UserRef) ([]UserRole, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.requireUser(ctx, s.core.DB, p.TenantID, in.UserID); err != nil {
		return nil, err
	}
	rows, err := db.RBACUserRoles(ctx, s.core.DB, p.TenantID, in.UserID, maxUserRoles)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]UserRole, len(rows))
	for i := range rows {
		out[i] = UserRole{Role: roleFromRow(&rows[i].RBACRole), AssignedAt: rows[i].AssignedAt, AssignedBy: rows[i].AssignedBy}
	}
	return out, nil
}

// requireUser answers NOT_FOUND unless userID is an end user of the tenant.
func (s *Service) requireUser(ctx context.Context, idb bun.IDB, tenantID, userID string) error {
	if !domain.ValidID(domain.PrefixUser, userID) {
		return domain.NotFound("user")
	}
	_, err := db.AuthUserGet(ctx, idb, tenantID, userID)
	if db.IsNoRows(err) {
		return domain.NotFound("user")
	}
	if err != nil {
		return domain.Internal(err)
	}
	return nil
}

func recordAssignment(w *domain.Write, tenantID, action, event string, a Assignment) error {
	if err := w.Audit(tenantID, action, "user", a.UserID, map[string]any{"role_id": a.RoleID}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, a)
}
