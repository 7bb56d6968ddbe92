package rest

import (
	"mime"
	"net/http"
	"net/url"
	"reflect"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/identity"
)

// samlRoutes are the SAML / SSO endpoints. They are opened by browsers
// (login, ACS) or fetched by IdP admins (metadata): no key; the tenant is
// tenant_id in the query, and for the ACS the signed RelayState.
func (a *API) samlRoutes() []Route {
	id := a.cfg.Identity
	return []Route{
		{Section: "SAML / SSO", Method: "POST", Path: "/v1/auth/saml/:provider/acs", Summary: "SAML ACS", Auth: Public,
			Accepts: []string{"application/x-www-form-urlencoded", JSON},
			Op:      Op(id.SAMLACS).WithRequest(a.samlACS)},
		{Section: "SAML / SSO", Method: "GET", Path: "/v1/auth/saml/:provider/login", Summary: "SAML login redirect", Auth: Public, Op: Op(id.SAMLLogin)},
		{Section: "SAML / SSO", Method: "GET", Path: "/v1/auth/saml/:provider/metadata", Summary: "SAML metadata", Auth: Public, Op: Op(id.SAMLMetadata)},
	}
}

// samlACS reads the IdP's HTTP-POST binding form (SAMLResponse,
// RelayState) or the same members as JSON, plus the path and query.
func (a *API) samlACS(r *http.Request, body []byte) (any, error) {
	var in identity.SAMLACSInput
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, domain.Errorf(domain.CodeBadRequest, "Malformed form body.")
		}
		in.SAMLResponse = form.Get("SAMLResponse")
		in.RelayState = form.Get("RelayState")
		if err := bindParams(r, reflect.ValueOf(&in).Elem()); err != nil {
			return nil, err
		}
	} else if err := bind(r, body, &in); err != nil {
		return nil, err
	}
	return a.cfg.Identity.SAMLACS(r.Context(), in)
}
