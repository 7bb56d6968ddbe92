package objects

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// POST /v1/policies/simulate: evaluates a policy (given, or the type's
// stored ones) for an auth context against sample rows, in memory, with the
// semantics of the SQL the policies compile to (policy_eval.go). It reads
// nothing but the type and its policies, and changes nothing.

// maxSampleRows caps sample_data.
const maxSampleRows = 1000

// SimulateInput is the body of POST /v1/policies/simulate.
type SimulateInput struct {
	// Policy, when given, is evaluated alone; absent, the type's stored
	// enabled policies for Action are (object_type_id and action needed).
	Policy *SimulatedPolicy `json:"policy"`
	// ObjectTypeID (id or name) types the condition's properties; without
	// it every property is compared as untyped JSON.
	ObjectTypeID string            `json:"object_type_id"`
	Action       string            `json:"action"`
	AuthContext  AuthContext       `json:"auth_context"`
	SampleData   []json.RawMessage `json:"sample_data"`
}

// SimulatedPolicy is a policy given to the simulator.
type SimulatedPolicy struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Action        string          `json:"action"`
	Role          *string         `json:"role"`
	ConditionJSON json.RawMessage `json:"condition_json"`
}

// Simulation answers a simulation: one result per sample row, in order.
type Simulation struct {
	Action  string            `json:"action"`
	Results []SimulatedResult `json:"results"`
}

// SimulatedResult is the verdict on one sample row; PolicyID names the
// policy that allowed it (null when none did, or when no policy exists for
// the action and RBAC alone decides).
type SimulatedResult struct {
	Allowed  bool    `json:"allowed"`
	PolicyID *string `json:"policy_id"`
	Reason   string  `json:"reason"`
}

// simPolicy is a policy under simulation.
type simPolicy struct {
	id, name string
	role     *string
	cond     json.RawMessage
}

// SimulatePolicies evaluates policies against sample rows. Errors:
// VALIDATION_FAILED (policy.condition_json naming the item, action,
// sample_data, object_type_id/action missing without a policy), NOT_FOUND
// (type), INSUFFICIENT_SCOPE / FORBIDDEN.
func (s *Service) SimulatePolicies(ctx context.Context, in SimulateInput) (Simulation, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAuth, "governance:manage")
	if err != nil {
		return Simulation{}, err
	}
	rows, err := sampleRows(in.SampleData)
	if err != nil {
		return Simulation{}, err
	}
	action := in.Action
	if action == "" && in.Policy != nil {
		action = in.Policy.Action
	}
	if action == "" && in.Policy != nil {
		action = ActionSelect
	}
	var v domain.Validation
	v.Check(!slices.Contains(PolicyActions, action), "action", "must be one of select, insert, update, delete")
	v.Check(in.Policy == nil && in.ObjectTypeID == "", "object_type_id", "is required when no policy is given (the type's stored policies are simulated)")
	if err := v.Err(); err != nil {
		return Simulation{}, err
	}
	props, policies, err := s.simulated(ctx, p.TenantID, in, action)
	if err != nil {
		return Simulation{}, err
	}
	out := Simulation{Action: action, Results: make([]SimulatedResult, len(rows))}
	for i, row := range rows {
		out.Results[i] = simulateRow(props, policies, in.AuthContext, row, in.Policy == nil)
	}
	return out, nil
}

