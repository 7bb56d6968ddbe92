package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// samlRelayState is "<tenant_id>.<nonce>.<mac>": the ACS learns the tenant
// from it, and the MAC (under a key only for this purpose) means a forged
// tenant or nonce is refused before any lookup. All parts are URL-safe
// (crewjam appends RelayState to the redirect URL unescaped).
func (s *Service) samlRelayState(tenantID, nonce string) string {
	return tenantID + "." + nonce + "." + s.samlRelayMAC(tenantID, nonce)
}

func (s *Service) samlRelayMAC(tenantID, nonce string) string {
	m := hmac.New(sha256.New, deriveKey(s.core.Secret, "saml-relay"))
	m.Write([]byte(tenantID + "." + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// parseSAMLRelayState checks the MAC and returns the tenant and nonce.
func (s *Service) parseSAMLRelayState(state string) (tenantID, nonce string, ok bool) {
	if len(state) > 300 {
		return "", "", false
	}
	parts := strings.Split(state, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	want := s.samlRelayMAC(parts[0], parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// samlCheckWindow checks the assertion's validity window against the
// platform clock (crewjam checks it against the wall clock, a package
// variable we must not swap per request), with the same clock skew.
func samlCheckWindow(a *saml.Assertion, now time.Time) error {
	skew := saml.MaxClockSkew
	if a.Conditions == nil {
		return errors.New("assertion has no Conditions")
	}
	if !a.IssueInstant.IsZero() && now.After(a.IssueInstant.Add(saml.MaxIssueDelay+skew)) {
		return errors.New("assertion issued too long ago")
	}
	if !a.Conditions.NotBefore.IsZero() && now.Add(skew).Before(a.Conditions.NotBefore) {
		return errors.New("assertion Conditions not yet valid")
	}
	if !a.Conditions.NotOnOrAfter.IsZero() && !now.Before(a.Conditions.NotOnOrAfter.Add(skew)) {
		return errors.New("assertion Conditions expired")
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.SubjectConfirmations {
			d := sc.SubjectConfirmationData
			if d != nil && !d.NotOnOrAfter.IsZero() && !now.Before(d.NotOnOrAfter.Add(skew)) {
				return errors.New("assertion SubjectConfirmationData expired")
			}
		}
	}
	return nil
}

// samlSeen records the assertion id until the assertion expires; a second
// use is a replay. Redis being down fails closed: a replay check that
// cannot run must not let the assertion through.
func (s *Service) samlSeen(ctx context.Context, tenantID string, a *saml.Assertion) error {
	until := s.now().Add(time.Hour)
	if a.Conditions != nil && !a.Conditions.NotOnOrAfter.IsZero() {
		until = a.Conditions.NotOnOrAfter
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.SubjectConfirmations {
			if d := sc.SubjectConfirmationData; d != nil && d.NotOnOrAfter.After(until) {
				until = d.NotOnOrAfter
			}
		}
	}
	ttl := until.Add(saml.MaxClockSkew).Sub(s.now())
	ttl = max(ttl, time.Minute)
	ttl = min(ttl, 24*time.Hour)
	sum := sha256.Sum256([]byte(a.Issuer.Value + "\x00" + a.ID))
	key := kv.TenantKey(tenantID, "saml_seen", hex.EncodeToString(sum[:]))
	fresh, err := s.core.Redis.SetNX(ctx, key, "1", ttl).Result()
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "The token store is unavailable; retry shortly.")
	}
	if !fresh {
		return domain.Errorf(domain.CodeInvalidToken, "This SAML assertion was already used.")
	}
	return nil
}

// Default attribute names (first present wins) when attribute_mapping does
// not name one: plain names, LDAP OIDs and the ADFS / Entra ID claim URIs.
var (
	samlEmailAttrs = []string{"email", "mail", "urn:oid:0.9.2342.19200300.100.1.3",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}
	samlNameAttrs = []string{"name", "displayName", "cn", "urn:oid:2.16.840.1.113730.3.1.241",
		"urn:oid:2.5.4.3", "http://schemas.microsoft.com/identity/claims/displayname"}
)

// Bounds of the attributes kept on the identity.
const (
	samlMaxAttrs     = 50
	samlMaxValues    = 20
	samlMaxValueSize = 512
)

// samlExternal maps a validated assertion to the external identity. The
// subject is the NameID; a transient NameID changes on every sign-in, so
// the email stands in for it then. An email from a signed assertion is
// taken as verified: the IdP vouches for it.
func samlExternal(name string, a *saml.Assertion, mapping map[string]string) (External, error) {
	if a.Subject == nil || a.Subject.NameID == nil {
		return External{}, errors.New("assertion has no NameID")
	}
	nameID := strings.TrimSpace(a.Subject.NameID.Value)
	attrs := samlAttrs(a)
	email := normalizeEmail(samlPick(attrs, mapping["email"], samlEmailAttrs))
	if email == "" && strings.Contains(nameID, "@") {
		email = normalizeEmail(nameID)
	}
	var v domain.Validation
	if checkEmail(&v, "email", email, false); v.Err() != nil {
		email = "" // not an address; keep the sign-in, drop the claim
	}
	subject := nameID
	if a.Subject.NameID.Format == string(saml.TransientNameIDFormat) {
		if email == "" {
			return External{}, errors.New("transient NameID without an email")
		}
		subject = "email:" + email
	}
	if subject == "" || len(subject) > 512 {
		return External{}, errors.New("assertion NameID is empty or too long")
	}
	data, _ := json.Marshal(map[string]any{"name_id": nameID, "name_id_format": a.Subject.NameID.Format,
		"issuer": a.Issuer.Value, "attributes": attrs})
	return External{Provider: "saml:" + name, Subject: subject, Email: email, EmailVerified: email != "",
		Name: truncate(samlPick(attrs, mapping["name"], samlNameAttrs), 200), Data: data}, nil
}

// samlAttrs collects the assertion's attributes by name and by friendly
// name, bounded in count and size.
func samlAttrs(a *saml.Assertion) map[string][]string {
	out := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			var vals []string
			for _, v := range at.Values {
				if len(vals) < samlMaxValues {
					vals = append(vals, truncate(strings.TrimSpace(v.Value), samlMaxValueSize))
				}
			}
			for _, k := range []string{at.Name, at.FriendlyName} {
				if k != "" && len(out) < samlMaxAttrs && len(k) <= 256 {
					if _, dup := out[k]; !dup {
						out[k] = vals
					}
				}
			}
		}
	}
	return out
}

// samlPick returns the first value of the mapped attribute, else of the
// first default attribute present.
func samlPick(attrs map[string][]string, mapped string, defaults []string) string {
	names := defaults
	if mapped != "" {
		names = []string{mapped}
	}
	for _, n := range names {
		for _, v := range attrs[n] {
			if v != "" {
				return v
			}
		}
	}
	return ""
}
