package objects

import (
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Access to objects (docs/access.md, "Row-level policies"). API keys need
// the read or write scope and see every row; the platform admin sees every
// row. An end user needs the RBAC permission objects:<type name>:read for
// select, objects:<type name>:write for insert, update and delete (else
// 403 FORBIDDEN, for a type that exists; an unknown type stays 404), and
// then sees only the rows the type's row-level policies grant it:
//
//   - the enabled policies of the type and action whose role is null, the
//     user's role string or one of its RBAC role names apply, ORed;
//   - no policy at all for the type and action: RBAC alone decides (every
//     row);
//   - policies exist but none applies to the user: no row.
//
// The conditions are compiled by the filter compiler of search and ANDed
// into the same SQL as the request's own filters, so lists, totals,
// aggregates and batches agree.

// objectCaller returns the caller of an object operation before its type is
// known: keys need the scope, end users pass here and are checked per type
// (rowAccess).
func objectCaller(ctx context.Context, scope string) (*domain.Principal, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if p.Kind == domain.PrincipalUser {
		return p, nil
	}
	return domain.RequireScope(ctx, scope)
}

func objectReader(ctx context.Context) (*domain.Principal, error) {
	return objectCaller(ctx, domain.ScopeRead)
}

func objectWriter(ctx context.Context) (*domain.Principal, error) {
	return objectCaller(ctx, domain.ScopeWrite)
}

// rowScope is the part of one type's rows a caller may touch for one
// action.
type rowScope struct {
	// restricted is false when every row is allowed.
	restricted bool
	// cond is the SQL of the allowed rows when restricted (FALSE when no
	// policy applies to the user).
	cond db.Condition
	// applied are the policies that apply, resolved for the caller (for
	// in-memory checks: subscriptions).
	applied []appliedPolicy
}

// appliedPolicy is a policy resolved for one caller.
type appliedPolicy struct {
	id      string
	filters []Filter
}

// where is the condition to AND into a query (none when unrestricted).
func (r *rowScope) where() db.Condition {
	if r == nil || !r.restricted {
		return db.Condition{}
	}
	return r.cond
}

// Permission names the RBAC permission an end user needs for action on
// objects of the type named typeName.
func Permission(typeName, action string) string {
	if action == ActionSelect {
		return "objects:" + typeName + ":read"
	}
	return "objects:" + typeName + ":write"
}

// rowAccess checks the caller's RBAC permission for action on type t and
// resolves the type's policies for it. props may be nil (loaded only when
// policies exist). Errors: FORBIDDEN (permission).
func (s *Service) rowAccess(ctx context.Context, idb bun.IDB, p *domain.Principal, t *db.ObjectType, props []Property, action string) (*rowScope, error) {
	if p.Kind != domain.PrincipalUser {
		return &rowScope{}, nil
	}
	if perm := Permission(t.Name, action); !p.Allows(perm) {
		return nil, p.Denied(perm)
	}
	return s.policyScope(ctx, idb, p, t, props, action)
}

// policyScope resolves the type's policies for action and an end user,
// without the permission check (update and delete also apply the select
// policies, whose read permission they do not need).
func (s *Service) policyScope(ctx context.Context, idb bun.IDB, p *domain.Principal, t *db.ObjectType, props []Property, action string) (*rowScope, error) {
	if p.Kind != domain.PrincipalUser {
		return &rowScope{}, nil
	}
	rows, err := db.ObjectPolicyEnabled(ctx, idb, p.TenantID, t.ID, action)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if len(rows) == 0 {
		return &rowScope{}, nil
	}
	if props == nil {
		if props, err = s.properties(ctx, idb, p.TenantID, t.ID); err != nil {
			return nil, err
		}
	}
	return s.applyPolicies(rows, props, AuthContext{UserID: p.UserID, Role: p.Role, Roles: p.Roles}), nil
}

// applyPolicies resolves the policies that apply to a. A policy whose
// condition no longer resolves (a property it names was deleted since it
// was saved) grants nothing: access fails closed.
func (s *Service) applyPolicies(rows []db.ObjectPolicy, props []Property, a AuthContext) *rowScope {
	out := &rowScope{restricted: true}
	var conds []db.Condition
	for i := range rows {
		if !a.appliesTo(rows[i].Role) {
			continue
		}
		filters, cond, err := resolveCondition(props, rows[i].ConditionJSON, a)
		if err != nil {
			s.core.Log.Warn("objects: policy condition no longer resolves; it grants no rows",
				"tenant_id", rows[i].TenantID, "policy_id", rows[i].ID, "err", err)
			continue
		}
		conds = append(conds, cond)
		out.applied = append(out.applied, appliedPolicy{id: rows[i].ID, filters: filters})
	}
	out.cond = db.Or(conds...)
	return out
}

// matching returns which of ids satisfy the scope (all when unrestricted):
// live objects, or trashed ones when trash is set.
func (s *Service) matching(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, trash bool, r *rowScope) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if r == nil || !r.restricted {
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	found, err := db.ObjectsMatching(ctx, idb, tenantID, typeID, ids, trash, r.cond)
	if err != nil {
		return nil, domain.Internal(err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// visibleObject checks that a loaded object is in the caller's select
// scope: an object the caller may not see is NOT_FOUND, as if absent.
func (s *Service) visibleObject(ctx context.Context, idb bun.IDB, row *db.Object, r *rowScope) error {
	if r == nil || !r.restricted {
		return nil
	}
	ok, err := s.matching(ctx, idb, row.TenantID, row.ObjectTypeID, []string{row.ID}, row.DeletedAt != nil, r)
	if err != nil {
		return err
	}
	if !ok[row.ID] {
		return domain.NotFound("Object")
	}
	return nil
}

// writeScope is what a write of one action may touch: the rows the caller
// may see (select) and, among them, those it may change (the action's
// policies).
type writeScope struct {
	sel, act *rowScope
}

// writeAccess checks the write permission and resolves the select and
// action policies of an end user for a write. Keys: unrestricted.
func (s *Service) writeAccess(ctx context.Context, idb bun.IDB, p *domain.Principal, sc *schema, action string) (*writeScope, error) {
	act, err := s.rowAccess(ctx, idb, p, sc.t, sc.props, action)
	if err != nil {
		return nil, err
	}
	ws := &writeScope{act: act}
	if action == ActionInsert {
		return ws, nil
	}
	if ws.sel, err = s.policyScope(ctx, idb, p, sc.t, sc.props, ActionSelect); err != nil {
		return nil, err
	}
	return ws, nil
}

// checkExisting applies a write's scope to existing rows (live, or trashed
// when trash): a row the caller may not see is NOT_FOUND, one it sees but
// may not change is FORBIDDEN. prefix names the batch item ("" for one).
func (s *Service) checkExisting(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, trash bool,
	ws *writeScope, action string, prefix func(int) string) error {
	if ws == nil {
		return nil
	}
	seen, err := s.matching(ctx, idb, tenantID, typeID, ids, trash, ws.sel)
	if err != nil {
		return err
	}
	allowed, err := s.matching(ctx, idb, tenantID, typeID, ids, trash, ws.act)
	if err != nil {
		return err
	}
	for i, id := range ids {
		pre := prefix(i)
		switch {
		case !seen[id] && pre == "":
			return domain.NotFound("Object")
		case !seen[id]:
			return domain.Errorf(domain.CodeNotFound, "Object not found: %s (%s).", id, pre[:len(pre)-1]).With("item", i)
		case !allowed[id]:
			return forbiddenRow(action, pre, i)
		}
	}
	return nil
}

// checkWritten applies the action's policies to rows as written (insert,
// and the new state of an update): in the same transaction, through the
// same SQL, so a row the caller could not read back under its policies is
// refused and the transaction rolls back.
func (s *Service) checkWritten(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, ws *writeScope,
	action string, prefix func(int) string) error {
	if ws == nil || !ws.act.restricted {
		return nil
	}
	allowed, err := s.matching(ctx, idb, tenantID, typeID, ids, false, ws.act)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if !allowed[id] {
			return forbiddenRow(action, prefix(i), i)
		}
	}
	return nil
}

// noPrefix names no batch item (single-object writes).
func noPrefix(int) string { return "" }

// forbiddenRow is the error of a row outside the action's policies.
func forbiddenRow(action, prefix string, i int) error {
	e := domain.Errorf(domain.CodeForbidden, "The row-level policies of this object type do not allow this %s.", action).
		With("action", action)
	if prefix != "" {
		e = e.With("item", i)
	}
	return e
}

// --- subscriptions -------------------------------------------------------------

// RowFilter decides in memory whether an object is in a caller's select
// scope (subscriptions, which receive objects from events, not from SQL).
type RowFilter struct {
	TypeID string
	scope  *rowScope
}

// Allows reports whether the caller may see o.
func (f *RowFilter) Allows(o json.RawMessage) bool {
	if f == nil || f.scope == nil || !f.scope.restricted {
		return true
	}
	row := decodeJSON(o)
	for _, ap := range f.scope.applied {
		if ok, err := EvalFilters(ap.filters, row); err == nil && ok {
			return true
		}
	}
	return false
}

// SubscribeObjects resolves a type for a subscription to its object events
// and the caller's select scope. Errors: NOT_FOUND (type),
// INSUFFICIENT_SCOPE, FORBIDDEN.
func (s *Service) SubscribeObjects(ctx context.Context, typeRef string) (*RowFilter, error) {
	_, t, r, err := s.readType(ctx, typeRef)
	if err != nil {
		return nil, err
	}
	return &RowFilter{TypeID: t.ID, scope: r}, nil
}

// readType resolves the caller, the type it reads and the rows it may see
// (the start of every read of a type's objects). Errors: INSUFFICIENT_SCOPE,
// NOT_FOUND (type), FORBIDDEN (permission).
func (s *Service) readType(ctx context.Context, typeRef string) (*domain.Principal, *db.ObjectType, *rowScope, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, typeRef, false)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := s.rowAccess(ctx, s.core.DB, p, t, nil, ActionSelect)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, t, r, nil
}

// --- objects reached through another resource ----------------------------------

// accessibleObject resolves a live object for an end user acting on what
// hangs off it (comments, associations): the permission of action on its
// type (select: read, else write), and the object within the user's select
// policies (else NOT_FOUND naming what). Keys: liveObject.
func (s *Service) accessibleObject(ctx context.Context, idb bun.IDB, p *domain.Principal, typeRef, id, what, action string) (*db.ObjectType, *db.Object, error) {
	t, row, err := s.liveObject(ctx, idb, p.TenantID, typeRef, id, what)
	if err != nil || p.Kind != domain.PrincipalUser {
		return t, row, err
	}
	if perm := Permission(t.Name, action); !p.Allows(perm) {
		return nil, nil, p.Denied(perm)
	}
	sel, err := s.policyScope(ctx, idb, p, t, nil, ActionSelect)
	if err != nil {
		return nil, nil, err
	}
	if err := s.visibleObject(ctx, idb, row, sel); err != nil {
		return nil, nil, domain.NotFound(what)
	}
	return t, row, nil
}

// requirePermission checks an end user's RBAC permission (keys and the
// admin pass: their scope was checked).
func requirePermission(p *domain.Principal, perm string) error {
	if p.Kind == domain.PrincipalUser && !p.Allows(perm) {
		return p.Denied(perm)
	}
	return nil
}

// readableIDs returns which of ids, live objects of any types, the caller
// may see: all of them for keys and the admin; for an end user, those of
// types it may read, within their select policies (GraphQL's batched
// loaders, whose ids come from several types).
func (s *Service) readableIDs(ctx context.Context, p *domain.Principal, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if p.Kind != domain.PrincipalUser {
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	byType, err := db.ObjectTypesOf(ctx, s.core.DB, p.TenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	for typeID, typeIDs := range byType {
		t, err := s.objectType(ctx, s.core.DB, p.TenantID, typeID, false)
		if err != nil {
			return nil, err
		}
		if !p.Allows(Permission(t.Name, ActionSelect)) {
			continue
		}
		sel, err := s.policyScope(ctx, s.core.DB, p, t, nil, ActionSelect)
		if err != nil {
			return nil, err
		}
		seen, err := s.matching(ctx, s.core.DB, p.TenantID, t.ID, typeIDs, false, sel)
		if err != nil {
			return nil, err
		}
		for id := range seen {
			out[id] = true
		}
	}
	return out, nil
}

// readableOnly keeps the ids the caller may see, in order.
func (s *Service) readableOnly(ctx context.Context, p *domain.Principal, ids []string) ([]string, error) {
	if p.Kind != domain.PrincipalUser {
		return ids, nil
	}
	ok, err := s.readableIDs(ctx, p, ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if ok[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// visibleEnds is the condition on the other end (alias o) of the given
// objects' associations that keeps the ends an end user may read: per type
// at the other ends, its RBAC read permission and select policies. Keys and
// the admin see every end (no condition).
func (s *Service) visibleEnds(ctx context.Context, p *domain.Principal, objectIDs []string) (db.Condition, error) {
	if p.Kind != domain.PrincipalUser {
		return db.Condition{}, nil
	}
	typeIDs, err := db.ObjectAssociationEndTypes(ctx, s.core.DB, p.TenantID, objectIDs)
	if err != nil {
		return db.Condition{}, domain.Internal(err)
	}
	var readable []db.Condition
	for _, id := range typeIDs {
		t, err := s.objectType(ctx, s.core.DB, p.TenantID, id, false)
		if err != nil || !p.Allows(Permission(t.Name, ActionSelect)) {
			continue // a type gone meanwhile, or one the user may not read
		}
		sel, err := s.policyScope(ctx, s.core.DB, p, t, nil, ActionSelect)
		if err != nil {
			return db.Condition{}, err
		}
		readable = append(readable, db.And(db.Condition{SQL: "o.object_type_id = ?", Args: []any{t.ID}}, sel.where()))
	}
	return db.Or(readable...), nil
}
