package rest

// authconfigRoutes lists the reference's Auth Config endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func authconfigRoutes() []Route {
	return []Route{
		{Section: "Auth Config", Method: "GET", Path: "/v1/auth-config", Summary: "Get auth config", Auth: Bearer, Scope: "auth", Permission: "authconfig:read"},
		{Section: "Auth Config", Method: "PATCH", Path: "/v1/auth-config", Summary: "Update auth config", Auth: Bearer, Scope: "auth", Permission: "authconfig:manage"},
	}
}
