package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// AuthIdentity is a row of auth_identities: a user's account at a provider.
type AuthIdentity struct {
	bun.BaseModel `bun:"table:auth_identities,alias:i"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	UserID        string          `bun:"user_id"`
	Provider      string          `bun:"provider"`
	Subject       string          `bun:"subject"`
	Email         *string         `bun:"email"`
	Data          json.RawMessage `bun:"data,type:jsonb"`
	CreatedAt     time.Time       `bun:"created_at"`
	LastSignInAt  *time.Time      `bun:"last_sign_in_at"`
}

// AuthIdentityFind finds the identity of subject at provider.
func AuthIdentityFind(ctx context.Context, idb bun.IDB, tenantID, provider, subject string) (*AuthIdentity, error) {
	row := new(AuthIdentity)
	err := idb.NewSelect().Model(row).
		Where("tenant_id = ? AND provider = ? AND subject = ?", tenantID, provider, subject).Scan(ctx)
	return row, err
}

// AuthIdentityInsert links an identity; a second link of the same subject
// is a unique violation.
func AuthIdentityInsert(ctx context.Context, idb bun.IDB, row *AuthIdentity) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AuthIdentityTouch records a sign-in through an identity and its latest data.
func AuthIdentityTouch(ctx context.Context, idb bun.IDB, tenantID, id string, data json.RawMessage, at time.Time) error {
	_, err := idb.NewUpdate().Table("auth_identities").Set("last_sign_in_at = ?", at).Set("data = ?", data).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AuthIdentitiesOfUser lists a user's identities.
func AuthIdentitiesOfUser(ctx context.Context, idb bun.IDB, tenantID, userID string) ([]AuthIdentity, error) {
	rows := []AuthIdentity{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND user_id = ?", tenantID, userID).OrderExpr("created_at").Scan(ctx)
	return rows, err
}
