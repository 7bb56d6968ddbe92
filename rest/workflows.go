package rest

// workflowsRoutes lists the reference's Workflows endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func workflowsRoutes() []Route {
	return []Route{
		{Section: "Workflows", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/approve", Summary: "Approve object", Auth: Bearer, Scope: "write", Permission: "workflows:write"},
		{Section: "Workflows", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id/workflow-status", Summary: "Get workflow status", Auth: Bearer, Scope: "read", Permission: "workflows:read"},
		{Section: "Workflows", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/reject", Summary: "Reject object", Auth: Bearer, Scope: "write", Permission: "workflows:write"},
		{Section: "Workflows", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/submit-for-review", Summary: "Submit for review", Auth: Bearer, Scope: "write", Permission: "workflows:write"},
		{Section: "Workflows", Method: "GET", Path: "/v1/object-types/:object_type_id/workflows", Summary: "List workflows", Auth: Bearer, Scope: "read", Permission: "workflows:read"},
		{Section: "Workflows", Method: "POST", Path: "/v1/object-types/:object_type_id/workflows", Summary: "Create workflow", Auth: Bearer, Scope: "schema", Permission: "workflows:write"},
		{Section: "Workflows", Method: "PATCH", Path: "/v1/object-types/:object_type_id/workflows/:workflow_id", Summary: "Update workflow", Auth: Bearer, Scope: "schema", Permission: "workflows:write"},
		{Section: "Workflows", Method: "DELETE", Path: "/v1/object-types/:object_type_id/workflows/:workflow_id", Summary: "Delete workflow", Auth: Bearer, Scope: "schema", Permission: "workflows:write"},
	}
}
