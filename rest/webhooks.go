package rest

// webhooksRoutes lists the reference's Webhook Deliveries, Webhooks endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func webhooksRoutes() []Route {
	return []Route{
		{Section: "Webhooks", Method: "GET", Path: "/v1/webhooks", Summary: "List webhooks", Auth: Bearer, Scope: "*", Permission: "webhooks:read"},
		{Section: "Webhooks", Method: "POST", Path: "/v1/webhooks", Summary: "Create webhook", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhooks", Method: "PATCH", Path: "/v1/webhooks/:webhook_id", Summary: "Update webhook", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhooks", Method: "DELETE", Path: "/v1/webhooks/:webhook_id", Summary: "Delete webhook", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhooks", Method: "POST", Path: "/v1/webhooks/:webhook_id/replay", Summary: "Replay webhook", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhooks", Method: "POST", Path: "/v1/webhooks/:webhook_id/rotate-secret", Summary: "Rotate webhook secret", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhooks", Method: "POST", Path: "/v1/webhooks/:webhook_id/test", Summary: "Test webhook", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
		{Section: "Webhook Deliveries", Method: "GET", Path: "/v1/webhook-deliveries", Summary: "List webhook deliveries", Auth: Bearer, Scope: "*", Permission: "webhooks:read"},
		{Section: "Webhook Deliveries", Method: "POST", Path: "/v1/webhook-deliveries/:delivery_id/retry", Summary: "Retry webhook delivery", Auth: Bearer, Scope: "*", Permission: "webhooks:manage"},
	}
}
