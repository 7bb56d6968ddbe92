package rest

// scheduledjobsRoutes lists the reference's Scheduled Jobs endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func scheduledjobsRoutes() []Route {
	return []Route{
		{Section: "Scheduled Jobs", Method: "GET", Path: "/v1/scheduled-jobs", Summary: "List scheduled jobs", Auth: Bearer, Scope: "read", Permission: "scheduledjobs:read"},
		{Section: "Scheduled Jobs", Method: "POST", Path: "/v1/scheduled-jobs", Summary: "Create scheduled job", Auth: Bearer, Scope: "*", Permission: "scheduledjobs:write"},
		{Section: "Scheduled Jobs", Method: "GET", Path: "/v1/scheduled-jobs/:job_id", Summary: "Get scheduled job", Auth: Bearer, Scope: "read", Permission: "scheduledjobs:read"},
		{Section: "Scheduled Jobs", Method: "PATCH", Path: "/v1/scheduled-jobs/:job_id", Summary: "Update scheduled job", Auth: Bearer, Scope: "*", Permission: "scheduledjobs:write"},
		{Section: "Scheduled Jobs", Method: "DELETE", Path: "/v1/scheduled-jobs/:job_id", Summary: "Delete scheduled job", Auth: Bearer, Scope: "*", Permission: "scheduledjobs:write"},
		{Section: "Scheduled Jobs", Method: "POST", Path: "/v1/scheduled-jobs/:job_id/execute", Summary: "Execute scheduled job", Auth: Bearer, Scope: "*", Permission: "scheduledjobs:write"},
	}
}
