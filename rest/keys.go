package rest

// keyRoutes are the API Keys endpoints (scope "*").
func (a *API) keyRoutes() []Route {
	k := a.cfg.Keys
	return []Route{
		{Section: "API Keys", Method: "GET", Path: "/v1/keys", Summary: "List API keys", Auth: Bearer, Scope: "*", Permission: "keys:read", Op: Op0(k.List)},
		{Section: "API Keys", Method: "POST", Path: "/v1/keys", Summary: "Create API key", Auth: Bearer, Scope: "*", Permission: "keys:manage", Status: 201, Op: Op(k.Create)},
		{Section: "API Keys", Method: "PATCH", Path: "/v1/keys/:key_id", Summary: "Update API key", Auth: Bearer, Scope: "*", Permission: "keys:manage", Op: Op(k.Update)},
		{Section: "API Keys", Method: "DELETE", Path: "/v1/keys/:key_id", Summary: "Revoke API key", Auth: Bearer, Scope: "*", Permission: "keys:manage", Op: Op(k.Revoke)},
		{Section: "API Keys", Method: "POST", Path: "/v1/keys/:key_id/rotate", Summary: "Rotate API key", Auth: Bearer, Scope: "*", Permission: "keys:manage", Status: 201, Op: Op(k.Rotate)},
	}
}
