package apikeys

import (
	"context"
	"encoding/hex"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// CacheTTL bounds how long a resolved key is reused without a database
// lookup. Revocation, rotation, updates and tenant suspension also clear it on
// every instance through Redis, so the TTL only matters if Redis is down.
const CacheTTL = 5 * time.Second

// invalidationChannel carries "key:<id>" and "tenant:<id>" messages.
const invalidationChannel = "apikeys:invalidate"

type cachedKey struct {
	principal    domain.Principal
	allow        []netip.Prefix
	expiresAt    *time.Time
	tenantStatus string
}

type principalCache struct {
	core  *domain.Core
	byKey *expirable.LRU[string, *cachedKey] // secret hash (hex) → key
}

func newPrincipalCache(core *domain.Core) *principalCache {
	return &principalCache{core: core, byKey: expirable.NewLRU[string, *cachedKey](10_000, nil, CacheTTL)}
}

// dropWhere removes cached entries matching pred.
func (c *principalCache) dropWhere(pred func(*cachedKey) bool) {
	for _, h := range c.byKey.Keys() {
		if v, ok := c.byKey.Peek(h); ok && pred(v) {
			c.byKey.Remove(h)
		}
	}
}

func (c *principalCache) apply(msg string) {
	kind, id, _ := strings.Cut(msg, ":")
	switch kind {
	case "key":
		c.dropWhere(func(k *cachedKey) bool { return k.principal.KeyID == id })
	case "tenant":
		c.dropWhere(func(k *cachedKey) bool { return k.principal.TenantID == id })
	}
}

func (c *principalCache) invalidateKey(ctx context.Context, keyID string) {
	c.broadcast(ctx, "key:"+keyID)
}

func (c *principalCache) broadcast(ctx context.Context, msg string) {
	c.apply(msg)
	c.core.Broadcast(ctx, invalidationChannel, msg)
}

// InvalidateTenant drops every cached key of a tenant on every instance
// (called when a tenant is suspended, resumed or deleted).
func (s *Service) InvalidateTenant(ctx context.Context, tenantID string) {
	s.cache.broadcast(ctx, "tenant:"+tenantID)
}

// Run listens for cache invalidations from other instances and flushes
// last-used times every interval, until ctx ends (then it flushes once more).
func (s *Service) Run(ctx context.Context, flushEvery time.Duration) error {
	msgs, cancel, err := s.core.Hub.Subscribe(ctx, invalidationChannel)
	if err != nil {
		return err
	}
	defer cancel()
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.FlushLastUsed(context.WithoutCancel(ctx))
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			s.cache.apply(string(m))
		case <-tick.C:
			if err := s.FlushLastUsed(ctx); err != nil {
				s.core.Log.Warn("flush key last_used_at", "err", err)
			}
		}
	}
}

// Authenticate resolves a presented secret into the caller's principal.
// Errors: UNAUTHORIZED (unknown, revoked or expired key), TENANT_SUSPENDED,
// IP_NOT_ALLOWED.
func (s *Service) Authenticate(ctx context.Context, secret, clientIP string) (*domain.Principal, error) {
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > 128 {
		return nil, domain.Errorf(domain.CodeUnauthorized, "Invalid API key.")
	}
	hash := hashSecret(s.core.Secret, secret)
	ck, err := s.lookup(ctx, hash)
	if err != nil {
		return nil, err
	}
	if ck.tenantStatus == "suspended" {
		return nil, domain.Errorf(domain.CodeTenantSuspended, "This tenant is suspended.")
	}
	if ck.expiresAt != nil && !ck.expiresAt.After(s.core.Clock.Now()) {
		return nil, domain.Errorf(domain.CodeUnauthorized, "This API key has expired.")
	}
	if !ipAllowed(ck.allow, clientIP) {
		return nil, domain.Errorf(domain.CodeIPNotAllowed, "Requests from this IP address are not allowed for this key.")
	}
	s.used.mark(ck.principal.KeyID, s.core.Clock.Now())
	p := ck.principal
	return &p, nil
}

func (s *Service) lookup(ctx context.Context, hash []byte) (*cachedKey, error) {
	h := hex.EncodeToString(hash)
	if ck, ok := s.cache.byKey.Get(h); ok {
		return ck, nil
	}
	row, err := db.APIKeyGetBySecretHash(ctx, s.core.DB, hash)
	if db.IsNoRows(err) {
		return nil, domain.Errorf(domain.CodeUnauthorized, "Invalid API key.")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	k := fromRow(&row.APIKey)
	allow, _ := parseAllowlist(k.IPAllowlist)
	rl := domain.DefaultRateLimit
	if k.RateLimit != nil {
		rl = *k.RateLimit
	}
	ck := &cachedKey{
		principal: domain.Principal{Kind: domain.PrincipalKey, TenantID: row.TenantID, KeyID: row.ID,
			Scopes: k.Scopes, RateLimit: rl},
		allow: allow, expiresAt: k.ExpiresAt, tenantStatus: row.TenantStatus,
	}
	s.cache.byKey.Add(h, ck)
	return ck, nil
}

// lastUsed batches last_used_at in memory so that authenticating a request
// never writes to Postgres; FlushLastUsed writes the batch in one statement.
type lastUsed struct {
	core *domain.Core
	mu   sync.Mutex
	at   map[string]time.Time
}

func newLastUsed(core *domain.Core) *lastUsed {
	return &lastUsed{core: core, at: map[string]time.Time{}}
}

func (l *lastUsed) mark(keyID string, t time.Time) {
	l.mu.Lock()
	l.at[keyID] = t
	l.mu.Unlock()
}

// FlushLastUsed writes pending last-used times.
func (s *Service) FlushLastUsed(ctx context.Context) error {
	s.used.mu.Lock()
	batch := s.used.at
	s.used.at = map[string]time.Time{}
	s.used.mu.Unlock()
	if err := db.APIKeyTouch(ctx, s.core.DB, batch); err != nil {
		s.used.mu.Lock()
		for id, t := range batch { // keep them for the next try
			if cur, ok := s.used.at[id]; !ok || cur.Before(t) {
				s.used.at[id] = t
			}
		}
		s.used.mu.Unlock()
		return err
	}
	return nil
}
