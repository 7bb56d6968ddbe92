package identity

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// UpdateConfigInput is the body of PATCH /v1/auth-config: absent members
// keep their value. Secrets are accepted here and never returned.
type UpdateConfigInput struct {
	SiteURL                  *string   `json:"site_url"`
	SignupEnabled            *bool     `json:"signup_enabled"`
	PasswordMinLength        *int      `json:"password_min_length"`
	PasswordRequireUppercase *bool     `json:"password_require_uppercase"`
	PasswordRequireLowercase *bool     `json:"password_require_lowercase"`
	PasswordRequireNumber    *bool     `json:"password_require_number"`
	PasswordRequireSymbol    *bool     `json:"password_require_symbol"`
	EmailConfirmRequired     *bool     `json:"email_confirm_required"`
	MagicLinkEnabled         *bool     `json:"magic_link_enabled"`
	OTPEnabled               *bool     `json:"otp_enabled"`
	AnonymousEnabled         *bool     `json:"anonymous_enabled"`
	JWTExpirySecs            *int      `json:"jwt_expiry_secs"`
	SessionLifetimeSecs      *int      `json:"session_lifetime_secs"`
	RedirectURLs             *[]string `json:"redirect_urls"`
	// Providers patches OAuth providers by name; null removes one.
	Providers map[string]*ProviderInput `json:"providers"`
	// SAMLProviders patches SAML providers by name; null removes one.
	SAMLProviders map[string]*SAMLProviderInput `json:"saml_providers"`
	// Passkeys patches the WebAuthn relying party.
	Passkeys         *PasskeysInput `json:"passkeys"`
	CaptchaVerifyURL *string        `json:"captcha_verify_url"`
	// CaptchaSecret is write-only; "" clears it.
	CaptchaSecret *string          `json:"captcha_secret"`
	RateLimits    *RateLimitsInput `json:"rate_limits"`
	Lockout       *LockoutInput    `json:"lockout"`
}

// ProviderInput patches one OAuth provider; client_secret is write-only
// ("" clears it).
type ProviderInput struct {
	Enabled      *bool     `json:"enabled"`
	ClientID     *string   `json:"client_id"`
	ClientSecret *string   `json:"client_secret"`
	AuthURL      *string   `json:"auth_url"`
	TokenURL     *string   `json:"token_url"`
	UserinfoURL  *string   `json:"userinfo_url"`
	Scopes       *[]string `json:"scopes"`
}

// SAMLProviderInput patches one SAML provider.
type SAMLProviderInput struct {
	Enabled     *bool              `json:"enabled"`
	MetadataURL *string            `json:"metadata_url"`
	MetadataXML *string            `json:"metadata_xml"`
	Attributes  *map[string]string `json:"attribute_mapping"`
}

// PasskeysInput patches the passkey (WebAuthn) relying party.
type PasskeysInput struct {
	Enabled *bool     `json:"enabled"`
	RPID    *string   `json:"rp_id"`
	RPName  *string   `json:"rp_name"`
	Origins *[]string `json:"origins"`
}

// RateLimitsInput patches the per-IP allowances.
type RateLimitsInput struct {
	SignupPerMinute        *int `json:"signup_per_minute"`
	LoginPerMinute         *int `json:"login_per_minute"`
	OTPPerMinute           *int `json:"otp_per_minute"`
	MagicLinkPerMinute     *int `json:"magic_link_per_minute"`
	PasswordResetPerMinute *int `json:"password_reset_per_minute"`
	VerifyPerMinute        *int `json:"verify_per_minute"`
}

// LockoutInput patches the lockout policy.
type LockoutInput struct {
	MaxAttempts     *int `json:"max_attempts"`
	DurationSeconds *int `json:"duration_secs"`
}

// GetAuthConfig returns the caller's tenant's auth configuration (auth
// scope); secrets appear only as "…_set" booleans.
func (s *Service) GetAuthConfig(ctx context.Context) (*Config, error) {
	tenantID, err := adminTenant(ctx, permAuthConfigRead)
	if err != nil {
		return nil, err
	}
	return s.config(ctx, tenantID)
}

