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
			assocs:     dataloadgen.NewLoader(batchGrouped(associationsOfObjects(svc)), opts...),
			versions:   dataloadgen.NewLoader(batchGrouped(versionsOfObjects(svc)), opts...),
			comments:   dataloadgen.NewLoader(batchGrouped(commentsOfObjects(svc)), opts...),
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

// groupKey is a per-object request key: split answers the group it belongs
// to (the field's arguments, without the object) and the object's id.
type groupKey[K any] interface {
	comparable
	split() (K, string)
}

func (k listKey) split() (listKey, string) {
	id := k.id
	k.id = ""
	return k, id
}

func (k assocKey) split() (assocKey, string) {
	id := k.id
	k.id = ""
	return k, id
}

// batchGrouped groups per-object requests by their arguments and loads each
// group's objects in one call of load.
func batchGrouped[K groupKey[K], V any](load func(context.Context, K, []string) (map[string]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		out := make([]V, len(keys))
		errs := make([]error, len(keys))
		groups := map[K][]int{}
		ids := make([]string, len(keys))
		for i, k := range keys {
			g, id := k.split()
			groups[g] = append(groups[g], i)
			ids[i] = id
		}
		for g, idx := range groups {
			groupIDs := make([]string, len(idx))
			for j, i := range idx {
				groupIDs[j] = ids[i]
			}
			loaded, err := load(ctx, g, groupIDs)
			for _, i := range idx {
				out[i], errs[i] = loaded[ids[i]], err
			}
		}
		return out, errs
	}
}

// associationsOfObjects lists each group's objects' associations in one query.
func associationsOfObjects(svc *objects.Service) func(context.Context, assocKey, []string) (map[string]domain.Page[objects.Association], error) {
	return func(ctx context.Context, g assocKey, ids []string) (map[string]domain.Page[objects.Association], error) {
		return svc.AssociationsOfObjects(ctx, objects.AssociationsOfObjectsInput{IDs: ids, Direction: g.direction, AssociationType: g.assocType, Limit: g.limit})
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
