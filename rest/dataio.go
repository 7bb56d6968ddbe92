package rest

// dataioRoutes lists the reference's Import / Export endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func dataioRoutes() []Route {
	return []Route{
		{Section: "Import / Export", Method: "GET", Path: "/v1/data/export/:export_id", Summary: "Download export", Auth: Bearer, Scope: "read", Permission: "objects:*:read"},
		{Section: "Import / Export", Method: "POST", Path: "/v1/data/import", Summary: "Import data", Auth: Bearer, Scope: "write", Permission: "objects:*:write"},
		{Section: "Import / Export", Method: "POST", Path: "/v1/data/export", Summary: "Start data export", Auth: Bearer, Scope: "write", Permission: "objects:*:write"},
	}
}
