package apikeys

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Event types emitted on the "api_keys" topic.
const (
	Topic        = "api_keys"
	EventCreated = "api_key.created"
	EventUpdated = "api_key.updated"
	EventRevoked = "api_key.revoked"
	EventRotated = "api_key.rotated"
)

// maxListed caps the bare-array list (contract: at most 1,000 items).
const maxListed = 1000

// End users' permissions for key management (keys need the "*" scope).
const (
	permRead   = "keys:read"
	permManage = "keys:manage"
)

// Service manages API keys. Every method authorizes the caller from ctx:
// key management needs the "*" scope.
type Service struct {
	core  *domain.Core
	cache *principalCache
	used  *lastUsed
}

// NewService returns a key service on core.
func NewService(core *domain.Core) *Service {
	return &Service{core: core, cache: newPrincipalCache(core), used: newLastUsed(core)}
}

// CreateInput is the body of POST /v1/keys.
type CreateInput struct {
	Label       string            `json:"label"`
	Scopes      []string          `json:"scopes"`
	IPAllowlist []string          `json:"ip_allowlist"`
	ExpiresAt   *time.Time        `json:"expires_at"`
	RateLimit   *domain.RateLimit `json:"rate_limit"`
}

// Created is a new key with its secret, shown this once.
type Created struct {
	Key   Key    `json:"key"`
	Token string `json:"token"`
}

// UpdateInput is the body of PATCH /v1/keys/:key_id. Absent members keep
// their value; rate_limit and expires_at may be set to null.
type UpdateInput struct {
	KeyID       string                            `path:"key_id" json:"-"`
	Label       *string                           `json:"label"`
	Scopes      *[]string                         `json:"scopes"`
	IPAllowlist *[]string                         `json:"ip_allowlist"`
	RateLimit   domain.Optional[domain.RateLimit] `json:"rate_limit"`
	ExpiresAt   domain.Optional[time.Time]        `json:"expires_at"`
}

// KeyRef names one key (path parameter).
type KeyRef struct {
	KeyID string `path:"key_id" json:"-"`
}

// RotateInput is the body of POST /v1/keys/:key_id/rotate: the new key copies
// the old one, with label and scopes optionally replaced.
type RotateInput struct {
	KeyID  string    `path:"key_id" json:"-"`
	Label  *string   `json:"label"`
	Scopes *[]string `json:"scopes"`
}

// Rotated is the answer to a rotation.
type Rotated struct {
	OldKey Key    `json:"old_key"`
	NewKey Key    `json:"new_key"`
	Token  string `json:"token"`
}

// Revoked is the answer to a revocation.
type Revoked struct {
	ID        string    `json:"id"`
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revoked_at"`
}

// List returns the caller's tenant's active keys, oldest first.
// Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := db.APIKeyList(ctx, s.core.DB, p.TenantID, maxListed)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Key, len(rows))
	for i := range rows {
		out[i] = fromRow(&rows[i])
	}
	return out, nil
}

// Create issues a key in the caller's tenant. Errors: VALIDATION_FAILED,
// CONFLICT (plan's key limit), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) Create(ctx context.Context, in CreateInput) (Created, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permManage)
	if err != nil {
		return Created{}, err
	}
	if err := s.validate(in.Label, in.Scopes, in.IPAllowlist, in.RateLimit, in.ExpiresAt); err != nil {
		return Created{}, err
	}
	var out Created
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := s.checkPlanLimit(ctx, w, p.TenantID); err != nil {
			return err
		}
		out, err = s.Issue(ctx, w, p.TenantID, in)
		return err
	})
	return out, err
}

// Issue creates a key inside an existing unit of work (tenant provisioning
// uses it to hand out the first key). It validates nothing beyond scopes.
func (s *Service) Issue(ctx context.Context, w *domain.Write, tenantID string, in CreateInput) (Created, error) {
	secret := newSecret()
	now := s.core.Clock.Now()
	createdBy := "system"
	if p := domain.PrincipalFrom(ctx); p != nil {
		createdBy = p.ActorID()
	}
	row := &db.APIKey{TenantID: tenantID, ID: domain.NewID(domain.PrefixKey), Label: strings.TrimSpace(in.Label),
		Prefix: displayPrefix(secret), SecretHash: hashSecret(s.core.Secret, secret),
		Scopes: normalizeScopes(in.Scopes), IPAllowlist: normalizeList(in.IPAllowlist),
		RateLimit: rateLimitJSON(in.RateLimit), ExpiresAt: in.ExpiresAt, CreatedBy: createdBy,
		CreatedAt: now, UpdatedAt: now}
	if err := db.APIKeyInsert(ctx, w.Tx, row); err != nil {
		return Created{}, domain.Internal(err)
	}
	key := fromRow(row)
	if err := w.Audit(tenantID, "api_key.create", "api_key", key.ID, map[string]any{"after": key}); err != nil {
		return Created{}, err
	}
	if err := w.Emit(tenantID, Topic, EventCreated, key); err != nil {
		return Created{}, err
	}
	return Created{Key: key, Token: secret}, nil
}

