package identity

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// One-time token kinds and lifetimes.
const (
	ottVerify    = "verify"     // email verification link
	ottRecovery  = "recovery"   // password reset link
	ottMagicLink = "magic_link" // passwordless sign-in link
	ottMFATicket = "mfa_ticket" // second step of an MFA sign-in

	verifyTTL    = 24 * time.Hour
	recoveryTTL  = time.Hour
	magicLinkTTL = 15 * time.Minute
	mfaTicketTTL = 5 * time.Minute
)

// ottKey is the Redis key of a one-time token: only its HMAC is stored, so
// reading Redis does not yield usable tokens.
func (s *Service) ottKey(tenantID, kind, token string) string {
	return kv.TenantKey(tenantID, "ott", kind, hex.EncodeToString(tokenHash(s.core.Secret, kind+":"+token)))
}

// issueOTT stores payload under a new random token of kind for ttl and
// returns the token.
func (s *Service) issueOTT(ctx context.Context, tenantID, kind string, payload any, ttl time.Duration) (string, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", domain.Internal(err)
	}
	token := randomToken("", 43)
	if err := s.core.Redis.Set(ctx, s.ottKey(tenantID, kind, token), raw, ttl).Err(); err != nil {
		return "", domain.Wrap(err, domain.CodeUnavailable, "The token store is unavailable; retry shortly.")
	}
	return token, nil
}

// consumeOTT atomically takes a token of kind (GETDEL: single use) and
// decodes its payload into dst. A missing, expired or used token is
// INVALID_TOKEN.
func (s *Service) consumeOTT(ctx context.Context, tenantID, kind, token string, dst any) error {
	return s.readOTT(ctx, tenantID, kind, token, dst, true)
}

// peekOTT reads a token without consuming it (an MFA ticket survives a
// wrong code).
func (s *Service) peekOTT(ctx context.Context, tenantID, kind, token string, dst any) error {
	return s.readOTT(ctx, tenantID, kind, token, dst, false)
}

func (s *Service) readOTT(ctx context.Context, tenantID, kind, token string, dst any, consume bool) error {
	if token == "" || len(token) > 200 {
		return domain.Errorf(domain.CodeInvalidToken, "The token is invalid or has expired.")
	}
	key := s.ottKey(tenantID, kind, token)
	var raw string
	var err error
	if consume {
		raw, err = s.core.Redis.GetDel(ctx, key).Result()
	} else {
		raw, err = s.core.Redis.Get(ctx, key).Result()
	}
	if err == redis.Nil {
		return domain.Errorf(domain.CodeInvalidToken, "The token is invalid or has expired.")
	}
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "The token store is unavailable; retry shortly.")
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return domain.Internal(err)
	}
	return nil
}

// dropOTT deletes a token (a ticket used up by a successful step).
func (s *Service) dropOTT(ctx context.Context, tenantID, kind, token string) {
	_ = s.core.Redis.Del(ctx, s.ottKey(tenantID, kind, token)).Err()
}
