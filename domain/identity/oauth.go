package identity

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// OAuth sign-in (authorization code flow with PKCE). The browser opens
// GET /v1/auth/oauth/:provider, is sent to the provider, and comes back to
// the callback with a code and the state the start issued. The state is
// "<tenant_id>.<nonce>.<mac>": the MAC lets the callback (which has no API
// key) trust the tenant it names and refuse forged states before touching
// Redis; the nonce is a one-time token holding the PKCE verifier, so a
// state works once.

const (
	ottOAuthState = "oauth_state"
	oauthStateTTL = 10 * time.Minute

	actOAuth         = "oauth"
	actOAuthCallback = "oauth_callback"

	// maxProviderBody bounds what is read from a provider's answer.
	maxProviderBody = 1 << 20
)

// oauthDefaultScopes apply when a provider's scopes are empty: OpenID
// Connect's, except for GitHub, which is plain OAuth with its own scopes.
var oauthDefaultScopes = map[string][]string{
	"":       {"openid", "email", "profile"},
	"github": {"read:user", "user:email"},
}

// OAuthStartInput is GET /v1/auth/oauth/:provider. tenant_id is needed only
// when no key is sent (a plain browser link).
type OAuthStartInput struct {
	Provider   string `path:"provider" json:"-"`
	TenantID   string `query:"tenant_id" json:"-"`
	RedirectTo string `query:"redirect_to" json:"-"`
}

// OAuthCallbackInput is GET /v1/auth/oauth/:provider/callback as the
// provider sends the browser back: code and state, or error.
type OAuthCallbackInput struct {
	Provider         string `path:"provider" json:"-"`
	Code             string `query:"code" json:"-"`
	State            string `query:"state" json:"-"`
	Error            string `query:"error" json:"-"`
	ErrorDescription string `query:"error_description" json:"-"`
}

// OAuthRedirect sends the browser to the provider (302).
type OAuthRedirect struct {
	URL string `json:"url"`
}

// RedirectLocation implements rest.Redirector.
func (r OAuthRedirect) RedirectLocation() string { return r.URL }

// oauthState is what the state nonce stands for in Redis.
type oauthState struct {
	Provider   string `json:"provider"`
	Verifier   string `json:"verifier"`
	RedirectTo string `json:"redirect_to,omitempty"`
}

// OAuthStart redirects to the provider's authorization page. Errors:
// VALIDATION_FAILED (tenant_id, redirect_to, a provider without userinfo_url
// or with private endpoints), NOT_FOUND (provider unknown or disabled),
// RATE_LIMITED.
func (s *Service) OAuthStart(ctx context.Context, in OAuthStartInput) (OAuthRedirect, error) {
	tenantID, err := s.verifyTenant(ctx, in.TenantID)
	if err != nil {
		return OAuthRedirect{}, err
	}
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return OAuthRedirect{}, err
	}
	if err := s.throttle(ctx, tenantID, actOAuth, cfg.RateLimits.LoginPerMinute); err != nil {
		return OAuthRedirect{}, err
	}
	p, err := s.oauthProvider(cfg, in.Provider)
	if err != nil {
		return OAuthRedirect{}, err
	}
	var v domain.Validation
	s.checkRedirect(&v, cfg, in.RedirectTo)
	if err := v.Err(); err != nil {
		return OAuthRedirect{}, err
	}
	verifier := oauth2.GenerateVerifier()
	nonce, err := s.issueOTT(ctx, tenantID, ottOAuthState,
		oauthState{Provider: in.Provider, Verifier: verifier, RedirectTo: in.RedirectTo}, oauthStateTTL)
	if err != nil {
		return OAuthRedirect{}, err
	}
	state := signOAuthState(s.oauthStateKey(), tenantID, nonce)
	return OAuthRedirect{URL: s.oauthConfig(cfg, in.Provider, p).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))}, nil
}