// Update changes a key's label, scopes, allowlist, rate limit or expiry.
// Errors: NOT_FOUND, VALIDATION_FAILED, UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) Update(ctx context.Context, in UpdateInput) (Key, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permManage)
	if err != nil {
		return Key{}, err
	}
	var out Key
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.lockKey(ctx, w, p.TenantID, in.KeyID)
		if err != nil {
			return err
		}
		before := fromRow(row)
		if err := s.applyUpdate(row, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.APIKeyUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = fromRow(row)
		if err := w.Audit(p.TenantID, "api_key.update", "api_key", row.ID, map[string]any{"before": before, "after": out}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, Topic, EventUpdated, out)
	})
	if err == nil {
		s.cache.invalidateKey(ctx, in.KeyID)
	}
	return out, err
}

func (s *Service) applyUpdate(row *db.APIKey, in UpdateInput) error {
	k := fromRow(row)
	label, scopes, allow, rl, exp := k.Label, k.Scopes, k.IPAllowlist, k.RateLimit, k.ExpiresAt
	if in.Label != nil {
		label = *in.Label
	}
	if in.Scopes != nil {
		scopes = *in.Scopes
	}
	if in.IPAllowlist != nil {
		allow = *in.IPAllowlist
	}
	if in.RateLimit.Set {
		rl = in.RateLimit.Value
	}
	if in.ExpiresAt.Set {
		exp = in.ExpiresAt.Value
	}
	var v domain.Validation
	s.validateInto(&v, label, scopes, allow, rl)
	if in.ExpiresAt.Set && exp != nil && !exp.After(s.core.Clock.Now()) {
		v.Add("expires_at", "must be in the future")
	}
	if err := v.Err(); err != nil {
		return err
	}
	row.Label, row.Scopes, row.IPAllowlist = strings.TrimSpace(label), normalizeScopes(scopes), normalizeList(allow)
	row.RateLimit, row.ExpiresAt = rateLimitJSON(rl), exp
	return nil
}

// Revoke disables a key at once, on every instance.
// Errors: NOT_FOUND, UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) Revoke(ctx context.Context, in KeyRef) (Revoked, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permManage)
	if err != nil {
		return Revoked{}, err
	}
	now := s.core.Clock.Now()
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.lockKey(ctx, w, p.TenantID, in.KeyID)
		if err != nil {
			return err
		}
		row.RevokedAt, row.UpdatedAt = &now, now
		if err := db.APIKeyUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		key := fromRow(row)
		if err := w.Audit(p.TenantID, "api_key.revoke", "api_key", row.ID, map[string]any{"before": key}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, Topic, EventRevoked, key)
	})
	if err != nil {
		return Revoked{}, err
	}
	s.cache.invalidateKey(ctx, in.KeyID)
	return Revoked{ID: in.KeyID, Revoked: true, RevokedAt: now}, nil
}

// Rotate replaces a key with a new secret (and a new id), revoking the old
// one at once. Errors: NOT_FOUND, VALIDATION_FAILED, UNAUTHORIZED,
// INSUFFICIENT_SCOPE.
func (s *Service) Rotate(ctx context.Context, in RotateInput) (Rotated, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permManage)
	if err != nil {
		return Rotated{}, err
	}
	var out Rotated
	err = s.core.Write(ctx, func(w *domain.Write) error {
		old, err := s.lockKey(ctx, w, p.TenantID, in.KeyID)
		if err != nil {
			return err
		}
		k := fromRow(old)
		next := CreateInput{Label: k.Label, Scopes: k.Scopes, IPAllowlist: k.IPAllowlist, ExpiresAt: k.ExpiresAt, RateLimit: k.RateLimit}
		if in.Label != nil {
			next.Label = *in.Label
		}
		if in.Scopes != nil {
			next.Scopes = *in.Scopes
		}
		if err := s.validate(next.Label, next.Scopes, next.IPAllowlist, next.RateLimit, nil); err != nil {
			return err
		}
		created, err := s.Issue(ctx, w, p.TenantID, next)
		if err != nil {
			return err
		}
		now := s.core.Clock.Now()
		old.RevokedAt, old.UpdatedAt, old.RotatedTo = &now, now, &created.Key.ID
		if err := db.APIKeyUpdate(ctx, w.Tx, old); err != nil {
			return domain.Internal(err)
		}
		out = Rotated{OldKey: fromRow(old), NewKey: created.Key, Token: created.Token}
		if err := w.Audit(p.TenantID, "api_key.rotate", "api_key", old.ID, map[string]any{"rotated_to": created.Key.ID}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, Topic, EventRotated, out.NewKey)
	})
	if err == nil {
		s.cache.invalidateKey(ctx, in.KeyID)
	}
	return out, err
}

