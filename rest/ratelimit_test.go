package rest_test

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/domain"
)

// newLimitedKey creates a key of tn with the given per-minute allowance.
func newLimitedKey(t *testing.T, env *apptest.Env, tn apptest.Tenant, perMinute int) string {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
		Body: map[string]any{"label": "limited", "scopes": []string{"*"},
			"rate_limit": map[string]int{"per_minute": perMinute, "per_hour": 1000}}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var created struct{ Token string }
	res.Decode(t, &created)
	return created.Token
}

func TestRateLimitAdmitsExactlyTheLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	// A fixed clock keeps all requests in one minute window.
	env := apptest.New(t, apptest.Options{Clock: domain.NewFakeClock(time.Date(2026, 3, 1, 10, 0, 20, 0, time.UTC))})
	tn := env.NewTenant(t)
	key := newLimitedKey(t, env, tn, 5)

	const n = 25
	statuses := make([]*apptest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = env.Do(t, apptest.Request{Path: "/v1/usage", Key: key})
		}()
	}
	wg.Wait()
	var ok, limited int
	for _, res := range statuses {
		switch res.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			require.Equal(t, "RATE_LIMITED", res.Error.Code)
			ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
			require.NoError(t, err)
			require.Positive(t, ra)
			require.Equal(t, "0", res.Header.Get("X-RateLimit-Remaining-Minute"))
		default:
			t.Fatalf("unexpected status %d: %s", res.Status, res.Body)
		}
	}
	require.Equal(t, 5, ok)
	require.Equal(t, n-5, limited)
}

func TestRateLimitHeadersOnEveryAuthenticatedAnswer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	for _, req := range []apptest.Request{
		{Path: "/v1/keys", Key: tn.Key},                            // 200
		{Path: "/v1/keys/key_nope", Method: "DELETE", Key: tn.Key}, // 404
		{Path: "/v1/webhooks", Key: tn.Key},                        // 501
	} {
		res := env.Do(t, req)
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
			"X-RateLimit-Limit-Minute", "X-RateLimit-Remaining-Minute", "X-RateLimit-Limit-Hour", "X-RateLimit-Remaining-Hour"} {
			require.NotEmpty(t, res.Header.Get(h), "%s %s lacks %s", req.Method, req.Path, h)
		}
		require.Equal(t, "60", res.Header.Get("X-RateLimit-Limit-Minute"), "default per-minute limit")
		require.Equal(t, "3600", res.Header.Get("X-RateLimit-Limit-Hour"), "default per-hour limit")
		reset, err := strconv.ParseInt(res.Header.Get("X-RateLimit-Reset"), 10, 64)
		require.NoError(t, err)
		require.Greater(t, reset, time.Now().Add(-time.Minute).Unix())
	}
}

func TestRateLimitIsPerKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Clock: domain.NewFakeClock(time.Date(2026, 3, 1, 10, 0, 20, 0, time.UTC))})
	tn := env.NewTenant(t)
	a, b := newLimitedKey(t, env, tn, 1), newLimitedKey(t, env, tn, 1)
	require.Equal(t, 200, env.Do(t, apptest.Request{Path: "/v1/usage", Key: a}).Status)
	require.Equal(t, 429, env.Do(t, apptest.Request{Path: "/v1/usage", Key: a}).Status)
	require.Equal(t, 200, env.Do(t, apptest.Request{Path: "/v1/usage", Key: b}).Status, "another key has its own budget")
}

// redisProxy forwards TCP to the test Redis until cut, simulating an outage.
type redisProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startRedisProxy(t *testing.T, target string) *redisProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &redisProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

// cut stops accepting and drops every connection.
func (p *redisProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestRedisOutageFailsOpenWithoutHanging(t *testing.T) {
	t.Parallel()
	u := dbtest.RedisURL()
	host := "127.0.0.1:56379"
	if h, err := redisHost(u); err == nil {
		host = h
	}
	proxy := startRedisProxy(t, host)
	env := apptest.New(t, apptest.Options{RedisURL: "redis://" + proxy.ln.Addr().String() + "/0", NoBackground: true})
	tn := env.NewTenant(t)
	require.Equal(t, 200, env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key}).Status)

	proxy.cut()
	start := time.Now()
	res := env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "unavailable", res.Header.Get("X-RateLimit-Status"))
	require.Less(t, time.Since(start), 3*time.Second, "a Redis outage must not hang requests")

	// Writes still work (events are published later by the relay).
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "during outage"},
		Header: map[string]string{"Idempotency-Key": "outage-1"}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))

	// Readiness reports the outage.
	res = env.Do(t, apptest.Request{Path: "/ready"})
	require.Equal(t, http.StatusServiceUnavailable, res.Status)
	require.Equal(t, "UNAVAILABLE", res.Error.Code)
}

func redisHost(u string) (string, error) {
	req, err := http.NewRequest("GET", "http"+u[len("redis"):], nil)
	if err != nil {
		return "", err
	}
	return req.URL.Host, nil
}

func TestPublicRoutesAreLimitedPerIP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{PublicRateLimit: domain.RateLimit{PerMinute: 3, PerHour: 100},
		Clock: domain.NewFakeClock(uniqueMinute())})
	tn := env.NewTenant(t)
	path := "/v1/tenant-config?tenant_id=" + tn.ID
	// Every request of the suite comes from 127.0.0.1; the clock puts this
	// run's requests in a minute window no other test (or run) uses.
	for i := 0; i < 3; i++ {
		res := env.Do(t, apptest.Request{Path: path})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "3", res.Header.Get("X-RateLimit-Limit-Minute"))
	}
	res := env.Do(t, apptest.Request{Path: path})
	require.Equal(t, http.StatusTooManyRequests, res.Status)
	require.Equal(t, "RATE_LIMITED", res.Error.Code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	// Probes are never limited.
	require.Equal(t, http.StatusOK, env.Do(t, apptest.Request{Path: "/health"}).Status)
}

func TestRevocationReachesEveryInstanceAtOnce(t *testing.T) {
	t.Parallel()
	a, b := apptest.New(t), apptest.New(t) // two API instances on one database and Redis
	tn := a.NewTenant(t)
	res := a.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{"label": "x"}})
	require.Equal(t, http.StatusCreated, res.Status)
	var created struct {
		Key   struct{ ID string }
		Token string
	}
	res.Decode(t, &created)
	require.Equal(t, http.StatusOK, b.Do(t, apptest.Request{Path: "/v1/usage", Key: created.Token}).Status, "b caches the key")

	require.Equal(t, http.StatusOK, a.Do(t, apptest.Request{Method: "DELETE", Path: "/v1/keys/" + created.Key.ID, Key: tn.Key}).Status)
	deadline := time.Now().Add(time.Second) // well under the cache TTL
	for {
		st := b.Do(t, apptest.Request{Path: "/v1/usage", Key: created.Token}).Status
		if st == http.StatusUnauthorized {
			break
		}
		require.True(t, time.Now().Before(deadline), "instance b still accepts a revoked key")
		time.Sleep(20 * time.Millisecond)
	}
}

// uniqueMinute is the 20th second of a random minute far in the future.
func uniqueMinute() time.Time {
	return time.Date(2040, 1, 1, 0, 0, 20, 0, time.UTC).Add(time.Duration(rand.Int64N(50_000_000)) * time.Minute)
}
