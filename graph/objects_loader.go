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
