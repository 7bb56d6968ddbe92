package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// ObjectExport is a row of object_exports: one export of a type's objects.
type ObjectExport struct {
	bun.BaseModel  `bun:"table:object_exports"`
	TenantID       string          `bun:"tenant_id,pk"`
	ID             string          `bun:"id,pk"`
	ObjectTypeID   string          `bun:"object_type_id"`
	ObjectTypeName string          `bun:"object_type_name"`
	Format         string          `bun:"format"`
	Filters        json.RawMessage `bun:"filters,type:jsonb,nullzero"`
	Status         string          `bun:"status"`
	Principal      json.RawMessage `bun:"principal,type:jsonb"`
	CreatedBy      string          `bun:"created_by"`
	RecordCount    int             `bun:"record_count"`
	SizeBytes      int64           `bun:"size_bytes"`
	ChunkCount     int             `bun:"chunk_count"`
	Truncated      bool            `bun:"truncated"`
	Error          *string         `bun:"error"`
	CreatedAt      time.Time       `bun:"created_at"`
	StartedAt      *time.Time      `bun:"started_at"`
	CompletedAt    *time.Time      `bun:"completed_at"`
	ExpiresAt      *time.Time      `bun:"expires_at"`
	PurgedAt       *time.Time      `bun:"purged_at"`
}

// ObjectExportChunk is one piece of an export's file.
type ObjectExportChunk struct {
	bun.BaseModel `bun:"table:object_export_chunks"`
	TenantID      string `bun:"tenant_id,pk"`
	ExportID      string `bun:"export_id,pk"`
	Seq           int    `bun:"seq,pk"`
	Data          []byte `bun:"data,type:bytea"`
}

// ObjectExportInsert inserts a new export row.
func ObjectExportInsert(ctx context.Context, idb bun.IDB, row *ObjectExport) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectExportGet loads an export of the tenant; lock takes its row lock.
func ObjectExportGet(ctx context.Context, idb bun.IDB, tenantID, id string, lock bool) (*ObjectExport, error) {
	row := new(ObjectExport)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if lock {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// ObjectExportUpdate writes the progress columns of row (status, counts,
// error and stamps).
func ObjectExportUpdate(ctx context.Context, idb bun.IDB, row *ObjectExport) error {
	_, err := idb.NewUpdate().Model(row).
		Column("status", "record_count", "size_bytes", "chunk_count", "truncated", "error",
			"started_at", "completed_at", "expires_at", "purged_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectExportChunkInsert stores one chunk of an export's file.
func ObjectExportChunkInsert(ctx context.Context, idb bun.IDB, row *ObjectExportChunk) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectExportChunkGet loads one chunk's bytes (downloads read one chunk at
// a time, never the whole file).
func ObjectExportChunkGet(ctx context.Context, idb bun.IDB, tenantID, exportID string, seq int) ([]byte, error) {
	var data []byte
	err := idb.NewSelect().Model((*ObjectExportChunk)(nil)).Column("data").
		Where("tenant_id = ? AND export_id = ? AND seq = ?", tenantID, exportID, seq).Scan(ctx, &data)
	return data, err
}

// ObjectExportChunksDelete deletes every chunk of an export (a retried or
// failed run starts from nothing).
func ObjectExportChunksDelete(ctx context.Context, idb bun.IDB, tenantID, exportID string) error {
	_, err := idb.NewDelete().Model((*ObjectExportChunk)(nil)).
		Where("tenant_id = ? AND export_id = ?", tenantID, exportID).Exec(ctx)
	return err
}

// ObjectExportPurgeExpired deletes the chunks of at most limit exports that
// expired by now (expires_at <= now) and marks them purged (in one statement); it returns
// how many exports it purged.
func ObjectExportPurgeExpired(ctx context.Context, idb bun.IDB, now time.Time, limit int) (int, error) {
	res, err := idb.NewRaw(`WITH expired AS (
		SELECT tenant_id, id FROM object_exports
		WHERE purged_at IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?
		FOR UPDATE SKIP LOCKED
	), dropped AS (
		DELETE FROM object_export_chunks c USING expired e
		WHERE c.tenant_id = e.tenant_id AND c.export_id = e.id
	)
	UPDATE object_exports x SET purged_at = ? FROM expired e
	WHERE x.tenant_id = e.tenant_id AND x.id = e.id`, now, limit, now).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ObjectExportDeleteOld deletes at most limit export rows created before
// cutoff (their chunks cascade); it returns how many it deleted.
func ObjectExportDeleteOld(ctx context.Context, idb bun.IDB, cutoff time.Time, limit int) (int, error) {
	res, err := idb.NewRaw(`DELETE FROM object_exports WHERE (tenant_id, id) IN (
		SELECT tenant_id, id FROM object_exports WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
		cutoff, limit).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ObjectUniqueTaken returns which of the given (property, value key) pairs
// are already claimed in the tenant (an import's pre-check: a row whose
// unique value is taken is that row's error).
func ObjectUniqueTaken(ctx context.Context, idb bun.IDB, tenantID string, propertyIDs, valueKeys []string) ([]ObjectUnique, error) {
	taken := []ObjectUnique{}
	if len(propertyIDs) == 0 {
		return taken, nil
	}
	err := idb.NewSelect().Model(&taken).Column("property_id", "value_key", "object_id").
		Where("tenant_id = ?", tenantID).
		Where("(property_id, value_key) IN (SELECT * FROM unnest(?::text[], ?::text[]))",
			pgdialect.Array(propertyIDs), pgdialect.Array(valueKeys)).
		Scan(ctx)
	return taken, err
}
