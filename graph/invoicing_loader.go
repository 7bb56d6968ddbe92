package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/platformhq/platform/domain/invoicing"
)

// invoicingLoaders load the documents an allocation names within one
// operation: Invoice.payments and InvoiceAllocation.payment (payments by
// id), PaymentAllocation.invoice (invoices by id). A batch collects the ids
// every field of the operation asks for, and each distinct id is read once
// (GetPayment, GetInvoice: the same calls as REST's GET, which authorize
// the caller and are scoped to its tenant), however many invoices or
// allocations name it. The loaders live as long as the operation, so
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
			invoices: dataloadgen.NewLoader(fetchEach(func(ctx context.Context, id string) (invoicing.Invoice, error) {
				return billing.GetInvoice(ctx, invoicing.InvoiceRef{InvoiceID: id})
			}), opts...),
			payments: dataloadgen.NewLoader(fetchEach(func(ctx context.Context, id string) (invoicing.Payment, error) {
				return billing.GetPayment(ctx, invoicing.PaymentRef{PaymentID: id})
			}), opts...),
		}
		return next(context.WithValue(ctx, invoicingLoadersKey{}, l))
	}
}

// fetchEach answers a batch of ids in their order, reading each distinct
// id once with get.
func fetchEach[T any](get func(context.Context, string) (T, error)) func(context.Context, []string) ([]T, []error) {
	return func(ctx context.Context, ids []string) ([]T, []error) {
		out := make([]T, len(ids))
		errs := make([]error, len(ids))
		seen := make(map[string]int, len(ids))
		for i, id := range ids {
			if j, ok := seen[id]; ok {
				out[i], errs[i] = out[j], errs[j]
				continue
			}
			seen[id] = i
			out[i], errs[i] = get(ctx, id)
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
