package rest

// auditRoutes lists the reference's Audit endpoints.
func (a *API) auditRoutes() []Route {
	g := a.cfg.Governance
	return []Route{
		{Section: "Audit", Method: "GET", Path: "/v1/audit-logs", Summary: "List audit logs", Auth: Bearer, Scope: "auth", Permission: "audit:read", Op: Op(g.ListAuditLogs)},
	}
}
