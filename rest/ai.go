package rest

// aiRoutes lists the reference's AI endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func aiRoutes() []Route {
	return []Route{
		{Section: "AI", Method: "POST", Path: "/v1/ai/auto-tag", Summary: "Auto-tag content", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/chat", Summary: "Chat completion", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/conversations/:conversation_id/chat", Summary: "Chat with conversation history", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/describe", Summary: "Describe image", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/generate", Summary: "Text generation", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/index", Summary: "Index objects for vector search", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/moderate", Summary: "Content moderation", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/summarise", Summary: "Summarise content", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/search", Summary: "Vector similarity search", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "GET", Path: "/v1/ai/conversations", Summary: "List AI conversations", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/conversations", Summary: "Create AI conversation", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "GET", Path: "/v1/ai/conversations/:conversation_id", Summary: "Get AI conversation", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
		{Section: "AI", Method: "PATCH", Path: "/v1/ai/conversations/:conversation_id", Summary: "Update AI conversation", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "DELETE", Path: "/v1/ai/conversations/:conversation_id", Summary: "Delete AI conversation", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "POST", Path: "/v1/ai/embeddings", Summary: "Generate embeddings", Auth: Bearer, Scope: "ai", Permission: "ai:write"},
		{Section: "AI", Method: "GET", Path: "/v1/ai/models", Summary: "List available AI models", Auth: Bearer, Scope: "ai", Permission: "ai:read"},
	}
}
