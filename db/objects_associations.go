package db

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// ObjectAssociation is a row of object_associations: a typed link from one
// object to another, with a small JSON meta.
type ObjectAssociation struct {
	bun.BaseModel   `bun:"table:object_associations,alias:a"`
	TenantID        string          `bun:"tenant_id,pk"`
	ID              string          `bun:"id,pk"`
	AssociationType string          `bun:"association_type"`
	FromTypeID      string          `bun:"from_type_id"`
	FromID          string          `bun:"from_id"`
	ToTypeID        string          `bun:"to_type_id"`
	ToID            string          `bun:"to_id"`
	Meta            json.RawMessage `bun:"meta,type:jsonb"`
	CreatedBy       string          `bun:"created_by"`
	CreatedAt       time.Time       `bun:"created_at"`
	UpdatedAt       time.Time       `bun:"updated_at"`
	// Direction is set by lists: outgoing or incoming, seen from the
	// listed object.
	Direction string `bun:"direction,scanonly"`
	// Inserted is set by the upsert: whether the row is new.
	Inserted bool `bun:"inserted,scanonly"`
}

// ObjectAssociationUpsert inserts row, or when the same association (from,
// type, to) exists, replaces its meta and updated_at, keeping its id,
// created_by and created_at. It reads the stored row back into row, with
// Inserted telling which happened (xmax is 0 only on a fresh insert). One
// statement: concurrent PUTs of the same association cannot both insert.
func ObjectAssociationUpsert(ctx context.Context, idb bun.IDB, row *ObjectAssociation) error {
	return idb.NewRaw(`INSERT INTO object_associations AS a (tenant_id, id, association_type, from_type_id, from_id,
			to_type_id, to_id, meta, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, from_id, association_type, to_id)
		DO UPDATE SET meta = EXCLUDED.meta, updated_at = EXCLUDED.updated_at
		RETURNING a.*, (a.xmax = 0) AS inserted`,
		row.TenantID, row.ID, row.AssociationType, row.FromTypeID, row.FromID, row.ToTypeID, row.ToID,
		string(row.Meta), row.CreatedBy, row.CreatedAt, row.UpdatedAt).Scan(ctx, row)
}

// ObjectAssociationDelete deletes the association (from, type, to) when both
// its ends are live objects of the given types, and returns it (sql.ErrNoRows
// when there is none: a hidden association is not found either).
func ObjectAssociationDelete(ctx context.Context, idb bun.IDB, tenantID, fromTypeID, fromID, assocType, toTypeID, toID string) (*ObjectAssociation, error) {
	row := new(ObjectAssociation)
	err := idb.NewRaw(`DELETE FROM object_associations a
		WHERE a.tenant_id = ? AND a.from_id = ? AND a.association_type = ? AND a.to_id = ?
		AND a.from_type_id = ? AND a.to_type_id = ?
		AND EXISTS (SELECT 1 FROM objects o WHERE o.tenant_id = a.tenant_id AND o.id = a.from_id AND o.deleted_at IS NULL)
		AND EXISTS (SELECT 1 FROM objects o WHERE o.tenant_id = a.tenant_id AND o.id = a.to_id AND o.deleted_at IS NULL)
		RETURNING a.*`, tenantID, fromID, assocType, toID, fromTypeID, toTypeID).Scan(ctx, row)
	return row, err
}

// AssociationPage is one keyset page request over an object's
// associations, oldest first by (created_at, id).
type AssociationPage struct {
	TenantID, ObjectID string
	Outgoing, Incoming bool
	// AssociationType filters by type when set.
	AssociationType string
	// OtherTypeID filters by the type of the other end when set (the to
	// end of outgoing associations, the from end of incoming ones).
	OtherTypeID string
	// VisibleEnds, when set, keeps only the associations whose other end
	// (alias o) matches it: an end user's readable objects.
	VisibleEnds Condition
	// AfterTime and AfterID: the page starts strictly after this position.
	AfterTime *time.Time
	AfterID   string
	Limit     int
}

