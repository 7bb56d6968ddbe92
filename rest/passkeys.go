package rest

// passkeysRoutes are the passkey (WebAuthn) endpoints. Registration, the
// list and deletion need the signed-in user's access token; authentication
// takes any key of the tenant (a publishable key suffices). Each begin's
// state is keyed by its challenge, which the browser's response carries,
// so a complete needs nothing but the credential.
func (a *API) passkeysRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "Passkeys", Method: "DELETE", Path: "/v1/auth/passkeys/:credential_id", Summary: "Delete passkey", Auth: Bearer, Op: Op(id.DeletePasskey)},
		{Section: "Passkeys", Method: "GET", Path: "/v1/auth/passkeys", Summary: "List passkeys", Auth: Bearer, Op: Op0(id.ListPasskeys)},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/authenticate/begin", Summary: "Begin passkey authentication", Auth: Bearer, Op: Op(id.BeginPasskeyLogin)},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/authenticate/complete", Summary: "Complete passkey authentication", Auth: Bearer, Op: Op(id.CompletePasskeyLogin)},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/register/begin", Summary: "Begin passkey registration", Auth: Bearer, Op: Op0(id.BeginPasskeyRegistration)},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/register/complete", Summary: "Complete passkey registration", Auth: Bearer, Op: Op(id.CompletePasskeyRegistration)},
	}
}
