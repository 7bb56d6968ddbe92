package rest

// dlqRoutes lists the reference's DLQ endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func dlqRoutes() []Route {
	return []Route{
		{Section: "DLQ", Method: "DELETE", Path: "/v1/dlq/:msg_id", Summary: "Discard DLQ message", Auth: Bearer, Scope: "*", Permission: "dlq:manage"},
		{Section: "DLQ", Method: "GET", Path: "/v1/dlq", Summary: "List DLQ messages", Auth: Bearer, Scope: "*", Permission: "dlq:read"},
		{Section: "DLQ", Method: "POST", Path: "/v1/dlq/:msg_id/retry", Summary: "Retry DLQ message", Auth: Bearer, Scope: "*", Permission: "dlq:manage"},
	}
}
