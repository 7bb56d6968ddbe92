package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// AcctInvoice is a row of acct_invoices.
type AcctInvoice struct {
	bun.BaseModel  `bun:"table:acct_invoices"`
	TenantID       string          `bun:"tenant_id,pk"`
	ID             string          `bun:"id,pk"`
	Number         string          `bun:"number"`
	Type           string          `bun:"type"`
	ContactName    string          `bun:"contact_name"`
	Date           time.Time       `bun:"date,type:date"`
	DueDate        time.Time       `bun:"due_date,type:date"`
	Currency       string          `bun:"currency"`
	ExchangeRate   decimal.Decimal `bun:"exchange_rate,type:numeric"`
	Status         string          `bun:"status"`
	Subtotal       decimal.Decimal `bun:"subtotal,type:numeric"`
	TaxTotal       decimal.Decimal `bun:"tax_total,type:numeric"`
	Total          decimal.Decimal `bun:"total,type:numeric"`
	AmountPaid     decimal.Decimal `bun:"amount_paid,type:numeric"`
	Notes          string          `bun:"notes"`
	JournalEntryID *string         `bun:"journal_entry_id"`
	VoidEntryID    *string         `bun:"void_entry_id"`
	RecurringID    *string         `bun:"recurring_id"`
	ApprovedAt     *time.Time      `bun:"approved_at"`
	VoidedAt       *time.Time      `bun:"voided_at"`
	CreatedBy      string          `bun:"created_by"`
	CreatedAt      time.Time       `bun:"created_at"`
	UpdatedAt      time.Time       `bun:"updated_at"`
}

// AcctInvoiceLine is a row of acct_invoice_lines.
type AcctInvoiceLine struct {
	bun.BaseModel `bun:"table:acct_invoice_lines"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	InvoiceID     string          `bun:"invoice_id"`
	LineNo        int             `bun:"line_no"`
	Description   string          `bun:"description"`
	Quantity      decimal.Decimal `bun:"quantity,type:numeric"`
	UnitPrice     decimal.Decimal `bun:"unit_price,type:numeric"`
	AccountID     string          `bun:"account_id"`
	TaxCodeID     *string         `bun:"tax_code_id"`
	NetAmount     decimal.Decimal `bun:"net_amount,type:numeric"`
	TaxAmount     decimal.Decimal `bun:"tax_amount,type:numeric"`
}

// AcctBankAccount is a row of acct_bank_accounts.
type AcctBankAccount struct {
	bun.BaseModel `bun:"table:acct_bank_accounts"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	AccountNumber string    `bun:"account_number"`
	BankName      string    `bun:"bank_name"`
	Currency      string    `bun:"currency"`
	GLAccountID   string    `bun:"gl_account_id"`
	IsActive      bool      `bun:"is_active"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// AcctPayment is a row of acct_payments.
type AcctPayment struct {
	bun.BaseModel  `bun:"table:acct_payments"`
	TenantID       string          `bun:"tenant_id,pk"`
	ID             string          `bun:"id,pk"`
	Type           string          `bun:"type"`
	ContactName    string          `bun:"contact_name"`
	Date           time.Time       `bun:"date,type:date"`
	Amount         decimal.Decimal `bun:"amount,type:numeric"`
	Currency       string          `bun:"currency"`
	ExchangeRate   decimal.Decimal `bun:"exchange_rate,type:numeric"`
	Method         string          `bun:"method"`
	BankAccountID  string          `bun:"bank_account_id"`
	Reference      string          `bun:"reference"`
	Status         string          `bun:"status"`
	JournalEntryID *string         `bun:"journal_entry_id"`
	VoidEntryID    *string         `bun:"void_entry_id"`
	VoidedAt       *time.Time      `bun:"voided_at"`
	CreatedBy      string          `bun:"created_by"`
	CreatedAt      time.Time       `bun:"created_at"`
	UpdatedAt      time.Time       `bun:"updated_at"`
}

// AcctPaymentAllocation is a row of acct_payment_allocations.
type AcctPaymentAllocation struct {
	bun.BaseModel `bun:"table:acct_payment_allocations"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	PaymentID     string          `bun:"payment_id"`
	InvoiceID     string          `bun:"invoice_id"`
	Amount        decimal.Decimal `bun:"amount,type:numeric"`
	BaseAmount    decimal.Decimal `bun:"base_amount,type:numeric"`
}

