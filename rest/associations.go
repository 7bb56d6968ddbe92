package rest

// associationsRoutes lists the reference's Associations endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func associationsRoutes() []Route {
	return []Route{
		{Section: "Associations", Method: "PUT", Path: "/v1/objects/:from_type/:from_id/associations/:association_type/:to_type/:to_id", Summary: "Create or update association", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Associations", Method: "DELETE", Path: "/v1/objects/:from_type/:from_id/associations/:association_type/:to_type/:to_id", Summary: "Delete association", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Associations", Method: "GET", Path: "/v1/objects/:type/:id/associations", Summary: "List associations", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
	}
}
