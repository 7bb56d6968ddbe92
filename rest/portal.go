package rest

// portalRoutes are the Portal Auth endpoints: the tenant's public, hosted
// sign-in. No key: the tenant is named by tenant_id in the body or the
// X-Tenant-ID header. They behave like their /v1/auth counterparts.
func (a *API) portalRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-forgot-password", Summary: "Portal password reset request", Auth: Public, Op: Op(id.PortalForgotPassword)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-identify", Summary: "Identify tenant by email", Auth: Public, Op: Op(id.PortalIdentify)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-login", Summary: "Portal login", Auth: Public, Op: Op(id.PortalLogin)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-magic-link", Summary: "Portal send magic link", Auth: Public, Op: Op(id.PortalMagicLink)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-magic-link-verify", Summary: "Portal verify magic link", Auth: Public, Op: Op(id.PortalMagicLinkVerify)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-otp-send", Summary: "Portal send OTP", Auth: Public, Op: Op(id.PortalOTPSend)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-otp-verify", Summary: "Portal verify OTP", Auth: Public, Op: Op(id.PortalOTPVerify)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-reset-password", Summary: "Portal password reset", Auth: Public, Op: Op(id.PortalResetPassword)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-signup", Summary: "Portal signup", Auth: Public, Op: Op(id.PortalSignup)},
		{Section: "Portal Auth", Method: "POST", Path: "/v1/auth/portal-verify-email", Summary: "Portal verify email", Auth: Public, Op: Op(id.PortalVerifyEmail)},
	}
}
