package rest

// usersRoutes lists the reference's Users endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func usersRoutes() []Route {
	return []Route{
		{Section: "Users", Method: "GET", Path: "/v1/users", Summary: "List users", Auth: Bearer, Scope: "auth", Permission: "users:read"},
		{Section: "Users", Method: "POST", Path: "/v1/users", Summary: "Create user", Auth: Bearer, Scope: "auth", Permission: "users:manage"},
		{Section: "Users", Method: "GET", Path: "/v1/users/:user_id", Summary: "Get user", Auth: Bearer, Scope: "auth", Permission: "users:read"},
		{Section: "Users", Method: "PATCH", Path: "/v1/users/:user_id", Summary: "Update user", Auth: Bearer, Scope: "auth", Permission: "users:manage"},
		{Section: "Users", Method: "DELETE", Path: "/v1/users/:user_id", Summary: "Delete user", Auth: Bearer, Scope: "auth", Permission: "users:manage"},
		{Section: "Users", Method: "GET", Path: "/v1/users/:user_id/mfa", Summary: "List user MFA factors", Auth: Bearer, Scope: "auth", Permission: "users:read"},
	}
}
