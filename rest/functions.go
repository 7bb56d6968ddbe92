package rest

// functionsRoutes lists the reference's Plugins endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func functionsRoutes() []Route {
	return []Route{
		{Section: "Plugins", Method: "GET", Path: "/v1/functions", Summary: "List custom functions", Auth: Bearer, Scope: "*", Permission: "functions:read"},
		{Section: "Plugins", Method: "POST", Path: "/v1/functions", Summary: "Create custom function", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "GET", Path: "/v1/functions/:function_id", Summary: "Get function", Auth: Bearer, Scope: "*", Permission: "functions:read"},
		{Section: "Plugins", Method: "PATCH", Path: "/v1/functions/:function_id", Summary: "Update function", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "DELETE", Path: "/v1/functions/:function_id", Summary: "Delete function", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "POST", Path: "/v1/functions/:function_id/execute", Summary: "Execute function", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "GET", Path: "/v1/plugins/:plugin_id", Summary: "Get plugin", Auth: Bearer, Scope: "*", Permission: "functions:read"},
		{Section: "Plugins", Method: "PATCH", Path: "/v1/plugins/:plugin_id", Summary: "Update plugin", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "DELETE", Path: "/v1/plugins/:plugin_id", Summary: "Uninstall plugin", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "GET", Path: "/v1/plugins", Summary: "List plugins", Auth: Bearer, Scope: "*", Permission: "functions:read"},
		{Section: "Plugins", Method: "POST", Path: "/v1/plugins", Summary: "Install plugin", Auth: Bearer, Scope: "*", Permission: "functions:write"},
		{Section: "Plugins", Method: "GET", Path: "/v1/functions/:function_id/logs", Summary: "List function logs", Auth: Bearer, Scope: "*", Permission: "functions:read"},
	}
}
