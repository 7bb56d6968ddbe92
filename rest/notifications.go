package rest

// notificationsRoutes lists the reference's Notifications endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func notificationsRoutes() []Route {
	return []Route{
		{Section: "Notifications", Method: "DELETE", Path: "/v1/auth/notifications/preferences/:channel", Summary: "Delete notification preference", Auth: Bearer},
		{Section: "Notifications", Method: "GET", Path: "/v1/auth/notifications/preferences", Summary: "Get notification preferences", Auth: Bearer},
		{Section: "Notifications", Method: "PUT", Path: "/v1/auth/notifications/preferences", Summary: "Update notification preferences", Auth: Bearer},
		{Section: "Notifications", Method: "GET", Path: "/v1/auth/notifications", Summary: "List notifications", Auth: Bearer},
		{Section: "Notifications", Method: "POST", Path: "/v1/auth/notifications/read-all", Summary: "Mark all as read", Auth: Bearer},
		{Section: "Notifications", Method: "POST", Path: "/v1/auth/notifications/:notification_id/read", Summary: "Mark notification read", Auth: Bearer},
		{Section: "Notifications", Method: "GET", Path: "/v1/auth/notifications/count", Summary: "Get unread count", Auth: Bearer},
	}
}
