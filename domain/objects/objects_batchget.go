package objects

import (
	"strings"
	"time"

	"context"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// ObjectsByID reads live objects of the caller's tenant by id, of any type,
// keyed by id, in one query (GraphQL's per-operation loader of association
// ends). Ids that are unknown, foreign or trashed are absent from the map.
// Errors: UNAUTHORIZED/FORBIDDEN (read scope).
func (s *Service) ObjectsByID(ctx context.Context, ids []string) (map[string]Object, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Object, len(ids))
	// An end user gets only the objects its permissions and select
	// policies let it see; the others are absent, as unknown ids.
	if ids, err = s.readableOnly(ctx, p, ids); err != nil || len(ids) == 0 {
		return out, err
	}
	rows := []db.Object{}
	err = s.core.DB.NewSelect().Model(&rows).Where("tenant_id = ?", p.TenantID).
		Where("id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, domain.Internal(err)
	}
	for i := range rows {
		out[rows[i].ID] = objectFromRow(&rows[i])
	}
	return out, nil
}

// AssociationsOfObjectsInput names the objects whose associations
// AssociationsOfObjects lists, with ListAssociations' filters.
type AssociationsOfObjectsInput struct {
	IDs             []string
	Direction       string // outgoing, incoming, or both ("")
	AssociationType string
	Limit           int
}

// AssociationsOfObjects lists the first page (oldest first, other end live)
// of each object's associations in one query, with each one's total and
// the cursor of its next page (as ListAssociations would answer it for
// that object). The objects are assumed live (callers list them first);
// ids of no association answer an empty page. Errors: the read scope,
// VALIDATION_FAILED (direction, association_type).
func (s *Service) AssociationsOfObjects(ctx context.Context, in AssociationsOfObjectsInput) (map[string]domain.Page[Association], error) {
	p, err := objectReader(ctx)
	if err != nil {
		return nil, err
	}
	outgoing, incoming := true, true
	switch in.Direction {
	case "", "both":
		in.Direction = "both"
	case "outgoing":
		incoming = false
	case "incoming":
		outgoing = false
	default:
		return nil, domain.Invalid("direction", "must be outgoing, incoming or both")
	}
	typeCond := ""
	if in.AssociationType != "" {
		if err := checkAssociationType("association_type", in.AssociationType); err != nil {
			return nil, err
		}
		typeCond = " AND a.association_type = ?"
	}
	out := make(map[string]domain.Page[Association], len(in.IDs))
	for _, id := range in.IDs {
		out[id] = domain.Page[Association]{Results: []Association{}}
	}
	if in.IDs, err = s.readableOnly(ctx, p, in.IDs); err != nil || len(in.IDs) == 0 {
		return out, err
	}
	visible, err := s.visibleEnds(ctx, p, in.IDs)
	if err != nil {
		return nil, err
	}
	if visible.SQL != "" {
		visible.SQL = " AND (" + visible.SQL + ")"
	}
	var parts []string
	var args []any
	part := func(dir, me, other, extra string) {
		parts = append(parts, "(SELECT a.*, '"+dir+"' AS direction, a."+me+" AS me FROM object_associations a"+
			" JOIN objects o ON o.tenant_id = a.tenant_id AND o.id = a."+other+" AND o.deleted_at IS NULL"+
			" WHERE a.tenant_id = ? AND a."+me+" IN (?)"+extra+typeCond+visible.SQL+")")
		args = append(args, p.TenantID, bun.In(in.IDs))
		if in.AssociationType != "" {
			args = append(args, in.AssociationType)
		}
		args = append(args, visible.Args...)
	}
	if outgoing {
		part("outgoing", "from_id", "to_id", "")
	}
	if incoming {
		part("incoming", "to_id", "from_id", " AND a.from_id <> a.to_id")
	}
	limit := domain.ClampLimit(in.Limit)
	q := "SELECT * FROM (SELECT x.*, row_number() OVER (PARTITION BY x.me ORDER BY x.created_at, x.id) AS rn," +
		" count(*) OVER (PARTITION BY x.me) AS total FROM (" + strings.Join(parts, " UNION ALL ") + ") x) y" +
		" WHERE rn <= ? ORDER BY me, created_at, id"
	args = append(args, limit+1)
	type row struct {
		db.ObjectAssociation
		Me    string `bun:"me,scanonly"`
		RN    int    `bun:"rn,scanonly"`
		Total int    `bun:"total,scanonly"`
	}
	rows := []row{}
	if err := s.core.DB.NewRaw(q, args...).Scan(ctx, &rows); err != nil {
		return nil, domain.Internal(err)
	}
	for i := range rows {
		r := &rows[i]
		pg := out[r.Me]
		pg.Total = r.Total
		if r.RN > limit {
			last := pg.Results[len(pg.Results)-1]
			v := last.CreatedAt.UTC().Format(time.RFC3339Nano)
			scope := "associations:" + p.TenantID + ":" + r.Me + ":" + in.Direction + ":" + in.AssociationType + ":"
			pg.NextCursor = s.encodePosition(scope, position{V: &v, ID: last.ID})
		} else {
			pg.Results = append(pg.Results, associationFromRow(&r.ObjectAssociation))
		}
		out[r.Me] = pg
	}
	return out, nil
}
