package rest

// mfaRoutes are the MFA endpoints. complete and recover are public: the
// mfa_ticket names its tenant.
func (a *API) mfaRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/challenge", Summary: "Challenge MFA", Auth: Bearer, Op: Op(id.Challenge)},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/complete", Summary: "Complete MFA login", Auth: Public, Op: Op(id.CompleteMFA)},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/enroll", Summary: "Enroll TOTP factor", Auth: Bearer, Op: Op(id.EnrollTOTP)},
		{Section: "MFA", Method: "GET", Path: "/v1/auth/mfa/factors", Summary: "List MFA factors", Auth: Bearer, Op: Op0(id.ListFactors)},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/recover", Summary: "MFA recovery", Auth: Public, Op: Op(id.RecoverMFA)},
		{Section: "MFA", Method: "DELETE", Path: "/v1/auth/mfa/:factor_id", Summary: "Unenroll MFA factor", Auth: Bearer, Op: Op(id.Unenroll)},
		{Section: "MFA", Method: "POST", Path: "/v1/auth/mfa/verify", Summary: "Verify TOTP code", Auth: Bearer, Op: Op(id.VerifyFactor)},
	}
}
