package rest

// analyticsRoutes lists the reference's Analytics endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func analyticsRoutes() []Route {
	return []Route{
		{Section: "Analytics", Method: "GET", Path: "/v1/analytics", Summary: "Get tenant analytics", Auth: Bearer, Scope: "read", Permission: "analytics:read"},
		{Section: "Analytics", Method: "GET", Path: "/v1/analytics/engine", Summary: "Analytics engine query", Auth: Bearer, Scope: "read", Permission: "analytics:read"},
	}
}
