package rest

// brandingRoutes lists the reference's Branding endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func brandingRoutes() []Route {
	return []Route{
		{Section: "Branding", Method: "GET", Path: "/v1/branding", Summary: "Get branding settings", Auth: Bearer, Scope: "read", Permission: "branding:read"},
		{Section: "Branding", Method: "PATCH", Path: "/v1/branding", Summary: "Update branding", Auth: Bearer, Scope: "*", Permission: "branding:write"},
	}
}
