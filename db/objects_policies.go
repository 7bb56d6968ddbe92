package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// ObjectPolicy is a row of object_policies: a row-level policy of an object
// type for one action.
type ObjectPolicy struct {
	bun.BaseModel `bun:"table:object_policies"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ObjectTypeID  string          `bun:"object_type_id"`
	Name          string          `bun:"name"`
	Action        string          `bun:"action"`
	Role          *string         `bun:"role"`
	ConditionJSON json.RawMessage `bun:"condition_json,type:jsonb"`
	Enabled       bool            `bun:"enabled"`
	CreatedBy     string          `bun:"created_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// ObjectPolicyList returns a type's policies by name, at most limit.
func ObjectPolicyList(ctx context.Context, idb bun.IDB, tenantID, typeID string, limit int) ([]ObjectPolicy, error) {
	rows := []ObjectPolicy{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).
		OrderExpr("name, id").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// ObjectPolicyEnabled returns the enabled policies of a type for one action,
// by id (the order simulations report matches in).
func ObjectPolicyEnabled(ctx context.Context, idb bun.IDB, tenantID, typeID, action string) ([]ObjectPolicy, error) {
	rows := []ObjectPolicy{}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND object_type_id = ? AND action = ? AND enabled", tenantID, typeID, action).
		OrderExpr("id").Scan(ctx)
	return rows, err
}

// ObjectPolicyCount counts a type's policies.
func ObjectPolicyCount(ctx context.Context, idb bun.IDB, tenantID, typeID string) (int, error) {
	n, err := idb.NewSelect().Model((*ObjectPolicy)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).Count(ctx)
	return int(n), err
}

// ObjectPolicyGet loads a policy of a type by id.
func ObjectPolicyGet(ctx context.Context, idb bun.IDB, tenantID, typeID, id string) (*ObjectPolicy, error) {
	row := new(ObjectPolicy)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id).Scan(ctx)
	return row, err
}

// ObjectPolicyInsert inserts row.
func ObjectPolicyInsert(ctx context.Context, idb bun.IDB, row *ObjectPolicy) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectPolicyUpdate writes the mutable columns of row.
func ObjectPolicyUpdate(ctx context.Context, idb bun.IDB, row *ObjectPolicy) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "action", "role", "condition_json", "enabled", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectPolicyDelete deletes a policy.
func ObjectPolicyDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*ObjectPolicy)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// ObjectsMatching returns which of ids are objects of a type (live, or in
// the trash when trash is set) that satisfy cond: the row-level checks of
// single objects (get, update, delete) and of batches, through the same
// compiled condition as lists.
func ObjectsMatching(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, trash bool, cond Condition) ([]string, error) {
	out := []string{}
	if len(ids) == 0 {
		return out, nil
	}
	q := idb.NewSelect().Model((*Object)(nil)).Column("o.id").
		Where("o.tenant_id = ? AND o.object_type_id = ?", tenantID, typeID).Where("o.id IN (?)", bun.In(ids))
	if trash {
		q = q.Where("o.deleted_at IS NOT NULL")
	} else {
		q = q.Where("o.deleted_at IS NULL")
	}
	return out, where(q, cond).Scan(ctx, &out)
}

// ObjectTrashCount counts a type's trashed objects matching cond.
func ObjectTrashCount(ctx context.Context, idb bun.IDB, tenantID, typeID string, cond Condition) (int, error) {
	q := idb.NewSelect().Model((*Object)(nil)).
		Where("o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NOT NULL", tenantID, typeID)
	n, err := where(q, cond).Count(ctx)
	return int(n), err
}

// ObjectTypesOf groups the live objects among ids by their type.
func ObjectTypesOf(ctx context.Context, idb bun.IDB, tenantID string, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID           string `bun:"id"`
		ObjectTypeID string `bun:"object_type_id"`
	}
	err := idb.NewSelect().Model((*Object)(nil)).Column("o.id", "o.object_type_id").
		Where("o.tenant_id = ? AND o.id IN (?) AND o.deleted_at IS NULL", tenantID, bun.In(ids)).Scan(ctx, &rows)
	for _, r := range rows {
		out[r.ObjectTypeID] = append(out[r.ObjectTypeID], r.ID)
	}
	return out, err
}
