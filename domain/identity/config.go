package identity

import (
	"context"
	"encoding/json"
	"unicode"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Config is a tenant's auth configuration (GET/PATCH /v1/auth-config).
// Secrets (captcha_secret, providers' client_secret) are write-only: they
// live sealed in Secrets and are reported only as "…_set" booleans.
type Config struct {
	SiteURL                  string                   `json:"site_url"`
	SignupEnabled            bool                     `json:"signup_enabled"`
	PasswordMinLength        int                      `json:"password_min_length"`
	PasswordRequireUppercase bool                     `json:"password_require_uppercase"`
	PasswordRequireLowercase bool                     `json:"password_require_lowercase"`
	PasswordRequireNumber    bool                     `json:"password_require_number"`
	PasswordRequireSymbol    bool                     `json:"password_require_symbol"`
	EmailConfirmRequired     bool                     `json:"email_confirm_required"`
	MagicLinkEnabled         bool                     `json:"magic_link_enabled"`
	OTPEnabled               bool                     `json:"otp_enabled"`
	AnonymousEnabled         bool                     `json:"anonymous_enabled"`
	JWTExpirySecs            int                      `json:"jwt_expiry_secs"`
	SessionLifetimeSecs      int                      `json:"session_lifetime_secs"`
	RedirectURLs             []string                 `json:"redirect_urls"`
	Providers                map[string]OAuthProvider `json:"providers"`
	SAMLProviders            map[string]SAMLProvider  `json:"saml_providers"`
	Passkeys                 PasskeyConfig            `json:"passkeys"`
	CaptchaVerifyURL         string                   `json:"captcha_verify_url"`
	CaptchaSecretSet         bool                     `json:"captcha_secret_set"`
	RateLimits               AuthRateLimits           `json:"rate_limits"`
	Lockout                  LockoutPolicy            `json:"lockout"`
	// Secrets holds the write-only values; never serialized.
	Secrets Secrets `json:"-"`
	// governance holds the tenant's governance rules, loaded with the
	// config; unexported so that it is neither reported nor saved with it.
	governance GovernanceRules
}

// OAuthProvider configures one OAuth 2.0 / OIDC provider (federated sign-in).
type OAuthProvider struct {
	Enabled         bool     `json:"enabled"`
	ClientID        string   `json:"client_id"`
	ClientSecretSet bool     `json:"client_secret_set"`
	AuthURL         string   `json:"auth_url"`
	TokenURL        string   `json:"token_url"`
	UserinfoURL     string   `json:"userinfo_url"`
	Scopes          []string `json:"scopes"`
}

// SAMLProvider configures one SAML identity provider.
type SAMLProvider struct {
	Enabled     bool              `json:"enabled"`
	MetadataURL string            `json:"metadata_url,omitempty"`
	MetadataXML string            `json:"metadata_xml,omitempty"`
	Attributes  map[string]string `json:"attribute_mapping,omitempty"`
}

// PasskeyConfig is the tenant's WebAuthn relying party: its id (a
// registrable domain such as "example.com"), display name and the origins
// allowed to run ceremonies ("https://app.example.com").
type PasskeyConfig struct {
	Enabled bool     `json:"enabled"`
	RPID    string   `json:"rp_id"`
	RPName  string   `json:"rp_name"`
	Origins []string `json:"origins"`
}

// AuthRateLimits are per-IP (per tenant) allowances a minute.
type AuthRateLimits struct {
	SignupPerMinute        int `json:"signup_per_minute"`
	LoginPerMinute         int `json:"login_per_minute"`
	OTPPerMinute           int `json:"otp_per_minute"`
	MagicLinkPerMinute     int `json:"magic_link_per_minute"`
	PasswordResetPerMinute int `json:"password_reset_per_minute"`
	VerifyPerMinute        int `json:"verify_per_minute"`
}

// LockoutPolicy locks an account after repeated failed logins.
type LockoutPolicy struct {
	MaxAttempts     int `json:"max_attempts"`
	DurationSeconds int `json:"duration_secs"`
}

// Secrets are a tenant's write-only auth secrets, sealed at rest.
type Secrets struct {
	CaptchaSecret        string            `json:"captcha_secret,omitempty"`
	ProviderClientSecret map[string]string `json:"provider_client_secrets,omitempty"`
}

// DefaultConfig is a new tenant's configuration (contract defaults).
func DefaultConfig() Config {
	return Config{
		SignupEnabled:     true,
		PasswordMinLength: 8,
		MagicLinkEnabled:  true,
		OTPEnabled:        true,
		JWTExpirySecs:     3600,
		RedirectURLs:      []string{},
		Providers:         map[string]OAuthProvider{},
		SAMLProviders:     map[string]SAMLProvider{},
		Passkeys:          PasskeyConfig{Origins: []string{}},
		CaptchaVerifyURL:  "https://challenges.cloudflare.com/turnstile/v0/siteverify",
		RateLimits: AuthRateLimits{SignupPerMinute: 30, LoginPerMinute: 60, OTPPerMinute: 10,
			MagicLinkPerMinute: 10, PasswordResetPerMinute: 10, VerifyPerMinute: 60},
		Lockout: LockoutPolicy{MaxAttempts: 5, DurationSeconds: 900},
	}
}

// config loads a tenant's configuration, defaults filled in, secrets opened.
func (s *Service) config(ctx context.Context, tenantID string) (*Config, error) {
	c := DefaultConfig()
	row, err := db.AuthConfigGet(ctx, s.core.DB, tenantID)
	if db.IsNoRows(err) {
		return &c, s.loadGovernance(ctx, tenantID, &c)
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	// Stored documents hold only what was set; unmarshalling over the
	// defaults keeps defaults for the rest.
	if err := json.Unmarshal(row.Config, &c); err != nil {
		return nil, domain.Internal(err)
	}
	if len(row.SecretsEnc) > 0 {
		plain, err := s.sealer.open(row.SecretsEnc, "auth_config:"+tenantID)
		if err != nil {
			return nil, domain.Internal(err)
		}
		if err := json.Unmarshal(plain, &c.Secrets); err != nil {
			return nil, domain.Internal(err)
		}
	}
	c.CaptchaSecretSet = c.Secrets.CaptchaSecret != ""
	for name, p := range c.Providers {
		p.ClientSecretSet = c.Secrets.ProviderClientSecret[name] != ""
		c.Providers[name] = p
	}
	if err := s.loadGovernance(ctx, tenantID, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// loadGovernance attaches the tenant's governance rules to c.
func (s *Service) loadGovernance(ctx context.Context, tenantID string, c *Config) error {
	if s.opts.Governance == nil {
		return nil
	}
	rules, err := s.opts.Governance.IdentityRules(ctx, tenantID)
	if err != nil {
		return err
	}
	c.governance = rules
	return nil
}

// passwordMinLength is the effective minimum: auth-config's or
// governance's, whichever is stricter (contract: "End-user identity").
func (c *Config) passwordMinLength() int {
	return max(c.PasswordMinLength, c.governance.PasswordMinLength)
}

// checkPassword enforces the tenant's password policy on field.
func (c *Config) checkPassword(v *domain.Validation, field, password string) {
	if password == "" {
		v.Add(field, "is required")
		return
	}
	n := len([]rune(password))
	if minLen := c.passwordMinLength(); n < minLen {
		v.Add(field, "must be at least "+itoa(minLen)+" characters")
	}
	if n > 256 {
		v.Add(field, "must be at most 256 characters")
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r):
			symbol = true
		}
	}
	v.Check(c.PasswordRequireUppercase && !upper, field, "must contain an upper-case letter")
	v.Check(c.PasswordRequireLowercase && !lower, field, "must contain a lower-case letter")
	v.Check(c.PasswordRequireNumber && !digit, field, "must contain a digit")
	v.Check(c.PasswordRequireSymbol && !symbol, field, "must contain a symbol")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
