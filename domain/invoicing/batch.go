package invoicing

import (
	"context"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// maxBatch caps one batch read (GraphQL loaders ask for what one operation
// names; more than this is split by the caller).
const maxBatch = 1000

// InvoicesByID loads many invoices in three queries (rows, lines,
// allocations), for batch readers such as GraphQL's loaders. Ids that do
// not name an invoice of the caller's tenant are absent from the map.
func (s *Service) InvoicesByID(ctx context.Context, ids []string) (map[string]Invoice, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxBatch {
		return nil, domain.Errorf(domain.CodeValidationFailed, "At most %d invoices per batch.", maxBatch)
	}
	rows, err := db.AcctPaymentInvoices(ctx, s.core.DB, p.TenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	list, err := s.invAnswers(ctx, s.core.DB, p.TenantID, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Invoice, len(list))
	for _, inv := range list {
		out[inv.ID] = inv
	}
	return out, nil
}

// PaymentsByID loads many payments in two queries (rows, allocations); ids
// that do not name a payment of the caller's tenant are absent.
func (s *Service) PaymentsByID(ctx context.Context, ids []string) (map[string]Payment, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxBatch {
		return nil, domain.Errorf(domain.CodeValidationFailed, "At most %d payments per batch.", maxBatch)
	}
	rows, err := db.AcctPaymentsByIDs(ctx, s.core.DB, p.TenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	list, err := s.paymentsOut(ctx, s.core.DB, p.TenantID, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Payment, len(list))
	for _, pay := range list {
		out[pay.ID] = pay
	}
	return out, nil
}