// assocPart builds the SELECT of one direction: the associations whose
// other end is a live object. The self-association (from = to) is listed
// once, as outgoing, when both directions are asked.
func (pg AssociationPage) assocPart(outgoing, count bool) (string, []any) {
	self, other, otherType, dir := "from_id", "to_id", "to_type_id", "outgoing"
	if !outgoing {
		self, other, otherType, dir = "to_id", "from_id", "from_type_id", "incoming"
	}
	var sb strings.Builder
	args := []any{}
	if count {
		sb.WriteString("SELECT count(*) AS n")
	} else {
		sb.WriteString("SELECT a.*, '" + dir + "' AS direction")
	}
	sb.WriteString(" FROM object_associations a JOIN objects o ON o.tenant_id = a.tenant_id AND o.id = a." + other +
		" AND o.deleted_at IS NULL WHERE a.tenant_id = ? AND a." + self + " = ?")
	args = append(args, pg.TenantID, pg.ObjectID)
	if !outgoing && pg.Outgoing {
		sb.WriteString(" AND a.from_id <> ?")
		args = append(args, pg.ObjectID)
	}
	if pg.AssociationType != "" {
		sb.WriteString(" AND a.association_type = ?")
		args = append(args, pg.AssociationType)
	}
	if pg.OtherTypeID != "" {
		sb.WriteString(" AND a." + otherType + " = ?")
		args = append(args, pg.OtherTypeID)
	}
	if pg.VisibleEnds.SQL != "" {
		sb.WriteString(" AND (" + pg.VisibleEnds.SQL + ")")
		args = append(args, pg.VisibleEnds.Args...)
	}
	if count {
		return sb.String(), args
	}
	if pg.AfterTime != nil {
		sb.WriteString(" AND (a.created_at, a.id) > (?, ?)")
		args = append(args, *pg.AfterTime, pg.AfterID)
	}
	sb.WriteString(" ORDER BY a.created_at, a.id LIMIT ?")
	args = append(args, pg.Limit)
	return sb.String(), args
}

func (pg AssociationPage) parts(count bool) ([]string, []any) {
	var parts []string
	var args []any
	for _, out := range []bool{true, false} {
		if (out && !pg.Outgoing) || (!out && !pg.Incoming) {
			continue
		}
		q, a := pg.assocPart(out, count)
		parts = append(parts, "("+q+")")
		args = append(args, a...)
	}
	return parts, args
}

// ObjectAssociationList returns a page of an object's associations: each
// direction is an ordered, limited index walk, merged.
func ObjectAssociationList(ctx context.Context, idb bun.IDB, pg AssociationPage) ([]ObjectAssociation, error) {
	rows := []ObjectAssociation{}
	parts, args := pg.parts(false)
	if len(parts) == 0 {
		return rows, nil
	}
	q := "SELECT * FROM (" + strings.Join(parts, " UNION ALL ") + ") x ORDER BY created_at, id LIMIT ?"
	args = append(args, pg.Limit)
	err := idb.NewRaw(q, args...).Scan(ctx, &rows)
	return rows, err
}

// ObjectAssociationCount counts what ObjectAssociationList pages through.
func ObjectAssociationCount(ctx context.Context, idb bun.IDB, pg AssociationPage) (int, error) {
	parts, args := pg.parts(true)
	if len(parts) == 0 {
		return 0, nil
	}
	var n int
	err := idb.NewRaw("SELECT coalesce(sum(n), 0)::int FROM ("+strings.Join(parts, " UNION ALL ")+") x", args...).Scan(ctx, &n)
	return n, err
}

// ObjectAssociationEndTypes returns the types of the objects at the other
// end of the given objects' associations (both directions).
func ObjectAssociationEndTypes(ctx context.Context, idb bun.IDB, tenantID string, objectIDs []string) ([]string, error) {
	types := []string{}
	err := idb.NewRaw(`SELECT to_type_id FROM object_associations WHERE tenant_id = ? AND from_id IN (?)
		UNION SELECT from_type_id FROM object_associations WHERE tenant_id = ? AND to_id IN (?)`,
		tenantID, bun.In(objectIDs), tenantID, bun.In(objectIDs)).Scan(ctx, &types)
	return types, err
}
