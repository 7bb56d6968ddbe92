package rest

// associationsRoutes lists the reference's Associations endpoints: typed
// links between objects (domain/objects/associations.go). PUT answers 200
// both when it creates and when it replaces (the table has one status per
// route); "created" in the answer tells which.
func (a *API) associationsRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		{Section: "Associations", Method: "PUT", Path: "/v1/objects/:from_type/:from_id/associations/:association_type/:to_type/:to_id", Summary: "Create or update association", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Op: Op(o.PutAssociation)},
		{Section: "Associations", Method: "DELETE", Path: "/v1/objects/:from_type/:from_id/associations/:association_type/:to_type/:to_id", Summary: "Delete association", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", Op: Op(o.DeleteAssociation)},
		{Section: "Associations", Method: "GET", Path: "/v1/objects/:type/:id/associations", Summary: "List associations", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Op: Op(o.ListAssociations)},
	}
}
