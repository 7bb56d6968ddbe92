package rest

// integrationsRoutes lists the reference's Integrations endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func integrationsRoutes() []Route {
	return []Route{
		{Section: "Integrations", Method: "GET", Path: "/v1/integrations", Summary: "List integrations", Auth: Bearer, Scope: "*", Permission: "integrations:read"},
		{Section: "Integrations", Method: "POST", Path: "/v1/integrations", Summary: "Create integration", Auth: Bearer, Scope: "*", Permission: "integrations:write"},
		{Section: "Integrations", Method: "GET", Path: "/v1/integrations/:integration_id", Summary: "Get integration", Auth: Bearer, Scope: "*", Permission: "integrations:read"},
		{Section: "Integrations", Method: "PATCH", Path: "/v1/integrations/:integration_id", Summary: "Update integration", Auth: Bearer, Scope: "*", Permission: "integrations:write"},
		{Section: "Integrations", Method: "DELETE", Path: "/v1/integrations/:integration_id", Summary: "Delete integration", Auth: Bearer, Scope: "*", Permission: "integrations:write"},
		{Section: "Integrations", Method: "GET", Path: "/v1/integrations/:integration_id/logs", Summary: "List sync logs", Auth: Bearer, Scope: "*", Permission: "integrations:read"},
		{Section: "Integrations", Method: "POST", Path: "/v1/integrations/:integration_id/sync", Summary: "Sync integration", Auth: Bearer, Scope: "*", Permission: "integrations:write"},
	}
}
