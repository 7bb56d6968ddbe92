package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// AuthPasskey is a row of auth_passkeys: a user's WebAuthn credential.
type AuthPasskey struct {
	bun.BaseModel   `bun:"table:auth_passkeys,alias:pk"`
	TenantID        string          `bun:"tenant_id,pk"`
	ID              string          `bun:"id,pk"`
	UserID          string          `bun:"user_id"`
	CredentialID    []byte          `bun:"credential_id"`
	PublicKey       []byte          `bun:"public_key"`
	AttestationType string          `bun:"attestation_type"`
	AAGUID          []byte          `bun:"aaguid"`
	SignCount       int64           `bun:"sign_count"`
	Transports      []string        `bun:"transports,array"`
	Flags           json.RawMessage `bun:"flags,type:jsonb"`
	FriendlyName    string          `bun:"friendly_name"`
	CreatedAt       time.Time       `bun:"created_at"`
	LastUsedAt      *time.Time      `bun:"last_used_at"`
}

// AuthPasskeysOfUser lists a user's passkeys, oldest first.
func AuthPasskeysOfUser(ctx context.Context, idb bun.IDB, tenantID, userID string) ([]AuthPasskey, error) {
	rows := []AuthPasskey{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND user_id = ?", tenantID, userID).
		OrderExpr("created_at, id").Scan(ctx)
	return rows, err
}

// AuthPasskeyByCredential finds a passkey by its credential id in a tenant.
func AuthPasskeyByCredential(ctx context.Context, idb bun.IDB, tenantID string, credentialID []byte) (*AuthPasskey, error) {
	row := new(AuthPasskey)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND credential_id = ?", tenantID, credentialID).Scan(ctx)
	return row, err
}

// AuthPasskeyInsert stores a new passkey; a credential id registered before
// in the tenant is a unique violation.
func AuthPasskeyInsert(ctx context.Context, idb bun.IDB, row *AuthPasskey) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthPasskeyUse records a successful assertion: the new sign counter, the
// flags and the time. The counter only moves forward (or stays at zero for
// authenticators that do not count), so two concurrent assertions of a
// cloned authenticator cannot both pass; it reports whether the row moved.
func AuthPasskeyUse(ctx context.Context, idb bun.IDB, tenantID, id string, count int64, flags json.RawMessage, at time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("auth_passkeys").
		Set("sign_count = ?", count).Set("flags = ?", flags).Set("last_used_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).
		Where("(sign_count < ? OR (sign_count = 0 AND ? = 0))", count, count).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AuthPasskeyDelete deletes a user's passkey named by its id or its
// credential id and returns its id (sql.ErrNoRows when there is none).
func AuthPasskeyDelete(ctx context.Context, idb bun.IDB, tenantID, userID, id string, credentialID []byte) (string, error) {
	var deleted string
	err := idb.NewDelete().Table("auth_passkeys").
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).
		Where("(id = ? OR credential_id = ?)", id, credentialID).
		Returning("id").Scan(ctx, &deleted)
	return deleted, err
}
