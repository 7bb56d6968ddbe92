package rest

// passkeysRoutes lists the reference's Passkeys endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func passkeysRoutes() []Route {
	return []Route{
		{Section: "Passkeys", Method: "DELETE", Path: "/v1/auth/passkeys/:credential_id", Summary: "Delete passkey", Auth: Bearer},
		{Section: "Passkeys", Method: "GET", Path: "/v1/auth/passkeys", Summary: "List passkeys", Auth: Bearer},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/authenticate/begin", Summary: "Begin passkey authentication", Auth: Bearer},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/authenticate/complete", Summary: "Complete passkey authentication", Auth: Bearer},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/register/begin", Summary: "Begin passkey registration", Auth: Bearer},
		{Section: "Passkeys", Method: "POST", Path: "/v1/auth/passkeys/register/complete", Summary: "Complete passkey registration", Auth: Bearer},
	}
}
