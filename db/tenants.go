package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Tenant is a row of tenants.
type Tenant struct {
	bun.BaseModel `bun:"table:tenants"`
	ID            string          `bun:"id,pk"`
	Name          string          `bun:"name"`
	Plan          string          `bun:"plan"`
	Status        string          `bun:"status"`
	Settings      json.RawMessage `bun:"settings,type:jsonb"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
	SuspendedAt   *time.Time      `bun:"suspended_at"`
}

// TenantInsert creates a tenant.
func TenantInsert(ctx context.Context, idb bun.IDB, row *Tenant) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// TenantGetByID loads one tenant (sql.ErrNoRows when absent).
func TenantGetByID(ctx context.Context, idb bun.IDB, id string) (*Tenant, error) {
	row := new(Tenant)
	err := idb.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	return row, err
}

// TenantListParams pages tenants by id (ids are time-sortable).
type TenantListParams struct {
	AfterID string
	Limit   int
}

// TenantList returns tenants in id order after AfterID.
func TenantList(ctx context.Context, idb bun.IDB, p *TenantListParams) ([]Tenant, error) {
	var rows []Tenant
	q := idb.NewSelect().Model(&rows).OrderExpr("id").Limit(int64(p.Limit))
	if p.AfterID != "" {
		q = q.Where("id > ?", p.AfterID)
	}
	return rows, q.Scan(ctx)
}

// TenantCount counts all tenants.
func TenantCount(ctx context.Context, idb bun.IDB) (int, error) {
	n, err := idb.NewSelect().Model((*Tenant)(nil)).Count(ctx)
	return int(n), err
}

// TenantUpdate writes the mutable columns of row.
func TenantUpdate(ctx context.Context, idb bun.IDB, row *Tenant) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "plan", "status", "settings", "updated_at", "suspended_at").
		WherePK().Exec(ctx)
	return err
}

// TenantDelete removes a tenant; every tenant-owned row cascades.
func TenantDelete(ctx context.Context, idb bun.IDB, id string) (bool, error) {
	res, err := idb.NewDelete().Model((*Tenant)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TenantGetForUpdate loads and row-locks one tenant.
func TenantGetForUpdate(ctx context.Context, idb bun.IDB, id string) (*Tenant, error) {
	row := new(Tenant)
	err := idb.NewSelect().Model(row).Where("id = ?", id).For("UPDATE").Scan(ctx)
	return row, err
}

// TenantCORSOrigins returns the distinct CORS origins of all active tenants.
func TenantCORSOrigins(ctx context.Context, idb bun.IDB) ([]string, error) {
	var out []string
	err := idb.NewRaw(`SELECT DISTINCT jsonb_array_elements_text(settings->'cors_origins')
		FROM tenants WHERE status = 'active' AND jsonb_typeof(settings->'cors_origins') = 'array'`).Scan(ctx, &out)
	return out, err
}

// TenantFindByName returns the id of the oldest tenant with that name.
func TenantFindByName(ctx context.Context, idb bun.IDB, name string) (string, error) {
	var id string
	err := idb.NewSelect().Model((*Tenant)(nil)).Column("id").Where("name = ?", name).
		OrderExpr("id").Limit(1).Scan(ctx, &id)
	return id, err
}
