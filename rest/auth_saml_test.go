package rest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// samlIdP is an in-process SAML identity provider (crewjam/saml's IdP)
// that knows one service provider (ours, from our metadata endpoint) and
// signs in one fixed user.
type samlIdP struct {
	idp     *saml.IdentityProvider
	srv     *httptest.Server
	sp      *saml.EntityDescriptor
	session *saml.Session
}

func (x *samlIdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if x.sp == nil || x.sp.EntityID != id {
		return nil, os.ErrNotExist
	}
	return x.sp, nil
}

func (x *samlIdP) GetSession(http.ResponseWriter, *http.Request, *saml.IdpAuthnRequest) *saml.Session {
	return x.session
}

func samlNewIdP(t *testing.T) *samlIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	x := &samlIdP{srv: httptest.NewServer(nil)}
	t.Cleanup(x.srv.Close)
	mdURL, _ := url.Parse(x.srv.URL + "/metadata")
	ssoURL, _ := url.Parse(x.srv.URL + "/sso")
	x.idp = &saml.IdentityProvider{Key: key, Certificate: cert, Logger: logger.DefaultLogger,
		MetadataURL: *mdURL, SSOURL: *ssoURL, ServiceProviderProvider: x, SessionProvider: x,
		SignatureMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"}
	x.srv.Config.Handler = x.idp.Handler()
	x.session = &saml.Session{ID: "sess-1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour),
		NameID: "00u-alice", NameIDFormat: string(saml.PersistentNameIDFormat),
		UserEmail: "Alice@Example.com", UserCommonName: "Alice Liddell"}
	return x
}

func (x *samlIdP) metadataXML(t *testing.T) string {
	t.Helper()
	raw, err := xml.MarshalIndent(x.idp.Metadata(), "", "  ")
	require.NoError(t, err)
	return string(raw)
}

// samlEnv is a tenant with provider "okta" pointing at an in-process IdP.
type samlEnv struct {
	env *apptest.Env
	tn  apptest.Tenant
	key string // publishable key
	idp *samlIdP
}

const samlApp = "https://app.example.com/after-sso"

func samlSetup(t *testing.T, opts ...apptest.Options) *samlEnv {
	t.Helper()
	env := apptest.New(t, opts...)
	tn, key := authTenant(t, env)
	s := &samlEnv{env: env, tn: tn, key: key, idp: samlNewIdP(t)}
	res := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: tn.Key, Body: map[string]any{
		"redirect_urls":  []string{samlApp},
		"saml_providers": map[string]any{"okta": map[string]any{"enabled": true, "metadata_xml": s.idp.metadataXML(t)}},
	}})
	require.Equal(t, http.StatusOK, res.Status, "patch auth-config: %s", res.Body)
	s.idp.sp = s.spMetadata(t, "okta")
	return s
}

// spMetadata fetches our SP metadata for provider as the IdP admin would.
func (s *samlEnv) spMetadata(t *testing.T, provider string) *saml.EntityDescriptor {
	t.Helper()
	res, err := http.Get(s.env.URL + "/v1/auth/saml/" + provider + "/metadata?tenant_id=" + s.tn.ID)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode, "metadata: %s", raw)
	require.Equal(t, "application/samlmetadata+xml", res.Header.Get("Content-Type"))
	var md saml.EntityDescriptor
	require.NoError(t, xml.Unmarshal(raw, &md))
	return &md
}

// samlNoFollow is a browser that shows us each redirect.
var samlNoFollow = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login starts a login and returns the IdP's parsed AuthnRequest (ready
// for an assertion) built from the redirect our login endpoint answered.
func (s *samlEnv) login(t *testing.T, provider, redirectTo string) *saml.IdpAuthnRequest {
	t.Helper()
	q := url.Values{"tenant_id": {s.tn.ID}}
	if redirectTo != "" {
		q.Set("redirect_to", redirectTo)
	}
	res, err := samlNoFollow.Get(s.env.URL + "/v1/auth/saml/" + provider + "/login?" + q.Encode())
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	loc := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, s.idp.srv.URL+"/sso?"), loc)
	u, _ := url.Parse(loc)
	require.NotEmpty(t, u.Query().Get("SAMLRequest"))
	require.True(t, strings.HasPrefix(u.Query().Get("RelayState"), s.tn.ID+"."))
	req, err := saml.NewIdpAuthnRequest(s.idp.idp, httptest.NewRequest("GET", loc, nil))
	require.NoError(t, err)
	require.NoError(t, req.Validate())
	return req
}

