package rest

// formsRoutes lists the reference's Forms, Public Forms endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func formsRoutes() []Route {
	return []Route{
		{Section: "Forms", Method: "GET", Path: "/v1/forms", Summary: "List forms", Auth: Bearer, Scope: "read", Permission: "forms:read"},
		{Section: "Forms", Method: "POST", Path: "/v1/forms", Summary: "Create form", Auth: Bearer, Scope: "write", Permission: "forms:write"},
		{Section: "Forms", Method: "PATCH", Path: "/v1/forms/:form_id", Summary: "Update form", Auth: Bearer, Scope: "write", Permission: "forms:write"},
		{Section: "Forms", Method: "DELETE", Path: "/v1/forms/:form_id", Summary: "Delete form", Auth: Bearer, Scope: "write", Permission: "forms:write"},
		{Section: "Forms", Method: "POST", Path: "/v1/forms/:form_id/duplicate", Summary: "Duplicate form", Auth: Bearer, Scope: "write", Permission: "forms:write"},
		{Section: "Forms", Method: "GET", Path: "/v1/forms/:form_id/submissions/export", Summary: "Export form submissions", Auth: Bearer, Scope: "read", Permission: "forms:read"},
		{Section: "Forms", Method: "GET", Path: "/v1/forms/:form_id/analytics", Summary: "Get form analytics", Auth: Bearer, Scope: "read", Permission: "forms:read"},
		{Section: "Forms", Method: "GET", Path: "/v1/forms/:form_id/submissions", Summary: "List form submissions", Auth: Bearer, Scope: "read", Permission: "forms:read"},
		{Section: "Public Forms", Method: "GET", Path: "/v1/forms/:form_id", Summary: "Get public form", Auth: Public},
		{Section: "Public Forms", Method: "POST", Path: "/v1/forms/:form_id/submit", Summary: "Submit public form", Auth: Public},
	}
}
