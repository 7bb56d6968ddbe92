package rest

// rolesRoutes lists the reference's Roles endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func rolesRoutes() []Route {
	return []Route{
		{Section: "Roles", Method: "POST", Path: "/v1/roles/:role_id/permissions", Summary: "Assign permissions to role", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
		{Section: "Roles", Method: "POST", Path: "/v1/roles/assign", Summary: "Assign role to user", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
		{Section: "Roles", Method: "GET", Path: "/v1/roles", Summary: "List roles", Auth: Bearer, Scope: "auth", Permission: "roles:read"},
		{Section: "Roles", Method: "POST", Path: "/v1/roles", Summary: "Create role", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
		{Section: "Roles", Method: "GET", Path: "/v1/roles/:role_id", Summary: "Get role", Auth: Bearer, Scope: "auth", Permission: "roles:read"},
		{Section: "Roles", Method: "PATCH", Path: "/v1/roles/:role_id", Summary: "Update role", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
		{Section: "Roles", Method: "DELETE", Path: "/v1/roles/:role_id", Summary: "Delete role", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
		{Section: "Roles", Method: "GET", Path: "/v1/users/:user_id/roles", Summary: "List user roles", Auth: Bearer, Scope: "auth", Permission: "roles:read"},
		{Section: "Roles", Method: "DELETE", Path: "/v1/roles/:role_id/users/:user_id", Summary: "Remove role from user", Auth: Bearer, Scope: "auth", Permission: "roles:manage"},
	}
}
