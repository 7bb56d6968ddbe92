package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// ObjectType is a row of object_types: a tenant-defined kind of object.
type ObjectType struct {
	bun.BaseModel `bun:"table:object_types"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	DisplayName   string    `bun:"display_name"`
	Description   string    `bun:"description"`
	CreatedBy     string    `bun:"created_by"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// ObjectProperty is a row of object_properties: a typed field of a type.
type ObjectProperty struct {
	bun.BaseModel `bun:"table:object_properties"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ObjectTypeID  string          `bun:"object_type_id"`
	Name          string          `bun:"name"`
	DataType      string          `bun:"data_type"`
	IsIndexed     bool            `bun:"is_indexed"`
	IsSortable    bool            `bun:"is_sortable"`
	IsUnique      bool            `bun:"is_unique"`
	IsRequired    bool            `bun:"is_required"`
	DefaultValue  json.RawMessage `bun:"default_value,type:jsonb,nullzero"`
	EnumValues    json.RawMessage `bun:"enum_values,type:jsonb,nullzero"`
	Description   string          `bun:"description"`
	Position      int             `bun:"position"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// ObjectTypeList returns a tenant's object types by name, at most limit.
func ObjectTypeList(ctx context.Context, idb bun.IDB, tenantID string, limit int64) ([]ObjectType, error) {
	rows := []ObjectType{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("name").Limit(limit).Scan(ctx)
	return rows, err
}

// ObjectTypeCount counts a tenant's object types.
func ObjectTypeCount(ctx context.Context, idb bun.IDB, tenantID string) (int64, error) {
	return idb.NewSelect().Model((*ObjectType)(nil)).Where("tenant_id = ?", tenantID).Count(ctx)
}

// ObjectTypeGet loads a type by id, or by name when byName. lock takes a row
// lock (FOR UPDATE) so schema changes of one type are serialized.
func ObjectTypeGet(ctx context.Context, idb bun.IDB, tenantID, ref string, byName, lock bool) (*ObjectType, error) {
	return getByRef[ObjectType](ctx, idb, tenantID, ref, byName, lock)
}

// ObjectTypeInsert inserts row.
func ObjectTypeInsert(ctx context.Context, idb bun.IDB, row *ObjectType) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectTypeUpdate writes the mutable columns of row.
func ObjectTypeUpdate(ctx context.Context, idb bun.IDB, row *ObjectType) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "display_name", "description", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectTypeDelete deletes a type; its properties go with it (cascade).
func ObjectTypeDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*ObjectType)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// LockObjectTypes serializes the creation of a tenant's object types for this
// transaction (so the per-tenant cap holds under concurrent creates).
func LockObjectTypes(ctx context.Context, idb bun.IDB, tenantID string) error {
	_, err := idb.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "object_types:"+tenantID).Exec(ctx)
	return err
}

// ObjectPropertyList returns a type's properties by position, at most limit.
func ObjectPropertyList(ctx context.Context, idb bun.IDB, tenantID, typeID string, limit int64) ([]ObjectProperty, error) {
	rows := []ObjectProperty{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).
		OrderExpr("position, id").Limit(limit).Scan(ctx)
	return rows, err
}

// ObjectPropertyGet loads a type's property by id, or by name when byName.
func ObjectPropertyGet(ctx context.Context, idb bun.IDB, tenantID, typeID, ref string, byName bool) (*ObjectProperty, error) {
	row := new(ObjectProperty)
	col := "id"
	if byName {
		col = "name"
	}
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).
		Where("? = ?", bun.Ident(col), ref).Scan(ctx)
	return row, err
}

// ObjectPropertyStats returns how many properties a type has and the next
// free position.
func ObjectPropertyStats(ctx context.Context, idb bun.IDB, tenantID, typeID string) (count, next int, err error) {
	err = idb.NewRaw(`SELECT count(*), COALESCE(max(position), 0) + 1 FROM object_properties
		WHERE tenant_id = ? AND object_type_id = ?`, tenantID, typeID).Scan(ctx, &count, &next)
	return count, next, err
}

// ObjectPropertyInsert inserts row.
func ObjectPropertyInsert(ctx context.Context, idb bun.IDB, row *ObjectProperty) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectPropertyUpdate writes the mutable columns of row (name and data
// type never change).
func ObjectPropertyUpdate(ctx context.Context, idb bun.IDB, row *ObjectProperty) error {
	_, err := idb.NewUpdate().Model(row).
		Column("is_indexed", "is_sortable", "is_unique", "is_required", "default_value", "enum_values", "description", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectPropertyDelete deletes a property of a type.
func ObjectPropertyDelete(ctx context.Context, idb bun.IDB, tenantID, typeID, id string) error {
	_, err := idb.NewDelete().Model((*ObjectProperty)(nil)).
		Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id).Exec(ctx)
	return err
}
