package rest

// shorturlsRoutes lists the reference's Short URLs endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func shorturlsRoutes() []Route {
	return []Route{
		{Section: "Short URLs", Method: "GET", Path: "/v1/short-urls", Summary: "List short URLs", Auth: Bearer, Scope: "read", Permission: "shorturls:read"},
		{Section: "Short URLs", Method: "POST", Path: "/v1/short-urls", Summary: "Create a short URL", Auth: Bearer, Scope: "write", Permission: "shorturls:write"},
		{Section: "Short URLs", Method: "GET", Path: "/v1/short-urls/:slug", Summary: "Get short URL details", Auth: Bearer, Scope: "read", Permission: "shorturls:read"},
		{Section: "Short URLs", Method: "PATCH", Path: "/v1/short-urls/:slug", Summary: "Update a short URL", Auth: Bearer, Scope: "write", Permission: "shorturls:write"},
		{Section: "Short URLs", Method: "DELETE", Path: "/v1/short-urls/:slug", Summary: "Delete a short URL", Auth: Bearer, Scope: "write", Permission: "shorturls:write"},
	}
}
