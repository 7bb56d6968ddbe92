package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Object is a row of objects: one instance of a tenant-defined type, its
// values in a JSONB document.
type Object struct {
	bun.BaseModel `bun:"table:objects,alias:o"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ObjectTypeID  string          `bun:"object_type_id"`
	Properties    json.RawMessage `bun:"properties,type:jsonb"`
	Version       int             `bun:"version"`
	CreatedBy     string          `bun:"created_by"`
	UpdatedBy     string          `bun:"updated_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
	DeletedAt     *time.Time      `bun:"deleted_at"`
}

// ObjectVersion is a previous state of an object.
type ObjectVersion struct {
	bun.BaseModel `bun:"table:object_versions"`
	TenantID      string          `bun:"tenant_id,pk"`
	ObjectID      string          `bun:"object_id,pk"`
	Version       int             `bun:"version,pk"`
	Properties    json.RawMessage `bun:"properties,type:jsonb"`
	UpdatedBy     string          `bun:"updated_by"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// ObjectIndex is a typed index row of one property of one object; exactly
// one of the values is set (VNum holds an exact numeric literal).
type ObjectIndex struct {
	bun.BaseModel `bun:"table:object_index"`
	TenantID      string     `bun:"tenant_id,pk"`
	ObjectTypeID  string     `bun:"object_type_id"`
	PropertyID    string     `bun:"property_id,pk"`
	ObjectID      string     `bun:"object_id,pk"`
	VText         *string    `bun:"v_text"`
	VNum          *string    `bun:"v_num,type:numeric"`
	VTime         *time.Time `bun:"v_time"`
}

// ObjectUnique claims a value of an is_unique property for one object.
type ObjectUnique struct {
	bun.BaseModel `bun:"table:object_unique"`
	TenantID      string `bun:"tenant_id,pk"`
	PropertyID    string `bun:"property_id,pk"`
	ValueKey      string `bun:"value_key,pk"`
	ObjectID      string `bun:"object_id"`
}

// Index value columns of object_index (a fixed set: never user input).
const (
	IndexText = "v_text"
	IndexNum  = "v_num"
	IndexTime = "v_time"
)

// ObjectTypeKeyShare loads a type by id (or name when byName) and takes a
// KEY SHARE lock on it: object writes do not block each other, but a schema
// change of the type (which locks it FOR UPDATE) waits for them, and they
// for it, so the properties an object write validates against stay put.
func ObjectTypeKeyShare(ctx context.Context, idb bun.IDB, tenantID, ref string, byName bool) (*ObjectType, error) {
	row := new(ObjectType)
	col := "id"
	if byName {
		col = "name"
	}
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Where("? = ?", bun.Ident(col), ref).
		For("KEY SHARE").Scan(ctx)
	return row, err
}

// ObjectInsert inserts rows (one statement) and reads back their
// documents as stored (jsonb writes numbers in its own notation: 1.5e2 is
// 150), so answers match later reads.
func ObjectInsert(ctx context.Context, idb bun.IDB, rows []*Object) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Returning("properties").Exec(ctx)
	return err
}

// ObjectGet loads an object of a type, live or trashed; lock takes a row
// lock (FOR UPDATE) for writes.
func ObjectGet(ctx context.Context, idb bun.IDB, tenantID, typeID, id string, lock bool) (*Object, error) {
	row := new(Object)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id)
	if lock {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// ObjectsByID loads the live objects of a type among ids, in id order;
// lock takes their row locks in that order (so concurrent batches cannot
// deadlock).
func ObjectsByID(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, lock bool) ([]Object, error) {
	rows := []Object{}
	if len(ids) == 0 {
		return rows, nil
	}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).
		Where("id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").OrderExpr("id")
	if lock {
		q = q.For("UPDATE")
	}
	return rows, q.Scan(ctx)
}

// ObjectsExisting returns which of ids are live objects of the tenant.
func ObjectsExisting(ctx context.Context, idb bun.IDB, tenantID string, ids []string) ([]string, error) {
	found := []string{}
	if len(ids) == 0 {
		return found, nil
	}
	err := idb.NewSelect().Model((*Object)(nil)).Column("id").Where("tenant_id = ?", tenantID).
		Where("id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").Scan(ctx, &found)
	return found, err
}

// ObjectUpdate writes the document, version and update stamp of row, and
// reads the document back as stored.
func ObjectUpdate(ctx context.Context, idb bun.IDB, row *Object) error {
	_, err := idb.NewUpdate().Model(row).Column("properties", "version", "updated_by", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Returning("properties").Exec(ctx)
	return err
}

// ObjectSetDeleted moves an object to the trash (at set) or out of it (nil).
func ObjectSetDeleted(ctx context.Context, idb bun.IDB, tenantID, id string, at *time.Time) error {
	_, err := idb.NewUpdate().Model((*Object)(nil)).Set("deleted_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// ObjectDelete deletes an object for good; its versions, index rows and
// unique values go with it (cascade).
func ObjectDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*Object)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// ObjectCount counts a type's live objects, or its trashed ones when
// trash (each an index-only scan of a partial index).
func ObjectCount(ctx context.Context, idb bun.IDB, tenantID, typeID string, trash bool) (int, error) {
	q := idb.NewSelect().Model((*Object)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID)
	if trash {
		q = q.Where("deleted_at IS NOT NULL")
	} else {
		q = q.Where("deleted_at IS NULL")
	}
	n, err := q.Count(ctx)
	return int(n), err
}

// ObjectCountAll counts a type's objects, live and trashed.
func ObjectCountAll(ctx context.Context, idb bun.IDB, tenantID, typeID string) (int, error) {
	n, err := idb.NewSelect().Model((*Object)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).Count(ctx)
	return int(n), err
}

// ObjectVersionInsert stores previous states.
func ObjectVersionInsert(ctx context.Context, idb bun.IDB, rows []*ObjectVersion) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// ObjectVersionList returns an object's previous states, newest first.
func ObjectVersionList(ctx context.Context, idb bun.IDB, tenantID, objectID string, limit int) ([]ObjectVersion, error) {
	rows := []ObjectVersion{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_id = ?", tenantID, objectID).
		OrderExpr("version DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// ObjectIndexReplace deletes the index rows of the given objects and
// properties, then inserts rows (the new values of those properties).
func ObjectIndexReplace(ctx context.Context, idb bun.IDB, tenantID string, objectIDs, propertyIDs []string, rows []*ObjectIndex) error {
	if len(objectIDs) > 0 && len(propertyIDs) > 0 {
		_, err := idb.NewDelete().Model((*ObjectIndex)(nil)).Where("tenant_id = ?", tenantID).
			Where("object_id IN (?)", bun.In(objectIDs)).Where("property_id IN (?)", bun.In(propertyIDs)).Exec(ctx)
		if err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// ObjectUniqueRelease deletes the unique values of the given objects and
// properties.
func ObjectUniqueRelease(ctx context.Context, idb bun.IDB, tenantID string, objectIDs, propertyIDs []string) error {
	if len(objectIDs) == 0 || len(propertyIDs) == 0 {
		return nil
	}
	_, err := idb.NewDelete().Model((*ObjectUnique)(nil)).Where("tenant_id = ?", tenantID).
		Where("object_id IN (?)", bun.In(objectIDs)).Where("property_id IN (?)", bun.In(propertyIDs)).Exec(ctx)
	return err
}

// ObjectUniqueClaim inserts unique values and returns the rows it could
// not insert because the value is taken. ON CONFLICT DO NOTHING waits for
// a concurrent transaction holding the same value and then yields to it if
// it commits, so of concurrent claims exactly one wins; the transaction is
// not aborted, so the caller can name the property.
func ObjectUniqueClaim(ctx context.Context, idb bun.IDB, rows []*ObjectUnique) ([]*ObjectUnique, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var won []ObjectUnique
	err := idb.NewInsert().Model(&rows).On("CONFLICT (tenant_id, property_id, value_key) DO NOTHING").
		Returning("property_id, value_key").Scan(ctx, &won)
	if err != nil {
		return nil, err
	}
	got := make(map[[2]string]bool, len(won))
	for _, w := range won {
		got[[2]string{w.PropertyID, w.ValueKey}] = true
	}
	var lost []*ObjectUnique
	for _, r := range rows {
		if !got[[2]string{r.PropertyID, r.ValueKey}] {
			lost = append(lost, r)
		}
	}
	return lost, nil
}

// ObjectPage is one keyset page request over a type's objects.
type ObjectPage struct {
	TenantID, TypeID string
	// Trash lists soft-deleted objects instead of live ones.
	Trash bool
	// Column is the built-in sort column: created_at, updated_at, id or
	// deleted_at (a fixed set, never user input).
	Column string
	Desc   bool
	Limit  int
	// AfterTime and AfterID are the position of the last row of the
	// previous page (AfterTime unused when Column is id).
	AfterTime *time.Time
	AfterID   string
}

// ObjectSorted is an object with its value of the sort property.
type ObjectSorted struct {
	Object `bun:",extend"`
	VText  *string    `bun:"v_text"`
	VNum   *string    `bun:"v_num"`
	VTime  *time.Time `bun:"v_time"`
}

// PropertyPage is one keyset page request over a type's live objects
// sorted by an indexed property.
type PropertyPage struct {
	TenantID, TypeID, PropertyID string
	// Column is IndexText, IndexNum or IndexTime.
	Column string
	Desc   bool
	Limit  int
	// After is the last row's value (as text; nil: start) and AfterID its
	// object id.
	After   *string
	AfterID string
}
