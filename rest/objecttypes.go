package rest

// objecttypesRoutes lists the reference's Object Types, Properties endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func objecttypesRoutes() []Route {
	return []Route{
		{Section: "Object Types", Method: "GET", Path: "/v1/object-types", Summary: "List object types", Auth: Bearer, Scope: "read", Permission: "schema:read"},
		{Section: "Object Types", Method: "POST", Path: "/v1/object-types", Summary: "Create object type", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Object Types", Method: "GET", Path: "/v1/object-types/:object_type_id", Summary: "Get object type", Auth: Bearer, Scope: "read", Permission: "schema:read"},
		{Section: "Object Types", Method: "PATCH", Path: "/v1/object-types/:object_type_id", Summary: "Update object type", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Object Types", Method: "DELETE", Path: "/v1/object-types/:object_type_id", Summary: "Delete object type", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Properties", Method: "GET", Path: "/v1/object-types/:object_type_id/properties", Summary: "List properties", Auth: Bearer, Scope: "read", Permission: "schema:read"},
		{Section: "Properties", Method: "POST", Path: "/v1/object-types/:object_type_id/properties", Summary: "Create property", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Properties", Method: "PATCH", Path: "/v1/object-types/:object_type_id/properties/:property_id", Summary: "Update property", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
		{Section: "Properties", Method: "DELETE", Path: "/v1/object-types/:object_type_id/properties/:property_id", Summary: "Delete property", Auth: Bearer, Scope: "schema", Permission: "schema:write"},
	}
}
