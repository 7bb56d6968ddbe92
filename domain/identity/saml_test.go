package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/domain"
)

func TestSAMLFetchMetadataRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", samlMetadataMax+1)))
		case "/missing":
			http.NotFound(w, r)
		default:
			_, _ = w.Write([]byte("<EntityDescriptor/>"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	_, err := fetchSAMLMetadata(ctx, srv.URL+"/md", false)
	require.Error(t, err, "loopback is refused by default")
	_, err = fetchSAMLMetadata(ctx, "http://localhost:1/md", false)
	require.Error(t, err, "names resolving to loopback are refused")
	_, err = fetchSAMLMetadata(ctx, "file:///etc/passwd", true)
	require.Error(t, err)

	// The dial-time check holds even when the URL check is skipped (DNS
	// rebinding, redirects).
	_, err = samlHTTPClient(false).Get(srv.URL + "/md")
	require.True(t, errors.Is(err, errSAMLPrivateAddress), "%v", err)

	raw, err := fetchSAMLMetadata(ctx, srv.URL+"/md", true)
	require.NoError(t, err)
	require.Equal(t, "<EntityDescriptor/>", string(raw))
	_, err = fetchSAMLMetadata(ctx, srv.URL+"/big", true)
	require.ErrorContains(t, err, "exceeds")
	_, err = fetchSAMLMetadata(ctx, srv.URL+"/missing", true)
	require.ErrorContains(t, err, "404")
}

func TestSAMLParseIDPMetadata(t *testing.T) {
	const cert = `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>MIIB</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`
	idp := `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + cert +
		`<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></IDPSSODescriptor></EntityDescriptor>`
	md, err := parseIDPMetadata([]byte(idp))
	require.NoError(t, err)
	require.Equal(t, "https://idp.example.com", md.EntityID)

	md, err = parseIDPMetadata([]byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
		`<EntityDescriptor entityID="https://sp.example.com"></EntityDescriptor>` + strings.Replace(idp, ` xmlns="urn:oasis:names:tc:SAML:2.0:metadata"`, "", 1) + `</EntitiesDescriptor>`))
	require.NoError(t, err)
	require.Equal(t, "https://idp.example.com", md.EntityID)

	_, err = parseIDPMetadata([]byte(strings.Replace(idp, cert, "", 1)))
	require.ErrorContains(t, err, "signing certificate")
	_, err = parseIDPMetadata([]byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`))
	require.Error(t, err)
	_, err = parseIDPMetadata([]byte("not xml"))
	require.Error(t, err)
}

func TestSAMLRelayState(t *testing.T) {
	s := &Service{core: &domain.Core{Secret: []byte("test-secret")}}
	rs := s.samlRelayState("tn_1", "nonce")
	require.LessOrEqual(t, len(s.samlRelayState("tn_01m87d3yzfmvs125evjwc8jna9", strings.Repeat("n", 43))), 100)
	tenant, nonce, ok := s.parseSAMLRelayState(rs)
	require.True(t, ok)
	require.Equal(t, "tn_1", tenant)
	require.Equal(t, "nonce", nonce)
	for _, bad := range []string{"", "tn_1.nonce", "tn_2" + rs[4:], rs + "x", "tn_1.other." + strings.Split(rs, ".")[2], strings.Repeat("a", 400)} {
		_, _, ok := s.parseSAMLRelayState(bad)
		require.False(t, ok, bad)
	}
	other := &Service{core: &domain.Core{Secret: []byte("other-secret")}}
	_, _, ok = other.parseSAMLRelayState(rs)
	require.False(t, ok)
}

func TestSAMLCheckWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	mk := func(issued, notBefore, notOnOrAfter, confirmUntil time.Time) *saml.Assertion {
		return &saml.Assertion{IssueInstant: issued,
			Conditions: &saml.Conditions{NotBefore: notBefore, NotOnOrAfter: notOnOrAfter},
			Subject: &saml.Subject{SubjectConfirmations: []saml.SubjectConfirmation{
				{SubjectConfirmationData: &saml.SubjectConfirmationData{NotOnOrAfter: confirmUntil}}}}}
	}
	m := time.Minute
	require.NoError(t, samlCheckWindow(mk(now, now.Add(-m), now.Add(m), now.Add(m)), now))
	require.NoError(t, samlCheckWindow(mk(now, now.Add(2*m), now.Add(3*m), now.Add(3*m)), now), "within the clock skew")
	require.Error(t, samlCheckWindow(mk(now, now.Add(10*m), now.Add(11*m), now.Add(11*m)), now), "not yet valid")
	require.Error(t, samlCheckWindow(mk(now.Add(-10*m), now.Add(-10*m), now.Add(-5*m), now.Add(m)), now), "conditions expired")
	require.Error(t, samlCheckWindow(mk(now, now.Add(-m), now.Add(m), now.Add(-5*m)), now), "confirmation expired")
	require.Error(t, samlCheckWindow(mk(now.Add(-time.Hour), now.Add(-m), now.Add(m), now.Add(m)), now), "issued long ago")
	require.Error(t, samlCheckWindow(&saml.Assertion{IssueInstant: now}, now), "no conditions")
}

func TestSAMLExternal(t *testing.T) {
	attr := func(name, friendly, value string) saml.Attribute {
		return saml.Attribute{Name: name, FriendlyName: friendly, Values: []saml.AttributeValue{{Value: value}}}
	}
	mk := func(nameID, format string, attrs ...saml.Attribute) *saml.Assertion {
		return &saml.Assertion{Issuer: saml.Issuer{Value: "https://idp"},
			Subject:             &saml.Subject{NameID: &saml.NameID{Value: nameID, Format: format}},
			AttributeStatements: []saml.AttributeStatement{{Attributes: attrs}}}
	}
	persistent := string(saml.PersistentNameIDFormat)

	ext, err := samlExternal("okta", mk("u1", persistent, attr("urn:oid:0.9.2342.19200300.100.1.3", "mail", " A@Example.COM "),
		attr("displayName", "", "Ann")), nil)
	require.NoError(t, err)
	require.Equal(t, External{Provider: "saml:okta", Subject: "u1", Email: "a@example.com", EmailVerified: true, Name: "Ann", Data: ext.Data}, ext)
	require.Contains(t, string(ext.Data), `"displayName":["Ann"]`)

	ext, err = samlExternal("okta", mk("u1", persistent, attr("work", "", "w@corp.example"), attr("email", "", "p@home.example"),
		attr("full", "", "Full Name")), map[string]string{"email": "work", "name": "full"})
	require.NoError(t, err)
	require.Equal(t, "w@corp.example", ext.Email)
	require.Equal(t, "Full Name", ext.Name)

	ext, err = samlExternal("okta", mk("Bob@Example.com", string(saml.EmailAddressNameIDFormat)), nil)
	require.NoError(t, err)
	require.Equal(t, "bob@example.com", ext.Email, "NameID stands in for a missing email attribute")

	ext, err = samlExternal("okta", mk("u2", persistent, attr("email", "", "not an email")), nil)
	require.NoError(t, err)
	require.Empty(t, ext.Email)
	require.False(t, ext.EmailVerified)

	ext, err = samlExternal("okta", mk("_transient1", string(saml.TransientNameIDFormat), attr("email", "", "t@example.com")), nil)
	require.NoError(t, err)
	require.Equal(t, "email:t@example.com", ext.Subject, "a transient NameID changes every time")
	_, err = samlExternal("okta", mk("_transient1", string(saml.TransientNameIDFormat)), nil)
	require.Error(t, err)
	_, err = samlExternal("okta", mk("", persistent), nil)
	require.Error(t, err)
	_, err = samlExternal("okta", &saml.Assertion{}, nil)
	require.Error(t, err)
}
