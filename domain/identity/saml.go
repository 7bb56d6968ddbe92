package identity

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/platformhq/platform/domain"
)

// SAML 2.0 single sign-on: the platform is a service provider (SP) per
// tenant and provider (cfg.SAMLProviders[name]). Its entity id is its
// metadata URL; the login redirect sends an AuthnRequest (HTTP-Redirect
// binding) with a signed RelayState "<tenant>.<nonce>.<mac>" whose nonce
// maps (one-time, 10 minutes) to the request id and redirect target; the
// ACS validates the IdP's response (signature, audience, recipient, time
// window, InResponseTo, replay) and signs the user in (JIT creation).

const (
	ottSAMLRequest = "saml_request" // pending SP-initiated login
	samlRequestTTL = 10 * time.Minute
)

// SAMLProviderRef names a tenant's SAML provider from a browser link.
type SAMLProviderRef struct {
	Provider string `json:"-" path:"provider"`
	TenantID string `json:"-" query:"tenant_id"`
}

// SAMLLoginInput starts an SP-initiated login.
type SAMLLoginInput struct {
	Provider   string `json:"-" path:"provider"`
	TenantID   string `json:"-" query:"tenant_id"`
	RedirectTo string `json:"-" query:"redirect_to"`
}

// SAMLACSInput is the IdP's HTTP-POST binding form (or the same as JSON).
type SAMLACSInput struct {
	Provider     string `json:"-" path:"provider"`
	TenantID     string `json:"-" query:"tenant_id"`
	SAMLResponse string `json:"SAMLResponse"`
	RelayState   string `json:"RelayState"`
}

// SAMLMetadataDoc is the SP metadata XML; it implements rest.Document.
type SAMLMetadataDoc struct {
	XML []byte `json:"-"`
}

// Document implements rest.Document.
func (d SAMLMetadataDoc) Document() (string, []byte) {
	return "application/samlmetadata+xml", d.XML
}

// SAMLRedirect sends the browser to the IdP; it implements rest.Redirector.
type SAMLRedirect struct {
	URL string `json:"url"`
}

// RedirectLocation implements rest.Redirector.
func (r SAMLRedirect) RedirectLocation() string { return r.URL }

// samlPending is what a RelayState nonce stands for.
type samlPending struct {
	Provider   string `json:"provider"`
	RequestID  string `json:"request_id"`
	RedirectTo string `json:"redirect_to,omitempty"`
}

// SAMLMetadata answers the SP metadata of a tenant's provider, which the
// tenant's admin hands to the IdP. It is served for configured providers
// even while disabled: the IdP is usually set up before the provider is
// switched on. Errors: VALIDATION_FAILED (tenant_id), NOT_FOUND.
func (s *Service) SAMLMetadata(ctx context.Context, in SAMLProviderRef) (SAMLMetadataDoc, error) {
	tenantID, err := s.samlTenant(ctx, in.TenantID)
	if err != nil {
		return SAMLMetadataDoc{}, err
	}
	if _, _, err := s.samlProvider(ctx, tenantID, in.Provider, false); err != nil {
		return SAMLMetadataDoc{}, err
	}
	sp, err := s.samlSP(ctx, tenantID, in.Provider)
	if err != nil {
		return SAMLMetadataDoc{}, err
	}
	md := sp.Metadata()
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		// Only the HTTP-POST binding is served: artifact resolution would
		// make the platform call out to the IdP on a browser's say-so.
		acs := d.AssertionConsumerServices[:0]
		for _, e := range d.AssertionConsumerServices {
			if e.Binding == saml.HTTPPostBinding {
				acs = append(acs, e)
			}
		}
		d.AssertionConsumerServices = acs
	}
	body, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return SAMLMetadataDoc{}, domain.Internal(err)
	}
	return SAMLMetadataDoc{XML: append([]byte(xml.Header), body...)}, nil
}

