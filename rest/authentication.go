package rest

// authenticationRoutes lists the reference's Authentication endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func authenticationRoutes() []Route {
	return []Route{
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/anonymous", Summary: "Create anonymous session", Auth: Bearer},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/me/export", Summary: "Export user data", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/forgot-password", Summary: "Request password reset", Auth: Bearer},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/user", Summary: "Get current user", Auth: Bearer},
		{Section: "Authentication", Method: "PATCH", Path: "/v1/auth/user", Summary: "Update current user", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/login", Summary: "Log in", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/logout", Summary: "Log out", Auth: Bearer},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/oauth/:provider/callback", Summary: "OAuth callback", Auth: Public},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/oauth/:provider", Summary: "OAuth redirect", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/refresh", Summary: "Refresh tokens", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/reset-password", Summary: "Reset password", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/magic-link", Summary: "Send magic link", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/otp/send", Summary: "Send SMS OTP", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/signup", Summary: "Sign up", Auth: Bearer},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/verify", Summary: "Verify email (GET)", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/verify", Summary: "Verify email", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/magic-link/verify", Summary: "Verify magic link", Auth: Bearer},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/otp/verify", Summary: "Verify OTP", Auth: Bearer},
	}
}