// OAuthCallback finishes the flow: it checks and consumes the state,
// exchanges the code (with the PKCE verifier), reads the provider's user
// info and signs the user in (linking by verified email only). With a
// redirect_to at the start the browser is sent there with the tokens in
// the fragment; otherwise the session is the JSON answer. Errors:
// INVALID_TOKEN (forged, expired or replayed state), INVALID_CREDENTIALS
// (the provider refused, or the code was invalid or replayed), CONFLICT
// (an account with the unverified email exists), USER_BANNED, NOT_FOUND.
func (s *Service) OAuthCallback(ctx context.Context, in OAuthCallbackInput) (FederatedAnswer, error) {
	tenantID, nonce, ok := parseOAuthState(s.oauthStateKey(), in.State)
	if !ok {
		return FederatedAnswer{}, invalidState()
	}
	if _, err := s.portalTenant(ctx, tenantID); err != nil {
		return FederatedAnswer{}, err
	}
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return FederatedAnswer{}, err
	}
	if err := s.throttle(ctx, tenantID, actOAuthCallback, cfg.RateLimits.LoginPerMinute); err != nil {
		return FederatedAnswer{}, err
	}
	var st oauthState
	if err := s.consumeOTT(ctx, tenantID, ottOAuthState, nonce, &st); err != nil {
		return FederatedAnswer{}, invalidState()
	}
	if st.Provider != in.Provider {
		return FederatedAnswer{}, invalidState()
	}
	if in.Error != "" {
		return FederatedAnswer{}, domain.Errorf(domain.CodeInvalidCredentials,
			"The provider refused the sign-in: %s", providerError(in.Error, in.ErrorDescription))
	}
	if strings.TrimSpace(in.Code) == "" || len(in.Code) > 4096 {
		return FederatedAnswer{}, domain.Invalid("code", "is required")
	}
	p, err := s.oauthProvider(cfg, st.Provider)
	if err != nil {
		return FederatedAnswer{}, err
	}
	ext, err := s.oauthIdentity(ctx, s.oauthConfig(cfg, st.Provider, p), p, st, in.Code)
	if err != nil {
		return FederatedAnswer{}, err
	}
	if err := s.checkUnverifiedCollision(ctx, tenantID, ext); err != nil {
		return FederatedAnswer{}, err
	}
	signIn, err := s.federatedSignIn(ctx, tenantID, ext)
	if err != nil {
		return FederatedAnswer{}, err
	}
	return federatedAnswer(signIn, st.RedirectTo), nil
}

func invalidState() error {
	return domain.Errorf(domain.CodeInvalidToken, "The sign-in state is invalid, was already used or has expired; start the sign-in again.")
}

// oauthProvider returns the enabled provider name of cfg, checked usable:
// a userinfo URL (the only source of the user's identity we trust without
// verifying ID token signatures) and public endpoints.
func (s *Service) oauthProvider(cfg *Config, name string) (OAuthProvider, error) {
	p, ok := cfg.Providers[name]
	if !ok || !p.Enabled {
		return OAuthProvider{}, domain.NotFound("provider")
	}
	if p.UserinfoURL == "" {
		return OAuthProvider{}, domain.Invalid("provider",
			"provider "+name+" needs a userinfo_url (ID tokens without a userinfo endpoint, as Apple's, are not supported)")
	}
	for _, u := range []string{p.TokenURL, p.UserinfoURL} {
		if err := checkOutboundURL(u, s.opts.AllowPrivateURLs); err != nil {
			return OAuthProvider{}, domain.Invalid("provider", "provider "+name+" endpoints must be public http(s) URLs")
		}
	}
	return p, nil
}

