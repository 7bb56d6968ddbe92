package rest

// objecttypesRoutes are the Object Types and Properties endpoints: the
// schema of the dynamic data model (reads: scope "read"; changes: "schema").
func (a *API) objecttypesRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Object Types", Method: "GET", Path: "/v1/object-types", Summary: "List object types", Auth: Bearer, Scope: "read", Permission: "schema:read", Op: Op0(o.ListTypes)},
		{Section: "Object Types", Method: "POST", Path: "/v1/object-types", Summary: "Create object type", Auth: Bearer, Scope: "schema", Permission: "schema:write", Status: 201, Op: Op(o.CreateType)},
		{Section: "Object Types", Method: "GET", Path: "/v1/object-types/:object_type_id", Summary: "Get object type", Auth: Bearer, Scope: "read", Permission: "schema:read", Op: Op(o.GetType)},
		{Section: "Object Types", Method: "PATCH", Path: "/v1/object-types/:object_type_id", Summary: "Update object type", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.UpdateType)},
		{Section: "Object Types", Method: "DELETE", Path: "/v1/object-types/:object_type_id", Summary: "Delete object type", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.DeleteType)},
		{Section: "Properties", Method: "GET", Path: "/v1/object-types/:object_type_id/properties", Summary: "List properties", Auth: Bearer, Scope: "read", Permission: "schema:read", Op: Op(o.ListProperties)},
		{Section: "Properties", Method: "POST", Path: "/v1/object-types/:object_type_id/properties", Summary: "Create property", Auth: Bearer, Scope: "schema", Permission: "schema:write", Status: 201, Op: Op(o.CreateProperty)},
		{Section: "Properties", Method: "PATCH", Path: "/v1/object-types/:object_type_id/properties/:property_id", Summary: "Update property", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.UpdateProperty)},
		{Section: "Properties", Method: "DELETE", Path: "/v1/object-types/:object_type_id/properties/:property_id", Summary: "Delete property", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.DeleteProperty)},
	}
}
