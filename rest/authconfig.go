package rest

// authconfigRoutes are the Auth Config endpoints (scope "auth").
func (a *API) authconfigRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Auth Config", Method: "GET", Path: "/v1/auth-config", Summary: "Get auth config", Auth: Bearer, Scope: "auth", Permission: "authconfig:read", Op: Op0(id.GetAuthConfig)},
		{Section: "Auth Config", Method: "PATCH", Path: "/v1/auth-config", Summary: "Update auth config", Auth: Bearer, Scope: "auth", Permission: "authconfig:manage", Op: Op(id.UpdateAuthConfig)},
	}
}