// assert has the IdP answer req as its SSO endpoint does (signed response,
// signed assertion encrypted to our SP certificate) and returns the
// auto-post form's fields.
func (s *samlEnv) assert(t *testing.T, req *saml.IdpAuthnRequest) url.Values {
	t.Helper()
	rec := httptest.NewRecorder()
	s.idp.idp.ServeSSO(rec, req.HTTPRequest)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return samlFormFields(t, rec.Body.String())
}

var samlInput = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)

func samlFormFields(t *testing.T, page string) url.Values {
	t.Helper()
	out := url.Values{}
	for _, m := range samlInput.FindAllStringSubmatch(page, -1) {
		out.Set(m[1], html.UnescapeString(m[2]))
	}
	require.NotEmpty(t, out.Get("SAMLResponse"), page)
	return out
}

// crafted builds a response by hand: mutate edits the assertion before it
// is signed (or, with sign false, the response goes out fully unsigned).
func (s *samlEnv) crafted(t *testing.T, req *saml.IdpAuthnRequest, sign bool, mutate func(*saml.IdpAuthnRequest)) url.Values {
	t.Helper()
	require.NoError(t, saml.DefaultAssertionMaker{}.MakeAssertion(req, s.idp.session))
	if mutate != nil {
		mutate(req)
	}
	if sign {
		require.NoError(t, req.MakeResponse())
	} else {
		resp := &saml.Response{Destination: req.ACSEndpoint.Location, ID: fmt.Sprintf("id-unsigned-%d", time.Now().UnixNano()),
			InResponseTo: req.Request.ID, IssueInstant: req.Now, Version: "2.0",
			Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: s.idp.idp.MetadataURL.String()},
			Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}}}
		el := resp.Element()
		el.AddChild(req.Assertion.Element())
		req.ResponseEl = el
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.ResponseEl)
	raw, err := doc.WriteToBytes()
	require.NoError(t, err)
	return url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}, "RelayState": {req.RelayState}}
}

// acs posts the form to our ACS as the browser would.
func (s *samlEnv) acs(t *testing.T, provider string, form url.Values) *apptest.Response {
	t.Helper()
	res, err := samlNoFollow.Post(s.env.URL+"/v1/auth/saml/"+provider+"/acs?tenant_id="+s.tn.ID,
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &apptest.Response{Status: res.StatusCode, Header: res.Header, Body: raw}
	_ = json.Unmarshal(raw, out)
	return out
}

func TestAuthSAMLLoginJITAndReuse(t *testing.T) {
	s := samlSetup(t)
	res := s.acs(t, "okta", s.assert(t, s.login(t, "okta", "")))
	require.Equal(t, http.StatusOK, res.Status, "acs: %s", res.Body)
	var sess sessionView
	res.Decode(t, &sess)
	require.NotEmpty(t, sess.AccessToken)
	require.Equal(t, "alice@example.com", *sess.User.Email)

	me := s.env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: sess.AccessToken})
	require.Equal(t, http.StatusOK, me.Status, "me: %s", me.Body)
	var u userView
	me.Decode(t, &u)
	require.Equal(t, sess.User.ID, u.ID)
	require.True(t, u.EmailVerified)
	require.Equal(t, "Alice Liddell", u.UserMetadata["name"])

	// A second login (through the redirect target) reuses the user.
	res = s.acs(t, "okta", s.assert(t, s.login(t, "okta", samlApp)))
	require.Equal(t, http.StatusFound, res.Status, "acs: %s", res.Body)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, samlApp, loc.Scheme+"://"+loc.Host+loc.Path)
	frag, _ := url.ParseQuery(loc.Fragment)
	require.NotEmpty(t, frag.Get("access_token"))
	me = s.env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: frag.Get("access_token")})
	require.Equal(t, http.StatusOK, me.Status)
	var u2 userView
	me.Decode(t, &u2)
	require.Equal(t, u.ID, u2.ID)
}

