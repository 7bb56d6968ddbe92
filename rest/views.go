package rest

// viewsRoutes lists the reference's Views endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func viewsRoutes() []Route {
	return []Route{
		{Section: "Views", Method: "GET", Path: "/v1/object-types/:object_type_id/views", Summary: "List saved views", Auth: Bearer, Scope: "read", Permission: "schema:read"},
		{Section: "Views", Method: "POST", Path: "/v1/object-types/:object_type_id/views", Summary: "Create saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Views", Method: "PATCH", Path: "/v1/object-types/:object_type_id/views/:view_id", Summary: "Update saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Views", Method: "DELETE", Path: "/v1/object-types/:object_type_id/views/:view_id", Summary: "Delete saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
	}
}