// UpdateAuthConfig changes the configuration (auth scope). Only the members
// the body names change; the stored document keeps only members ever set,
// so the others follow the platform's defaults. Errors: VALIDATION_FAILED
// naming the member (e.g. "rate_limits.login_per_minute").
func (s *Service) UpdateAuthConfig(ctx context.Context, in UpdateConfigInput) (*Config, error) {
	tenantID, err := adminTenant(ctx, permAuthConfigWrite)
	if err != nil {
		return nil, err
	}
	var out *Config
	err = s.core.Write(ctx, func(w *domain.Write) error {
		now := s.now()
		row, err := db.AuthConfigLock(ctx, w.Tx, tenantID, now)
		if err != nil {
			return domain.Internal(err)
		}
		// The row lock orders concurrent updates; what the last one
		// committed is what config reads.
		cur, err := s.config(ctx, tenantID)
		if err != nil {
			return err
		}
		next, set, err := applyConfig(*cur, in)
		if err != nil {
			return err
		}
		stored := map[string]json.RawMessage{}
		if err := json.Unmarshal(row.Config, &stored); err != nil {
			return domain.Internal(err)
		}
		doc, err := json.Marshal(next)
		if err != nil {
			return domain.Internal(err)
		}
		var full map[string]json.RawMessage
		_ = json.Unmarshal(doc, &full)
		for _, m := range set {
			stored[m] = full[m]
		}
		row.Config, _ = json.Marshal(stored)
		row.SecretsEnc, row.UpdatedAt = nil, now
		if next.Secrets.CaptchaSecret != "" || len(next.Secrets.ProviderClientSecret) > 0 {
			plain, _ := json.Marshal(next.Secrets)
			row.SecretsEnc = s.sealer.seal(plain, "auth_config:"+tenantID)
		}
		if err := db.AuthConfigUpsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = next
		return w.Audit(tenantID, "auth_config.update", "auth_config", tenantID,
			map[string]any{"changed": changedMembers(cur, next, in)})
	})
	return out, err
}

// applyConfig validates in and applies it to c, returning the result and
// the names of the top-level members the body set.
func applyConfig(c Config, in UpdateConfigInput) (*Config, []string, error) {
	var v domain.Validation
	var set []string
	mark := func(name string, present bool) bool {
		if present {
			set = append(set, name)
		}
		return present
	}
	if mark("site_url", in.SiteURL != nil) {
		c.SiteURL = strings.TrimSpace(*in.SiteURL)
		v.Check(c.SiteURL != "" && !httpURL(c.SiteURL), "site_url", "must be an absolute http(s) URL")
	}
	setBool := func(name string, dst *bool, src *bool) {
		if mark(name, src != nil) {
			*dst = *src
		}
	}
	setBool("signup_enabled", &c.SignupEnabled, in.SignupEnabled)
	setBool("password_require_uppercase", &c.PasswordRequireUppercase, in.PasswordRequireUppercase)
	setBool("password_require_lowercase", &c.PasswordRequireLowercase, in.PasswordRequireLowercase)
	setBool("password_require_number", &c.PasswordRequireNumber, in.PasswordRequireNumber)
	setBool("password_require_symbol", &c.PasswordRequireSymbol, in.PasswordRequireSymbol)
	setBool("email_confirm_required", &c.EmailConfirmRequired, in.EmailConfirmRequired)
	setBool("magic_link_enabled", &c.MagicLinkEnabled, in.MagicLinkEnabled)
	setBool("otp_enabled", &c.OTPEnabled, in.OTPEnabled)
	setBool("anonymous_enabled", &c.AnonymousEnabled, in.AnonymousEnabled)
	if mark("password_min_length", in.PasswordMinLength != nil) {
		c.PasswordMinLength = *in.PasswordMinLength
		checkRange(&v, "password_min_length", c.PasswordMinLength, 6, 128)
	}
	if mark("jwt_expiry_secs", in.JWTExpirySecs != nil) {
		c.JWTExpirySecs = *in.JWTExpirySecs
		checkRange(&v, "jwt_expiry_secs", c.JWTExpirySecs, 300, 86400)
	}
	if mark("session_lifetime_secs", in.SessionLifetimeSecs != nil) {
		c.SessionLifetimeSecs = *in.SessionLifetimeSecs
		v.Check(c.SessionLifetimeSecs != 0 && (c.SessionLifetimeSecs < 3600 || c.SessionLifetimeSecs > 31536000),
			"session_lifetime_secs", "must be 0 (platform default) or between 3600 and 31536000")
	}
	if mark("redirect_urls", in.RedirectURLs != nil) {
		c.RedirectURLs = checkRedirectURLs(&v, *in.RedirectURLs)
	}
	if mark("captcha_verify_url", in.CaptchaVerifyURL != nil) {
		c.CaptchaVerifyURL = strings.TrimSpace(*in.CaptchaVerifyURL)
		if c.CaptchaVerifyURL == "" {
			c.CaptchaVerifyURL = DefaultConfig().CaptchaVerifyURL
		}
		v.Check(!httpURL(c.CaptchaVerifyURL), "captcha_verify_url", "must be an absolute http(s) URL")
	}
	if in.CaptchaSecret != nil {
		c.Secrets.CaptchaSecret = strings.TrimSpace(*in.CaptchaSecret)
		v.Check(len(c.Secrets.CaptchaSecret) > 1024, "captcha_secret", "must be at most 1024 characters")
		c.CaptchaSecretSet = c.Secrets.CaptchaSecret != ""
	}
	if mark("rate_limits", in.RateLimits != nil) {
		applyRateLimits(&v, &c.RateLimits, in.RateLimits)
	}
	if mark("lockout", in.Lockout != nil) {
		applyLockout(&v, &c.Lockout, in.Lockout)
	}
	if mark("providers", in.Providers != nil) {
		applyProviders(&v, &c, in.Providers)
	}
	if mark("saml_providers", in.SAMLProviders != nil) {
		applySAML(&v, &c, in.SAMLProviders)
	}
	if mark("passkeys", in.Passkeys != nil) {
		applyPasskeys(&v, &c.Passkeys, in.Passkeys)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	return &c, set, nil
}

func checkRange(v *domain.Validation, field string, n, lo, hi int) {
	v.Check(n < lo || n > hi, field, "must be between "+itoa(lo)+" and "+itoa(hi))
}

// httpURL reports whether s is an absolute http(s) URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2048
}

