package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// APIKey is a row of api_keys.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	Label         string          `bun:"label"`
	Prefix        string          `bun:"prefix"`
	SecretHash    []byte          `bun:"secret_hash"`
	Scopes        []string        `bun:"scopes,array"`
	IPAllowlist   []string        `bun:"ip_allowlist,array"`
	RateLimit     json.RawMessage `bun:"rate_limit,type:jsonb,nullzero"`
	ExpiresAt     *time.Time      `bun:"expires_at"`
	LastUsedAt    *time.Time      `bun:"last_used_at"`
	RevokedAt     *time.Time      `bun:"revoked_at"`
	RotatedTo     *string         `bun:"rotated_to"`
	CreatedBy     string          `bun:"created_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// APIKeyWithTenant is a key joined with its tenant's status, as credential
// resolution needs both in one round trip.
type APIKeyWithTenant struct {
	APIKey       `bun:",extend"`
	TenantStatus string `bun:"tenant_status"`
}

// APIKeyInsert creates a key.
func APIKeyInsert(ctx context.Context, idb bun.IDB, row *APIKey) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// APIKeyGetBySecretHash finds an unrevoked key by the HMAC of its secret.
func APIKeyGetBySecretHash(ctx context.Context, idb bun.IDB, hash []byte) (*APIKeyWithTenant, error) {
	row := new(APIKeyWithTenant)
	err := idb.NewSelect().Model(row).
		ColumnExpr("api_key.*").ColumnExpr("t.status AS tenant_status").
		Join("JOIN tenants AS t ON t.id = api_key.tenant_id").
		Where("api_key.secret_hash = ? AND api_key.revoked_at IS NULL", hash).Scan(ctx)
	return row, err
}

// APIKeyGet loads an unrevoked key of a tenant.
func APIKeyGet(ctx context.Context, idb bun.IDB, tenantID, id string) (*APIKey, error) {
	row := new(APIKey)
	err := idb.NewSelect().Model(row).
		Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, id).Scan(ctx)
	return row, err
}

// APIKeyGetForUpdate loads and row-locks an unrevoked key.
func APIKeyGetForUpdate(ctx context.Context, idb bun.IDB, tenantID, id string) (*APIKey, error) {
	row := new(APIKey)
	err := idb.NewSelect().Model(row).
		Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, id).For("UPDATE").Scan(ctx)
	return row, err
}

// APIKeyList returns a tenant's unrevoked keys, oldest first, at most limit.
func APIKeyList(ctx context.Context, idb bun.IDB, tenantID string, limit int) ([]APIKey, error) {
	rows := []APIKey{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND revoked_at IS NULL", tenantID).
		OrderExpr("id").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// APIKeyCount counts a tenant's unrevoked keys.
func APIKeyCount(ctx context.Context, idb bun.IDB, tenantID string) (int, error) {
	n, err := idb.NewSelect().Model((*APIKey)(nil)).Where("tenant_id = ? AND revoked_at IS NULL", tenantID).Count(ctx)
	return int(n), err
}

// APIKeyUpdate writes the mutable columns of row.
func APIKeyUpdate(ctx context.Context, idb bun.IDB, row *APIKey) error {
	_, err := idb.NewUpdate().Model(row).
		Column("label", "scopes", "ip_allowlist", "rate_limit", "expires_at", "revoked_at", "rotated_to", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// APIKeyTouch records last use for a batch of keys in one statement; it is
// called by a flusher, never per request.
func APIKeyTouch(ctx context.Context, idb bun.IDB, lastUsed map[string]time.Time) error {
	if len(lastUsed) == 0 {
		return nil
	}
	ids := make([]string, 0, len(lastUsed))
	times := make([]time.Time, 0, len(lastUsed))
	for id, t := range lastUsed {
		ids = append(ids, id)
		times = append(times, t)
	}
	_, err := idb.NewRaw(`UPDATE api_keys AS k SET last_used_at = v.t
		FROM unnest(?::text[], ?::timestamptz[]) AS v(id, t)
		WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.t)`,
		pgdialect.Array(ids), pgdialect.Array(times)).Exec(ctx)
	return err
}
