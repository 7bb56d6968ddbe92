// Package apikeys issues, lists, updates, rotates and revokes a tenant's API
// keys, and turns a presented secret into a Principal.
package apikeys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// SecretPrefix starts every key secret.
const SecretPrefix = "sk_"

// Key is an API key as clients see it: never its secret.
type Key struct {
	ID          string            `json:"id"`
	Label       string            `json:"label"`
	Prefix      string            `json:"prefix"`
	Scopes      []string          `json:"scopes"`
	IPAllowlist []string          `json:"ip_allowlist"`
	RateLimit   *domain.RateLimit `json:"rate_limit"`
	ExpiresAt   *time.Time        `json:"expires_at"`
	LastUsedAt  *time.Time        `json:"last_used_at"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func fromRow(r *db.APIKey) Key {
	k := Key{ID: r.ID, Label: r.Label, Prefix: r.Prefix, Scopes: r.Scopes, IPAllowlist: r.IPAllowlist,
		ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if k.Scopes == nil {
		k.Scopes = []string{}
	}
	if k.IPAllowlist == nil {
		k.IPAllowlist = []string{}
	}
	if len(r.RateLimit) > 0 && string(r.RateLimit) != "null" {
		var rl domain.RateLimit
		if json.Unmarshal(r.RateLimit, &rl) == nil {
			k.RateLimit = &rl
		}
	}
	return k
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newSecret returns "sk_" + 32 random bytes in base62.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the OS random source never fails on supported platforms
	}
	n := new(big.Int).SetBytes(b)
	var sb strings.Builder
	base := big.NewInt(62)
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		sb.WriteByte(base62[mod.Int64()])
	}
	return SecretPrefix + sb.String()
}

// hashSecret is HMAC-SHA256 under the server secret: fast to check on every
// request, and useless to an attacker who steals the table but not the secret.
func hashSecret(serverSecret []byte, secret string) []byte {
	m := hmac.New(sha256.New, serverSecret)
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// displayPrefix is the part of a secret safe to show to identify it.
func displayPrefix(secret string) string { return secret[:len(SecretPrefix)+6] }

// parseAllowlist turns entries (IPs or CIDRs) into prefixes.
func parseAllowlist(entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// ipAllowed reports whether ip falls in the allowlist (an empty list allows all).
func ipAllowed(allow []netip.Prefix, ip string) bool {
	if len(allow) == 0 {
		return true
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