// maxRedirectURLs bounds the redirect allowlist.
const maxRedirectURLs = 100

// checkRedirectURLs validates the allowlist: absolute http(s) URLs, each
// optionally ending in "*" (a prefix).
func checkRedirectURLs(v *domain.Validation, urls []string) []string {
	v.Check(len(urls) > maxRedirectURLs, "redirect_urls", "must have at most 100 entries")
	out := make([]string, 0, len(urls))
	for _, u := range urls {
		u = strings.TrimSpace(u)
		if !httpURL(strings.TrimSuffix(u, "*")) {
			v.Add("redirect_urls", "entry "+strings.ToValidUTF8(truncate(u, 100), "")+" must be an absolute http(s) URL (a trailing * allowed)")
			continue
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func applyRateLimits(v *domain.Validation, r *AuthRateLimits, in *RateLimitsInput) {
	for _, f := range []struct {
		name string
		dst  *int
		src  *int
	}{
		{"signup_per_minute", &r.SignupPerMinute, in.SignupPerMinute},
		{"login_per_minute", &r.LoginPerMinute, in.LoginPerMinute},
		{"otp_per_minute", &r.OTPPerMinute, in.OTPPerMinute},
		{"magic_link_per_minute", &r.MagicLinkPerMinute, in.MagicLinkPerMinute},
		{"password_reset_per_minute", &r.PasswordResetPerMinute, in.PasswordResetPerMinute},
		{"verify_per_minute", &r.VerifyPerMinute, in.VerifyPerMinute},
	} {
		if f.src != nil {
			*f.dst = *f.src
			checkRange(v, "rate_limits."+f.name, *f.src, 1, 10000)
		}
	}
}

func applyLockout(v *domain.Validation, l *LockoutPolicy, in *LockoutInput) {
	if in.MaxAttempts != nil {
		l.MaxAttempts = *in.MaxAttempts
		checkRange(v, "lockout.max_attempts", l.MaxAttempts, 0, 100)
	}
	if in.DurationSeconds != nil {
		l.DurationSeconds = *in.DurationSeconds
		checkRange(v, "lockout.duration_secs", l.DurationSeconds, 60, 86400)
	}
}

var providerName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// maxProviders bounds providers and SAML providers per tenant.
const maxProviders = 20

// providerPresets are the well-known endpoints filled in when a provider of
// that name leaves them empty.
var providerPresets = map[string][3]string{
	"google": {"https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
		"https://openidconnect.googleapis.com/v1/userinfo"},
	"github": {"https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token",
		"https://api.github.com/user"},
	"microsoft": {"https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
		"https://login.microsoftonline.com/common/oauth2/v2.0/token", "https://graph.microsoft.com/oidc/userinfo"},
	"apple": {"https://appleid.apple.com/auth/authorize", "https://appleid.apple.com/auth/token", ""},
}

// applyProviders merges the OAuth providers patch into c (null removes a
// provider) and keeps the client secrets in c.Secrets.
func applyProviders(v *domain.Validation, c *Config, in map[string]*ProviderInput) {
	c.Providers = maps.Clone(c.Providers)
	if c.Providers == nil {
		c.Providers = map[string]OAuthProvider{}
	}
	secrets := maps.Clone(c.Secrets.ProviderClientSecret)
	if secrets == nil {
		secrets = map[string]string{}
	}
	for _, name := range slices.Sorted(maps.Keys(in)) {
		p, field := in[name], "providers."+name
		if !providerName.MatchString(name) {
			v.Add("providers", "name "+strings.ToValidUTF8(truncate(name, 40), "")+" must match ^[a-z][a-z0-9_]{0,31}$")
			continue
		}
		if p == nil {
			delete(c.Providers, name)
			delete(secrets, name)
			continue
		}
		cur := c.Providers[name]
		applyProvider(v, field, name, &cur, p)
		if p.ClientSecret != nil {
			secrets[name] = strings.TrimSpace(*p.ClientSecret)
			v.Check(len(secrets[name]) > 4096, field+".client_secret", "must be at most 4096 characters")
		}
		cur.ClientSecretSet = secrets[name] != ""
		c.Providers[name] = cur
	}
	for name, sec := range secrets {
		if sec == "" {
			delete(secrets, name)
		}
	}
	v.Check(len(c.Providers) > maxProviders, "providers", "must have at most 20 entries")
	c.Secrets.ProviderClientSecret = secrets
}

func applyProvider(v *domain.Validation, field, name string, cur *OAuthProvider, p *ProviderInput) {
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	if p.Enabled != nil {
		cur.Enabled = *p.Enabled
	}
	setStr(&cur.ClientID, p.ClientID)
	setStr(&cur.AuthURL, p.AuthURL)
	setStr(&cur.TokenURL, p.TokenURL)
	setStr(&cur.UserinfoURL, p.UserinfoURL)
	if p.Scopes != nil {
		cur.Scopes = slices.Clone(*p.Scopes)
	}
	if cur.Scopes == nil {
		cur.Scopes = []string{}
	}
	if preset, ok := providerPresets[name]; ok {
		for i, dst := range []*string{&cur.AuthURL, &cur.TokenURL, &cur.UserinfoURL} {
			if *dst == "" {
				*dst = preset[i]
			}
		}
	}
	v.Check(len(cur.ClientID) > 512, field+".client_id", "must be at most 512 characters")
	v.Check(len(cur.Scopes) > 50, field+".scopes", "must have at most 50 entries")
	for _, u := range []struct{ name, val string }{{"auth_url", cur.AuthURL}, {"token_url", cur.TokenURL},
		{"userinfo_url", cur.UserinfoURL}} {
		required := u.name != "userinfo_url"
		if u.val == "" {
			v.Check(required, field+"."+u.name, "is required")
			continue
		}
		v.Check(!httpURL(u.val), field+"."+u.name, "must be an absolute http(s) URL")
	}
}

// maxMetadataXML bounds a SAML provider's inline metadata.
const maxMetadataXML = 256 << 10

// applySAML merges the SAML providers patch into c (null removes one).
func applySAML(v *domain.Validation, c *Config, in map[string]*SAMLProviderInput) {
	c.SAMLProviders = maps.Clone(c.SAMLProviders)
	if c.SAMLProviders == nil {
		c.SAMLProviders = map[string]SAMLProvider{}
	}
	for _, name := range slices.Sorted(maps.Keys(in)) {
		p, field := in[name], "saml_providers."+name
		if !providerName.MatchString(name) {
			v.Add("saml_providers", "name "+strings.ToValidUTF8(truncate(name, 40), "")+" must match ^[a-z][a-z0-9_]{0,31}$")
			continue
		}
		if p == nil {
			delete(c.SAMLProviders, name)
			continue
		}
		cur := c.SAMLProviders[name]
		if p.Enabled != nil {
			cur.Enabled = *p.Enabled
		}
		if p.MetadataURL != nil {
			cur.MetadataURL = strings.TrimSpace(*p.MetadataURL)
		}
		if p.MetadataXML != nil {
			cur.MetadataXML = strings.TrimSpace(*p.MetadataXML)
		}
		if p.Attributes != nil {
			cur.Attributes = maps.Clone(*p.Attributes)
		}
		switch {
		case cur.MetadataURL == "" && cur.MetadataXML == "":
			v.Add(field, "needs metadata_url or metadata_xml")
		case cur.MetadataURL != "" && !httpURL(cur.MetadataURL):
			v.Add(field+".metadata_url", "must be an absolute http(s) URL")
		case len(cur.MetadataXML) > maxMetadataXML:
			v.Add(field+".metadata_xml", "must be at most 256 KB")
		}
		v.Check(len(cur.Attributes) > 50, field+".attribute_mapping", "must have at most 50 entries")
		c.SAMLProviders[name] = cur
	}
	v.Check(len(c.SAMLProviders) > maxProviders, "saml_providers", "must have at most 20 entries")
}

// maxPasskeyOrigins bounds the origins allowed to run passkey ceremonies.
const maxPasskeyOrigins = 20

// rpIDPattern is a lower-case host name (the relying party id is a domain,
// without scheme, port or path).
var rpIDPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// applyPasskeys merges the passkeys patch into p. Enabled passkeys need an
// rp_id and at least one origin, each on rp_id or one of its subdomains
// (WebAuthn refuses any other pairing at ceremony time, so it is refused
// here, where the mistake is made).
func applyPasskeys(v *domain.Validation, p *PasskeyConfig, in *PasskeysInput) {
	if in.Enabled != nil {
		p.Enabled = *in.Enabled
	}
	if in.RPID != nil {
		p.RPID = strings.ToLower(strings.TrimSpace(*in.RPID))
	}
	if in.RPName != nil {
		p.RPName = strings.TrimSpace(*in.RPName)
	}
	if in.Origins != nil {
		p.Origins = checkPasskeyOrigins(v, *in.Origins)
	}
	if p.Origins == nil {
		p.Origins = []string{}
	}
	switch {
	case p.RPID == "":
		v.Check(p.Enabled, "passkeys.rp_id", "is required when passkeys are enabled")
	case len(p.RPID) > 253 || !rpIDPattern.MatchString(p.RPID):
		v.Add("passkeys.rp_id", "must be a host name such as example.com (no scheme, port or path)")
	default:
		for _, o := range p.Origins {
			u, _ := url.Parse(o)
			if h := u.Hostname(); h != p.RPID && !strings.HasSuffix(h, "."+p.RPID) {
				v.Add("passkeys.origins", "origin "+o+" is not on rp_id "+p.RPID+" or one of its subdomains")
			}
		}
	}
	v.Check(utf8.RuneCountInString(p.RPName) > 100, "passkeys.rp_name", "must be at most 100 characters")
	v.Check(p.Enabled && len(p.Origins) == 0, "passkeys.origins", "needs at least one origin when passkeys are enabled")
}

// checkPasskeyOrigins validates origins: https://host[:port], or
// http://localhost[:port] for development; no path, query or fragment.
func checkPasskeyOrigins(v *domain.Validation, origins []string) []string {
	v.Check(len(origins) > maxPasskeyOrigins, "passkeys.origins", "must have at most 20 entries")
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		ok := err == nil && u.Host != "" && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil &&
			!strings.HasSuffix(o, "?") && !strings.HasSuffix(o, "#") &&
			(u.Scheme == "https" || (u.Scheme == "http" && u.Hostname() == "localhost"))
		if !ok {
			v.Add("passkeys.origins", "entry "+strings.ToValidUTF8(truncate(o, 100), "")+
				" must be an origin: https://host[:port], or http://localhost[:port] for development")
			continue
		}
		if o = u.Scheme + "://" + strings.ToLower(u.Host); !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// changedMembers names the members an update changed, for the audit log:
// names only, so that no secret (nor its length) is ever recorded.
func changedMembers(before, after *Config, in UpdateConfigInput) []string {
	var a, b map[string]json.RawMessage
	ja, _ := json.Marshal(before)
	jb, _ := json.Marshal(after)
	_ = json.Unmarshal(ja, &a)
	_ = json.Unmarshal(jb, &b)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if string(a[k]) != string(b[k]) && k != "captcha_secret_set" {
			out = append(out, k)
		}
	}
	if in.CaptchaSecret != nil {
		out = append(out, "captcha_secret")
	}
	for _, name := range slices.Sorted(maps.Keys(in.Providers)) {
		if p := in.Providers[name]; p != nil && p.ClientSecret != nil {
			out = append(out, "providers."+name+".client_secret")
		}
	}
	return out
}
