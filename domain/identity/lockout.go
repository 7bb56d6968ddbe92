package identity

import (
	"context"
	"strconv"
	"time"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// Lockout state lives in a Redis hash per account: failures in the current
// streak and the time the lock ends. Times come from the domain clock, so
// tests move them without sleeping; the key's TTL only cleans up.

func (s *Service) lockKey(tenantID, userID string) string {
	return kv.TenantKey(tenantID, "lock", userID)
}

// checkLock refuses a locked account with 429 ACCOUNT_LOCKED + retry_after.
func (s *Service) checkLock(ctx context.Context, cfg *Config, tenantID, userID string) error {
	until, err := s.core.Redis.HGet(ctx, s.lockKey(tenantID, userID), "until").Int64()
	if err != nil || until == 0 {
		return nil // none, or Redis down: fail open
	}
	left := time.Unix(0, until).Sub(s.now())
	if left <= 0 {
		return nil
	}
	secs := int((left + time.Second - 1) / time.Second)
	return domain.Errorf(domain.CodeAccountLocked, "Too many failed sign-ins; this account is locked for %d seconds.", secs).With("retry_after", secs)
}

// recordFailure counts a failed password and locks the account when the
// streak reaches the policy's maximum. It answers ACCOUNT_LOCKED for the
// attempt that locks it.
func (s *Service) recordFailure(ctx context.Context, cfg *Config, tenantID, userID string) error {
	max, dur := cfg.Lockout.MaxAttempts, time.Duration(cfg.Lockout.DurationSeconds)*time.Second
	if max <= 0 || dur <= 0 {
		return nil
	}
	key := s.lockKey(tenantID, userID)
	n, err := s.core.Redis.HIncrBy(ctx, key, "fails", 1).Result()
	if err != nil {
		return nil
	}
	s.core.Redis.Expire(ctx, key, dur+time.Hour)
	if n < int64(max) {
		return nil
	}
	until := s.now().Add(dur)
	s.core.Redis.HSet(ctx, key, "fails", 0, "until", strconv.FormatInt(until.UnixNano(), 10))
	secs := int(dur / time.Second)
	return domain.Errorf(domain.CodeAccountLocked, "Too many failed sign-ins; this account is locked for %d seconds.", secs).With("retry_after", secs)
}

// clearFailures ends a streak after a successful sign-in.
func (s *Service) clearFailures(ctx context.Context, tenantID, userID string) {
	s.core.Redis.Del(ctx, s.lockKey(tenantID, userID))
}