// Count returns the number of active keys of a tenant (usage reporting).
func (s *Service) Count(ctx context.Context, tenantID string) (int, error) {
	return db.APIKeyCount(ctx, s.core.DB, tenantID)
}

func (s *Service) lockKey(ctx context.Context, w *domain.Write, tenantID, keyID string) (*db.APIKey, error) {
	if !domain.ValidID(domain.PrefixKey, keyID) {
		return nil, domain.NotFound("API key")
	}
	row, err := db.APIKeyGetForUpdate(ctx, w.Tx, tenantID, keyID)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("API key")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// checkPlanLimit locks the tenant row so that concurrent creates count and
// insert one at a time and can never exceed the plan's limit.
func (s *Service) checkPlanLimit(ctx context.Context, w *domain.Write, tenantID string) error {
	t, err := db.TenantGetForUpdate(ctx, w.Tx, tenantID)
	if err != nil {
		return domain.Internal(err)
	}
	limit := domain.PlanFor(t.Plan).Limits.APIKeys
	if limit == 0 {
		return nil
	}
	n, err := db.APIKeyCount(ctx, w.Tx, tenantID)
	if err != nil {
		return domain.Internal(err)
	}
	if n >= limit {
		return domain.Errorf(domain.CodeConflict, "The %s plan allows %d API keys.", t.Plan, limit).With("limit", limit)
	}
	return nil
}

func (s *Service) validate(label string, scopes, allow []string, rl *domain.RateLimit, exp *time.Time) error {
	var v domain.Validation
	s.validateInto(&v, label, scopes, allow, rl)
	if exp != nil && !exp.After(s.core.Clock.Now()) {
		v.Add("expires_at", "must be in the future")
	}
	return v.Err()
}

func (s *Service) validateInto(v *domain.Validation, label string, scopes, allow []string, rl *domain.RateLimit) {
	domain.CheckText(v, "label", label, 200, false)
	v.Check(len(scopes) > len(domain.AllScopes), "scopes", "has too many entries")
	for _, sc := range scopes {
		if !slices.Contains(domain.AllScopes, sc) {
			v.Add("scopes", "unknown scope "+quote(sc)+"; valid: "+strings.Join(domain.AllScopes, ", "))
		}
	}
	v.Check(len(allow) > 100, "ip_allowlist", "must have at most 100 entries")
	if _, err := parseAllowlist(allow); err != nil {
		v.Add("ip_allowlist", "entries must be IP addresses or CIDR ranges")
	}
	if rl != nil {
		v.Check(rl.PerMinute < 1 || rl.PerMinute > 1_000_000, "rate_limit.per_minute", "must be between 1 and 1000000")
		v.Check(rl.PerHour < 1 || rl.PerHour > 60_000_000, "rate_limit.per_hour", "must be between 1 and 60000000")
		v.Check(rl.PerHour > 0 && rl.PerHour < rl.PerMinute, "rate_limit.per_hour", "must be at least per_minute")
	}
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}

func normalizeScopes(scopes []string) []string {
	out := slices.Clone(scopes)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func normalizeList(list []string) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, strings.TrimSpace(e))
	}
	return out
}

func rateLimitJSON(rl *domain.RateLimit) json.RawMessage {
	if rl == nil {
		return nil
	}
	raw, _ := json.Marshal(rl)
	return raw
}

// Events streams the caller's tenant's key events (created, updated,
// revoked, rotated) until ctx ends. Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) Events(ctx context.Context) (<-chan domain.Event, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAll, permRead)
	if err != nil {
		return nil, err
	}
	return s.core.Subscribe(ctx, p.TenantID, Topic)
}
