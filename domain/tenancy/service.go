// Package tenancy provisions and governs tenants: the platform-admin API
// (create, list, get, update, suspend, resume, delete), a tenant's usage
// against its plan, and its public configuration.
package tenancy

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/apikeys"
)

// Tenant is a tenant as the admin API shows it.
type Tenant struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Plan        string     `json:"plan"`
	Status      string     `json:"status"`
	Settings    Settings   `json:"settings"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SuspendedAt *time.Time `json:"suspended_at"`
}

// Settings are tenant-wide knobs kept on the tenant row.
type Settings struct {
	// CORSOrigins are the browser origins allowed to call the API with this
	// tenant's credentials. Defaults to none (same origin only).
	CORSOrigins []string `json:"cors_origins"`
	// BaseCurrency is the ISO 4217 currency the books report in, set at
	// creation (default USD); accounting freezes it at the first posting.
	BaseCurrency string `json:"base_currency"`
}

func fromRow(r *db.Tenant) Tenant {
	t := Tenant{ID: r.ID, Name: r.Name, Plan: r.Plan, Status: r.Status, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, SuspendedAt: r.SuspendedAt}
	_ = json.Unmarshal(r.Settings, &t.Settings)
	if t.Settings.CORSOrigins == nil {
		t.Settings.CORSOrigins = []string{}
	}
	if t.Settings.BaseCurrency == "" {
		t.Settings.BaseCurrency = "USD"
	}
	return t
}

// Service manages tenants.
type Service struct {
	core *domain.Core
	keys *apikeys.Service

	mu       sync.RWMutex
	usage    map[string]UsageFunc
	sections map[string]SectionFunc
}

// NewService returns a tenant service; keys issues the first key of a tenant.
func NewService(core *domain.Core, keys *apikeys.Service) *Service {
	s := &Service{core: core, keys: keys, usage: map[string]UsageFunc{}, sections: map[string]SectionFunc{}}
	s.RegisterUsage("api_keys", func(ctx context.Context, tenantID string) (any, error) {
		return keys.Count(ctx, tenantID)
	})
	s.RegisterUsage("requests_this_month", s.requestsThisMonth)
	return s
}

// CreateInput is the body of POST /v1/admin/tenants.
type CreateInput struct {
	Name         string   `json:"name"`
	Plan         string   `json:"plan"`
	CORSOrigins  []string `json:"cors_origins"`
	BaseCurrency string   `json:"base_currency"`
}

// Provisioned is a new tenant with its first API key (scope "*").
type Provisioned struct {
	Tenant   Tenant      `json:"tenant"`
	TenantID string      `json:"tenant_id"`
	APIKey   string      `json:"api_key"`
	Key      apikeys.Key `json:"key"`
}

// UpdateInput is the body of PATCH /v1/admin/tenants/:tenant_id.
type UpdateInput struct {
	TenantID    string    `path:"tenant_id" json:"-"`
	Name        *string   `json:"name"`
	Plan        *string   `json:"plan"`
	CORSOrigins *[]string `json:"cors_origins"`
}

// TenantRef names one tenant (path parameter).
type TenantRef struct {
	TenantID string `path:"tenant_id" json:"-"`
}

// ListInput pages the admin tenant list.
type ListInput struct {
	Cursor string `query:"cursor"`
	Limit  int    `query:"limit"`
}

// Deleted is the answer to a tenant delete.
type Deleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

func requireAdmin(ctx context.Context) error {
	p := domain.PrincipalFrom(ctx)
	if p == nil {
		return domain.Errorf(domain.CodeUnauthorized, "Platform admin key required.")
	}
	if p.Kind != domain.PrincipalAdmin {
		return domain.Errorf(domain.CodeForbidden, "Only the platform admin may manage tenants.")
	}
	return nil
}

// Create provisions a tenant and its first key in one transaction.
// Errors: VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Create(ctx context.Context, in CreateInput) (Provisioned, error) {
	if err := requireAdmin(ctx); err != nil {
		return Provisioned{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Plan == "" {
		in.Plan = domain.DefaultPlan
	}
	var v domain.Validation
	domain.CheckText(&v, "name", in.Name, 200, true)
	v.Check(!validPlan(in.Plan), "plan", "must be one of free, pro, enterprise")
	validateOrigins(&v, in.CORSOrigins)
	if in.BaseCurrency == "" {
		in.BaseCurrency = "USD"
	}
	iso, ok := accounting.ISOCurrency(in.BaseCurrency)
	v.Check(!ok, "base_currency", "must be an ISO 4217 currency code")
	if err := v.Err(); err != nil {
		return Provisioned{}, err
	}
	now := s.core.Clock.Now()
	settings, _ := json.Marshal(Settings{CORSOrigins: orEmpty(in.CORSOrigins), BaseCurrency: iso.Code})
	row := &db.Tenant{ID: domain.NewID(domain.PrefixTenant), Name: in.Name, Plan: in.Plan, Status: "active",
		Settings: settings, CreatedAt: now, UpdatedAt: now}
	var out Provisioned
	err := s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.TenantInsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if err := w.Audit(row.ID, "tenant.create", "tenant", row.ID, map[string]any{"name": row.Name, "plan": row.Plan}); err != nil {
			return err
		}
		created, err := s.keys.Issue(ctx, w, row.ID, apikeys.CreateInput{Label: "Default key", Scopes: []string{domain.ScopeAll}})
		if err != nil {
			return err
		}
		out = Provisioned{Tenant: fromRow(row), TenantID: row.ID, APIKey: created.Token, Key: created.Key}
		return nil
	})
	return out, err
}

// List pages tenants in creation order. Errors: UNAUTHORIZED, FORBIDDEN,
// BAD_REQUEST (forged cursor).
func (s *Service) List(ctx context.Context, in ListInput) (domain.Page[Tenant], error) {
	if err := requireAdmin(ctx); err != nil {
		return domain.Page[Tenant]{}, err
	}
	after, err := domain.DecodeCursor(s.core.Secret, "tenants", in.Cursor)
	if err != nil {
		return domain.Page[Tenant]{}, err
	}
	limit := domain.ClampLimit(in.Limit)
	rows, err := db.TenantList(ctx, s.core.DB, &db.TenantListParams{AfterID: after, Limit: limit + 1})
	if err != nil {
		return domain.Page[Tenant]{}, domain.Internal(err)
	}
	total, err := db.TenantCount(ctx, s.core.DB)
	if err != nil {
		return domain.Page[Tenant]{}, domain.Internal(err)
	}
	page := domain.Page[Tenant]{Results: []Tenant{}, Total: total}
	for i := range rows {
		if i == limit {
			c := domain.EncodeCursor(s.core.Secret, "tenants", rows[i-1].ID)
			page.NextCursor = &c
			break
		}
		page.Results = append(page.Results, fromRow(&rows[i]))
	}
	return page, nil
}

// Get loads one tenant. Errors: NOT_FOUND, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Get(ctx context.Context, in TenantRef) (Tenant, error) {
	if err := requireAdmin(ctx); err != nil {
		return Tenant{}, err
	}
	row, err := s.load(ctx, in.TenantID)
	if err != nil {
		return Tenant{}, err
	}
	return fromRow(row), nil
}

// Update renames a tenant, changes its plan or its CORS origins.
// Errors: NOT_FOUND, VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Update(ctx context.Context, in UpdateInput) (Tenant, error) {
	if err := requireAdmin(ctx); err != nil {
		return Tenant{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		domain.CheckText(&v, "name", *in.Name, 200, true)
	}
	v.Check(in.Plan != nil && !validPlan(*in.Plan), "plan", "must be one of free, pro, enterprise")
	if in.CORSOrigins != nil {
		validateOrigins(&v, *in.CORSOrigins)
	}
	if err := v.Err(); err != nil {
		return Tenant{}, err
	}
	return s.mutate(ctx, in.TenantID, "tenant.update", func(row *db.Tenant) {
		if in.Name != nil {
			row.Name = *in.Name
		}
		if in.Plan != nil {
			row.Plan = *in.Plan
		}
		if in.CORSOrigins != nil {
			t := fromRow(row)
			t.Settings.CORSOrigins = *in.CORSOrigins
			row.Settings, _ = json.Marshal(t.Settings)
		}
	})
}

// Suspend blocks every key of a tenant (403 TENANT_SUSPENDED) until resumed.
// Errors: NOT_FOUND, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Suspend(ctx context.Context, in TenantRef) (Tenant, error) {
	if err := requireAdmin(ctx); err != nil {
		return Tenant{}, err
	}
	now := s.core.Clock.Now()
	t, err := s.mutate(ctx, in.TenantID, "tenant.suspend", func(row *db.Tenant) {
		if row.Status != "suspended" {
			row.Status, row.SuspendedAt = "suspended", &now
		}
	})
	if err == nil {
		s.keys.InvalidateTenant(ctx, in.TenantID)
	}
	return t, err
}

// Resume lifts a suspension. Errors: NOT_FOUND, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Resume(ctx context.Context, in TenantRef) (Tenant, error) {
	if err := requireAdmin(ctx); err != nil {
		return Tenant{}, err
	}
	t, err := s.mutate(ctx, in.TenantID, "tenant.resume", func(row *db.Tenant) {
		row.Status, row.SuspendedAt = "active", nil
	})
	if err == nil {
		s.keys.InvalidateTenant(ctx, in.TenantID)
	}
	return t, err
}

// Delete removes a tenant and, by cascade, all of its data.
// Errors: NOT_FOUND, UNAUTHORIZED, FORBIDDEN.
func (s *Service) Delete(ctx context.Context, in TenantRef) (Deleted, error) {
	if err := requireAdmin(ctx); err != nil {
		return Deleted{}, err
	}
	if !domain.ValidID(domain.PrefixTenant, in.TenantID) {
		return Deleted{}, domain.NotFound("Tenant")
	}
	ok, err := db.TenantDelete(ctx, s.core.DB, in.TenantID)
	if err != nil {
		return Deleted{}, domain.Internal(err)
	}
	if !ok {
		return Deleted{}, domain.NotFound("Tenant")
	}
	s.keys.InvalidateTenant(ctx, in.TenantID)
	s.core.Log.Info("tenant deleted", "tenant_id", in.TenantID)
	return Deleted{ID: in.TenantID, Deleted: true}, nil
}

func (s *Service) mutate(ctx context.Context, tenantID, action string, change func(*db.Tenant)) (Tenant, error) {
	var out Tenant
	err := s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadTx(ctx, w, tenantID)
		if err != nil {
			return err
		}
		before := fromRow(row)
		change(row)
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.TenantUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = fromRow(row)
		return w.Audit(tenantID, action, "tenant", tenantID, map[string]any{"before": before, "after": out})
	})
	return out, err
}

func (s *Service) load(ctx context.Context, id string) (*db.Tenant, error) {
	if !domain.ValidID(domain.PrefixTenant, id) {
		return nil, domain.NotFound("Tenant")
	}
	row, err := db.TenantGetByID(ctx, s.core.DB, id)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Tenant")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func (s *Service) loadTx(ctx context.Context, w *domain.Write, id string) (*db.Tenant, error) {
	if !domain.ValidID(domain.PrefixTenant, id) {
		return nil, domain.NotFound("Tenant")
	}
	row, err := db.TenantGetForUpdate(ctx, w.Tx, id)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Tenant")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func validPlan(name string) bool { _, ok := domain.Plans[name]; return ok }

func validateOrigins(v *domain.Validation, origins []string) {
	v.Check(len(origins) > 100, "cors_origins", "must have at most 100 entries")
	for _, o := range origins {
		u, err := url.Parse(o)
		if o == "*" {
			continue
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			v.Add("cors_origins", "entries must be origins like https://app.example.com, or *")
			return
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
