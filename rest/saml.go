package rest

// samlRoutes lists the reference's SAML / SSO endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func samlRoutes() []Route {
	return []Route{
		{Section: "SAML / SSO", Method: "POST", Path: "/v1/auth/saml/:provider/acs", Summary: "SAML ACS", Auth: Public},
		{Section: "SAML / SSO", Method: "GET", Path: "/v1/auth/saml/:provider/login", Summary: "SAML login redirect", Auth: Public},
		{Section: "SAML / SSO", Method: "GET", Path: "/v1/auth/saml/:provider/metadata", Summary: "SAML metadata", Auth: Public},
	}
}
