package rest

// billingRoutes lists the reference's Billing endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func billingRoutes() []Route {
	return []Route{
		{Section: "Billing", Method: "POST", Path: "/webhooks/stripe", Summary: "Stripe webhook", Auth: Public, Scope: "*", Permission: "billing:manage"},
	}
}
