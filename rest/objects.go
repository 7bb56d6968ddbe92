package rest

// objectsRoutes lists the reference's Objects, Search, Versions endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func objectsRoutes() []Route {
	return []Route{
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/create", Summary: "Batch create objects", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id", Summary: "Create object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Get object", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Objects", Method: "PATCH", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Update object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Objects", Method: "DELETE", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Delete object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/list", Summary: "List objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/read", Summary: "Batch read objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/update", Summary: "Batch update objects", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/trash", Summary: "List trashed objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/restore", Summary: "Restore deleted object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write"},
		{Section: "Search", Method: "POST", Path: "/v1/objects/:object_type_id/search", Summary: "Search objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Search", Method: "POST", Path: "/v1/objects/:object_type_id/aggregate", Summary: "Aggregate objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
		{Section: "Versions", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id/versions", Summary: "List object version history", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read"},
	}
}
