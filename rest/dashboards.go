package rest

// dashboardsRoutes lists the reference's Dashboards endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func dashboardsRoutes() []Route {
	return []Route{
		{Section: "Dashboards", Method: "GET", Path: "/v1/dashboards/public/:share_token", Summary: "Get public dashboard", Auth: Public, Scope: "read", Permission: "dashboards:read"},
		{Section: "Dashboards", Method: "POST", Path: "/v1/dashboards/:dashboard_id/widgets", Summary: "Add widget to dashboard", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
		{Section: "Dashboards", Method: "GET", Path: "/v1/dashboards", Summary: "List dashboards", Auth: Bearer, Scope: "read", Permission: "dashboards:read"},
		{Section: "Dashboards", Method: "POST", Path: "/v1/dashboards", Summary: "Create dashboard", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
		{Section: "Dashboards", Method: "GET", Path: "/v1/dashboards/:dashboard_id", Summary: "Get dashboard", Auth: Bearer, Scope: "read", Permission: "dashboards:read"},
		{Section: "Dashboards", Method: "PATCH", Path: "/v1/dashboards/:dashboard_id", Summary: "Update dashboard", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
		{Section: "Dashboards", Method: "DELETE", Path: "/v1/dashboards/:dashboard_id", Summary: "Delete dashboard", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
		{Section: "Dashboards", Method: "PATCH", Path: "/v1/dashboards/:dashboard_id/widgets/:widget_id", Summary: "Update widget", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
		{Section: "Dashboards", Method: "DELETE", Path: "/v1/dashboards/:dashboard_id/widgets/:widget_id", Summary: "Delete widget", Auth: Bearer, Scope: "write", Permission: "dashboards:write"},
	}
}
