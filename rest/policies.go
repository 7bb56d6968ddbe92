package rest

// policiesRoutes lists the reference's Policies endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func policiesRoutes() []Route {
	return []Route{
		{Section: "Policies", Method: "GET", Path: "/v1/object-types/:object_type_id/policies", Summary: "List access policies", Auth: Bearer, Scope: "auth", Permission: "policies:read"},
		{Section: "Policies", Method: "POST", Path: "/v1/object-types/:object_type_id/policies", Summary: "Create access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage"},
		{Section: "Policies", Method: "PATCH", Path: "/v1/object-types/:object_type_id/policies/:policy_id", Summary: "Update access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage"},
		{Section: "Policies", Method: "DELETE", Path: "/v1/object-types/:object_type_id/policies/:policy_id", Summary: "Delete access policy", Auth: Bearer, Scope: "auth", Permission: "policies:manage"},
	}
}