func TestAuthSAMLLinksExistingUserByEmail(t *testing.T) {
	s := samlSetup(t)
	pw := signUp(t, s.env, s.key, "alice@example.com", "correct horse battery")
	res := s.acs(t, "okta", s.assert(t, s.login(t, "okta", "")))
	require.Equal(t, http.StatusOK, res.Status, "acs: %s", res.Body)
	var sess sessionView
	res.Decode(t, &sess)
	require.Equal(t, pw.User.ID, sess.User.ID)
}

func TestAuthSAMLAttributeMapping(t *testing.T) {
	s := samlSetup(t)
	res := s.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: s.tn.Key, Body: map[string]any{
		"saml_providers": map[string]any{"okta": map[string]any{"attribute_mapping": map[string]string{
			"email": "workEmail", "name": "fullName"}}},
	}})
	require.Equal(t, http.StatusOK, res.Status, "patch: %s", res.Body)
	s.idp.session.NameID = "00u-bob"
	s.idp.session.CustomAttributes = []saml.Attribute{
		{Name: "workEmail", Values: []saml.AttributeValue{{Type: "xs:string", Value: "bob@corp.example.com"}}},
		{Name: "fullName", Values: []saml.AttributeValue{{Type: "xs:string", Value: "Bob Builder"}}},
	}
	res = s.acs(t, "okta", s.assert(t, s.login(t, "okta", "")))
	require.Equal(t, http.StatusOK, res.Status, "acs: %s", res.Body)
	var sess sessionView
	res.Decode(t, &sess)
	require.Equal(t, "bob@corp.example.com", *sess.User.Email)
	me := s.env.Do(t, apptest.Request{Path: "/v1/auth/user", Key: sess.AccessToken})
	var u userView
	me.Decode(t, &u)
	require.Equal(t, "Bob Builder", u.UserMetadata["name"])
}

func TestAuthSAMLMetadataURL(t *testing.T) {
	s := samlSetup(t)
	res := s.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: s.tn.Key, Body: map[string]any{
		"saml_providers": map[string]any{"corp": map[string]any{"enabled": true, "metadata_url": s.idp.srv.URL + "/metadata"}},
	}})
	require.Equal(t, http.StatusOK, res.Status, "patch: %s", res.Body)
	s.idp.sp = s.spMetadata(t, "corp")
	res = s.acs(t, "corp", s.assert(t, s.login(t, "corp", "")))
	require.Equal(t, http.StatusOK, res.Status, "acs: %s", res.Body)
}

