package db

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Invoice queries: the documents, their lines, the payments allocated to
// them, and the rows the aged receivables/payables and tax reports read.

// AcctInvoiceListParams filters and pages invoices.
type AcctInvoiceListParams struct {
	Type    string // sales or purchase; all when empty
	Status  string // one status; all when empty
	Contact string // case-insensitive substring of contact_name
	Limit   int
	Offset  int
}

// AcctInvoiceList pages a tenant's invoices, newest date first, and counts
// every match.
func AcctInvoiceList(ctx context.Context, idb bun.IDB, tenantID string, p *AcctInvoiceListParams) ([]AcctInvoice, int, error) {
	rows := []AcctInvoice{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID)
	if p.Type != "" {
		q = q.Where("type = ?", p.Type)
	}
	if p.Status != "" {
		q = q.Where("status = ?", p.Status)
	}
	if p.Contact != "" {
		q = q.Where("contact_name ILIKE ? ESCAPE '\\'", "%"+likeEscape(p.Contact)+"%")
	}
	total, err := q.OrderExpr("date DESC, id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	return rows, int(total), err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AcctInvoiceGet loads one invoice, locking it when forUpdate.
func AcctInvoiceGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctInvoice, error) {
	row := new(AcctInvoice)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	return row, nil
}

// AcctInvoiceInsert inserts an invoice.
func AcctInvoiceInsert(ctx context.Context, idb bun.IDB, row *AcctInvoice) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctInvoiceUpdate writes every column of an invoice.
func AcctInvoiceUpdate(ctx context.Context, idb bun.IDB, row *AcctInvoice) error {
	_, err := idb.NewUpdate().Model(row).WherePK().Exec(ctx)
	return err
}

// AcctInvoiceDelete deletes an invoice (its lines cascade).
func AcctInvoiceDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctInvoice)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctInvoiceNumberTaken reports whether another invoice of the tenant than
// exceptID carries number.
func AcctInvoiceNumberTaken(ctx context.Context, idb bun.IDB, tenantID, number, exceptID string) (bool, error) {
	return idb.NewSelect().Model((*AcctInvoice)(nil)).
		Where("tenant_id = ? AND number = ? AND id <> ?", tenantID, number, exceptID).Exists(ctx)
}

// AcctInvoiceLinesByInvoices loads the lines of invoices by invoice and line number.
func AcctInvoiceLinesByInvoices(ctx context.Context, idb bun.IDB, tenantID string, invoiceIDs []string) ([]AcctInvoiceLine, error) {
	rows := []AcctInvoiceLine{}
	if len(invoiceIDs) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND invoice_id IN (?)", tenantID, bun.In(invoiceIDs)).
		OrderExpr("invoice_id, line_no").Scan(ctx)
	return rows, err
}

// AcctInvoiceLinesReplace replaces the lines of an invoice.
func AcctInvoiceLinesReplace(ctx context.Context, idb bun.IDB, tenantID, invoiceID string, lines []AcctInvoiceLine) error {
	_, err := idb.NewDelete().Model((*AcctInvoiceLine)(nil)).Where("tenant_id = ? AND invoice_id = ?", tenantID, invoiceID).Exec(ctx)
	if err != nil || len(lines) == 0 {
		return err
	}
	_, err = idb.NewInsert().Model(&lines).Exec(ctx)
	return err
}

// AcctInvoiceAllocation is an amount of a posted payment allocated to an
// invoice.
type AcctInvoiceAllocation struct {
	InvoiceID string          `bun:"invoice_id"`
	PaymentID string          `bun:"payment_id"`
	Amount    decimal.Decimal `bun:"amount,type:numeric"`
	Date      time.Time       `bun:"date,type:date"`
}

// AcctInvoiceAllocations lists the allocations of posted payments to
// invoices, by payment date.
func AcctInvoiceAllocations(ctx context.Context, idb bun.IDB, tenantID string, invoiceIDs []string) ([]AcctInvoiceAllocation, error) {
	rows := []AcctInvoiceAllocation{}
	if len(invoiceIDs) == 0 {
		return rows, nil
	}
	err := idb.NewRaw(`SELECT a.invoice_id, a.payment_id, a.amount, p.date
		FROM acct_payment_allocations a
		JOIN acct_payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id
		WHERE a.tenant_id = ? AND a.invoice_id IN (?) AND p.status = 'posted'
		ORDER BY a.invoice_id, p.date, p.id, a.id`, tenantID, bun.In(invoiceIDs)).Scan(ctx, &rows)
	return rows, err
}

