package rest

// commentsRoutes lists the reference's Comments endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func commentsRoutes() []Route {
	return []Route{
		{Section: "Comments", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id/comments", Summary: "List comments", Auth: Bearer, Scope: "read", Permission: "comments:read"},
		{Section: "Comments", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/comments", Summary: "Create comment", Auth: Bearer, Scope: "write", Permission: "comments:write"},
		{Section: "Comments", Method: "PATCH", Path: "/v1/objects/:object_type_id/:object_id/comments/:comment_id", Summary: "Update comment", Auth: Bearer, Scope: "write", Permission: "comments:write"},
		{Section: "Comments", Method: "DELETE", Path: "/v1/objects/:object_type_id/:object_id/comments/:comment_id", Summary: "Delete comment", Auth: Bearer, Scope: "write", Permission: "comments:write"},
	}
}
