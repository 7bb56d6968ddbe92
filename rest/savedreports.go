package rest

// savedreportsRoutes lists the reference's Saved Reports endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func savedreportsRoutes() []Route {
	return []Route{
		{Section: "Saved Reports", Method: "GET", Path: "/v1/saved-reports", Summary: "List saved reports", Auth: Bearer, Scope: "read", Permission: "savedreports:read"},
		{Section: "Saved Reports", Method: "POST", Path: "/v1/saved-reports", Summary: "Create saved report", Auth: Bearer, Scope: "write", Permission: "savedreports:write"},
		{Section: "Saved Reports", Method: "GET", Path: "/v1/saved-reports/:report_id", Summary: "Get saved report", Auth: Bearer, Scope: "read", Permission: "savedreports:read"},
		{Section: "Saved Reports", Method: "PATCH", Path: "/v1/saved-reports/:report_id", Summary: "Update saved report", Auth: Bearer, Scope: "write", Permission: "savedreports:write"},
		{Section: "Saved Reports", Method: "DELETE", Path: "/v1/saved-reports/:report_id", Summary: "Delete saved report", Auth: Bearer, Scope: "write", Permission: "savedreports:write"},
		{Section: "Saved Reports", Method: "GET", Path: "/v1/saved-reports/:report_id/export", Summary: "Export saved report", Auth: Bearer, Scope: "read", Permission: "savedreports:read"},
		{Section: "Saved Reports", Method: "POST", Path: "/v1/saved-reports/:report_id/run", Summary: "Run saved report", Auth: Bearer, Scope: "write", Permission: "savedreports:write"},
	}
}
