package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/platformhq/platform/domain"
)

// captchaClient calls CAPTCHA verifiers; short timeout, no redirects.
var captchaClient = &http.Client{Timeout: 5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// verifyCaptcha checks a Turnstile-style token when the tenant set a
// captcha secret; otherwise the token is ignored. A missing or rejected
// token is VALIDATION_FAILED on turnstile_token.
func (s *Service) verifyCaptcha(ctx context.Context, cfg *Config, token string) error {
	if cfg.Secrets.CaptchaSecret == "" {
		return nil
	}
	if strings.TrimSpace(token) == "" {
		return domain.Invalid("turnstile_token", "is required")
	}
	if err := checkOutboundURL(cfg.CaptchaVerifyURL, s.opts.AllowPrivateURLs); err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "CAPTCHA verification is misconfigured.")
	}
	form := url.Values{"secret": {cfg.Secrets.CaptchaSecret}, "response": {token}}
	if ip := domain.RequestMetaFrom(ctx).IP; ip != "" {
		form.Set("remoteip", ip)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.CaptchaVerifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "CAPTCHA verification is misconfigured.")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := captchaClient.Do(req)
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "CAPTCHA verification is unavailable; retry shortly.")
	}
	defer resp.Body.Close()
	var out struct {
		Success bool `json:"success"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<16)).Decode(&out) != nil {
		return domain.Errorf(domain.CodeUnavailable, "CAPTCHA verification is unavailable; retry shortly.")
	}
	if !out.Success {
		return domain.Invalid("turnstile_token", "failed verification")
	}
	return nil
}
