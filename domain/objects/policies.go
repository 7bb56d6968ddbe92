package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Row-level policies (docs/access.md, "Row-level policies"): per object
// type and action, a condition in the objects filter language whose values
// may name the caller ({{user.id}}, {{user.role}}). An end user's select,
// insert, update and delete see only the rows that satisfy one of the
// enabled policies of the action that apply to the user's roles. This file
// is their CRUD and the parsing of their conditions; access.go applies them.

// PrefixPolicy is the id prefix of policies.
const PrefixPolicy = "pol_"

// Policy actions.
const (
	ActionSelect = "select"
	ActionInsert = "insert"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// PolicyActions lists the actions in documentation order.
var PolicyActions = []string{ActionSelect, ActionInsert, ActionUpdate, ActionDelete}

// Policy caps.
const (
	// MaxPolicies per type: the bare list of a type's policies holds them all.
	MaxPolicies    = 1000
	maxPolicyName  = 100
	maxPolicyRole  = 100
	conditionField = "condition_json"
)

// Policy event types (topic "schema"; payload: the policy).
const (
	EventPolicyCreated = "policy.created"
	EventPolicyUpdated = "policy.updated"
	EventPolicyDeleted = "policy.deleted"
)

// Policy is a row-level policy of an object type.
type Policy struct {
	ID           string `json:"id"`
	ObjectTypeID string `json:"object_type_id"`
	Name         string `json:"name"`
	Action       string `json:"action"`
	// Role names the user role string or RBAC role the policy applies to;
	// null applies it to every end user.
	Role *string `json:"role"`
	// ConditionJSON is the condition as written (variables kept).
	ConditionJSON json.RawMessage `json:"condition_json"`
	Enabled       bool            `json:"enabled"`
	CreatedBy     string          `json:"created_by"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

func policyFromRow(r *db.ObjectPolicy) Policy {
	return Policy{ID: r.ID, ObjectTypeID: r.ObjectTypeID, Name: r.Name, Action: r.Action, Role: r.Role,
		ConditionJSON: r.ConditionJSON, Enabled: r.Enabled, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt}
}

// PolicyListInput names the type whose policies to list.
type PolicyListInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
}

// CreatePolicyInput is POST /v1/object-types/:object_type_id/policies.
type CreatePolicyInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	Name         string `json:"name"`
	Action       string `json:"action"`
	// Role is null or absent for every end user.
	Role          *string         `json:"role"`
	ConditionJSON json.RawMessage `json:"condition_json"`
	// Enabled defaults to true.
	Enabled *bool `json:"enabled"`
}

// UpdatePolicyInput is PATCH .../policies/:policy_id; absent members keep
// their value, "role": null applies the policy to every end user.
type UpdatePolicyInput struct {
	ObjectTypeID  string                  `path:"object_type_id" json:"-"`
	PolicyID      string                  `path:"policy_id" json:"-"`
	Name          *string                 `json:"name"`
	Action        *string                 `json:"action"`
	Role          domain.Optional[string] `json:"role"`
	ConditionJSON json.RawMessage         `json:"condition_json"`
	Enabled       *bool                   `json:"enabled"`
}

// PolicyRef names a policy of a type.
type PolicyRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	PolicyID     string `path:"policy_id" json:"-"`
}

func policyReader(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeAuth, "policies:read")
}

func policyManager(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeAuth, "policies:manage")
}

// ListPolicies returns a type's policies by name (a bare list). Errors:
// NOT_FOUND (type), INSUFFICIENT_SCOPE / FORBIDDEN.
func (s *Service) ListPolicies(ctx context.Context, in PolicyListInput) ([]Policy, error) {
	p, err := policyReader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return nil, err
	}
	return s.policiesOfType(ctx, p.TenantID, t.ID)
}

// PoliciesOfType returns a type's policies by name (GraphQL's
// objectType.policies). Errors: INSUFFICIENT_SCOPE / FORBIDDEN.
func (s *Service) PoliciesOfType(ctx context.Context, typeID string) ([]Policy, error) {
	p, err := policyReader(ctx)
	if err != nil {
		return nil, err
	}
	return s.policiesOfType(ctx, p.TenantID, typeID)
}

func (s *Service) policiesOfType(ctx context.Context, tenantID, typeID string) ([]Policy, error) {
	rows, err := db.ObjectPolicyList(ctx, s.core.DB, tenantID, typeID, MaxPolicies)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Policy, len(rows))
	for i := range rows {
		out[i] = policyFromRow(&rows[i])
	}
	return out, nil
}

// CreatePolicy adds a policy to a type. Errors: NOT_FOUND (type),
// VALIDATION_FAILED (name, action, role, condition_json naming the item,
// the policy cap), CONFLICT (name taken).
func (s *Service) CreatePolicy(ctx context.Context, in CreatePolicyInput) (Policy, error) {
	p, err := policyManager(ctx)
	if err != nil {
		return Policy{}, err
	}
	now := s.core.Clock.Now()
	row := &db.ObjectPolicy{TenantID: p.TenantID, ID: domain.NewID(PrefixPolicy), Name: strings.TrimSpace(in.Name),
		Action: in.Action, Role: in.Role, Enabled: in.Enabled == nil || *in.Enabled, CreatedBy: p.ActorID(),
		CreatedAt: now, UpdatedAt: now}
	var out Policy
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// The type's row lock serializes its policies' writes (name, cap).
		t, err := s.objectType(ctx, w.Tx, p.TenantID, in.ObjectTypeID, true)
		if err != nil {
			return err
		}
		row.ObjectTypeID = t.ID
		if row.ConditionJSON, err = s.checkPolicy(ctx, w.Tx, t, row, in.ConditionJSON); err != nil {
			return err
		}
		n, err := db.ObjectPolicyCount(ctx, w.Tx, p.TenantID, t.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if n >= MaxPolicies {
			return domain.Invalid("name", "cannot be added: an object type has at most "+strconv.Itoa(MaxPolicies)+" policies")
		}
		if err := db.ObjectPolicyInsert(ctx, w.Tx, row); err != nil {
			return policyWriteError(err, t.Name, row.Name)
		}
		out = policyFromRow(row)
		return s.recordPolicy(w, p.TenantID, "policy.create", EventPolicyCreated, nil, &out)
	})
	return out, err
}

// UpdatePolicy changes a policy; absent members keep their value. Errors:
// NOT_FOUND (type, policy), VALIDATION_FAILED, CONFLICT (name taken).
func (s *Service) UpdatePolicy(ctx context.Context, in UpdatePolicyInput) (Policy, error) {
	p, err := policyManager(ctx)
	if err != nil {
		return Policy{}, err
	}
	var out Policy
	err = s.core.Write(ctx, func(w *domain.Write) error {
		t, row, err := s.policy(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.PolicyID)
		if err != nil {
			return err
		}
		before := policyFromRow(row)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		if in.Action != nil {
			row.Action = *in.Action
		}
		if in.Role.Set {
			row.Role = in.Role.Value
		}
		if in.Enabled != nil {
			row.Enabled = *in.Enabled
		}
		// An unchanged condition is checked again too: the action or a
		// property may have changed since it was saved.
		cond := in.ConditionJSON
		if len(cond) == 0 {
			cond = row.ConditionJSON
		}
		if row.ConditionJSON, err = s.checkPolicy(ctx, w.Tx, t, row, cond); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.ObjectPolicyUpdate(ctx, w.Tx, row); err != nil {
			return policyWriteError(err, t.Name, row.Name)
		}
		out = policyFromRow(row)
		return s.recordPolicy(w, p.TenantID, "policy.update", EventPolicyUpdated, &before, &out)
	})
	return out, err
}

// DeletePolicy deletes a policy. Errors: NOT_FOUND (type, policy).
func (s *Service) DeletePolicy(ctx context.Context, in PolicyRef) (Deleted, error) {
	p, err := policyManager(ctx)
	if err != nil {
		return Deleted{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		_, row, err := s.policy(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.PolicyID)
		if err != nil {
			return err
		}
		if err := db.ObjectPolicyDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := policyFromRow(row)
		return s.recordPolicy(w, p.TenantID, "policy.delete", EventPolicyDeleted, &before, nil)
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// policy loads a policy of a type by id, locking the type. Errors:
// NOT_FOUND.
func (s *Service) policy(ctx context.Context, tx bun.IDB, tenantID, typeRef, id string) (*db.ObjectType, *db.ObjectPolicy, error) {
	return typeChild(ctx, s, tx, tenantID, typeRef, id, PrefixPolicy, "Policy", db.ObjectPolicyGet)
}

// checkPolicy validates a policy's name, action and role, and its
// condition against the type's properties; it returns the condition to
// store (compact, variables kept; {} when absent).
func (s *Service) checkPolicy(ctx context.Context, tx bun.IDB, t *db.ObjectType, row *db.ObjectPolicy, cond json.RawMessage) (json.RawMessage, error) {
	var v domain.Validation
	domain.CheckText(&v, "name", row.Name, maxPolicyName, true)
	if !slices.Contains(PolicyActions, row.Action) {
		v.Add("action", "must be one of "+strings.Join(PolicyActions, ", "))
	}
	if row.Role != nil {
		*row.Role = strings.TrimSpace(*row.Role)
		domain.CheckText(&v, "role", *row.Role, maxPolicyRole, true)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	props, err := s.properties(ctx, tx, t.TenantID, t.ID)
	if err != nil {
		return nil, err
	}
	return ValidateCondition(props, cond)
}

// ValidateCondition checks a policy condition against a type's properties:
// its shape, its variables, and that it compiles with sample values for
// the variables (so a {{user.id}} compared with a number property is
// refused now, not at query time). It returns the compact condition.
func ValidateCondition(props []Property, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, domain.Invalid(conditionField, "must be a JSON object: a condition, {\"and\": [...]}, {\"or\": [...]} or {}")
	}
	if _, _, err := resolveCondition(props, buf.Bytes(), sampleUser); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func policyWriteError(err error, typeName, name string) error {
	if db.IsUniqueViolation(err) {
		return domain.Errorf(domain.CodeConflict, "The object type %q has a policy named %q already.", typeName, name)
	}
	return domain.Internal(err)
}

func (s *Service) recordPolicy(w *domain.Write, tenantID, action, event string, before, after *Policy) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if err := w.Audit(tenantID, action, "policy", cur.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, cur)
}

// --- conditions --------------------------------------------------------------

// AuthContext is who a condition's variables name: the caller of a
// request, or the auth_context of a simulation.
type AuthContext struct {
	UserID string   `json:"user_id"`
	Role   string   `json:"role"`
	Roles  []string `json:"roles"`
}

// sampleUser fills the variables when a condition is checked at save time.
var sampleUser = AuthContext{UserID: "usr_sample", Role: "member"}

// PolicyVariables are the variables a condition's values may be, each a
// whole string value (or an element of an in/not_in list).
var PolicyVariables = []string{"{{user.id}}", "{{user.role}}"}

// variablePattern recognizes a string meant as a variable.
var variablePattern = regexp.MustCompile(`^\{\{\s*[^{}]*\s*\}\}$`)

func (a AuthContext) variable(name string) (string, bool) {
	switch strings.Join(strings.Fields(name[2:len(name)-2]), "") {
	case "user.id":
		return a.UserID, true
	case "user.role":
		return a.Role, true
	}
	return "", false
}

// appliesTo reports whether a policy's role matches the user: null matches
// everyone, else the user's role string or one of its RBAC role names.
func (a AuthContext) appliesTo(role *string) bool {
	return role == nil || *role == a.Role || slices.Contains(a.Roles, *role)
}

// resolveCondition substitutes the variables of a stored condition for a,
// then parses it against props: the filter language's items (none for {}).
// Errors name the item under condition_json.
func resolveCondition(props []Property, raw json.RawMessage, a AuthContext) ([]Filter, db.Condition, error) {
	doc := decodeJSON(raw)
	var items []any
	single := false
	switch x := doc.(type) {
	case map[string]any:
		if len(x) == 0 {
			return []Filter{}, db.Condition{SQL: "TRUE"}, nil
		}
		items, single = []any{x}, true
	case []any:
		items = x
	default:
		return nil, db.Condition{}, domain.Invalid(conditionField, "must be a JSON object: a condition, {\"and\": [...]}, {\"or\": [...]} or {}")
	}
	var v domain.Validation
	for i := range items {
		items[i] = substitute(&v, itemField(single, i), items[i], a)
	}
	if err := v.Err(); err != nil {
		return nil, db.Condition{}, err
	}
	p := filterParser{props: props}
	var out []Filter
	var err error
	if single {
		b, _ := json.Marshal(items[0])
		var f *Filter
		if f, err = p.item(conditionField, b, 1); err == nil && p.capErr != nil {
			err = p.capErr
		}
		if f != nil {
			out = []Filter{*f}
		}
	} else {
		raws := make([]json.RawMessage, len(items))
		for i := range items {
			raws[i], _ = json.Marshal(items[i])
		}
		out, err = p.list(conditionField, raws, 1)
	}
	if err == nil {
		err = p.v.Err()
	}
	if err != nil {
		return nil, db.Condition{}, err
	}
	cond, err := compileCondition(out, single)
	if err != nil {
		return nil, db.Condition{}, err
	}
	return out, cond, nil
}

func itemField(single bool, i int) string {
	if single {
		return conditionField
	}
	return conditionField + "[" + strconv.Itoa(i) + "]"
}

// substitute replaces the variables among the values of one item (and its
// groups' items) with a's values; an unknown variable is refused.
func substitute(v *domain.Validation, field string, item any, a AuthContext) any {
	m, ok := item.(map[string]any)
	if !ok {
		return item // the parser names the bad shape
	}
	for _, g := range []string{"and", "or"} {
		if list, ok := m[g].([]any); ok {
			for i := range list {
				list[i] = substitute(v, field+"."+g+"["+strconv.Itoa(i)+"]", list[i], a)
			}
		}
	}
	val, ok := m["value"]
	if !ok {
		return m
	}
	one := func(x any) any {
		s, ok := x.(string)
		if !ok || !variablePattern.MatchString(s) {
			return x
		}
		out, known := a.variable(s)
		if !known {
			v.Add(field+".value", "names an unknown variable "+strconv.Quote(s)+" (known: "+strings.Join(PolicyVariables, ", ")+")")
		}
		return out
	}
	if list, ok := val.([]any); ok {
		for i := range list {
			list[i] = one(list[i])
		}
	} else {
		m["value"] = one(val)
	}
	return m
}

// compileCondition compiles a resolved condition with the filter compiler
// of search; errors name the item under condition_json.
func compileCondition(filters []Filter, single bool) (db.Condition, error) {
	cond, err := db.CompileFilters(filterNodes(filters, conditionField))
	var fe *db.FilterError
	if errors.As(err, &fe) {
		field := fe.Field
		if single {
			field = conditionField + strings.TrimPrefix(field, conditionField+"[0]")
		}
		return db.Condition{}, domain.Invalid(field, fe.Message)
	}
	if err != nil {
		return db.Condition{}, domain.Internal(err)
	}
	return cond, nil
}