// AcctInvoiceClearedBase sums the base amounts that allocations of posted
// (not void) payments have cleared on an invoice.
func AcctInvoiceClearedBase(ctx context.Context, idb bun.IDB, tenantID, invoiceID string) (decimal.Decimal, error) {
	var sum decimal.NullDecimal
	err := idb.NewRaw(`SELECT sum(a.base_amount) FROM acct_payment_allocations a
		JOIN acct_payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id
		WHERE a.tenant_id = ? AND a.invoice_id = ? AND p.status = 'posted'`, tenantID, invoiceID).Scan(ctx, &sum)
	if err != nil || !sum.Valid {
		return decimal.Zero, err
	}
	return sum.Decimal, nil
}

// AcctBankTransaction is a row of acct_bank_transactions.
type AcctBankTransaction struct {
	bun.BaseModel    `bun:"table:acct_bank_transactions"`
	TenantID         string          `bun:"tenant_id,pk"`
	ID               string          `bun:"id,pk"`
	BankAccountID    string          `bun:"bank_account_id"`
	Date             time.Time       `bun:"date,type:date"`
	Description      string          `bun:"description"`
	Amount           decimal.Decimal `bun:"amount,type:numeric"`
	Type             string          `bun:"type"`
	Reference        string          `bun:"reference"`
	DedupKey         string          `bun:"dedup_key"`
	Status           string          `bun:"status"`
	MatchedEntryID   *string         `bun:"matched_entry_id"`
	MatchedPaymentID *string         `bun:"matched_payment_id"`
	ReconciledAt     *time.Time      `bun:"reconciled_at"`
	CreatedAt        time.Time       `bun:"created_at"`
	UpdatedAt        time.Time       `bun:"updated_at"`
}

// AcctRecurring is a row of acct_recurring.
type AcctRecurring struct {
	bun.BaseModel `bun:"table:acct_recurring"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	Name          string          `bun:"name"`
	Type          string          `bun:"type"`
	Template      json.RawMessage `bun:"template,type:jsonb"`
	Frequency     string          `bun:"frequency"`
	NextRun       time.Time       `bun:"next_run,type:date"`
	EndDate       *time.Time      `bun:"end_date,type:date"`
	IsActive      bool            `bun:"is_active"`
	LastRunAt     *time.Time      `bun:"last_run_at"`
	Occurrences   int             `bun:"occurrences"`
	CreatedBy     string          `bun:"created_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// AcctRecurringRun is a row of acct_recurring_runs.
type AcctRecurringRun struct {
	bun.BaseModel `bun:"table:acct_recurring_runs"`
	TenantID      string    `bun:"tenant_id,pk"`
	RecurringID   string    `bun:"recurring_id,pk"`
	RunDate       time.Time `bun:"run_date,pk,type:date"`
	DocumentType  string    `bun:"document_type"`
	DocumentID    string    `bun:"document_id"`
	CreatedAt     time.Time `bun:"created_at"`
}

// AcctNextDocumentNumber allocates the next invoice number of a type
// ("sales" or "purchase") for a tenant, under the books row's lock.
func AcctNextDocumentNumber(ctx context.Context, idb bun.IDB, tenantID, invoiceType string) (int64, error) {
	col := "next_sales_number"
	if invoiceType == "purchase" {
		col = "next_purchase_number"
	}
	var n int64
	err := idb.NewRaw("UPDATE acct_books SET "+col+" = "+col+" + 1 WHERE tenant_id = ? RETURNING "+col+" - 1", tenantID).Scan(ctx, &n)
	return n, err
}
