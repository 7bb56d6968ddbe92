package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// AuthSAMLKey is a row of auth_saml_keys: the SP signing key pair of one
// tenant's SAML provider (private key sealed by the identity service).
type AuthSAMLKey struct {
	bun.BaseModel `bun:"table:auth_saml_keys,alias:sk"`
	TenantID      string    `bun:"tenant_id,pk"`
	Provider      string    `bun:"provider,pk"`
	KeyEnc        []byte    `bun:"key_enc"`
	CertDER       []byte    `bun:"cert_der"`
	CreatedAt     time.Time `bun:"created_at"`
}

// AuthSAMLKeyGet loads the key pair of a tenant's SAML provider.
func AuthSAMLKeyGet(ctx context.Context, idb bun.IDB, tenantID, provider string) (*AuthSAMLKey, error) {
	row := new(AuthSAMLKey)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND provider = ?", tenantID, provider).Scan(ctx)
	return row, err
}

// AuthSAMLKeyInsertIfAbsent stores a key pair unless one exists already
// (two concurrent first uses: the first insert wins, the caller re-reads).
func AuthSAMLKeyInsertIfAbsent(ctx context.Context, idb bun.IDB, row *AuthSAMLKey) error {
	_, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, provider) DO NOTHING").Exec(ctx)
	return err
}
