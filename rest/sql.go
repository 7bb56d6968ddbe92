package rest

// sqlRoutes lists the reference's SQL endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func sqlRoutes() []Route {
	return []Route{
		{Section: "SQL", Method: "POST", Path: "/v1/sql", Summary: "Execute SQL query", Auth: Bearer, Scope: "*", Permission: "sql:manage"},
	}
}
