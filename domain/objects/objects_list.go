package objects

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Lists of objects are keyset pages: the cursor holds the sort value and
// id of the last row (signed, so it cannot be forged or reused on another
// list), and the next page starts strictly after it, so inserts and
// deletes between pages cause neither duplicates nor gaps.

// ListObjectsInput is GET /v1/objects/:object_type_id/list.
type ListObjectsInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	Limit        int    `query:"limit" json:"-"`
	Cursor       string `query:"cursor" json:"-"`
	// Sort is created_at (default), updated_at, id or an is_sortable
	// property's name.
	Sort string `query:"sort" json:"-"`
	// Order is asc or desc (default: desc for created_at and updated_at,
	// asc otherwise).
	Order string `query:"order" json:"-"`
	// Total is auto (default: exact up to a cap, then an estimate flagged
	// total_is_estimate) or exact.
	Total string `query:"total" json:"-"`
}

// TrashInput is GET /v1/objects/:object_type_id/trash.
type TrashInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	Limit        int    `query:"limit" json:"-"`
	Cursor       string `query:"cursor" json:"-"`
}

// position is a cursor's content: the last row's sort value (nil for the
// id sort, and for rows without a value of the sort property) and id.
type position struct {
	V  *string `json:"v"`
	ID string  `json:"id"`
}

// listSort is a resolved sort.
type listSort struct {
	name   string    // for the cursor's scope
	column string    // built-in column, or "" for a property
	prop   *Property // the sort property
	desc   bool
}

func (s *Service) resolveSort(ctx context.Context, tenantID, typeID, sort, order string) (listSort, error) {
	ls := listSort{name: sort, column: sort}
	switch sort {
	case "", "created_at", "updated_at":
		if sort == "" {
			ls.name, ls.column = "created_at", "created_at"
		}
		ls.desc = true
	case "id":
	default:
		props, err := s.properties(ctx, s.core.DB, tenantID, typeID)
		if err != nil {
			return ls, err
		}
		ls.column = ""
		for i := range props {
			if props[i].Name == sort {
				ls.prop = &props[i]
			}
		}
		if ls.prop == nil {
			return ls, domain.Invalid("sort", "must be created_at, updated_at, id or a sortable property of the type")
		}
		if !ls.prop.IsSortable {
			return ls, domain.Invalid("sort", "names a property that is not sortable (set is_sortable on it)")
		}
		ls.name = ls.prop.ID
	}
	switch order {
	case "":
	case "asc":
		ls.desc = false
	case "desc":
		ls.desc = true
	default:
		return ls, domain.Invalid("order", "must be asc or desc")
	}
	return ls, nil
}

func (s *Service) decodePosition(scope, cursor string) (*position, error) {
	raw, err := domain.DecodeCursor(s.core.Secret, scope, cursor)
	if err != nil || raw == "" {
		return nil, err
	}
	var pos position
	if json.Unmarshal([]byte(raw), &pos) != nil || pos.ID == "" {
		return nil, domain.Errorf(domain.CodeBadRequest, "Invalid cursor.")
	}
	return &pos, nil
}

func (s *Service) encodePosition(scope string, pos position) *string {
	raw, _ := json.Marshal(pos)
	c := domain.EncodeCursor(s.core.Secret, scope, string(raw))
	return &c
}

// ListObjects returns a page of a type's live objects with the total.
// Errors: NOT_FOUND (type), VALIDATION_FAILED (sort, order), BAD_REQUEST
// (a forged or foreign cursor).
func (s *Service) ListObjects(ctx context.Context, in ListObjectsInput) (domain.Page[Object], error) {
	p, t, r, err := s.readType(ctx, in.ObjectTypeID)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	ls, err := s.resolveSort(ctx, p.TenantID, t.ID, in.Sort, in.Order)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	exact, err := parseTotalMode(in.Total)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	dir := "asc"
	if ls.desc {
		dir = "desc"
	}
	scope := "objects:" + p.TenantID + ":" + t.ID + ":" + ls.name + ":" + dir
	return s.runPage(ctx, p.TenantID, t.ID, ls, scope, in.Cursor, in.Limit, r.where(), exact)
}

