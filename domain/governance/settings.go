// Package governance holds a tenant's security settings (IP allowlist,
// session lifetime, password minimum, MFA required for roles, audit
// retention), enforces the ones that apply to every request, lists the
// audit log and purges it past its retention.
package governance

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Topic and event type of governance changes.
const (
	Topic        = "governance"
	EventUpdated = "governance.updated"
)

// Bounds of the settings (0 always means "no rule").
const (
	MaxAllowlistEntries   = 100
	MaxMFARoles           = 50
	MinSessionSecs        = 300             // 5 minutes
	MaxSessionSecs        = 365 * 24 * 3600 // one year
	MinPasswordLength     = 8               // the platform's own floor
	MaxPasswordLength     = 128             // longer minimums lock users out
	MaxAuditRetentionDays = 100 * 365       // "forever" is 0
	maxRoleName           = 64
)

// Settings are a tenant's governance settings (GET/PATCH /v1/governance).
type Settings struct {
	// IPAllowlist lists IPs and CIDRs every credential of the tenant (keys
	// and end users) must come from; empty allows any address.
	IPAllowlist []string `json:"ip_allowlist"`
	// SessionDurationSecs ends end-user sessions that long after sign-in
	// (0: the platform's and auth-config's lifetime).
	SessionDurationSecs int `json:"session_duration_secs"`
	// PasswordMinLength is a floor over auth-config's (the stricter wins;
	// 0: none).
	PasswordMinLength int `json:"password_min_length"`
	// MFARequiredRoles are role names (a user's role string or an RBAC role
	// name) whose users must sign in with a second factor.
	MFARequiredRoles []string `json:"mfa_required_roles"`
	// AuditRetentionDays deletes audit rows older than that (0: keep).
	AuditRetentionDays int        `json:"audit_retention_days"`
	UpdatedAt          *time.Time `json:"updated_at"`
	UpdatedBy          string     `json:"updated_by"`
}

// UpdateInput is PATCH /v1/governance: absent fields keep their value.
type UpdateInput struct {
	IPAllowlist         *[]string `json:"ip_allowlist"`
	SessionDurationSecs *int      `json:"session_duration_secs"`
	PasswordMinLength   *int      `json:"password_min_length"`
	MFARequiredRoles    *[]string `json:"mfa_required_roles"`
	AuditRetentionDays  *int      `json:"audit_retention_days"`
}

func defaults() Settings {
	return Settings{IPAllowlist: []string{}, MFARequiredRoles: []string{}}
}

func fromRow(r *db.GovernanceSettings) Settings {
	at := r.UpdatedAt
	s := Settings{IPAllowlist: r.IPAllowlist, SessionDurationSecs: r.SessionDurationSecs,
		PasswordMinLength: r.PasswordMinLength, MFARequiredRoles: r.MFARequiredRoles,
		AuditRetentionDays: r.AuditRetentionDays, UpdatedAt: &at, UpdatedBy: r.UpdatedBy}
	if s.IPAllowlist == nil {
		s.IPAllowlist = []string{}
	}
	if s.MFARequiredRoles == nil {
		s.MFARequiredRoles = []string{}
	}
	return s
}

// apply merges in into s and validates the result.
func (in UpdateInput) apply(s *Settings) error {
	var v domain.Validation
	if in.IPAllowlist != nil {
		s.IPAllowlist = normalizeList(*in.IPAllowlist)
		checkAllowlist(&v, s.IPAllowlist)
	}
	if in.SessionDurationSecs != nil {
		s.SessionDurationSecs = *in.SessionDurationSecs
		n := s.SessionDurationSecs
		v.Check(n != 0 && (n < MinSessionSecs || n > MaxSessionSecs), "session_duration_secs",
			"must be 0 (platform default) or between 300 and 31536000 seconds")
	}
	if in.PasswordMinLength != nil {
		s.PasswordMinLength = *in.PasswordMinLength
		n := s.PasswordMinLength
		v.Check(n != 0 && (n < MinPasswordLength || n > MaxPasswordLength), "password_min_length",
			"must be 0 (no governance minimum) or between 8 and 128")
	}
	if in.MFARequiredRoles != nil {
		s.MFARequiredRoles = normalizeList(*in.MFARequiredRoles)
		checkRoles(&v, s.MFARequiredRoles)
	}
	if in.AuditRetentionDays != nil {
		s.AuditRetentionDays = *in.AuditRetentionDays
		n := s.AuditRetentionDays
		v.Check(n < 0 || n > MaxAuditRetentionDays, "audit_retention_days",
			"must be 0 (keep forever) or between 1 and 36500 days")
	}
	return v.Err()
}

func checkAllowlist(v *domain.Validation, entries []string) {
	if len(entries) > MaxAllowlistEntries {
		v.Add("ip_allowlist", "must have at most 100 entries")
		return
	}
	for _, e := range entries {
		if _, err := parseEntry(e); err != nil {
			v.Add("ip_allowlist", quote(e)+" is not an IP address or CIDR")
		}
	}
}

func checkRoles(v *domain.Validation, roles []string) {
	if len(roles) > MaxMFARoles {
		v.Add("mfa_required_roles", "must have at most 50 entries")
		return
	}
	for _, r := range roles {
		if len(r) > maxRoleName || strings.ContainsAny(r, " \t\r\n") {
			v.Add("mfa_required_roles", quote(r)+" is not a role name")
		}
	}
}

// parseEntry reads an allowlist entry: an IP (a /32 or /128) or a CIDR.
func parseEntry(e string) (netip.Prefix, error) {
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(e)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseAllowlist turns validated entries into prefixes (bad ones, which the
// CHECK-free text column could only hold if written by hand, are skipped).
func parseAllowlist(entries []string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		if p, err := parseEntry(e); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// allowed reports whether ip is in the allowlist (empty allows all).
func allowed(allow []netip.Prefix, ip string) bool {
	if len(allow) == 0 {
		return true
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return slices.ContainsFunc(allow, func(p netip.Prefix) bool { return p.Contains(a) })
}

// normalizeList trims entries and drops empty ones and duplicates.
func normalizeList(list []string) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return `"` + s + `"`
}
