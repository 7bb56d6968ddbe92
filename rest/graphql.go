package rest

// graphQLRoutes mounts the GraphQL endpoint (queries, mutations, the
// websocket transport and the playground) behind the same middleware. The
// playground's files are served by the same handler, from the binary.
func (a *API) graphQLRoutes() []Route {
	routes := []Route{}
	// Queries over GET and POST get the request deadline; websocket upgrades
	// (subscriptions) are exempt from it (see withDeadline).
	for _, m := range []string{"GET", "POST"} {
		routes = append(routes, Route{Section: "GraphQL", Extra: true, Method: m, Path: "/graphql",
			Summary: "GraphQL endpoint and playground", Auth: Optional, Raw: a.cfg.GraphQL})
	}
	routes = append(routes, Route{Section: "GraphQL", Extra: true, Method: "GET", Path: "/graphql/assets/*",
		Summary: "GraphQL playground files", Auth: Public, Raw: a.cfg.GraphQL})
	return routes
}
