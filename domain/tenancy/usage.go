package tenancy

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// UsageFunc reports one part of the platform's usage by a tenant. Each part
// (keys, requests, storage, objects, ...) registers its own.
type UsageFunc func(ctx context.Context, tenantID string) (any, error)

// SectionFunc contributes one section of a tenant's public configuration.
type SectionFunc func(ctx context.Context, tenantID string) (any, error)

// RegisterUsage adds a usage reporter under name.
func (s *Service) RegisterUsage(name string, fn UsageFunc) {
	s.mu.Lock()
	s.usage[name] = fn
	s.mu.Unlock()
}

// RegisterConfigSection adds a public-config section under name.
func (s *Service) RegisterConfigSection(name string, fn SectionFunc) {
	s.mu.Lock()
	s.sections[name] = fn
	s.mu.Unlock()
}

// Usage is the answer of GET /v1/usage.
type Usage struct {
	TenantID         string            `json:"tenant_id"`
	PlanTier         domain.Plan       `json:"plan_tier"`
	PlanLimits       domain.PlanLimits `json:"plan_limits"`
	UsedStorageBytes int64             `json:"used_storage_bytes"`
	Usage            map[string]any    `json:"usage"`
	PeriodStart      time.Time         `json:"period_start"`
	GeneratedAt      time.Time         `json:"generated_at"`
}

// permUsageRead is the end-user permission to read the tenant's usage.
const permUsageRead = "usage:read"

// GetUsage reports the caller's tenant's usage against its plan. Any API
// key of the tenant may read it; an end user needs usage:read. Errors:
// UNAUTHORIZED, FORBIDDEN.
func (s *Service) GetUsage(ctx context.Context) (Usage, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return Usage{}, err
	}
	if p.Kind == domain.PrincipalUser && !p.Allows(permUsageRead) {
		return Usage{}, p.Denied(permUsageRead)
	}
	row, err := s.load(ctx, p.TenantID)
	if err != nil {
		return Usage{}, err
	}
	plan := domain.PlanFor(row.Plan)
	now := s.core.Clock.Now()
	out := Usage{TenantID: row.ID, PlanTier: plan, PlanLimits: plan.Limits, Usage: map[string]any{},
		PeriodStart: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), GeneratedAt: now}
	s.mu.RLock()
	names := make([]string, 0, len(s.usage))
	for n := range s.usage {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	for _, n := range names {
		s.mu.RLock()
		fn := s.usage[n]
		s.mu.RUnlock()
		v, err := fn(ctx, row.ID)
		if err != nil {
			return Usage{}, domain.Internal(err)
		}
		out.Usage[n] = v
		if n == "storage_bytes" {
			if b, ok := v.(int64); ok {
				out.UsedStorageBytes = b
			}
		}
	}
	return out, nil
}

// PublicConfigInput names the tenant whose public config is wanted: the
// tenant_id query parameter or X-Tenant-ID header, else the caller's own.
type PublicConfigInput struct {
	TenantID       string `query:"tenant_id"`
	HeaderTenantID string `header:"X-Tenant-ID"`
}

// GetPublicConfig answers GET /v1/tenant-config. Errors: VALIDATION_FAILED
// (no tenant named), NOT_FOUND, TENANT_SUSPENDED.
func (s *Service) GetPublicConfig(ctx context.Context, in PublicConfigInput) (map[string]any, error) {
	id := in.TenantID
	if id == "" {
		id = in.HeaderTenantID
	}
	if id == "" {
		if p := domain.PrincipalFrom(ctx); p != nil {
			id = p.TenantID
		}
	}
	if id == "" {
		return nil, domain.Invalid("tenant_id", "is required (query parameter, X-Tenant-ID header or a credential)")
	}
	row, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if row.Status == "suspended" {
		return nil, domain.Errorf(domain.CodeTenantSuspended, "This tenant is suspended.")
	}
	out := map[string]any{"tenant_id": row.ID, "name": row.Name}
	s.mu.RLock()
	sections := make(map[string]SectionFunc, len(s.sections))
	for k, v := range s.sections {
		sections[k] = v
	}
	s.mu.RUnlock()
	for name, fn := range sections {
		v, err := fn(ctx, row.ID)
		if err != nil {
			return nil, domain.Internal(err)
		}
		out[name] = v
	}
	return out, nil
}

// CORSOrigins returns the tenant's allowed browser origins (nil when the
// tenant is unknown).
func (s *Service) CORSOrigins(ctx context.Context, tenantID string) []string {
	row, err := db.TenantGetByID(ctx, s.core.DB, tenantID)
	if err != nil {
		return nil
	}
	return fromRow(row).Settings.CORSOrigins
}

// requestsThisMonth reads the request counter the API's rate limiter keeps.
func (s *Service) requestsThisMonth(ctx context.Context, tenantID string) (any, error) {
	n, err := s.core.Redis.Get(ctx, kv.MonthlyCounterKey(tenantID, "requests", s.core.Clock.Now())).Int64()
	if errors.Is(err, redis.Nil) {
		return int64(0), nil
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// AllCORSOrigins lists every origin any tenant allows (for CORS preflights,
// which carry no credential).
func (s *Service) AllCORSOrigins(ctx context.Context) ([]string, error) {
	return db.TenantCORSOrigins(ctx, s.core.DB)
}
