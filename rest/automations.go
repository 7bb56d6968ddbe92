package rest

// automationsRoutes lists the reference's Automations endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func automationsRoutes() []Route {
	return []Route{
		{Section: "Automations", Method: "GET", Path: "/v1/automations", Summary: "List automations", Auth: Bearer, Scope: "read", Permission: "automations:read"},
		{Section: "Automations", Method: "POST", Path: "/v1/automations", Summary: "Create automation", Auth: Bearer, Scope: "*", Permission: "automations:write"},
		{Section: "Automations", Method: "GET", Path: "/v1/automations/:automation_id", Summary: "Get automation", Auth: Bearer, Scope: "read", Permission: "automations:read"},
		{Section: "Automations", Method: "PATCH", Path: "/v1/automations/:automation_id", Summary: "Update automation", Auth: Bearer, Scope: "*", Permission: "automations:write"},
		{Section: "Automations", Method: "DELETE", Path: "/v1/automations/:automation_id", Summary: "Delete automation", Auth: Bearer, Scope: "*", Permission: "automations:write"},
		{Section: "Automations", Method: "GET", Path: "/v1/automations/:automation_id/runs", Summary: "List automation runs", Auth: Bearer, Scope: "read", Permission: "automations:read"},
		{Section: "Automations", Method: "POST", Path: "/v1/automations/:automation_id/trigger", Summary: "Trigger automation", Auth: Bearer, Scope: "*", Permission: "automations:write"},
	}
}
