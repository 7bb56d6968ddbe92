package rbac

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// GrantCacheTTL bounds how long a user's loaded roles and permissions are
// reused without a database query. Role changes and (un)assignments clear
// them on every instance through Redis, so the TTL only matters if Redis
// pub/sub is down.
const GrantCacheTTL = 5 * time.Second

// invalidationChannel carries "tenant:<tenant id>" (a role changed: every
// holder may be affected) and "user:<tenant id>:<user id>" messages.
const invalidationChannel = "rbac:invalidate"

type grantCache struct {
	core   *domain.Core
	byUser *expirable.LRU[string, db.RBACGrant] // tenant id + "|" + user id → grant
}

func newGrantCache(core *domain.Core) *grantCache {
	return &grantCache{core: core, byUser: expirable.NewLRU[string, db.RBACGrant](50_000, nil, GrantCacheTTL)}
}

func grantKey(tenantID, userID string) string { return tenantID + "|" + userID }

func (c *grantCache) apply(msg string) {
	kind, rest, _ := strings.Cut(msg, ":")
	switch kind {
	case "user":
		tenantID, userID, _ := strings.Cut(rest, ":")
		c.byUser.Remove(grantKey(tenantID, userID))
	case "tenant":
		prefix := rest + "|"
		for _, k := range c.byUser.Keys() {
			if strings.HasPrefix(k, prefix) {
				c.byUser.Remove(k)
			}
		}
	}
}

func (c *grantCache) invalidateUser(ctx context.Context, tenantID, userID string) {
	c.broadcast(ctx, "user:"+tenantID+":"+userID)
}

func (c *grantCache) invalidateTenant(ctx context.Context, tenantID string) {
	c.broadcast(ctx, "tenant:"+tenantID)
}

// broadcast applies msg here at once and tells the other instances. It runs
// after the change committed, so no instance can cache the old state again.
func (c *grantCache) broadcast(ctx context.Context, msg string) {
	c.apply(msg)
	c.core.Broadcast(ctx, invalidationChannel, msg)
}

// Run applies cache invalidations from other instances until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	return s.core.ListenInvalidations(ctx, invalidationChannel, s.cache.apply)
}

// LoadGrant fills an end-user principal's Roles and Permissions from its
// RBAC roles (parents included); other principals are left as they are. It
// is called where an access token becomes a Principal.
func (s *Service) LoadGrant(ctx context.Context, p *domain.Principal) error {
	if p == nil || p.Kind != domain.PrincipalUser {
		return nil
	}
	key := grantKey(p.TenantID, p.UserID)
	g, ok := s.cache.byUser.Get(key)
	if !ok {
		var err error
		g, err = db.RBACUserGrant(ctx, s.core.DB, p.TenantID, p.UserID, MaxDepth)
		if err != nil {
			return domain.Internal(err)
		}
		s.cache.byUser.Add(key, g)
	}
	// Copies: the cached slices are shared between requests.
	p.Roles = slices.Clone(g.Roles)
	p.Permissions = slices.Clone(g.Permissions)
	return nil
}
