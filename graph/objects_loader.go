package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
)

// objectsLoaders batch ObjectType.properties and ObjectType.views within one
// operation: listing n types with their properties and views costs one SQL
// query for each (PropertiesOfTypes, ViewsOfTypes: both authorize the caller
// and are scoped to its tenant) rather than n. The loaders live as long as
// the operation; in a mutation nothing is cached, so a field read after a
// change sees it.
type objectsLoaders struct {
	properties *dataloadgen.Loader[string, []objects.Property]
	views      *dataloadgen.Loader[string, []objects.View]
	// byID resolves Association.object: every other end read in the
	// operation costs one query (ObjectsByID, tenant-wide, live only).
	byID *dataloadgen.Loader[string, objects.Object]
	// assocs resolves Object.associations' first page: the objects of an
	// operation asking the same filters cost one query (AssociationsOfObjects).
	assocs *dataloadgen.Loader[assocKey, domain.Page[objects.Association]]
	// versions and comments resolve Object.versions and Object.comments:
	// the objects of an operation asking the same arguments cost one query
	// for each field (VersionsOfObjects, CommentsOfObjects).
	versions *dataloadgen.Loader[listKey, []objects.ObjectVersion]
	comments *dataloadgen.Loader[listKey, []objects.Comment]
}

// listKey is an object's per-object list request: its id and the field's
// arguments (order is unused by versions).
type listKey struct {
	id, order string
	limit     int
}

// assocKey is an object's associations page request (first page only).
type assocKey struct {
	id, direction, assocType string
	limit                    int
}

type objectsLoadersKey struct{}

// withObjectsLoaders gives each operation its own objects loaders.
func withObjectsLoaders(svc *objects.Service) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if svc == nil {
			return next(ctx)
		}
		opts := []dataloadgen.Option{dataloadgen.WithWait(accountLoaderWait)}
		if graphql.HasOperationContext(ctx) && isMutation(graphql.GetOperationContext(ctx)) {
			opts = append(opts, dataloadgen.WithoutCache())
		}
		l := &objectsLoaders{
			properties: dataloadgen.NewLoader(batchByType(svc.PropertiesOfTypes), opts...),
			views:      dataloadgen.NewLoader(batchByType(svc.ViewsOfTypes), opts...),
			byID:       dataloadgen.NewLoader(batchObjects(svc.ObjectsByID), opts...),
			assocs:     dataloadgen.NewLoader(batchAssociations(svc.AssociationsOfObjects), opts...),
			versions:   dataloadgen.NewLoader(batchLists(versionsOfObjects(svc)), opts...),
			comments:   dataloadgen.NewLoader(batchLists(commentsOfObjects(svc)), opts...),
		}
		return next(context.WithValue(ctx, objectsLoadersKey{}, l))
	}
}

// batchByType turns a domain method answering by type id into a loader's
// fetch: the answers in the order of ids, or the one error for each.
func batchByType[T any](load func(context.Context, []string) (map[string][]T, error)) func(context.Context, []string) ([][]T, []error) {
	return func(ctx context.Context, ids []string) ([][]T, []error) {
		byType, err := load(ctx, ids)
		out := make([][]T, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			if err != nil {
				errs[i] = err
				continue
			}
			out[i] = byType[id]
		}
		return out, errs
	}
}

// typeProperties returns a type's properties through the operation's
// loader (or directly, outside an operation).
func (r *Resolver) typeProperties(ctx context.Context, typeID string) ([]objects.Property, error) {
	if l, ok := ctx.Value(objectsLoadersKey{}).(*objectsLoaders); ok {
		return l.properties.Load(ctx, typeID)
	}
	m, err := r.objects.PropertiesOfTypes(ctx, []string{typeID})
	return m[typeID], err
}

// typeViews returns a type's views through the operation's loader (or
// directly, outside an operation).
func (r *Resolver) typeViews(ctx context.Context, typeID string) ([]objects.View, error) {
	if l, ok := ctx.Value(objectsLoadersKey{}).(*objectsLoaders); ok {
		return l.views.Load(ctx, typeID)
	}
	m, err := r.objects.ViewsOfTypes(ctx, []string{typeID})
	return m[typeID], err
}

// batchObjects turns ObjectsByID into a loader's fetch: an id that is not
// (or no longer) a live object of the tenant is NOT_FOUND.
func batchObjects(load func(context.Context, []string) (map[string]objects.Object, error)) func(context.Context, []string) ([]objects.Object, []error) {
	return func(ctx context.Context, ids []string) ([]objects.Object, []error) {
		byID, err := load(ctx, ids)
		out := make([]objects.Object, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			o, ok := byID[id]
			switch {
			case err != nil:
				errs[i] = err
			case !ok:
				errs[i] = domain.NotFound("Object")
			default:
				out[i] = o
			}
		}
		return out, errs
	}
}

