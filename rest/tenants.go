package rest

// tenantRoutes are the tenant's own usage and the platform-admin tenant API
// (not in the reference; guarded by PLATFORM_ADMIN_KEY).
func (a *API) tenantRoutes() []Route {
	t := a.cfg.Tenants
	return []Route{
		{Section: "Tenants", Method: "GET", Path: "/v1/usage", Summary: "Get tenant usage", Auth: Bearer, Permission: "usage:read", Op: Op0(t.GetUsage)},

		{Section: "Admin", Extra: true, Method: "GET", Path: "/v1/admin/tenants", Summary: "List tenants", Auth: Admin, Op: Op(t.List)},
		{Section: "Admin", Extra: true, Method: "POST", Path: "/v1/admin/tenants", Summary: "Create tenant", Auth: Admin, Status: 201, Op: Op(t.Create)},
		{Section: "Admin", Extra: true, Method: "GET", Path: "/v1/admin/tenants/:tenant_id", Summary: "Get tenant", Auth: Admin, Op: Op(t.Get)},
		{Section: "Admin", Extra: true, Method: "PATCH", Path: "/v1/admin/tenants/:tenant_id", Summary: "Update tenant", Auth: Admin, Op: Op(t.Update)},
		{Section: "Admin", Extra: true, Method: "POST", Path: "/v1/admin/tenants/:tenant_id/suspend", Summary: "Suspend tenant", Auth: Admin, Op: Op(t.Suspend)},
		{Section: "Admin", Extra: true, Method: "POST", Path: "/v1/admin/tenants/:tenant_id/resume", Summary: "Resume tenant", Auth: Admin, Op: Op(t.Resume)},
		{Section: "Admin", Extra: true, Method: "DELETE", Path: "/v1/admin/tenants/:tenant_id", Summary: "Delete tenant", Auth: Admin, Op: Op(t.Delete)},
	}
}
