package rest

// sessionsRoutes lists the reference's Sessions endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func sessionsRoutes() []Route {
	return []Route{
		{Section: "Sessions", Method: "GET", Path: "/v1/auth/sessions", Summary: "List active sessions", Auth: Bearer},
		{Section: "Sessions", Method: "DELETE", Path: "/v1/auth/sessions", Summary: "Revoke all sessions", Auth: Bearer},
		{Section: "Sessions", Method: "DELETE", Path: "/v1/auth/sessions/:session_id", Summary: "Revoke session", Auth: Bearer},
	}
}
