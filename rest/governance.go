package rest

// governanceRoutes lists the reference's Governance endpoints: tenant-wide
// settings (scope "auth") and the row-policy simulator.
func (a *API) governanceRoutes() []Route {
	g := a.cfg.Governance
	return []Route{
		{Section: "Governance", Method: "GET", Path: "/v1/governance", Summary: "Get governance settings", Auth: Bearer, Scope: "auth", Permission: "governance:read", Op: Op0(g.Get)},
		{Section: "Governance", Method: "PATCH", Path: "/v1/governance", Summary: "Update governance settings", Auth: Bearer, Scope: "auth", Permission: "governance:manage", Op: Op(g.Update)},
		{Section: "Governance", Method: "POST", Path: "/v1/policies/simulate", Summary: "Simulate RLS policy", Auth: Bearer, Scope: "auth", Permission: "governance:manage", Op: Op(a.cfg.Objects.SimulatePolicies)},
	}
}
