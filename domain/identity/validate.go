package identity

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/platformhq/platform/domain"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkEmail validates an (already normalized) email address.
func checkEmail(v *domain.Validation, field, email string, required bool) {
	if email == "" {
		v.Check(required, field, "is required")
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") || len(email) > 254 {
		v.Add(field, "must be a valid email address")
	}
}

// checkPhone validates an E.164 phone number.
func checkPhone(v *domain.Validation, field, phone string, required bool) {
	if phone == "" {
		v.Check(required, field, "is required")
		return
	}
	v.Check(!e164.MatchString(phone), field, "must be an E.164 phone number such as +15551234567")
}

// checkMetadata validates user_metadata: a JSON object of at most 16 KB.
// Absent or null is an empty object.
func checkMetadata(v *domain.Validation, field string, raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}")
	}
	if raw[0] != '{' || !json.Valid(raw) {
		v.Add(field, "must be a JSON object")
		return nil
	}
	if len(raw) > 16<<10 {
		v.Add(field, "must be at most 16 KB")
		return nil
	}
	return raw
}

// checkRedirect refuses a redirect_to outside the tenant's allowlist
// (redirect_urls: exact URLs, or prefixes ending in "*").
func (s *Service) checkRedirect(v *domain.Validation, cfg *Config, redirectTo string) {
	if redirectTo == "" {
		return
	}
	u, err := url.Parse(redirectTo)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.Add("redirect_to", "must be an absolute http(s) URL")
		return
	}
	allowed := slices.ContainsFunc(cfg.RedirectURLs, func(p string) bool {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			return strings.HasPrefix(redirectTo, prefix)
		}
		return redirectTo == p
	})
	v.Check(!allowed, "redirect_to", "is not in the tenant's redirect_urls allowlist")
}