func TestAuthSAMLMetadata(t *testing.T) {
	s := samlSetup(t)
	md := s.spMetadata(t, "okta")
	base := "/v1/auth/saml/okta/"
	require.True(t, strings.HasSuffix(md.EntityID, base+"metadata?tenant_id="+s.tn.ID), md.EntityID)
	require.Len(t, md.SPSSODescriptors, 1)
	acs := md.SPSSODescriptors[0].AssertionConsumerServices
	require.Len(t, acs, 1)
	require.Equal(t, saml.HTTPPostBinding, acs[0].Binding)
	require.True(t, strings.HasSuffix(acs[0].Location, base+"acs?tenant_id="+s.tn.ID), acs[0].Location)
	require.NotEmpty(t, md.SPSSODescriptors[0].KeyDescriptors)
	// The key pair is generated once and kept.
	again := s.spMetadata(t, "okta")
	require.Equal(t, md.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data,
		again.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data)
	// Each provider has its own key pair.
	res := s.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: s.tn.Key, Body: map[string]any{
		"saml_providers": map[string]any{"other": map[string]any{"enabled": false, "metadata_xml": s.idp.metadataXML(t)}},
	}})
	require.Equal(t, http.StatusOK, res.Status, "patch: %s", res.Body)
	// Concurrent first uses agree on one key pair.
	certs := make(chan string, 4)
	for range 4 {
		go func() {
			res, err := http.Get(s.env.URL + "/v1/auth/saml/other/metadata?tenant_id=" + s.tn.ID)
			if err != nil {
				certs <- err.Error()
				return
			}
			defer res.Body.Close()
			var md saml.EntityDescriptor
			_ = xml.NewDecoder(res.Body).Decode(&md)
			if len(md.SPSSODescriptors) == 0 || len(md.SPSSODescriptors[0].KeyDescriptors) == 0 {
				certs <- fmt.Sprintf("status %d", res.StatusCode)
				return
			}
			certs <- md.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data
		}()
	}
	other := s.spMetadata(t, "other") // served while disabled: the IdP is set up first
	for range 4 {
		require.Equal(t, other.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data, <-certs)
	}
	require.NotEqual(t, md.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data,
		other.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data)
}

func TestAuthSAMLBadRequests(t *testing.T) {
	s := samlSetup(t)
	cases := []struct {
		name, path string
		status     int
		code       string
	}{
		{"metadata without tenant", "/v1/auth/saml/okta/metadata", http.StatusBadRequest, "VALIDATION_FAILED"},
		{"login without tenant", "/v1/auth/saml/okta/login", http.StatusBadRequest, "VALIDATION_FAILED"},
		{"unknown provider metadata", "/v1/auth/saml/nope/metadata?tenant_id=" + s.tn.ID, http.StatusNotFound, "NOT_FOUND"},
		{"unknown provider login", "/v1/auth/saml/nope/login?tenant_id=" + s.tn.ID, http.StatusNotFound, "NOT_FOUND"},
		{"unknown tenant", "/v1/auth/saml/okta/login?tenant_id=tn_doesnotexist", http.StatusNotFound, "NOT_FOUND"},
		{"redirect not allowed", "/v1/auth/saml/okta/login?tenant_id=" + s.tn.ID + "&redirect_to=https%3A%2F%2Fevil.example.com%2F", http.StatusBadRequest, "VALIDATION_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := samlNoFollow.Get(s.env.URL + c.path)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			out := &apptest.Response{}
			_ = json.Unmarshal(raw, out)
			require.Equal(t, c.status, res.StatusCode, "%s", raw)
			require.Equal(t, c.code, out.Error.Code)
		})
	}
	// A disabled provider cannot be used to sign in.
	res := s.env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/auth-config", Key: s.tn.Key, Body: map[string]any{
		"saml_providers": map[string]any{"okta": map[string]any{"enabled": false}},
	}})
	require.Equal(t, http.StatusOK, res.Status)
	r, err := samlNoFollow.Get(s.env.URL + "/v1/auth/saml/okta/login?tenant_id=" + s.tn.ID)
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	// The ACS wants both form fields.
	ares := s.acs(t, "okta", url.Values{"RelayState": {"x"}})
	require.Equal(t, http.StatusBadRequest, ares.Status, "%s", ares.Body)
	require.Equal(t, "VALIDATION_FAILED", ares.Error.Code)
}