// simulated loads the type's properties (synthesized as untyped when no
// type is named) and the policies to evaluate.
func (s *Service) simulated(ctx context.Context, tenantID string, in SimulateInput, action string) ([]Property, []simPolicy, error) {
	var props []Property
	var policies []simPolicy
	if in.Policy != nil {
		cond := in.Policy.ConditionJSON
		if isNull(cond) {
			cond = json.RawMessage("{}")
		}
		policies = []simPolicy{{id: in.Policy.ID, name: in.Policy.Name, role: in.Policy.Role, cond: cond}}
	}
	if in.ObjectTypeID == "" {
		props = untypedProps(policies[0].cond)
	} else {
		t, err := s.objectType(ctx, s.core.DB, tenantID, in.ObjectTypeID, false)
		if err != nil {
			return nil, nil, err
		}
		if props, err = s.properties(ctx, s.core.DB, tenantID, t.ID); err != nil {
			return nil, nil, err
		}
		if in.Policy == nil {
			rows, err := db.ObjectPolicyEnabled(ctx, s.core.DB, tenantID, t.ID, action)
			if err != nil {
				return nil, nil, domain.Internal(err)
			}
			for _, r := range rows {
				policies = append(policies, simPolicy{id: r.ID, name: r.Name, role: r.Role, cond: r.ConditionJSON})
			}
		}
	}
	if in.Policy != nil {
		if _, err := ValidateCondition(props, policies[0].cond); err != nil {
			return nil, nil, prefixField(err, "policy.")
		}
	}
	return props, policies, nil
}

// simulateRow evaluates the policies for one row, as access.go combines
// them: none for the action allows (RBAC decides), else the first policy
// that applies and matches allows.
func simulateRow(props []Property, policies []simPolicy, a AuthContext, row map[string]any, stored bool) SimulatedResult {
	if len(policies) == 0 && stored {
		return SimulatedResult{Allowed: true, Reason: "no enabled policy for this action: RBAC alone decides"}
	}
	applied := 0
	for _, pol := range policies {
		if !a.appliesTo(pol.role) {
			continue
		}
		applied++
		filters, _, err := resolveCondition(props, pol.cond, a)
		if err != nil {
			continue // a stored condition that no longer resolves grants nothing
		}
		if ok, err := EvalFilters(filters, row); err == nil && ok {
			res := SimulatedResult{Allowed: true, Reason: "matches policy " + strconv.Quote(pol.name)}
			if pol.id != "" {
				id := pol.id
				res.PolicyID = &id
			}
			if pol.name == "" {
				res.Reason = "matches the policy's condition"
			}
			return res
		}
	}
	if applied == 0 {
		return SimulatedResult{Reason: "no policy applies to the user's role or roles"}
	}
	return SimulatedResult{Reason: "matches no condition of the " + strconv.Itoa(applied) + " policies that apply"}
}

// sampleRows decodes sample_data: 1 to 1,000 JSON objects, numbers exact.
func sampleRows(raw []json.RawMessage) ([]map[string]any, error) {
	if len(raw) == 0 {
		return nil, domain.Invalid("sample_data", "is required (1 to "+strconv.Itoa(maxSampleRows)+" rows)")
	}
	if len(raw) > maxSampleRows {
		return nil, domain.Invalid("sample_data", "holds at most "+strconv.Itoa(maxSampleRows)+" rows")
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		m, ok := decodeJSON(r).(map[string]any)
		if !ok {
			return nil, domain.Invalid("sample_data["+strconv.Itoa(i)+"]", "must be a JSON object (an object, or its properties)")
		}
		out[i] = m
	}
	return out, nil
}

// untypedProps declares every property a condition names as untyped JSON
// (a simulation without a type).
func untypedProps(cond json.RawMessage) []Property {
	var props []Property
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case []any:
			for _, it := range y {
				walk(it)
			}
		case map[string]any:
			if name, ok := y["property"].(string); ok && !slices.Contains(BuiltinFields, name) &&
				!slices.ContainsFunc(props, func(p Property) bool { return p.Name == name }) {
				props = append(props, Property{Name: name, DataType: TypeJSON})
			}
			walk(y["and"])
			walk(y["or"])
		}
	}
	walk(decodeJSON(cond))
	return props
}

// prefixField renames the fields of a validation error under prefix.
func prefixField(err error, prefix string) error {
	e := domain.AsError(err)
	if e == nil || e.Code != domain.CodeValidationFailed || len(e.Fields) == 0 {
		return err
	}
	fields := make(map[string][]string, len(e.Fields))
	for f, msgs := range e.Fields {
		fields[prefix+f] = msgs
	}
	out := *e
	out.Fields = fields
	return &out
}
