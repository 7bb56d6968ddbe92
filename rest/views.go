package rest

// viewsRoutes are the saved views of an object type: filter, sort and column
// presets (reads: scope "read"; changes: "schema", as the type's schema).
func (a *API) viewsRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Views", Method: "GET", Path: "/v1/object-types/:object_type_id/views", Summary: "List saved views", Auth: Bearer, Scope: "read", Permission: "schema:read", Op: Op(o.ListViews)},
		{Section: "Views", Method: "POST", Path: "/v1/object-types/:object_type_id/views", Summary: "Create saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write", Status: 201, Op: Op(o.CreateView)},
		{Section: "Views", Method: "PATCH", Path: "/v1/object-types/:object_type_id/views/:view_id", Summary: "Update saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.UpdateView)},
		{Section: "Views", Method: "DELETE", Path: "/v1/object-types/:object_type_id/views/:view_id", Summary: "Delete saved view", Auth: Bearer, Scope: "schema", Permission: "schema:write", Op: Op(o.DeleteView)},
	}
}