// AcctAgedInvoice is an invoice outstanding at a date, with what had been
// paid on it by then.
type AcctAgedInvoice struct {
	ID           string          `bun:"id"`
	Number       string          `bun:"number"`
	ContactName  string          `bun:"contact_name"`
	Date         time.Time       `bun:"date,type:date"`
	DueDate      time.Time       `bun:"due_date,type:date"`
	Currency     string          `bun:"currency"`
	ExchangeRate decimal.Decimal `bun:"exchange_rate,type:numeric"`
	Total        decimal.Decimal `bun:"total,type:numeric"`
	Paid         decimal.Decimal `bun:"paid,type:numeric"`
}

// AcctAgedInvoices lists the invoices of a type that the books carried at
// asOf: posted (approved) on or before asOf and not voided by then (a void
// whose reversal is dated after asOf still counts), with the allocations of
// payments dated on or before asOf that were not voided by then. Ordered by
// contact, due date and number.
func AcctAgedInvoices(ctx context.Context, idb bun.IDB, tenantID, invoiceType string, asOf time.Time) ([]AcctAgedInvoice, error) {
	rows := []AcctAgedInvoice{}
	d := asOf.Format(reportDate)
	err := idb.NewRaw(`SELECT i.id, i.number, i.contact_name, i.date, i.due_date, i.currency, i.exchange_rate, i.total,
			COALESCE((SELECT sum(a.amount)
				FROM acct_payment_allocations a
				JOIN acct_payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id
				WHERE a.tenant_id = i.tenant_id AND a.invoice_id = i.id AND p.date <= ?::date
				  AND (p.status = 'posted' OR EXISTS (SELECT 1 FROM acct_journal_entries ve
					WHERE ve.tenant_id = p.tenant_id AND ve.id = p.void_entry_id AND ve.date > ?::date))), 0) AS paid
		FROM acct_invoices i
		WHERE i.tenant_id = ? AND i.type = ? AND i.date <= ?::date AND i.journal_entry_id IS NOT NULL
		  AND (i.status IN ('approved', 'partially_paid', 'paid') OR (i.status = 'void' AND EXISTS (
			SELECT 1 FROM acct_journal_entries ve
			WHERE ve.tenant_id = i.tenant_id AND ve.id = i.void_entry_id AND ve.date > ?::date)))
		ORDER BY i.contact_name, i.due_date, i.number`, d, d, tenantID, invoiceType, d, d).Scan(ctx, &rows)
	return rows, err
}

// AcctInvoiceTaxMovement is the tax of one invoice and tax code posted in a
// date range: Sign 1 for the approval's entry, -1 for a void's reversal.
type AcctInvoiceTaxMovement struct {
	InvoiceID    string          `bun:"invoice_id"`
	Type         string          `bun:"type"`
	ExchangeRate decimal.Decimal `bun:"exchange_rate,type:numeric"`
	TaxCodeID    string          `bun:"tax_code_id"`
	Code         string          `bun:"code"`
	Tax          decimal.Decimal `bun:"tax,type:numeric"`
	Sign         int             `bun:"sign"`
}

// AcctInvoiceTaxMovements lists, per invoice and tax code, the tax posted
// by approvals and void reversals whose entries are dated in [from, to].
func AcctInvoiceTaxMovements(ctx context.Context, idb bun.IDB, tenantID string, from, to time.Time) ([]AcctInvoiceTaxMovement, error) {
	rows := []AcctInvoiceTaxMovement{}
	err := idb.NewRaw(`SELECT i.id AS invoice_id, i.type, i.exchange_rate, l.tax_code_id, t.code,
			sum(l.tax_amount) AS tax, m.sign
		FROM acct_invoices i
		JOIN LATERAL (
			SELECT 1 AS sign, e.date FROM acct_journal_entries e
			WHERE e.tenant_id = i.tenant_id AND e.id = i.journal_entry_id
			UNION ALL
			SELECT -1 AS sign, e.date FROM acct_journal_entries e
			WHERE e.tenant_id = i.tenant_id AND e.id = i.void_entry_id
		) m ON m.date >= ?::date AND m.date <= ?::date
		JOIN acct_invoice_lines l ON l.tenant_id = i.tenant_id AND l.invoice_id = i.id AND l.tax_code_id IS NOT NULL
		JOIN acct_tax_codes t ON t.tenant_id = l.tenant_id AND t.id = l.tax_code_id
		WHERE i.tenant_id = ? AND i.journal_entry_id IS NOT NULL
		GROUP BY i.id, i.type, i.exchange_rate, l.tax_code_id, t.code, m.sign
		ORDER BY t.code, i.id, m.sign DESC`, from.Format(reportDate), to.Format(reportDate), tenantID).Scan(ctx, &rows)
	return rows, err
}