// oauthConfig is the oauth2 configuration of provider name.
func (s *Service) oauthConfig(cfg *Config, name string, p OAuthProvider) *oauth2.Config {
	scopes := p.Scopes
	if len(scopes) == 0 {
		scopes = oauthDefaultScopes[""]
		if d, ok := oauthDefaultScopes[name]; ok {
			scopes = d
		}
	}
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: cfg.Secrets.ProviderClientSecret[name],
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL},
		RedirectURL:  strings.TrimRight(s.opts.PublicURL, "/") + "/v1/auth/oauth/" + name + "/callback",
		Scopes:       scopes,
	}
}

// oauthStateKey is the MAC key of states.
func (s *Service) oauthStateKey() []byte { return deriveKey(s.core.Secret, "oauth-state") }

func oauthStateMAC(key []byte, tenantID, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenantID + "." + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signOAuthState builds "<tenant_id>.<nonce>.<mac>".
func signOAuthState(key []byte, tenantID, nonce string) string {
	return tenantID + "." + nonce + "." + oauthStateMAC(key, tenantID, nonce)
}

// parseOAuthState checks a state's MAC and returns its tenant and nonce.
func parseOAuthState(key []byte, state string) (tenantID, nonce string, ok bool) {
	if len(state) > 512 {
		return "", "", false
	}
	parts := strings.Split(state, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	want := oauthStateMAC(key, parts[0], parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// providerError renders a provider's error and description safe to show:
// printable characters only, bounded.
func providerError(code, desc string) string {
	clean := func(s string, n int) string {
		s = strings.Map(func(r rune) rune {
			if unicode.IsPrint(r) {
				return r
			}
			return ' '
		}, strings.ToValidUTF8(s, ""))
		s = strings.TrimSpace(s)
		if r := []rune(s); len(r) > n {
			s = string(r[:n]) + "…"
		}
		return s
	}
	code, desc = clean(code, 64), clean(desc, 200)
	if desc == "" {
		return code
	}
	return code + " (" + desc + ")"
}

// oauthIdentity exchanges code and reads who the user is at the provider.
func (s *Service) oauthIdentity(ctx context.Context, conf *oauth2.Config, p OAuthProvider, st oauthState, code string) (External, error) {
	client := outboundClient(s.opts.AllowPrivateURLs)
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return External{}, exchangeError(err)
	}
	claims, err := fetchUserinfo(ctx, client, p.UserinfoURL, tok)
	if err != nil {
		return External{}, err
	}
	return externalFromClaims("oauth:"+st.Provider, claims), nil
}

// exchangeError maps a failed code exchange: the provider refusing (an
// invalid, replayed or PKCE-mismatched code) is INVALID_CREDENTIALS; not
// reaching it is UNAVAILABLE.
func exchangeError(err error) error {
	if errors.Is(err, errPrivateAddr) {
		return privateEndpoint(err)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := "The provider refused the authorization code."
		if re.ErrorCode != "" {
			msg = "The provider refused the authorization code: " + providerError(re.ErrorCode, re.ErrorDescription)
		}
		return domain.Wrap(err, domain.CodeInvalidCredentials, msg)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) {
		return domain.Wrap(err, domain.CodeUnavailable, "The provider could not be reached; retry shortly.")
	}
	return domain.Wrap(err, domain.CodeInvalidCredentials, "The provider's token answer was not usable.")
}

// fetchUserinfo GETs the userinfo endpoint with the access token.
func fetchUserinfo(ctx context.Context, client *http.Client, url string, tok *oauth2.Token) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, domain.Invalid("provider", "userinfo_url is not a valid URL")
	}
	tok.SetAuthHeader(req)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if errors.Is(err, errPrivateAddr) {
		return nil, privateEndpoint(err)
	}
	if err != nil {
		return nil, domain.Wrap(err, domain.CodeUnavailable, "The provider could not be reached; retry shortly.")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProviderBody+1))
	if err != nil {
		return nil, domain.Wrap(err, domain.CodeUnavailable, "The provider could not be reached; retry shortly.")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, domain.Errorf(domain.CodeInvalidCredentials, "The provider refused the access token (HTTP %d).", resp.StatusCode)
	}
	if len(body) > maxProviderBody {
		return nil, domain.Errorf(domain.CodeUnavailable, "The provider's user info is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, domain.Errorf(domain.CodeUnavailable, "The provider's user info is not a JSON object.")
	}
	return claims, nil
}

// profileClaims are the userinfo members kept on the identity (profile
// data only: never tokens).
var profileClaims = []string{"name", "email", "picture", "avatar_url", "given_name", "family_name",
	"preferred_username", "login", "locale"}

// externalFromClaims reads the identity from userinfo claims: sub (OIDC) or
// id (GitHub-style, numeric), email, email_verified (a bool or "true"; its
// absence means unverified) and name.
func externalFromClaims(provider string, claims map[string]any) External {
	ext := External{Provider: provider, Subject: claimString(claims["sub"])}
	if ext.Subject == "" {
		ext.Subject = claimString(claims["id"])
	}
	ext.Subject = truncate(ext.Subject, 255)
	if email := normalizeEmail(claimString(claims["email"])); email != "" {
		var v domain.Validation
		checkEmail(&v, "email", email, false)
		if v.Err() == nil {
			ext.Email = email
			switch ev := claims["email_verified"].(type) {
			case bool:
				ext.EmailVerified = ev
			case string:
				ext.EmailVerified = strings.EqualFold(ev, "true")
			}
		}
	}
	ext.Name = truncate(claimString(claims["name"]), 255)
	data := map[string]string{}
	for _, k := range profileClaims {
		if v := claimString(claims[k]); v != "" {
			data[k] = strings.ToValidUTF8(truncate(v, 1024), "")
		}
	}
	ext.Data, _ = json.Marshal(data)
	return ext
}

// claimString renders a string or number claim; anything else is "".
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case float64:
		return fmt.Sprintf("%.0f", v)
	}
	return ""
}

