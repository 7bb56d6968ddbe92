// Package kv is the Redis side of storage: rate limits, idempotency records,
// one-time tokens and pub/sub fan-out. Every key that belongs to a tenant
// carries the tenant id as a hash tag ({tn_...}) so that on Redis Cluster all
// of a tenant's keys live in one slot and multi-key scripts stay legal.
package kv

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open connects to Redis at redisURL with short timeouts: a slow or absent
// Redis must never hang a request.
func Open(ctx context.Context, redisURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 500 * time.Millisecond
	opt.WriteTimeout = 500 * time.Millisecond
	opt.PoolTimeout = time.Second
	opt.MaxRetries = 1
	opt.MaxRetryBackoff = 64 * time.Millisecond
	opt.DialerRetries = 1 // a refused dial is an outage: answer now, not after retries
	c := redis.NewClient(opt)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pingCtx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return c, nil
}

// TenantKey builds a tenant-scoped key "{tenantID}:part:part...".
func TenantKey(tenantID string, parts ...string) string {
	k := "{" + tenantID + "}"
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// MonthlyCounterKey is the usage counter of metric for the month of t.
func MonthlyCounterKey(tenantID, metric string, t time.Time) string {
	return TenantKey(tenantID, "usage", metric, t.UTC().Format("200601"))
}
