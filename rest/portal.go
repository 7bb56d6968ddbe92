package rest

// portalRoutes lists the reference's Portal Auth endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func portalRoutes() []Route {
	return []Route{
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-forgot-password", Summary: "Portal password reset request", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-identify", Summary: "Identify tenant by email", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-login", Summary: "Portal login", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-magic-link", Summary: "Portal send magic link", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-magic-link-verify", Summary: "Portal verify magic link", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-otp-send", Summary: "Portal send OTP", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-otp-verify", Summary: "Portal verify OTP", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-reset-password", Summary: "Portal password reset", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-signup", Summary: "Portal signup", Auth: Public},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-verify-email", Summary: "Portal verify email", Auth: Public},
	}
}