// checkUnverifiedCollision refuses an identity that is not linked yet and
// whose unverified email belongs to an existing user: it must not take
// that account over, and a second user cannot have the same email. The
// user signs in another way and links the provider from there.
func (s *Service) checkUnverifiedCollision(ctx context.Context, tenantID string, ext External) error {
	if ext.Email == "" || ext.EmailVerified {
		return nil
	}
	_, err := db.AuthIdentityFind(ctx, s.core.DB, tenantID, ext.Provider, ext.Subject)
	switch {
	case err == nil:
		return nil
	case !db.IsNoRows(err):
		return domain.Internal(err)
	}
	_, err = db.AuthUserByEmail(ctx, s.core.DB, tenantID, ext.Email)
	switch {
	case err == nil:
		return domain.Errorf(domain.CodeConflict,
			"An account with this email exists and the provider did not verify the email; sign in to that account and link the provider.")
	case !db.IsNoRows(err):
		return domain.Internal(err)
	}
	return nil
}

// outboundClients call provider endpoints: a 10 s budget, no redirects
// followed, no proxy, and (unless private addresses are allowed) a dialer
// that refuses private and loopback addresses. The check runs on the
// address actually dialed, after DNS resolution, so a name that resolves
// to a public address when checked and a private one when called (DNS
// rebinding) is refused too.
var outboundClients = [2]*http.Client{newOutboundClient(false), newOutboundClient(true)}

func outboundClient(allowPrivate bool) *http.Client {
	if allowPrivate {
		return outboundClients[1]
	}
	return outboundClients[0]
}

func newOutboundClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if privateAddr(ip) {
				return errPrivateAddr
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 50,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 10 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var errPrivateAddr = errors.New("outbound call to a private address refused")

func privateEndpoint(err error) error {
	e := domain.Wrap(err, domain.CodeValidationFailed, "Validation failed.")
	e.Fields = map[string][]string{"provider": {"endpoints must resolve to public addresses"}}
	return e
}

// privateAddr reports addresses outbound calls must not reach.
func privateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}
