package rest

// emailRoutes lists the reference's Email endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func emailRoutes() []Route {
	return []Route{
		{Section: "Email", Method: "POST", Path: "/v1/email/send", Summary: "Send email", Auth: Bearer, Scope: "write", Permission: "email:write"},
	}
}
