package rest

// versionsRoutes is the Versions endpoint: an object's previous states.
func (a *API) versionsRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Versions", Method: "GET", Path: "/v1/objects/:object_type_id/:object_id/versions", Summary: "List object version history", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.ListVersions)},
	}
}
