package rest

// mfaRoutes lists the reference's MFA endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func mfaRoutes() []Route {
	return []Route{
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/challenge", Summary: "Challenge MFA", Auth: Bearer},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/complete", Summary: "Complete MFA login", Auth: Public},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/enroll", Summary: "Enroll TOTP factor", Auth: Bearer},
		{Section: "MFA", Method: "GET", Path: "/v1/auth/mfa/factors", Summary: "List MFA factors", Auth: Bearer},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/recover", Summary: "MFA recovery", Auth: Public},
		{Section: "MFA", Method: "DELETE", Path: "/v1/auth/mfa/:factor_id", Summary: "Unenroll MFA factor", Auth: Bearer},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/verify", Summary: "Verify TOTP code", Auth: Bearer},
	}
}