// runPage fetches one keyset page of a type's live objects matching cond
// (none: the list) in the order of ls, with the total of the matching set
// (exact: counted in full, else exact up to a cap; see pageTotal). Lists
// and searches share it.
func (s *Service) runPage(ctx context.Context, tenantID, typeID string, ls listSort, scope, cursor string, limit int, cond db.Condition, exact bool) (domain.Page[Object], error) {
	pos, err := s.decodePosition(scope, cursor)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	limit = domain.ClampLimit(limit)
	var objs []Object
	var last []position
	if ls.prop != nil {
		objs, last, err = s.pageByProperty(ctx, tenantID, typeID, ls, pos, limit, cond)
	} else {
		objs, last, err = s.pageByColumn(ctx, db.ObjectPage{TenantID: tenantID, TypeID: typeID,
			Column: ls.column, Desc: ls.desc, Limit: limit + 1}, pos, cond)
	}
	if err != nil {
		return domain.Page[Object]{}, err
	}
	total, estimate, err := s.pageTotal(ctx, tenantID, typeID, cond, exact)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	pg := s.page(scope, objs, last, limit, total)
	pg.TotalIsEstimate = estimate
	return pg, nil
}

// page trims a limit+1 fetch to limit and signs the next cursor.
func (s *Service) page(scope string, objs []Object, last []position, limit, total int) domain.Page[Object] {
	out := domain.Page[Object]{Results: objs, Total: total}
	if len(objs) > limit {
		out.Results = objs[:limit]
		out.NextCursor = s.encodePosition(scope, last[limit-1])
	}
	if out.Results == nil {
		out.Results = []Object{}
	}
	return out
}

// pageByColumn fetches a page sorted by a built-in column, narrowed by
// cond.
func (s *Service) pageByColumn(ctx context.Context, pg db.ObjectPage, pos *position, cond db.Condition) ([]Object, []position, error) {
	if pos != nil {
		pg.AfterID = pos.ID
		if pg.Column != "id" {
			if pos.V == nil {
				return nil, nil, domain.Errorf(domain.CodeBadRequest, "Invalid cursor.")
			}
			t, err := time.Parse(time.RFC3339Nano, *pos.V)
			if err != nil {
				return nil, nil, domain.Errorf(domain.CodeBadRequest, "Invalid cursor.")
			}
			pg.AfterTime = &t
		}
	}
	rows, err := db.ObjectSearchPage(ctx, s.core.DB, pg, cond)
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	objs := make([]Object, len(rows))
	last := make([]position, len(rows))
	for i := range rows {
		objs[i] = objectFromRow(&rows[i])
		last[i] = position{ID: rows[i].ID}
		var at time.Time
		switch pg.Column {
		case "created_at":
			at = rows[i].CreatedAt
		case "updated_at":
			at = rows[i].UpdatedAt
		case "deleted_at":
			at = *rows[i].DeletedAt
		default:
			continue
		}
		v := at.UTC().Format(time.RFC3339Nano)
		last[i].V = &v
	}
	return objs, last, nil
}

// pageByProperty fetches a page sorted by a sortable property: first the
// objects with a value (walking the property's index), then, once those
// are exhausted, the objects without one, by id; narrowed by cond.
func (s *Service) pageByProperty(ctx context.Context, tenantID, typeID string, ls listSort, pos *position, limit int, cond db.Condition) ([]Object, []position, error) {
	pg := db.PropertyPage{TenantID: tenantID, TypeID: typeID, PropertyID: ls.prop.ID,
		Column: indexColumn(ls.prop.DataType), Desc: ls.desc, Limit: limit + 1}
	var objs []Object
	var last []position
	if pos == nil || pos.V != nil {
		if pos != nil {
			pg.After, pg.AfterID = pos.V, pos.ID
		}
		rows, err := db.PropertySearchValued(ctx, s.core.DB, pg, cond)
		if err != nil {
			return nil, nil, domain.Internal(err)
		}
		for i := range rows {
			objs = append(objs, objectFromRow(&rows[i].Object))
			last = append(last, position{V: sortedValue(&rows[i]), ID: rows[i].ID})
		}
	}
	if len(objs) > limit {
		return objs, last, nil
	}
	pg.After, pg.AfterID, pg.Limit = nil, "", limit+1-len(objs)
	if pos != nil && pos.V == nil {
		pg.AfterID = pos.ID
	}
	rows, err := db.PropertySearchUnvalued(ctx, s.core.DB, pg, cond)
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	for i := range rows {
		objs = append(objs, objectFromRow(&rows[i]))
		last = append(last, position{ID: rows[i].ID})
	}
	return objs, last, nil
}

