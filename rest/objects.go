package rest

// objectsRoutes lists the reference's Objects and Search endpoints: objects
// of the tenant's types (reads: scope "read"; writes: "write").
func (a *API) objectsRoutes() []Route {
	o := a.cfg.Objects
	// Batch bodies hold up to 100 objects.
	const batchBody = 16 << 20
	return []Route{
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/create", Summary: "Batch create objects", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Status: 201, BodyLimit: batchBody, Op: Op(o.BatchCreateObjects)},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id", Summary: "Create object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Status: 201, Op: Op(o.CreateObject)},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Get object", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.GetObject)},
		{Section: "Objects", Method: "PATCH", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Update object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Op: Op(o.UpdateObject)},
		{Section: "Objects", Method: "DELETE", Path: "/v1/objects/:object_type_id/:object_id", Summary: "Delete object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Op: Op(o.DeleteObject)},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/list", Summary: "List objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.ListObjects)},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/read", Summary: "Batch read objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.BatchReadObjects)},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/batch/update", Summary: "Batch update objects", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", BodyLimit: batchBody, Op: Op(o.BatchUpdateObjects)},
		{Section: "Objects", Method: "GET", Path: "/v1/objects/:object_type_id/trash", Summary: "List trashed objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.ListTrash)},
		{Section: "Objects", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/restore", Summary: "Restore deleted object", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Op: Op(o.RestoreObject)},
		{Section: "Search", Method: "POST", Path: "/v1/objects/:object_type_id/search", Summary: "Search objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.Search)},
		{Section: "Search", Method: "POST", Path: "/v1/objects/:object_type_id/aggregate", Summary: "Aggregate objects", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.Aggregate)},
	}
}
