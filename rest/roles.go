package rest

// rolesRoutes are the Roles endpoints (RBAC): scope "auth" for keys,
// roles:read / roles:manage for end users.
func (a *API) rolesRoutes() []Route {
	r := a.cfg.Roles
	return []Route{
		{Section: "Roles", Method: "POST", Path: "/v1/roles/:role_id/permissions", Summary: "Assign permissions to role", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Op: Op(r.AddPermissions)},
		{Section: "Roles", Method: "POST", Path: "/v1/roles/assign", Summary: "Assign role to user", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Op: Op(r.Assign)},
		{Section: "Roles", Method: "GET", Path: "/v1/roles", Summary: "List roles", Auth: Bearer, Scope: "auth", Permission: "roles:read", Op: Op0(r.List)},
		{Section: "Roles", Method: "POST", Path: "/v1/roles", Summary: "Create role", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Status: 201, Op: Op(r.Create)},
		{Section: "Roles", Method: "GET", Path: "/v1/roles/:role_id", Summary: "Get role", Auth: Bearer, Scope: "auth", Permission: "roles:read", Op: Op(r.Get)},
		{Section: "Roles", Method: "PATCH", Path: "/v1/roles/:role_id", Summary: "Update role", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Op: Op(r.Update)},
		{Section: "Roles", Method: "DELETE", Path: "/v1/roles/:role_id", Summary: "Delete role", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Op: Op(r.Delete)},
		{Section: "Roles", Method: "GET", Path: "/v1/users/:user_id/roles", Summary: "List user roles", Auth: Bearer, Scope: "auth", Permission: "roles:read", Op: Op(r.UserRoles)},
		{Section: "Roles", Method: "DELETE", Path: "/v1/roles/:role_id/users/:user_id", Summary: "Remove role from user", Auth: Bearer, Scope: "auth", Permission: "roles:manage", Op: Op(r.Unassign)},
	}
}