func sortedValue(r *db.ObjectSorted) *string {
	switch {
	case r.VText != nil:
		return r.VText
	case r.VNum != nil:
		return r.VNum
	case r.VTime != nil:
		v := r.VTime.UTC().Format(time.RFC3339Nano)
		return &v
	}
	return nil
}

// ListTrash returns a page of a type's trashed objects, the most recently
// deleted first, with their total. Errors: NOT_FOUND (type), BAD_REQUEST
// (cursor).
func (s *Service) ListTrash(ctx context.Context, in TrashInput) (domain.Page[Object], error) {
	p, t, r, err := s.readType(ctx, in.ObjectTypeID)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	scope := "objects-trash:" + p.TenantID + ":" + t.ID
	pos, err := s.decodePosition(scope, in.Cursor)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	limit := domain.ClampLimit(in.Limit)
	objs, last, err := s.pageByColumn(ctx, db.ObjectPage{TenantID: p.TenantID, TypeID: t.ID, Trash: true,
		Column: "deleted_at", Desc: true, Limit: limit + 1}, pos, r.where())
	if err != nil {
		return domain.Page[Object]{}, err
	}
	total, err := db.ObjectTrashCount(ctx, s.core.DB, p.TenantID, t.ID, r.where())
	if err != nil {
		return domain.Page[Object]{}, domain.Internal(err)
	}
	return s.page(scope, objs, last, limit, total), nil
}

// VersionsInput is GET /v1/objects/:object_type_id/:object_id/versions.
type VersionsInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ObjectID     string `path:"object_id" json:"-"`
	// Limit caps the answer (default and maximum 1,000: a bare list).
	Limit int `query:"limit" json:"-"`
}

// ObjectVersion is a previous state of an object.
type ObjectVersion struct {
	Version    int             `json:"version"`
	Properties json.RawMessage `json:"properties"`
	UpdatedAt  time.Time       `json:"updated_at"`
	UpdatedBy  string          `json:"updated_by"`
}

// maxVersions caps the bare list of versions.
const maxVersions = 1000

// ListVersions returns the previous states of a live object, newest first
// (a bare list). Errors: NOT_FOUND (also for a trashed object).
func (s *Service) ListVersions(ctx context.Context, in VersionsInput) ([]ObjectVersion, error) {
	p, t, r, err := s.readType(ctx, in.ObjectTypeID)
	if err != nil {
		return nil, err
	}
	row, err := s.loadObject(ctx, s.core.DB, p.TenantID, t.ID, in.ObjectID, false)
	if err != nil {
		return nil, err
	}
	if row.DeletedAt != nil {
		return nil, domain.NotFound("Object")
	}
	if err := s.visibleObject(ctx, s.core.DB, row, r); err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 || limit > maxVersions {
		limit = maxVersions
	}
	rows, err := db.ObjectVersionList(ctx, s.core.DB, p.TenantID, row.ID, limit)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]ObjectVersion, len(rows))
	for i, r := range rows {
		out[i] = ObjectVersion{Version: r.Version, Properties: r.Properties, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
	}
	return out, nil
}

// countObjects counts a type's objects, live and trashed (what deleting
// the type would take with it).
func countObjects(ctx context.Context, idb bun.IDB, tenantID, typeID string) (int, error) {
	return db.ObjectCountAll(ctx, idb, tenantID, typeID)
}

// dbObjectsByID reads live objects of a type by id, keyed by id.
func dbObjectsByID(ctx context.Context, s *Service, tenantID, typeID string, ids []string) (map[string]Object, error) {
	rows, err := db.ObjectsByID(ctx, s.core.DB, tenantID, typeID, ids, false)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make(map[string]Object, len(rows))
	for i := range rows {
		out[rows[i].ID] = objectFromRow(&rows[i])
	}
	return out, nil
}
