package rest

// auditRoutes lists the reference's Audit endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func auditRoutes() []Route {
	return []Route{
		{Section: "Audit", Method: "GET", Path: "/v1/audit-logs", Summary: "List audit logs", Auth: Bearer, Scope: "auth", Permission: "audit:read"},
	}
}
