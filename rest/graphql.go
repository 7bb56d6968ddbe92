package rest

// graphQLRoutes mounts the GraphQL endpoint (queries, mutations, the
// websocket transport and the playground) behind the same middleware.
func (a *API) graphQLRoutes() []Route {
	routes := []Route{}
	for _, m := range []string{"GET", "POST"} {
		routes = append(routes, Route{Section: "GraphQL", Extra: true, Method: m, Path: "/graphql",
			Summary: "GraphQL endpoint and playground", Auth: Optional, Raw: a.cfg.GraphQL, Stream: m == "GET"})
	}
	return routes
}
