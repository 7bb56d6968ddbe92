package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
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

// AuditInsert appends one audit row.
func AuditInsert(ctx context.Context, idb bun.IDB, row *AuditLog) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
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

// OutboxInsert writes one event in the caller's transaction.
func OutboxInsert(ctx context.Context, idb bun.IDB, row *OutboxEvent) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// OutboxMarkPublished stamps an event as delivered to pub/sub.
func OutboxMarkPublished(ctx context.Context, idb bun.IDB, tenantID, id string, at time.Time) error {
	_, err := idb.NewUpdate().Table("outbox_events").Set("published_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// OutboxListUnpublished returns events older than before still unpublished.
func OutboxListUnpublished(ctx context.Context, idb bun.IDB, before time.Time, limit int) ([]OutboxEvent, error) {
	var rows []OutboxEvent
	err := idb.NewSelect().Model(&rows).Where("published_at IS NULL AND created_at < ?", before).
		OrderExpr("created_at").Limit(int64(limit)).Scan(ctx)
	return rows, err
}
