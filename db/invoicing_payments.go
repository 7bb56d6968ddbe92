package db

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Payments and receipts with their allocations to invoices.

// AcctPaymentInsert creates a payment (allocations separately).
func AcctPaymentInsert(ctx context.Context, idb bun.IDB, row *AcctPayment) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctPaymentGet loads a payment; forUpdate row-locks it.
func AcctPaymentGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctPayment, error) {
	row := new(AcctPayment)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctPaymentUpdate writes the status columns of row (voiding).
func AcctPaymentUpdate(ctx context.Context, idb bun.IDB, row *AcctPayment) error {
	_, err := idb.NewUpdate().Model(row).Column("status", "void_entry_id", "voided_at", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// AcctPaymentListParams filters and pages payments.
type AcctPaymentListParams struct {
	Type          string
	Status        string
	BankAccountID string
	InvoiceID     string
	Limit         int
	Offset        int
}

// AcctPaymentList returns a page of payments (newest date first) and the
// total.
func AcctPaymentList(ctx context.Context, idb bun.IDB, tenantID string, p *AcctPaymentListParams) ([]AcctPayment, int, error) {
	rows := []AcctPayment{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID)
	if p.Type != "" {
		q = q.Where("type = ?", p.Type)
	}
	if p.Status != "" {
		q = q.Where("status = ?", p.Status)
	}
	if p.BankAccountID != "" {
		q = q.Where("bank_account_id = ?", p.BankAccountID)
	}
	if p.InvoiceID != "" {
		q = q.Where(`EXISTS (SELECT 1 FROM acct_payment_allocations x
			WHERE x.tenant_id = acct_payment.tenant_id AND x.payment_id = acct_payment.id AND x.invoice_id = ?)`, p.InvoiceID)
	}
	n, err := q.OrderExpr("date DESC, id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	return rows, int(n), err
}

// AcctPaymentAllocationsInsert inserts a payment's allocations.
func AcctPaymentAllocationsInsert(ctx context.Context, idb bun.IDB, rows []AcctPaymentAllocation) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// AcctPaymentAllocationRow is an allocation with its invoice's number.
type AcctPaymentAllocationRow struct {
	ID            string          `bun:"id"`
	PaymentID     string          `bun:"payment_id"`
	InvoiceID     string          `bun:"invoice_id"`
	InvoiceNumber string          `bun:"invoice_number"`
	Amount        decimal.Decimal `bun:"amount,type:numeric"`
}

// AcctPaymentAllocationsByPayments loads the allocations of payments, in
// payment and allocation order.
func AcctPaymentAllocationsByPayments(ctx context.Context, idb bun.IDB, tenantID string, paymentIDs []string) ([]AcctPaymentAllocationRow, error) {
	rows := []AcctPaymentAllocationRow{}
	if len(paymentIDs) == 0 {
		return rows, nil
	}
	err := idb.NewRaw(`SELECT x.id, x.payment_id, x.invoice_id, COALESCE(i.number, '') AS invoice_number, x.amount
		FROM acct_payment_allocations x
		LEFT JOIN acct_invoices i ON i.tenant_id = x.tenant_id AND i.id = x.invoice_id
		WHERE x.tenant_id = ? AND x.payment_id IN (?)
		ORDER BY x.payment_id, x.id`, tenantID, bun.In(paymentIDs)).Scan(ctx, &rows)
	return rows, err
}

// AcctPaymentInvoices loads the invoices with the given ids (no lock:
// amounts are re-read under lock when they change).
func AcctPaymentInvoices(ctx context.Context, idb bun.IDB, tenantID string, ids []string) ([]AcctInvoice, error) {
	rows := []AcctInvoice{}
	if len(ids) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND id IN (?)", tenantID, bun.In(ids)).Scan(ctx)
	return rows, err
}

// AcctPaymentsByIDs loads the payments with the given ids (batch readers).
func AcctPaymentsByIDs(ctx context.Context, idb bun.IDB, tenantID string, ids []string) ([]AcctPayment, error) {
	rows := []AcctPayment{}
	if len(ids) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND id IN (?)", tenantID, bun.In(ids)).Scan(ctx)
	return rows, err
}
