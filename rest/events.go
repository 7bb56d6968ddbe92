package rest

// eventsRoutes lists the reference's Errors, Events endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func eventsRoutes() []Route {
	return []Route{
		{Section: "Events", Method: "GET", Path: "/events/stream", Summary: "Server-sent events stream", Auth: Bearer, Scope: "read", Permission: "events:read"},
		{Section: "Events", Method: "GET", Path: "/events/types", Summary: "List available event types", Auth: Bearer, Scope: "read", Permission: "events:read"},
		{Section: "Events", Method: "POST", Path: "/v1/events", Summary: "Track custom event", Auth: Bearer, Scope: "write", Permission: "events:write"},
		{Section: "Events", Method: "GET", Path: "/v1/events/list", Summary: "List custom events", Auth: Bearer, Scope: "read", Permission: "events:read"},
		{Section: "Errors", Method: "POST", Path: "/v1/errors/report", Summary: "Report client error", Auth: Bearer, Scope: "write", Permission: "events:write"},
	}
}
