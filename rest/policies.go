package rest

// policiesRoutes are the row-level policies of object types (docs/access.md,
// "Row-level policies"): scope "auth" for keys, policies:read /
// policies:manage for end users.
func (a *API) policiesRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Policies", Method: "GET", Path: "/v1/object-types/:object_type_id/policies", Summary: "List access policies", Auth: Bearer, Scope: "auth", Permission: "policies:read", Op: Op(o.ListPolicies)},
		{Section: "Policies", Method: "POST", Path: "/v1/object-types/:object_type_id/policies", Summary: "Create access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage", Status: 201, Op: Op(o.CreatePolicy)},
		{Section: "Policies", Method: "PATCH", Path: "/v1/object-types/:object_type_id/policies/:policy_id", Summary: "Update access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage", Op: Op(o.UpdatePolicy)},
		{Section: "Policies", Method: "DELETE", Path: "/v1/object-types/:object_type_id/policies/:policy_id", Summary: "Delete access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage", Op: Op(o.DeletePolicy)},
	}
}
