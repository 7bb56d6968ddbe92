package rest

// usersRoutes are the Users admin endpoints (scope "auth").
func (a *API) usersRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Users", Method: "GET", Path: "/v1/users", Summary: "List users", Auth: Bearer, Scope: "auth", Permission: "users:read", Op: Op(id.ListUsers)},
		{Section: "Users", Method: "POST", Path: "/v1/users", Summary: "Create user", Auth: Bearer, Scope: "auth", Permission: "users:manage", Status: 201, Op: Op(id.CreateUser)},
		{Section: "Users", Method: "GET", Path: "/v1/users/:user_id", Summary: "Get user", Auth: Bearer, Scope: "auth", Permission: "users:read", Op: Op(id.GetUser)},
		{Section: "Users", Method: "PATCH", Path: "/v1/users/:user_id", Summary: "Update user", Auth: Bearer, Scope: "auth", Permission: "users:manage", Op: Op(id.UpdateUser)},
		{Section: "Users", Method: "DELETE", Path: "/v1/users/:user_id", Summary: "Delete user", Auth: Bearer, Scope: "auth", Permission: "users:manage", Op: Op(id.DeleteUser)},
		{Section: "Users", Method: "GET", Path: "/v1/users/:user_id/mfa", Summary: "List user MFA factors", Auth: Bearer, Scope: "auth", Permission: "users:read", Op: Op(id.ListUserFactors)},
	}
}
