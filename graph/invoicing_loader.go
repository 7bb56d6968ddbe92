package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/invoicing"
)

// invoicingLoaders load the documents an allocation names within one
// operation: Invoice.payments and InvoiceAllocation.payment (payments by
// id), PaymentAllocation.invoice (invoices by id). A batch collects the ids
// every field of the operation asks for and reads them in one domain batch
// call (InvoicesByID, PaymentsByID: a few queries whatever the batch size,
// authorizing the caller and scoped to its tenant like REST's GET). The loaders live as long as the operation, so
// nothing is cached across requests or tenants; in a mutation, whose fields
// change documents one after the other, nothing is cached at all.
type invoicingLoaders struct {
	invoices *dataloadgen.Loader[string, invoicing.Invoice]
	payments *dataloadgen.Loader[string, invoicing.Payment]
}

type invoicingLoadersKey struct{}

// withInvoicingLoaders gives each operation its own loaders.
func withInvoicingLoaders(billing *invoicing.Service) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if billing == nil {
			return next(ctx)
		}
		opts := []dataloadgen.Option{dataloadgen.WithWait(accountLoaderWait)}
		if graphql.HasOperationContext(ctx) && isMutation(graphql.GetOperationContext(ctx)) {
			opts = append(opts, dataloadgen.WithoutCache())
		}
		l := &invoicingLoaders{
			invoices: dataloadgen.NewLoader(fetchMany(billing.InvoicesByID, "Invoice"), opts...),
			payments: dataloadgen.NewLoader(fetchMany(billing.PaymentsByID, "Payment"), opts...),
		}
		return next(context.WithValue(ctx, invoicingLoadersKey{}, l))
	}
}

// fetchMany answers a batch of ids in their order with one call of
// getMany (a domain batch read that authorizes the caller and is scoped to
// its tenant); an id it did not find is NOT_FOUND, as REST's GET says.
func fetchMany[T any](getMany func(context.Context, []string) (map[string]T, error), resource string) func(context.Context, []string) ([]T, []error) {
	return func(ctx context.Context, ids []string) ([]T, []error) {
		out := make([]T, len(ids))
		errs := make([]error, len(ids))
		found, err := getMany(ctx, ids)
		for i, id := range ids {
			v, ok := found[id]
			switch {
			case err != nil:
				errs[i] = err
			case !ok:
				errs[i] = domain.NotFound(resource)
			default:
				out[i] = v
			}
		}
		return out, errs
	}
}

func loadersOf(ctx context.Context) *invoicingLoaders {
	l, _ := ctx.Value(invoicingLoadersKey{}).(*invoicingLoaders)
	return l
}

// loadInvoice returns the invoice id through the operation's loader (or
// directly, outside an operation).
func (r *Resolver) loadInvoice(ctx context.Context, id string) (invoicing.Invoice, error) {
	if l := loadersOf(ctx); l != nil {
		return l.invoices.Load(ctx, id)
	}
	return r.billing.GetInvoice(ctx, invoicing.InvoiceRef{InvoiceID: id})
}

// loadPayment returns the payment id through the operation's loader (or
// directly, outside an operation).
func (r *Resolver) loadPayment(ctx context.Context, id string) (invoicing.Payment, error) {
	if l := loadersOf(ctx); l != nil {
		return l.payments.Load(ctx, id)
	}
	return r.billing.GetPayment(ctx, invoicing.PaymentRef{PaymentID: id})
}

// loadPayments returns the payments of an invoice's allocations, once each,
// in the allocations' order.
func (r *Resolver) loadPayments(ctx context.Context, allocations []invoicing.InvoiceAllocation) ([]invoicing.Payment, error) {
	var ids []string
	seen := make(map[string]bool, len(allocations))
	for _, a := range allocations {
		if !seen[a.PaymentID] {
			seen[a.PaymentID] = true
			ids = append(ids, a.PaymentID)
		}
	}
	out := make([]invoicing.Payment, len(ids))
	if l := loadersOf(ctx); l != nil {
		// Queue every id before waiting, so that they share a batch.
		thunks := make([]func() (invoicing.Payment, error), len(ids))
		for i, id := range ids {
			thunks[i] = l.payments.LoadThunk(ctx, id)
		}
		for i, thunk := range thunks {
			p, err := thunk()
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	for i, id := range ids {
		p, err := r.billing.GetPayment(ctx, invoicing.PaymentRef{PaymentID: id})
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
