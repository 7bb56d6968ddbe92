// Package invoicing runs the documents that post to the ledger: sales and
// purchase invoices, payments and receipts with their allocations, bank
// accounts and statement lines, and recurring entries, plus the reports
// built on them (aged receivables and payables, cash flow, tax). Every
// posting goes through the accounting service's API (CreateEntryTx,
// ReverseEntryTx) inside the same unit of work as the document.
package invoicing

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Amount and Date are the ledger's exact decimal and calendar date.
type (
	Amount = accounting.Amount
	Date   = accounting.Date
)

// Invoice statuses.
const (
	InvoiceDraft         = "draft"
	InvoiceApproved      = "approved"
	InvoicePartiallyPaid = "partially_paid"
	InvoicePaid          = "paid"
	InvoiceVoid          = "void"
)

// Service is the invoicing context. Reads need the "read" scope, writes
// "write" (API keys); end users need accounting:read / accounting:write.
type Service struct {
	core  *domain.Core
	books *accounting.Service
}

// NewService returns the invoicing service over the ledger.
func NewService(core *domain.Core, books *accounting.Service) *Service {
	return &Service{core: core, books: books}
}

// Deleted answers a delete.
type Deleted = accounting.Deleted

// reader and writer authorize like the ledger's: the read/write scope for
// keys, accounting:read/accounting:write for end users.
func reader(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeRead, "accounting:read")
}

func writer(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeWrite, "accounting:write")
}

// Dates are read and written as the ledger does.
const dateLayout = accounting.DateLayout

var (
	dateOf       = accounting.DateOf
	requiredDate = accounting.RequiredDate
	optionalDate = accounting.OptionalDate
)

// adjustPaid moves an invoice's amount_paid by delta (positive when a
// payment is allocated, negative when it is voided) and derives its status:
// paid when nothing is due, partially_paid when something was paid,
// approved otherwise. It refuses to pay a draft or void invoice
// (409 INVALID_STATE) or to pay more than is due (400 VALIDATION_FAILED on
// field). The invoice row is locked for the rest of the transaction.
func (s *Service) adjustPaid(ctx context.Context, idb bun.IDB, tenantID, invoiceID string, delta decimal.Decimal, field string) (*db.AcctInvoice, error) {
	inv := new(db.AcctInvoice)
	err := idb.NewSelect().Model(inv).Where("tenant_id = ? AND id = ?", tenantID, invoiceID).For("UPDATE").Scan(ctx)
	if db.IsNoRows(err) {
		return nil, domain.Invalid(field, "is not an invoice of this tenant")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if delta.IsPositive() && (inv.Status == InvoiceDraft || inv.Status == InvoiceVoid) {
		return nil, domain.Errorf(domain.CodeInvalidState, "Invoice %s is %s and cannot take payments.", inv.Number, inv.Status)
	}
	paid := inv.AmountPaid.Add(delta)
	if paid.GreaterThan(inv.Total) {
		return nil, domain.Invalid(field, "exceeds the invoice's amount due ("+inv.Total.Sub(inv.AmountPaid).String()+")")
	}
	if paid.IsNegative() {
		return nil, domain.Internal(errNegativePaid)
	}
	inv.AmountPaid = paid
	if inv.Status != InvoiceVoid {
		switch {
		case paid.Equal(inv.Total):
			inv.Status = InvoicePaid
		case paid.IsPositive():
			inv.Status = InvoicePartiallyPaid
		default:
			inv.Status = InvoiceApproved
		}
	}
	inv.UpdatedAt = s.core.Clock.Now()
	_, err = idb.NewUpdate().Model(inv).Column("amount_paid", "status", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return nil, domain.Internal(err)
	}
	return inv, nil
}

type invariantError string

func (e invariantError) Error() string { return string(e) }

const errNegativePaid = invariantError("invoice amount_paid would go negative")
