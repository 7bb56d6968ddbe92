package rest

// reportsRoutes lists the reference's Reports endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func reportsRoutes() []Route {
	return []Route{
		{Section: "Reports", Method: "POST", Path: "/v1/reports/funnel", Summary: "Funnel report", Auth: Bearer, Scope: "write", Permission: "reports:write"},
		{Section: "Reports", Method: "POST", Path: "/v1/reports/leaderboard", Summary: "Leaderboard report", Auth: Bearer, Scope: "write", Permission: "reports:write"},
		{Section: "Reports", Method: "POST", Path: "/v1/reports/pipeline", Summary: "Pipeline report", Auth: Bearer, Scope: "write", Permission: "reports:write"},
		{Section: "Reports", Method: "POST", Path: "/v1/reports/timeseries", Summary: "Time series report", Auth: Bearer, Scope: "write", Permission: "reports:write"},
	}
}
