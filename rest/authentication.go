package rest

// authenticationRoutes are the end-user Authentication endpoints. The bearer
// is a key of the tenant (a publishable key suffices) or, for the user's own
// endpoints, the user's access token. The OAuth routes come with federated
// sign-in (501 until then).
func (a *API) authenticationRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/anonymous", Summary: "Create anonymous session", Auth: Bearer, Op: Op0(id.Anonymous)},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/me/export", Summary: "Export user data", Auth: Bearer, Op: Op0(id.ExportMe)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/forgot-password", Summary: "Request password reset", Auth: Bearer, Op: Op(id.ForgotPassword)},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/user", Summary: "Get current user", Auth: Bearer, Op: Op0(id.Me)},
		{Section: "Authentication", Method: "PATCH", Path: "/v1/auth/user", Summary: "Update current user", Auth: Bearer, Op: Op(id.UpdateMe)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/login", Summary: "Log in", Auth: Bearer, Op: Op(id.Login)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/logout", Summary: "Log out", Auth: Bearer, Op: Op(id.Logout)},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/oauth/:provider/callback", Summary: "OAuth callback", Auth: Public, Op: Op(id.OAuthCallback)},
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/oauth/:provider", Summary: "OAuth redirect", Auth: Public, Op: Op(id.OAuthStart)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/refresh", Summary: "Refresh tokens", Auth: Bearer, Op: Op(id.Refresh)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/reset-password", Summary: "Reset password", Auth: Bearer, Op: Op(id.ResetPassword)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/magic-link", Summary: "Send magic link", Auth: Bearer, Op: Op(id.SendMagicLink)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/otp/send", Summary: "Send SMS OTP", Auth: Bearer, Op: Op(id.SendOTP)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/signup", Summary: "Sign up", Auth: Bearer, Op: Op(id.Signup)},
		// Opened from an email in a browser: no header, tenant_id in the query.
		{Section: "Authentication", Method: "GET", Path: "/v1/auth/verify", Summary: "Verify email (GET)", Auth: Public, Op: Op(id.VerifyEmail)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/verify", Summary: "Verify email", Auth: Bearer, Op: Op(id.VerifyEmail)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/magic-link/verify", Summary: "Verify magic link", Auth: Bearer, Op: Op(id.VerifyMagicLink)},
		{Section: "Authentication", Method: "POST", Path: "/v1/auth/otp/verify", Summary: "Verify OTP", Auth: Bearer, Op: Op(id.VerifyOTP)},
	}
}
