package rest

// commentsRoutes lists the reference's Comments endpoints: notes on an
// object by their author (domain/objects/comments.go).
func (a *API) commentsRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Comments", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id/comments", Summary: "List comments", Auth: Bearer, Scope: "read", Permission: "comments:read", Op: Op(o.ListComments)},
		{Section: "Comments", Method: "POST", Path: "/v1/objects/:object_type_id/:object_id/comments", Summary: "Create comment", Auth: Bearer, Scope: "write", Permission: "comments:write", Status: 201, Op: Op(o.CreateComment)},
		{Section: "Comments", Method: "PATCH", Path: "/v1/objects/:object_type_id/:object_id/comments/:comment_id", Summary: "Update comment", Auth: Bearer, Scope: "write", Permission: "comments:write", Op: Op(o.UpdateComment)},
		{Section: "Comments", Method: "DELETE", Path: "/v1/objects/:object_type_id/:object_id/comments/:comment_id", Summary: "Delete comment", Auth: Bearer, Scope: "write", Permission: "comments:write", Op: Op(o.DeleteComment)},
	}
}
