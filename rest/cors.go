package rest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/tenancy"
)

// corsTTL bounds how stale a cached origin list may be.
const corsTTL = 30 * time.Second

const (
	corsAllowHeaders  = "Authorization, X-API-Key, Content-Type, Idempotency-Key, X-Tenant-ID, X-Request-Id"
	corsExposeHeaders = "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, " +
		"X-RateLimit-Limit-Minute, X-RateLimit-Remaining-Minute, X-RateLimit-Limit-Hour, " +
		"X-RateLimit-Remaining-Hour, Retry-After, Idempotent-Replayed"
)

// corsPolicy answers browsers per tenant allowlist (tenant setting
// cors_origins; default none but the same origin). A preflight carries no
// credential, so it is allowed for an origin that some tenant allows; the
// actual answer then only carries Access-Control-Allow-Origin when the
// calling tenant allows that origin, so other tenants' pages cannot read it.
type corsPolicy struct {
	tenants  *tenancy.Service
	byTenant *expirable.LRU[string, []string]

	mu      sync.Mutex
	known   map[string]bool
	knownAt time.Time
	anyStar bool
}

func newCORSPolicy(tenants *tenancy.Service) *corsPolicy {
	return &corsPolicy{tenants: tenants, byTenant: expirable.NewLRU[string, []string](10_000, nil, corsTTL)}
}

func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// middleware answers preflights and marks every answer as varying by Origin.
func (c *corsPolicy) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if sameOrigin(r, origin) || c.knownOrigin(r.Context(), origin) {
				h := w.Header()
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowForTenant sets Access-Control-Allow-Origin when the tenant of the
// request (its credential, tenant_id or X-Tenant-ID) allows the origin.
func (c *corsPolicy) allowForTenant(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	tenantID := r.Header.Get("X-Tenant-ID")
	if tenantID == "" {
		tenantID = r.URL.Query().Get("tenant_id")
	}
	if p := domain.PrincipalFrom(r.Context()); p != nil && p.TenantID != "" {
		tenantID = p.TenantID
	}
	allowed := sameOrigin(r, origin)
	if !allowed && domain.ValidID(domain.PrefixTenant, tenantID) {
		list, ok := c.byTenant.Get(tenantID)
		if !ok {
			list = c.tenants.CORSOrigins(r.Context(), tenantID)
			c.byTenant.Add(tenantID, list)
		}
		allowed = slices.Contains(list, "*") || slices.ContainsFunc(list, func(o string) bool {
			return strings.EqualFold(strings.TrimSuffix(o, "/"), origin)
		})
	}
	if allowed {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
	}
}

func (c *corsPolicy) knownOrigin(ctx context.Context, origin string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.knownAt) > corsTTL {
		list, err := c.tenants.AllCORSOrigins(ctx)
		if err == nil {
			c.known, c.anyStar, c.knownAt = map[string]bool{}, false, time.Now()
			for _, o := range list {
				c.known[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
				c.anyStar = c.anyStar || o == "*"
			}
		}
	}
	return c.anyStar || c.known[strings.ToLower(origin)]
}
