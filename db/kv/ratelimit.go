package kv

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Window is one fixed rate-limit window.
type Window struct {
	Limit  int
	Period time.Duration
}

// WindowState is the outcome for one window.
type WindowState struct {
	Limit     int
	Remaining int
	Reset     time.Time // when the window ends
}

// Decision is the outcome of one rate-limit check over all windows.
type Decision struct {
	Allowed    bool
	Windows    []WindowState
	RetryAfter time.Duration // set when denied: until the blocking window resets
}

// rateScript checks every window first and only then counts the request in
// all of them, in one atomic step: N concurrent requests against a limit of M
// admit exactly M, and a refused request consumes nothing.
// KEYS: one counter per window, then usage counters that are incremented
// (with a 40-day expiry) whenever the request is allowed.
// ARGV: number of windows, then limit and period_ms per window.
var rateScript = redis.NewScript(`
local n = tonumber(ARGV[1])
local counts = {}
local ttls = {}
local blocked = 0
for i = 1, n do
  local limit = tonumber(ARGV[2*i])
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then ttl = tonumber(ARGV[2*i+1]) end
  counts[i] = c
  ttls[i] = ttl
  if c >= limit and blocked == 0 then blocked = i end
end
if blocked == 0 then
  for i = 1, n do
    local c = redis.call('INCR', KEYS[i])
    if c == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2*i+1]) end
    counts[i] = c
  end
  for i = n + 1, #KEYS do
    redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], 3456000)
  end
end
local out = {blocked}
for i = 1, n do
  table.insert(out, counts[i])
  table.insert(out, ttls[i])
end
return out
`)

// Limiter is a fixed-window rate limiter over Redis.
type Limiter struct {
	rdb *redis.Client
	// Timeout bounds one check; past it the caller decides (fail open).
	Timeout time.Duration
}

// NewLimiter returns a limiter on rdb.
func NewLimiter(rdb *redis.Client) *Limiter {
	return &Limiter{rdb: rdb, Timeout: 250 * time.Millisecond}
}

// Allow counts one request for subject (a tenant-tagged key prefix such as
// "{tn_x}:rl:key_y") against every window and, when it is allowed, bumps each
// usage counter key (same hash tag). It returns an error when Redis could not
// answer in time.
func (l *Limiter) Allow(ctx context.Context, subject string, now time.Time, windows []Window, usageCounters ...string) (Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	keys := make([]string, len(windows))
	args := []any{len(windows)}
	for i, w := range windows {
		bucket := now.UnixMilli() / w.Period.Milliseconds()
		keys[i] = subject + ":" + strconv.FormatInt(w.Period.Milliseconds(), 10) + ":" + strconv.FormatInt(bucket, 10)
		args = append(args, w.Limit, w.Period.Milliseconds())
	}
	res, err := rateScript.Run(ctx, l.rdb, append(keys, usageCounters...), args...).Int64Slice()
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Allowed: res[0] == 0}
	for i, w := range windows {
		count, ttl := int(res[1+2*i]), time.Duration(res[2+2*i])*time.Millisecond
		rem := w.Limit - count
		if rem < 0 {
			rem = 0
		}
		d.Windows = append(d.Windows, WindowState{Limit: w.Limit, Remaining: rem, Reset: now.Add(ttl)})
		if !d.Allowed && int(res[0]) == i+1 {
			d.RetryAfter = ttl
		}
	}
	return d, nil
}
