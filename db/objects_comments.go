package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ObjectComment is a row of object_comments: a note on an object, by its
// author (the principal's id).
type ObjectComment struct {
	bun.BaseModel `bun:"table:object_comments"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	ObjectID      string    `bun:"object_id"`
	AuthorID      string    `bun:"author_id"`
	Body          string    `bun:"body"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// ObjectCommentInsert inserts row.
func ObjectCommentInsert(ctx context.Context, idb bun.IDB, row *ObjectComment) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// ObjectCommentGet loads a comment of an object; lock takes its row lock.
func ObjectCommentGet(ctx context.Context, idb bun.IDB, tenantID, objectID, id string, lock bool) (*ObjectComment, error) {
	row := new(ObjectComment)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_id = ? AND id = ?", tenantID, objectID, id)
	if lock {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// ObjectCommentUpdate writes the body and updated_at of row.
func ObjectCommentUpdate(ctx context.Context, idb bun.IDB, row *ObjectComment) error {
	_, err := idb.NewUpdate().Model(row).Column("body", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Exec(ctx)
	return err
}

// ObjectCommentDelete deletes a comment.
func ObjectCommentDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*ObjectComment)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// CommentPage is one keyset page request over an object's comments by
// (created_at, id), newest first unless Asc.
type CommentPage struct {
	TenantID, ObjectID string
	Asc                bool
	AfterTime          *time.Time
	AfterID            string
	Limit              int
}

// ObjectCommentList returns a page of an object's comments.
func ObjectCommentList(ctx context.Context, idb bun.IDB, pg CommentPage) ([]ObjectComment, error) {
	rows := []ObjectComment{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_id = ?", pg.TenantID, pg.ObjectID)
	cmp, order := "<", "created_at DESC, id DESC"
	if pg.Asc {
		cmp, order = ">", "created_at, id"
	}
	if pg.AfterTime != nil {
		q = q.Where("(created_at, id) "+cmp+" (?, ?)", *pg.AfterTime, pg.AfterID)
	}
	err := q.OrderExpr(order).Limit(int64(pg.Limit)).Scan(ctx)
	return rows, err
}

// ObjectCommentCount counts an object's comments.
func ObjectCommentCount(ctx context.Context, idb bun.IDB, tenantID, objectID string) (int, error) {
	n, err := idb.NewSelect().Model((*ObjectComment)(nil)).Where("tenant_id = ? AND object_id = ?", tenantID, objectID).Count(ctx)
	return int(n), err
}
