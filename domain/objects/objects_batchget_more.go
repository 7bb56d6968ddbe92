package objects

import (
	"context"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Batched reads of per-object lists for GraphQL's per-operation loaders:
// listing n objects with their versions or comments costs one query for
// each field rather than n (the answers are what ListVersions and
// ListComments give for each object).

// VersionsOfObjectsInput names the objects whose versions VersionsOfObjects
// lists, and ListVersions' limit.
type VersionsOfObjectsInput struct {
	IDs   []string
	Limit int
}

// VersionsOfObjects returns the newest Limit (default and maximum 1,000)
// previous states of each live object among IDs, newest first, in one
// query. Unknown, foreign, trashed or (for an end user) unreadable ids
// answer an empty list. Errors: the read scope.
func (s *Service) VersionsOfObjects(ctx context.Context, in VersionsOfObjectsInput) (map[string][]ObjectVersion, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]ObjectVersion, len(in.IDs))
	for _, id := range in.IDs {
		out[id] = []ObjectVersion{}
	}
	// End users: only objects within their permissions and select policies.
	if in.IDs, err = s.readableOnly(ctx, p, in.IDs); err != nil || len(in.IDs) == 0 {
		return out, err
	}
	limit := in.Limit
	if limit <= 0 || limit > maxVersions {
		limit = maxVersions
	}
	rows, err := db.ObjectVersionsOfObjects(ctx, s.core.DB, p.TenantID, in.IDs, limit)
	if err != nil {
		return nil, domain.Internal(err)
	}
	for _, r := range rows {
		out[r.ObjectID] = append(out[r.ObjectID], ObjectVersion{Version: r.Version, Properties: r.Properties,
			UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy})
	}
	return out, nil
}

// CommentsOfObjectsInput names the objects whose comments CommentsOfObjects
// lists, with ListComments' limit and order.
type CommentsOfObjectsInput struct {
	IDs   []string
	Limit int
	// Order is desc (default: newest first) or asc.
	Order string
}

// CommentsOfObjects returns the first page (Limit, default 20, at most
// 100) of each live object's comments among IDs, in one query. Unknown,
// foreign, trashed or (for an end user) unreadable ids answer an empty
// list. Errors: the read scope, the comments:read permission (end users),
// VALIDATION_FAILED (order).
func (s *Service) CommentsOfObjects(ctx context.Context, in CommentsOfObjectsInput) (map[string][]Comment, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return nil, err
	}
	if err := requirePermission(p, "comments:read"); err != nil {
		return nil, err
	}
	asc := false
	switch in.Order {
	case "", "desc":
	case "asc":
		asc = true
	default:
		return nil, domain.Invalid("order", "must be asc or desc")
	}
	out := make(map[string][]Comment, len(in.IDs))
	for _, id := range in.IDs {
		out[id] = []Comment{}
	}
	if in.IDs, err = s.readableOnly(ctx, p, in.IDs); err != nil || len(in.IDs) == 0 {
		return out, err
	}
	rows, err := db.ObjectCommentsOfObjects(ctx, s.core.DB, p.TenantID, in.IDs, asc, domain.ClampLimit(in.Limit))
	if err != nil {
		return nil, domain.Internal(err)
	}
	for i := range rows {
		r := &rows[i]
		out[r.ObjectID] = append(out[r.ObjectID], commentFromRow(r.ObjectTypeID, &r.ObjectComment))
	}
	return out, nil
}