// SAMLLogin redirects the browser to the IdP with an AuthnRequest.
// Errors: VALIDATION_FAILED (tenant_id, redirect_to), NOT_FOUND,
// RATE_LIMITED, UNAVAILABLE (IdP metadata unreachable).
func (s *Service) SAMLLogin(ctx context.Context, in SAMLLoginInput) (SAMLRedirect, error) {
	tenantID, err := s.samlTenant(ctx, in.TenantID)
	if err != nil {
		return SAMLRedirect{}, err
	}
	cfg, p, err := s.samlProvider(ctx, tenantID, in.Provider, true)
	if err != nil {
		return SAMLRedirect{}, err
	}
	var v domain.Validation
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return SAMLRedirect{}, err
	}
	if err := s.throttle(ctx, tenantID, actLogin, cfg.RateLimits.LoginPerMinute); err != nil {
		return SAMLRedirect{}, err
	}
	sp, err := s.samlSPWithIDP(ctx, tenantID, in.Provider, p)
	if err != nil {
		return SAMLRedirect{}, err
	}
	ssoURL := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if ssoURL == "" {
		return SAMLRedirect{}, domain.Errorf(domain.CodeInvalidState,
			"The identity provider's metadata has no HTTP-Redirect single sign-on service.")
	}
	req, err := sp.MakeAuthenticationRequest(ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return SAMLRedirect{}, domain.Internal(err)
	}
	nonce, err := s.issueOTT(ctx, tenantID, ottSAMLRequest,
		samlPending{Provider: in.Provider, RequestID: req.ID, RedirectTo: in.RedirectTo}, samlRequestTTL)
	if err != nil {
		return SAMLRedirect{}, err
	}
	u, err := req.Redirect(s.samlRelayState(tenantID, nonce), sp)
	if err != nil {
		return SAMLRedirect{}, domain.Internal(err)
	}
	return SAMLRedirect{URL: u.String()}, nil
}

// errSAMLResponse is the one message a rejected SAML response gets: the
// detailed cause is logged, never shown.
const errSAMLResponse = "The SAML response could not be validated."

// SAMLACS consumes the IdP's response: the RelayState names the tenant
// (signed) and the pending request (single use); the response must be
// signed by the IdP, addressed to this SP, in its time window, in response
// to that request and never seen before. Then the user is signed in
// (created on first sign-in). Errors: VALIDATION_FAILED, INVALID_TOKEN
// (RelayState forged, expired or used; assertion replayed),
// INVALID_CREDENTIALS (response rejected), NOT_FOUND, FORBIDDEN (sign-ups
// disabled), USER_BANNED.
func (s *Service) SAMLACS(ctx context.Context, in SAMLACSInput) (FederatedAnswer, error) {
	var v domain.Validation
	v.Check(strings.TrimSpace(in.SAMLResponse) == "", "SAMLResponse", "is required")
	v.Check(strings.TrimSpace(in.RelayState) == "", "RelayState", "is required")
	if err := v.Err(); err != nil {
		return FederatedAnswer{}, err
	}
	tenantID, nonce, ok := s.parseSAMLRelayState(in.RelayState)
	if !ok || (in.TenantID != "" && in.TenantID != tenantID) {
		return FederatedAnswer{}, domain.Errorf(domain.CodeInvalidToken, "The SAML RelayState is invalid.")
	}
	if _, err := s.portalTenant(ctx, tenantID); err != nil {
		return FederatedAnswer{}, err
	}
	cfg, p, err := s.samlProvider(ctx, tenantID, in.Provider, true)
	if err != nil {
		return FederatedAnswer{}, err
	}
	if err := s.throttle(ctx, tenantID, actLogin, cfg.RateLimits.LoginPerMinute); err != nil {
		return FederatedAnswer{}, err
	}
	var pending samlPending
	if err := s.consumeOTT(ctx, tenantID, ottSAMLRequest, nonce, &pending); err != nil {
		return FederatedAnswer{}, err
	}
	if pending.Provider != in.Provider {
		return FederatedAnswer{}, domain.Errorf(domain.CodeInvalidToken, "The SAML RelayState is invalid.")
	}
	assertion, err := s.samlValidate(ctx, tenantID, in.Provider, p, in.SAMLResponse, pending.RequestID)
	if err != nil {
		return FederatedAnswer{}, err
	}
	if err := s.samlSeen(ctx, tenantID, assertion); err != nil {
		return FederatedAnswer{}, err
	}
	ext, err := samlExternal(in.Provider, assertion, p.Attributes)
	if err != nil {
		return FederatedAnswer{}, s.samlReject(tenantID, in.Provider, err)
	}
	signIn, err := s.federatedSignIn(ctx, tenantID, ext)
	if err != nil {
		return FederatedAnswer{}, err
	}
	return federatedAnswer(signIn, pending.RedirectTo), nil
}