// objectByID returns a live object of the tenant through the operation's
// loader (or directly, outside an operation).
func (r *Resolver) objectByID(ctx context.Context, id string) (objects.Object, error) {
	if l, ok := ctx.Value(objectsLoadersKey{}).(*objectsLoaders); ok {
		return l.byID.Load(ctx, id)
	}
	objs, errs := batchObjects(r.objects.ObjectsByID)(ctx, []string{id})
	return objs[0], errs[0]
}

// batchAssociations groups the requests by their filters and lists each
// group's objects' associations in one query.
func batchAssociations(load func(context.Context, objects.AssociationsOfObjectsInput) (map[string]domain.Page[objects.Association], error)) func(context.Context, []assocKey) ([]domain.Page[objects.Association], []error) {
	return func(ctx context.Context, keys []assocKey) ([]domain.Page[objects.Association], []error) {
		out := make([]domain.Page[objects.Association], len(keys))
		errs := make([]error, len(keys))
		groups := map[assocKey][]int{}
		for i, k := range keys {
			g := k
			g.id = ""
			groups[g] = append(groups[g], i)
		}
		for g, idx := range groups {
			ids := make([]string, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].id
			}
			pages, err := load(ctx, objects.AssociationsOfObjectsInput{IDs: ids, Direction: g.direction, AssociationType: g.assocType, Limit: g.limit})
			for _, i := range idx {
				out[i], errs[i] = pages[keys[i].id], err
			}
		}
		return out, errs
	}
}

// batchLists groups per-object list requests by their arguments and loads
// each group's objects in one call of load.
func batchLists[T any](load func(context.Context, listKey, []string) (map[string][]T, error)) func(context.Context, []listKey) ([][]T, []error) {
	return func(ctx context.Context, keys []listKey) ([][]T, []error) {
		out := make([][]T, len(keys))
		errs := make([]error, len(keys))
		groups := map[listKey][]int{}
		for i, k := range keys {
			g := k
			g.id = ""
			groups[g] = append(groups[g], i)
		}
		for g, idx := range groups {
			ids := make([]string, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].id
			}
			lists, err := load(ctx, g, ids)
			for _, i := range idx {
				out[i], errs[i] = lists[keys[i].id], err
			}
		}
		return out, errs
	}
}

func versionsOfObjects(svc *objects.Service) func(context.Context, listKey, []string) (map[string][]objects.ObjectVersion, error) {
	return func(ctx context.Context, k listKey, ids []string) (map[string][]objects.ObjectVersion, error) {
		return svc.VersionsOfObjects(ctx, objects.VersionsOfObjectsInput{IDs: ids, Limit: k.limit})
	}
}

func commentsOfObjects(svc *objects.Service) func(context.Context, listKey, []string) (map[string][]objects.Comment, error) {
	return func(ctx context.Context, k listKey, ids []string) (map[string][]objects.Comment, error) {
		return svc.CommentsOfObjects(ctx, objects.CommentsOfObjectsInput{IDs: ids, Limit: k.limit, Order: k.order})
	}
}

// objectVersions returns an object's versions through the operation's
// loader (or ListVersions, outside an operation).
func (r *Resolver) objectVersions(ctx context.Context, obj *objects.Object, limit int) ([]objects.ObjectVersion, error) {
	if l, ok := ctx.Value(objectsLoadersKey{}).(*objectsLoaders); ok {
		return l.versions.Load(ctx, listKey{id: obj.ID, limit: limit})
	}
	return r.objects.ListVersions(ctx, objects.VersionsInput{ObjectTypeID: obj.ObjectTypeID, ObjectID: obj.ID, Limit: limit})
}

// objectComments returns an object's first page of comments through the
// operation's loader (or ListComments, outside an operation).
func (r *Resolver) objectComments(ctx context.Context, obj *objects.Object, limit int, order string) ([]objects.Comment, error) {
	if l, ok := ctx.Value(objectsLoadersKey{}).(*objectsLoaders); ok {
		return l.comments.Load(ctx, listKey{id: obj.ID, limit: limit, order: order})
	}
	pg, err := r.objects.ListComments(ctx, objects.ListCommentsInput{ObjectTypeID: obj.ObjectTypeID, ObjectID: obj.ID,
		Limit: limit, Order: order})
	return pg.Results, err
}
