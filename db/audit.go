package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// AuditFilter selects a tenant's audit rows (GET /v1/audit-logs).
type AuditFilter struct {
	TenantID     string
	Action       string
	ResourceType string
	ResourceID   string
	ActorID      string
	From, To     *time.Time // created_at >= From, < To
	Limit        int
	Offset       int
}

func (f *AuditFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	q = q.Where("tenant_id = ?", f.TenantID)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ResourceType != "" {
		q = q.Where("resource_type = ?", f.ResourceType)
	}
	if f.ResourceID != "" {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	return q
}

// AuditList returns one page of matching rows, newest first, and how many
// match in all.
func AuditList(ctx context.Context, idb bun.IDB, f *AuditFilter) ([]AuditLog, int, error) {
	rows := []AuditLog{}
	q := f.apply(idb.NewSelect().Model(&rows)).OrderExpr("created_at DESC, id DESC").
		Limit(int64(f.Limit)).Offset(int64(f.Offset))
	total, err := q.ScanAndCount(ctx)
	return rows, int(total), err
}

// AuditPurgeBatch deletes up to limit of a tenant's rows created before
// cutoff, under the append-only trigger's purge flag (retention job only).
// It returns how many were deleted.
func AuditPurgeBatch(ctx context.Context, tx bun.Tx, tenantID string, cutoff time.Time, limit int) (int, error) {
	if _, err := tx.ExecContext(ctx, "SET LOCAL platform.audit_purge = 'on'"); err != nil {
		return 0, err
	}
	res, err := tx.NewRaw(`DELETE FROM audit_logs WHERE tenant_id = ? AND id IN (
		SELECT id FROM audit_logs WHERE tenant_id = ? AND created_at < ? ORDER BY created_at LIMIT ?)`,
		tenantID, tenantID, cutoff, limit).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
