package governance

import (
	"context"
	"net/netip"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// CacheTTL bounds how long a tenant's settings are reused without a
// database read (they are read on every request). Updates clear them on
// every instance through Redis; the TTL only matters if Redis is down.
const CacheTTL = 5 * time.Second

// invalidationChannel carries the id of a tenant whose settings changed.
const invalidationChannel = "governance:invalidate"

// compiled is a tenant's settings with the allowlist parsed once.
type compiled struct {
	Settings
	allow []netip.Prefix
}

// Service is the governance service.
type Service struct {
	core  *domain.Core
	cache *expirable.LRU[string, *compiled]
}

// NewService returns the governance service on core.
func NewService(core *domain.Core) *Service {
	return &Service{core: core, cache: expirable.NewLRU[string, *compiled](10_000, nil, CacheTTL)}
}

// Get answers the caller tenant's settings (defaults when never set).
// Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE, FORBIDDEN.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAuth, "governance:read")
	if err != nil {
		return Settings{}, err
	}
	c, err := s.settings(ctx, p.TenantID)
	if err != nil {
		return Settings{}, err
	}
	return c.Settings, nil
}

// Update changes the caller tenant's settings. A shorter session duration
// also shortens the sessions already signed in; an allowlist that would
// refuse the caller's own address is refused (no self lock-out).
// Errors: VALIDATION_FAILED, UNAUTHORIZED, INSUFFICIENT_SCOPE, FORBIDDEN.
func (s *Service) Update(ctx context.Context, in UpdateInput) (Settings, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAuth, "governance:manage")
	if err != nil {
		return Settings{}, err
	}
	var out Settings
	err = s.core.Write(ctx, func(w *domain.Write) error {
		before, err := s.load(ctx, w, p.TenantID)
		if err != nil {
			return err
		}
		after := before
		if err := in.apply(&after); err != nil {
			return err
		}
		if err := checkNotLockedOut(ctx, p, after.IPAllowlist); err != nil {
			return err
		}
		out, err = s.save(ctx, w, p, before, after)
		return err
	})
	if err != nil {
		return Settings{}, err
	}
	s.invalidate(ctx, p.TenantID)
	return out, nil
}

// load reads and locks the tenant's settings in w (defaults when none).
func (s *Service) load(ctx context.Context, w *domain.Write, tenantID string) (Settings, error) {
	row, err := db.GovernanceGetForUpdate(ctx, w.Tx, tenantID)
	if db.IsNoRows(err) {
		return defaults(), nil
	}
	if err != nil {
		return Settings{}, domain.Internal(err)
	}
	return fromRow(row), nil
}

// save writes after, cuts live sessions to a shorter duration, and records
// the audit row and the event.
func (s *Service) save(ctx context.Context, w *domain.Write, p *domain.Principal, before, after Settings) (Settings, error) {
	now := s.core.Clock.Now()
	row := &db.GovernanceSettings{TenantID: p.TenantID, IPAllowlist: after.IPAllowlist,
		SessionDurationSecs: after.SessionDurationSecs, PasswordMinLength: after.PasswordMinLength,
		MFARequiredRoles: after.MFARequiredRoles, AuditRetentionDays: after.AuditRetentionDays,
		UpdatedAt: now, UpdatedBy: p.ActorID()}
	if err := db.GovernanceUpsert(ctx, w.Tx, row); err != nil {
		return Settings{}, domain.Internal(err)
	}
	changes := map[string]any{"before": before, "after": fromRow(row)}
	if after.SessionDurationSecs > 0 && after.SessionDurationSecs != before.SessionDurationSecs {
		n, err := db.GovernanceCapSessions(ctx, w.Tx, p.TenantID, after.SessionDurationSecs)
		if err != nil {
			return Settings{}, domain.Internal(err)
		}
		changes["sessions_shortened"] = n
	}
	out := fromRow(row)
	if err := w.Audit(p.TenantID, "governance.update", "governance", p.TenantID, changes); err != nil {
		return Settings{}, err
	}
	return out, w.Emit(p.TenantID, Topic, EventUpdated, out)
}

// checkNotLockedOut refuses an allowlist that excludes the caller's own
// address: the change would lock its author out at the next request. The
// platform admin is exempt from allowlists, so it may set any.
func checkNotLockedOut(ctx context.Context, p *domain.Principal, entries []string) error {
	if p.Kind == domain.PrincipalAdmin || len(entries) == 0 {
		return nil
	}
	ip := domain.RequestMetaFrom(ctx).IP
	if allowed(parseAllowlist(entries), ip) {
		return nil
	}
	return domain.Invalid("ip_allowlist", "must include your own address ("+ip+"), or this change would lock you out")
}

// settings answers a tenant's settings from the cache or the database.
func (s *Service) settings(ctx context.Context, tenantID string) (*compiled, error) {
	if c, ok := s.cache.Get(tenantID); ok {
		return c, nil
	}
	st := defaults()
	row, err := db.GovernanceGet(ctx, s.core.DB, tenantID)
	switch {
	case err == nil:
		st = fromRow(row)
	case !db.IsNoRows(err):
		return nil, domain.Internal(err)
	}
	c := &compiled{Settings: st, allow: parseAllowlist(st.IPAllowlist)}
	s.cache.Add(tenantID, c)
	return c, nil
}

// invalidate drops a tenant's cached settings here and on every instance.
func (s *Service) invalidate(ctx context.Context, tenantID string) {
	s.cache.Remove(tenantID)
	s.core.Broadcast(ctx, invalidationChannel, tenantID)
}

// Run applies invalidations from other instances until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	return s.core.ListenInvalidations(ctx, invalidationChannel, func(tenantID string) { s.cache.Remove(tenantID) })
}
