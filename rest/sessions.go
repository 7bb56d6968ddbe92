package rest

// sessionsRoutes are the signed-in user's Sessions endpoints.
func (a *API) sessionsRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Sessions", Method: "GET", Path: "/v1/auth/sessions", Summary: "List active sessions", Auth: Bearer, Op: Op0(id.ListSessions)},
		{Section: "Sessions", Method: "DELETE", Path: "/v1/auth/sessions", Summary: "Revoke all sessions", Auth: Bearer, Op: Op0(id.RevokeAllSessions)},
		{Section: "Sessions", Method: "DELETE", Path: "/v1/auth/sessions/:session_id", Summary: "Revoke session", Auth: Bearer, Op: Op(id.RevokeSession)},
	}
}
