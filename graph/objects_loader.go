package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

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
