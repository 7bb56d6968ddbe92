package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/platformhq/platform/domain/accounting"
)

// accountLoader batches JournalLine.account within one operation: every
// line asks for its account, and one batch answers them all from the
// tenant's chart of accounts, read once per operation (ListAccounts, one SQL
// query) however many entries and lines the operation selects. Accounts the
// chart's first page does not hold (a chart over 1,000 accounts) are read one
// by one (GetAccount). Both calls authorize the caller and are scoped to its
// tenant; the loader lives as long as the operation, so nothing is cached
// across requests or tenants. In a mutation, whose fields may change
// accounts one after the other, nothing is cached at all: each batch reads
// the chart afresh.
type accountLoader struct {
	books  *accounting.Service
	loader *dataloadgen.Loader[string, accounting.Account]
	fresh  bool // read the chart for every batch (mutations)

	once  sync.Once
	chart map[string]accounting.Account
	err   error
}

// accountLoaderWait is how long a batch collects keys before it runs (every
// loader of a request uses it). A variable so that the SQL-counting tests,
// which run on loaded CI machines, can widen the window (export_test.go).
var accountLoaderWait = 2 * time.Millisecond

type accountLoaderKey struct{}

// withAccountLoader gives each operation its own account loader.
func withAccountLoader(books *accounting.Service) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if books == nil {
			return next(ctx)
		}
		l := &accountLoader{books: books}
		opts := []dataloadgen.Option{dataloadgen.WithWait(accountLoaderWait)}
		if graphql.HasOperationContext(ctx) && isMutation(graphql.GetOperationContext(ctx)) {
			l.fresh = true
			opts = append(opts, dataloadgen.WithoutCache())
		}
		l.loader = dataloadgen.NewLoader(l.fetch, opts...)
		return next(context.WithValue(ctx, accountLoaderKey{}, l))
	}
}

// loadAccount returns the account id through the operation's loader (or
// directly, outside an operation).
func (r *Resolver) loadAccount(ctx context.Context, id string) (accounting.Account, error) {
	if l, ok := ctx.Value(accountLoaderKey{}).(*accountLoader); ok {
		return l.loader.Load(ctx, id)
	}
	return r.books.GetAccount(ctx, accounting.AccountRef{AccountID: id})
}

// fetch answers ids in their order: the accounts, or for each id its error.
func (l *accountLoader) fetch(ctx context.Context, ids []string) ([]accounting.Account, []error) {
	chart, err := l.readChart(ctx)
	out := make([]accounting.Account, len(ids))
	errs := make([]error, len(ids))
	for i, id := range ids {
		if err != nil {
			errs[i] = err
			continue
		}
		a, ok := chart[id]
		if !ok {
			a, errs[i] = l.books.GetAccount(ctx, accounting.AccountRef{AccountID: id})
		}
		out[i] = a
	}
	return out, errs
}

// readChart returns the tenant's accounts by id: read once per operation,
// or for every batch in a mutation.
func (l *accountLoader) readChart(ctx context.Context) (map[string]accounting.Account, error) {
	if l.fresh {
		return listChart(ctx, l.books)
	}
	l.once.Do(func() { l.chart, l.err = listChart(ctx, l.books) })
	return l.chart, l.err
}

func listChart(ctx context.Context, books *accounting.Service) (map[string]accounting.Account, error) {
	list, err := books.ListAccounts(ctx, accounting.ListAccountsInput{})
	if err != nil {
		return nil, err
	}
	chart := make(map[string]accounting.Account, len(list))
	for _, a := range list {
		chart[a.ID] = a
	}
	return chart, nil
}

func isMutation(oc *graphql.OperationContext) bool {
	return oc.Operation != nil && oc.Operation.Operation == ast.Mutation
}
