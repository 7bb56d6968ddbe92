package rest

// realtimeRoutes lists the reference's Realtime endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func realtimeRoutes() []Route {
	return []Route{
		{Section: "Realtime", Method: "GET", Path: "/v1/realtime/stats", Summary: "Get realtime stats", Auth: Bearer, Scope: "read", Permission: "realtime:read"},
		{Section: "Realtime", Method: "GET", Path: "/v1/realtime", Summary: "WebSocket upgrade", Auth: Public, Scope: "read", Permission: "realtime:read"},
	}
}
