package identity

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/crewjam/saml"
	"github.com/redis/go-redis/v9"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

const (
	samlCertLifetime  = 10 * 365 * 24 * time.Hour
	samlMetadataTTL   = 10 * time.Minute // cache of fetched IdP metadata
	samlMetadataMax   = 1 << 20
	samlFetchTimeout  = 10 * time.Second
	samlFetchRedirect = 3
)

// samlKeyPair returns the SP key pair of a tenant's provider, generating it
// on first use. Concurrent first uses race on the insert (ON CONFLICT DO
// NOTHING) and all re-read the row, so exactly one key pair ever exists.
func (s *Service) samlKeyPair(ctx context.Context, tenantID, name string) (*rsa.PrivateKey, *x509.Certificate, error) {
	row, err := db.AuthSAMLKeyGet(ctx, s.core.DB, tenantID, name)
	if db.IsNoRows(err) {
		if err := s.newSAMLKeyPair(ctx, tenantID, name); err != nil {
			return nil, nil, err
		}
		row, err = db.AuthSAMLKeyGet(ctx, s.core.DB, tenantID, name)
	}
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	der, err := s.sealer.open(row.KeyEnc, samlKeyAAD(tenantID, name))
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, domain.Internal(fmt.Errorf("saml key of %s/%s is %T", tenantID, name, parsed))
	}
	cert, err := x509.ParseCertificate(row.CertDER)
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	return key, cert, nil
}

func samlKeyAAD(tenantID, name string) string { return "saml:" + tenantID + ":" + name }

// newSAMLKeyPair generates an RSA 2048 key and a self-signed certificate
// (IdPs only pin it; no CA is involved) and stores them unless a
// concurrent call stored its own first.
func (s *Service) newSAMLKeyPair(ctx context.Context, tenantID, name string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return domain.Internal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return domain.Internal(err)
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: tenantID + " " + name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(samlCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return domain.Internal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return domain.Internal(err)
	}
	row := &db.AuthSAMLKey{TenantID: tenantID, Provider: name, CertDER: certDER, CreatedAt: now,
		KeyEnc: s.sealer.seal(keyDER, samlKeyAAD(tenantID, name))}
	if err := db.AuthSAMLKeyInsertIfAbsent(ctx, s.core.DB, row); err != nil {
		return domain.Internal(err)
	}
	return nil
}

// samlIDPMetadata is the IdP's metadata: inline XML, else fetched from
// metadata_url (cached for samlMetadataTTL).
func (s *Service) samlIDPMetadata(ctx context.Context, tenantID, name string, p SAMLProvider) (*saml.EntityDescriptor, error) {
	if p.MetadataXML != "" {
		md, err := parseIDPMetadata([]byte(p.MetadataXML))
		if err != nil {
			return nil, samlBadMetadata(err)
		}
		return md, nil
	}
	if p.MetadataURL == "" {
		return nil, samlBadMetadata(errors.New("no metadata configured"))
	}
	sum := sha256.Sum256([]byte(p.MetadataURL))
	key := kv.TenantKey(tenantID, "saml_idp_md", name, hex.EncodeToString(sum[:8]))
	if raw, err := s.core.Redis.Get(ctx, key).Bytes(); err == nil {
		if md, err := parseIDPMetadata(raw); err == nil {
			return md, nil
		}
	} else if err != redis.Nil {
		s.core.Log.Warn("saml metadata cache unavailable", "err", err)
	}
	raw, err := fetchSAMLMetadata(ctx, p.MetadataURL, s.opts.AllowPrivateURLs)
	if err != nil {
		s.core.Log.Info("saml metadata fetch failed", "tenant_id", tenantID, "provider", name, "err", err)
		return nil, domain.Wrap(err, domain.CodeUnavailable, "The identity provider's metadata could not be fetched.")
	}
	md, err := parseIDPMetadata(raw)
	if err != nil {
		return nil, samlBadMetadata(err)
	}
	if err := s.core.Redis.Set(ctx, key, raw, samlMetadataTTL).Err(); err != nil {
		s.core.Log.Warn("saml metadata cache unavailable", "err", err)
	}
	return md, nil
}

func samlBadMetadata(cause error) error {
	return domain.Wrap(cause, domain.CodeInvalidState, "The SAML provider's IdP metadata is invalid; check the auth configuration.")
}

// parseIDPMetadata reads an EntityDescriptor, or the first entity of an
// EntitiesDescriptor that is an IdP. It must name signing certificates.
func parseIDPMetadata(raw []byte) (*saml.EntityDescriptor, error) {
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(raw, &ed); err != nil || len(ed.IDPSSODescriptors) == 0 {
		var all saml.EntitiesDescriptor
		if err2 := xml.Unmarshal(raw, &all); err2 != nil {
			if err == nil {
				err = err2
			}
			return nil, fmt.Errorf("parse idp metadata: %w", err)
		}
		found := false
		for _, e := range all.EntityDescriptors {
			if len(e.IDPSSODescriptors) > 0 {
				ed, found = e, true
				break
			}
		}
		if !found {
			return nil, errors.New("idp metadata has no IDPSSODescriptor")
		}
	}
	for _, d := range ed.IDPSSODescriptors {
		for _, k := range d.KeyDescriptors {
			if (k.Use == "" || k.Use == "signing") && len(k.KeyInfo.X509Data.X509Certificates) > 0 {
				return &ed, nil
			}
		}
	}
	return nil, errors.New("idp metadata has no signing certificate")
}

// fetchSAMLMetadata GETs metadata_url with a bounded time and size. Unless
// allowPrivate, the URL and every address dialled (redirects included, so
// DNS rebinding does not help) must be public.
func fetchSAMLMetadata(ctx context.Context, rawURL string, allowPrivate bool) ([]byte, error) {
	if err := checkOutboundURL(rawURL, allowPrivate); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, samlFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	res, err := samlHTTPClient(allowPrivate).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metadata url answered %d", res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, samlMetadataMax+1))
	if err != nil {
		return nil, err
	}
	if len(body) > samlMetadataMax {
		return nil, errors.New("metadata exceeds 1 MB")
	}
	return bytes.TrimSpace(body), nil
}

var errSAMLPrivateAddress = errors.New("outbound connection to a private address refused")

// samlHTTPClient fetches metadata. Fetches are rare (cached), so each gets
// a fresh transport without keep-alives rather than a shared pool.
func samlHTTPClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: samlFetchTimeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if samlPrivateAddr(ip.Unmap()) {
				return errSAMLPrivateAddress
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: samlFetchTimeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   samlFetchTimeout,
			ResponseHeaderTimeout: samlFetchTimeout,
			DisableKeepAlives:     true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= samlFetchRedirect {
				return errors.New("too many redirects")
			}
			return checkOutboundURL(req.URL.String(), allowPrivate)
		},
	}
}

// samlPrivateAddr reports addresses outbound calls must not reach.
func samlPrivateAddr(ip netip.Addr) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast()
}