func TestAuthSAMLRejectsBadResponses(t *testing.T) {
	s := samlSetup(t)
	cases := []struct {
		name string
		form func(t *testing.T) url.Values
		code string
	}{
		{"unsigned", func(t *testing.T) url.Values {
			return s.crafted(t, s.login(t, "okta", ""), false, nil)
		}, "INVALID_CREDENTIALS"},
		{"expired", func(t *testing.T) url.Values {
			req := s.login(t, "okta", "")
			req.Now = time.Now().Add(-15 * time.Minute)
			return s.crafted(t, req, true, func(r *saml.IdpAuthnRequest) {
				r.Assertion.IssueInstant = r.Now
				r.Assertion.Conditions.NotBefore = r.Now.Add(-time.Minute)
				r.Assertion.Conditions.NotOnOrAfter = r.Now.Add(saml.MaxIssueDelay)
				r.Now = time.Now() // the response itself is fresh; only the assertion is old
			})
		}, "INVALID_CREDENTIALS"},
		{"wrong audience", func(t *testing.T) url.Values {
			return s.crafted(t, s.login(t, "okta", ""), true, func(r *saml.IdpAuthnRequest) {
				r.Assertion.Conditions.AudienceRestrictions[0].Audience.Value = "https://evil.example.com/sp"
			})
		}, "INVALID_CREDENTIALS"},
		{"tampered after signing", func(t *testing.T) url.Values {
			req := s.login(t, "okta", "")
			req.SPSSODescriptor.KeyDescriptors = nil // plain (signed) assertion, to edit
			f := s.crafted(t, req, true, nil)
			raw, _ := base64.StdEncoding.DecodeString(f.Get("SAMLResponse"))
			require.Contains(t, string(raw), "Alice@Example.com")
			raw = []byte(strings.ReplaceAll(string(raw), "Alice@Example.com", "Mallory@Example.com"))
			f.Set("SAMLResponse", base64.StdEncoding.EncodeToString(raw))
			return f
		}, "INVALID_CREDENTIALS"},
		{"other request id", func(t *testing.T) url.Values {
			first := s.login(t, "okta", "")
			second := s.login(t, "okta", "")
			f := s.assert(t, first)
			f.Set("RelayState", second.RelayState) // valid relay state, other request
			return f
		}, "INVALID_CREDENTIALS"},
		{"not base64", func(t *testing.T) url.Values {
			req := s.login(t, "okta", "")
			return url.Values{"SAMLResponse": {"%%%"}, "RelayState": {req.RelayState}}
		}, "INVALID_CREDENTIALS"},
		{"forged relay state", func(t *testing.T) url.Values {
			f := s.assert(t, s.login(t, "okta", ""))
			rs := f.Get("RelayState")
			f.Set("RelayState", rs[:len(rs)-4]+"AAAA")
			return f
		}, "INVALID_TOKEN"},
		{"relay state of another tenant", func(t *testing.T) url.Values {
			f := s.assert(t, s.login(t, "okta", ""))
			parts := strings.SplitN(f.Get("RelayState"), ".", 2)
			f.Set("RelayState", "tn_other."+parts[1])
			return f
		}, "INVALID_TOKEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.acs(t, "okta", c.form(t))
			require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			require.Equal(t, c.code, res.Error.Code)
		})
	}
}

func TestAuthSAMLReplay(t *testing.T) {
	s := samlSetup(t)
	form := s.assert(t, s.login(t, "okta", ""))
	res := s.acs(t, "okta", form)
	require.Equal(t, http.StatusOK, res.Status, "acs: %s", res.Body)
	res = s.acs(t, "okta", form)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_TOKEN", res.Error.Code)
}

// The time window is checked against the platform clock.
func TestAuthSAMLExpiredOnPlatformClock(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	s := samlSetup(t, apptest.Options{Clock: clock})
	form := s.assert(t, s.login(t, "okta", ""))
	clock.Advance(10 * time.Minute)
	res := s.acs(t, "okta", form)
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Equal(t, "INVALID_CREDENTIALS", res.Error.Code)
	require.NotContains(t, string(res.Body), "expired", "the cause stays in the logs")
}

func TestAuthSAMLLoginRedirectCarriesRequest(t *testing.T) {
	s := samlSetup(t)
	req := s.login(t, "okta", samlApp)
	require.Equal(t, s.idp.sp.EntityID, req.Request.Issuer.Value)
	require.Equal(t, s.idp.sp.SPSSODescriptors[0].AssertionConsumerServices[0].Location, req.Request.AssertionConsumerServiceURL)
	require.Equal(t, fmt.Sprint(s.idp.idp.SSOURL.String()), req.Request.Destination)
}
