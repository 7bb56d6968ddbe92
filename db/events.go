package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// AuditLog is a row of audit_logs.
type AuditLog struct {
	bun.BaseModel `bun:"table:audit_logs"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ActorType     string          `bun:"actor_type"`
	ActorID       string          `bun:"actor_id"`
	Action        string          `bun:"action"`
	ResourceType  string          `bun:"resource_type"`
	ResourceID    string          `bun:"resource_id"`
	Changes       json.RawMessage `bun:"changes,type:jsonb"`
	IP            string          `bun:"ip"`
	RequestID     string          `bun:"request_id"`
	CreatedAt     time.Time       `bun:"created_at"`
}

// AuditInsert appends audit rows in one statement.
func AuditInsert(ctx context.Context, idb bun.IDB, rows []AuditLog) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// AuditListByTenant returns a tenant's newest audit rows (tests, audit API).
func AuditListByTenant(ctx context.Context, idb bun.IDB, tenantID string, limit int) ([]AuditLog, error) {
	var rows []AuditLog
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// OutboxEvent is a row of outbox_events.
type OutboxEvent struct {
	bun.BaseModel `bun:"table:outbox_events"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	Topic         string          `bun:"topic"`
	Type          string          `bun:"type"`
	Payload       json.RawMessage `bun:"payload,type:jsonb"`
	CreatedAt     time.Time       `bun:"created_at"`
	PublishedAt   *time.Time      `bun:"published_at"`
}

// OutboxInsert writes events in the caller's transaction, in one statement.
func OutboxInsert(ctx context.Context, idb bun.IDB, rows []OutboxEvent) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// OutboxMarkPublished stamps events (tenantIDs[i], ids[i]) as delivered to
// pub/sub, in one statement.
func OutboxMarkPublished(ctx context.Context, idb bun.IDB, tenantIDs, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := idb.NewRaw(`UPDATE outbox_events AS o SET published_at = ?
		FROM unnest(?::text[], ?::text[]) AS v(tenant_id, id)
		WHERE o.tenant_id = v.tenant_id AND o.id = v.id`,
		at, pgdialect.Array(tenantIDs), pgdialect.Array(ids)).Exec(ctx)
	return err
}

// OutboxListUnpublished returns events older than before still unpublished.
func OutboxListUnpublished(ctx context.Context, idb bun.IDB, before time.Time, limit int) ([]OutboxEvent, error) {
	var rows []OutboxEvent
	err := idb.NewSelect().Model(&rows).Where("published_at IS NULL AND created_at < ?", before).
		OrderExpr("created_at").Limit(int64(limit)).Scan(ctx)
	return rows, err
}
