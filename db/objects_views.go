package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// ObjectView is a row of object_views: a saved filter, sort and column
// preset of an object type.
type ObjectView struct {
	bun.BaseModel `bun:"table:object_views"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ObjectTypeID  string          `bun:"object_type_id"`
	Name          string          `bun:"name"`
	Filters       json.RawMessage `bun:"filters,type:jsonb"`
	Sort          json.RawMessage `bun:"sort,type:jsonb,nullzero"`
	Columns       json.RawMessage `bun:"columns,type:jsonb"`
	IsDefault     bool            `bun:"is_default"`
	CreatedBy     string          `bun:"created_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// ObjectViewList returns the views of the given types by type, then name,
// at most limit (one type, or a batch of types for GraphQL).
func ObjectViewList(ctx context.Context, idb bun.IDB, tenantID string, typeIDs []string, limit int64) ([]ObjectView, error) {
	rows := []ObjectView{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		Where("object_type_id IN (?)", bun.In(typeIDs)).
		OrderExpr("object_type_id, name, id").Limit(limit).Scan(ctx)
	return rows, err
}

// ObjectViewCount counts a type's views.
func ObjectViewCount(ctx context.Context, idb bun.IDB, tenantID, typeID string) (int64, error) {
	return idb.NewSelect().Model((*ObjectView)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).Count(ctx)
}

// ObjectViewGet loads a view of a type by id.
func ObjectViewGet(ctx context.Context, idb bun.IDB, tenantID, typeID, id string) (*ObjectView, error) {
	row := new(ObjectView)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id).Scan(ctx)
	return row, err
}

// ObjectViewInsert inserts row.
func ObjectViewInsert(ctx context.Context, idb bun.IDB, row *ObjectView) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectViewUpdate writes the mutable columns of row.
func ObjectViewUpdate(ctx context.Context, idb bun.IDB, row *ObjectView) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "filters", "sort", "columns", "is_default", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectViewClearDefault unsets the default view of a type, but for
// exceptID, and returns the ids it changed.
func ObjectViewClearDefault(ctx context.Context, idb bun.IDB, tenantID, typeID, exceptID string, now time.Time) ([]string, error) {
	var ids []string
	err := idb.NewRaw(`UPDATE object_views SET is_default = false, updated_at = ?
		WHERE tenant_id = ? AND object_type_id = ? AND is_default AND id <> ? RETURNING id`,
		now, tenantID, typeID, exceptID).Scan(ctx, &ids)
	return ids, err
}

// ObjectViewDelete deletes a view of a type.
func ObjectViewDelete(ctx context.Context, idb bun.IDB, tenantID, typeID, id string) error {
	_, err := idb.NewDelete().Model((*ObjectView)(nil)).
		Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id).Exec(ctx)
	return err
}

// ObjectPropertyListForTypes returns the properties of several types, by
// type and position, at most limit (GraphQL batches ObjectType.properties).
func ObjectPropertyListForTypes(ctx context.Context, idb bun.IDB, tenantID string, typeIDs []string, limit int64) ([]ObjectProperty, error) {
	rows := []ObjectProperty{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		Where("object_type_id IN (?)", bun.In(typeIDs)).
		OrderExpr("object_type_id, position, id").Limit(limit).Scan(ctx)
	return rows, err
}
