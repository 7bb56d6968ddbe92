package rest

// aiprovidersRoutes lists the reference's AI Providers endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func aiprovidersRoutes() []Route {
	return []Route{
		{Section: "AI Providers", Method: "GET", Path: "/v1/ai-providers", Summary: "List AI providers", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
		{Section: "AI Providers", Method: "POST", Path: "/v1/ai-providers", Summary: "Create AI provider", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI Providers", Method: "GET", Path: "/v1/ai-providers/:provider_id", Summary: "Get AI provider", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
		{Section: "AI Providers", Method: "PATCH", Path: "/v1/ai-providers/:provider_id", Summary: "Update AI provider", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI Providers", Method: "DELETE", Path: "/v1/ai-providers/:provider_id", Summary: "Delete AI provider", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI Providers", Method: "GET", Path: "/v1/ai-usage", Summary: "Get AI usage stats", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
	}
}