// samlValidate checks the IdP's response with crewjam/saml (XML well-
// formedness, signature against the IdP metadata's certificates,
// destination, issuer, InResponseTo, recipient, audience) and then the
// time window against the platform clock.
func (s *Service) samlValidate(ctx context.Context, tenantID, name string, p SAMLProvider, samlResponse, requestID string) (*saml.Assertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(samlResponse))
	if err != nil {
		return nil, s.samlReject(tenantID, name, err)
	}
	sp, err := s.samlSPWithIDP(ctx, tenantID, name, p)
	if err != nil {
		return nil, err
	}
	assertion, err := parseSAMLResponse(sp, raw, requestID)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			err = ire.PrivateErr
		}
		return nil, s.samlReject(tenantID, name, err)
	}
	if err := samlCheckWindow(assertion, s.now()); err != nil {
		return nil, s.samlReject(tenantID, name, err)
	}
	return assertion, nil
}

// parseSAMLResponse runs crewjam's validation, turning a panic inside it
// (a signed assertion without <Conditions> dereferences nil in v0.5.1) into
// a refusal: a malformed IdP answer is the IdP's fault, never a 500.
func parseSAMLResponse(sp *saml.ServiceProvider, raw []byte, requestID string) (a *saml.Assertion, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("saml: malformed assertion: %v", r)
		}
	}()
	return sp.ParseXMLResponse(raw, []string{requestID}, sp.AcsURL)
}

// samlReject logs why a response was refused and answers the safe error.
func (s *Service) samlReject(tenantID, name string, cause error) error {
	s.core.Log.Info("saml response rejected", "tenant_id", tenantID, "provider", name, "err", cause)
	return domain.Wrap(cause, domain.CodeInvalidCredentials, errSAMLResponse)
}

// samlTenant is the tenant a browser link names (tenant_id in the query),
// else the tenant of the credential sent, if any.
func (s *Service) samlTenant(ctx context.Context, queryTenant string) (string, error) {
	if strings.TrimSpace(queryTenant) == "" {
		if p := domain.PrincipalFrom(ctx); p != nil && p.TenantID != "" {
			return p.TenantID, nil
		}
		return "", domain.Invalid("tenant_id", "is required in the query")
	}
	return s.portalTenant(ctx, queryTenant)
}

// samlProvider loads the tenant's configuration of provider name; unknown
// (or, when enabled is required, disabled) providers are NOT_FOUND.
func (s *Service) samlProvider(ctx context.Context, tenantID, name string, enabled bool) (*Config, SAMLProvider, error) {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, SAMLProvider{}, err
	}
	p, ok := cfg.SAMLProviders[name]
	if !ok || (enabled && !p.Enabled) {
		return nil, SAMLProvider{}, domain.NotFound("SAML provider")
	}
	return cfg, p, nil
}

// samlSP is the service provider of a tenant's provider, without the IdP
// side (enough for metadata).
func (s *Service) samlSP(ctx context.Context, tenantID, name string) (*saml.ServiceProvider, error) {
	key, cert, err := s.samlKeyPair(ctx, tenantID, name)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(s.opts.PublicURL, "/") + "/v1/auth/saml/" + url.PathEscape(name)
	q := "?tenant_id=" + url.QueryEscape(tenantID)
	mdURL, err := url.Parse(base + "/metadata" + q)
	if err != nil {
		return nil, domain.Internal(err)
	}
	acsURL, err := url.Parse(base + "/acs" + q)
	if err != nil {
		return nil, domain.Internal(err)
	}
	return &saml.ServiceProvider{
		EntityID:    mdURL.String(),
		Key:         key,
		Certificate: cert,
		MetadataURL: *mdURL,
		AcsURL:      *acsURL,
		// Let the IdP pick its configured NameID format (requesting one it
		// is not set up for fails at Okta and Entra ID).
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
		// Only SP-initiated logins: every response must answer a request
		// this SP made (InResponseTo), which also bounds replay.
		AllowIDPInitiated: false,
	}, nil
}

// samlSPWithIDP is samlSP with the IdP metadata loaded.
func (s *Service) samlSPWithIDP(ctx context.Context, tenantID, name string, p SAMLProvider) (*saml.ServiceProvider, error) {
	sp, err := s.samlSP(ctx, tenantID, name)
	if err != nil {
		return nil, err
	}
	if sp.IDPMetadata, err = s.samlIDPMetadata(ctx, tenantID, name, p); err != nil {
		return nil, err
	}
	return sp, nil
}
