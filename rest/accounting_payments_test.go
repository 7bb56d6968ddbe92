package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Tests of payments and receipts over HTTP: allocation to invoices, the
// invoices' statuses, the posted entries (realized FX included), voids and
// every refusal.

// pmBooks is one tenant's books driven over HTTP.
type pmBooks struct {
	env  *apptest.Env
	tn   apptest.Tenant
	key  string // scope *
	read string // scope read
	accs map[string]string
}

var pmSeq atomic.Int64

func newPmBooks(t *testing.T, env *apptest.Env) *pmBooks {
	t.Helper()
	tn := env.NewTenant(t)
	key := rdKey(t, env, tn)
	read := issueKey(t, env, tn.Key, map[string]any{"label": "reader", "scopes": []string{"read"},
		"rate_limit": map[string]any{"per_minute": 100000, "per_hour": 1000000}}).Token
	return &pmBooks{env: env, tn: tn, key: key, read: read, accs: map[string]string{}}
}

func (b *pmBooks) ok(t *testing.T, method, path string, body any, status int) rdObj {
	t.Helper()
	return rdOK(t, b.env, b.key, method, path, body, status)
}

// okInto sends a request, requires status and decodes the data into v.
func (b *pmBooks) okInto(t *testing.T, method, path string, body any, status int, v any) {
	t.Helper()
	res := rdDo(t, b.env, b.key, method, path, body)
	require.Equal(t, status, res.Status, "%s %s: %s", method, path, res.Body)
	res.Decode(t, v)
}

func (b *pmBooks) fail(t *testing.T, method, path string, body any, status int, code string) *apptest.Response {
	t.Helper()
	return rdErr(t, b.env, b.key, method, path, body, status, code)
}

func (b *pmBooks) invalid(t *testing.T, method, path string, body any, fields ...string) {
	t.Helper()
	rdInvalid(t, b.env, b.key, method, path, body, fields...)
}

// account creates an account of type and sub-type and answers its id;
// named accounts are created once.
func (b *pmBooks) account(t *testing.T, typ, subType string) string {
	t.Helper()
	n := pmSeq.Add(1)
	body := map[string]any{"code": fmt.Sprintf("PM%d", n), "name": fmt.Sprintf("%s %d", subType, n), "type": typ}
	if subType != "" {
		body["sub_type"] = subType
	}
	return b.ok(t, "POST", "/v1/accounting/accounts", body, http.StatusCreated).str(t, "id")
}

func (b *pmBooks) named(t *testing.T, name, typ, subType string) string {
	t.Helper()
	if id, ok := b.accs[name]; ok {
		return id
	}
	b.accs[name] = b.account(t, typ, subType)
	return b.accs[name]
}

// bank creates a bank account in currency (base when empty) on a new
// ledger account of sub-type bank; it answers both ids.
func (b *pmBooks) bank(t *testing.T, currency string) (bankID, glID string) {
	t.Helper()
	glID = b.account(t, "asset", "bank")
	body := map[string]any{"name": "Bank " + glID[len(glID)-6:], "gl_account_id": glID, "bank_name": "First Bank"}
	if currency != "" {
		body["currency"] = currency
	}
	return b.ok(t, "POST", "/v1/accounting/bank-accounts", body, http.StatusCreated).str(t, "id"), glID
}

// currency adds a currency to the tenant.
func (b *pmBooks) currency(t *testing.T, code string) {
	t.Helper()
	b.ok(t, "POST", "/v1/accounting/currencies", map[string]any{"code": code}, http.StatusCreated)
}

// invoice creates an invoice of one line of amount (sales on an income
// account, purchase on an expense account) and approves it unless
// status is "draft"; status "void" voids it after approval. Through the
// invoices API, or (while it answers 501) as a row.
func (b *pmBooks) invoice(t *testing.T, typ, currency, rate, amount, date, status string) string {
	t.Helper()
	account := b.named(t, "sales", "income", "sales")
	if typ == "purchase" {
		account = b.named(t, "expense", "expense", "operating_expense")
	}
	body := map[string]any{"type": typ, "contact_name": "Contact " + typ, "date": date, "due_date": date,
		"lines": []any{map[string]any{"description": "Work", "quantity": "1", "unit_price": amount, "account_id": account}}}
	if currency != "" {
		body["currency"] = currency
	}
	if rate != "" {
		body["exchange_rate"] = rate
	}
	res := rdDo(t, b.env, b.key, "POST", "/v1/accounting/invoices", body)
	if res.Status == http.StatusNotImplemented {
		return b.insertInvoice(t, typ, currency, rate, amount, date, status)
	}
	require.Equal(t, http.StatusCreated, res.Status, "create invoice: %s", res.Body)
	var inv rdObj
	res.Decode(t, &inv)
	id := inv.str(t, "id")
	if status != "draft" {
		b.ok(t, "POST", "/v1/accounting/invoices/"+id+"/approve", nil, http.StatusOK)
	}
	if status == "void" {
		b.ok(t, "POST", "/v1/accounting/invoices/"+id+"/void", nil, http.StatusOK)
	}
	return id
}

func (b *pmBooks) insertInvoice(t *testing.T, typ, currency, rate, amount, date, status string) string {
	t.Helper()
	if currency == "" {
		currency = "USD"
	}
	if rate == "" {
		rate = "1"
	}
	if status == "" {
		status = "approved"
	}
	d, err := time.Parse("2006-01-02", date)
	require.NoError(t, err)
	total := decimal.RequireFromString(amount)
	row := &db.AcctInvoice{TenantID: b.tn.ID, ID: domain.NewID("inv_"), Number: fmt.Sprintf("PM-%d", pmSeq.Add(1)),
		Type: typ, ContactName: "Contact " + typ, Date: d, DueDate: d, Currency: currency,
		ExchangeRate: decimal.RequireFromString(rate), Status: status, Subtotal: total, Total: total,
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	_, err = b.env.App.Core.DB.NewInsert().Model(row).Exec(context.Background())
	require.NoError(t, err)
	return row.ID
}

// invoiceRow reads an invoice's row (status, amount_paid).
func (b *pmBooks) invoiceRow(t *testing.T, id string) db.AcctInvoice {
	t.Helper()
	var row db.AcctInvoice
	require.NoError(t, b.env.App.Core.DB.NewSelect().Model(&row).Where("tenant_id = ? AND id = ?", b.tn.ID, id).Scan(context.Background()))
	return row
}

// requireInvoice requires an invoice's status and amount paid.
func (b *pmBooks) requireInvoice(t *testing.T, id, status, paid string) {
	t.Helper()
	row := b.invoiceRow(t, id)
	require.Equal(t, status, row.Status, "invoice %s", row.Number)
	require.True(t, decimal.RequireFromString(paid).Equal(row.AmountPaid), "invoice %s amount_paid %s, want %s", row.Number, row.AmountPaid, paid)
}

// balance is an account's posted base balance, debits − credits.
func (b *pmBooks) balance(t *testing.T, accountID string) decimal.Decimal {
	t.Helper()
	var sum decimal.Decimal
	err := b.env.App.Core.DB.NewRaw(`SELECT COALESCE(sum(base_debit - base_credit), 0) FROM acct_journal_lines
		WHERE tenant_id = ? AND account_id = ? AND posted`, b.tn.ID, accountID).Scan(context.Background(), &sum)
	require.NoError(t, err)
	return sum
}

// accountBySubType finds the tenant's first account of a sub-type.
func (b *pmBooks) accountBySubType(t *testing.T, subType string) string {
	t.Helper()
	var id string
	err := b.env.App.Core.DB.NewRaw(`SELECT id FROM acct_accounts WHERE tenant_id = ? AND sub_type = ? ORDER BY code LIMIT 1`,
		b.tn.ID, subType).Scan(context.Background(), &id)
	require.NoError(t, err, "no %s account", subType)
	return id
}

type pmAllocation struct {
	ID            string      `json:"id"`
	InvoiceID     string      `json:"invoice_id"`
	InvoiceNumber string      `json:"invoice_number"`
	Amount        json.Number `json:"amount"`
}

type pmPayment struct {
	ID                string         `json:"id"`
	Type              string         `json:"type"`
	ContactName       string         `json:"contact_name"`
	Date              string         `json:"date"`
	Amount            json.Number    `json:"amount"`
	Currency          string         `json:"currency"`
	ExchangeRate      json.Number    `json:"exchange_rate"`
	Method            string         `json:"method"`
	BankAccountID     string         `json:"bank_account_id"`
	Reference         string         `json:"reference"`
	Status            string         `json:"status"`
	Allocations       []pmAllocation `json:"allocations"`
	AllocatedAmount   json.Number    `json:"allocated_amount"`
	UnallocatedAmount json.Number    `json:"unallocated_amount"`
	JournalEntryID    *string        `json:"journal_entry_id"`
	VoidEntryID       *string        `json:"void_entry_id"`
	VoidedAt          *string        `json:"voided_at"`
	CreatedBy         string         `json:"created_by"`
	CreatedAt         string         `json:"created_at"`
	UpdatedAt         string         `json:"updated_at"`
}

type pmLine struct {
	AccountID   string      `json:"account_id"`
	Description string      `json:"description"`
	Debit       json.Number `json:"debit"`
	Credit      json.Number `json:"credit"`
	BaseDebit   json.Number `json:"base_debit"`
	BaseCredit  json.Number `json:"base_credit"`
}

type pmEntry struct {
	ID           string      `json:"id"`
	Date         string      `json:"date"`
	Status       string      `json:"status"`
	Currency     string      `json:"currency"`
	ExchangeRate json.Number `json:"exchange_rate"`
	ReversalOf   *string     `json:"reversal_of"`
	ReversedBy   *string     `json:"reversed_by"`
	Lines        []pmLine    `json:"lines"`
}

// line finds the entry's line on an account (one expected).
func (e pmEntry) line(t *testing.T, accountID string) pmLine {
	t.Helper()
	var found []pmLine
	for _, l := range e.Lines {
		if l.AccountID == accountID {
			found = append(found, l)
		}
	}
	require.Len(t, found, 1, "lines on %s in %+v", accountID, e.Lines)
	return found[0]
}

func (b *pmBooks) pay(t *testing.T, body map[string]any) pmPayment {
	t.Helper()
	var p pmPayment
	b.okInto(t, "POST", "/v1/accounting/payments", body, http.StatusCreated, &p)
	return p
}

func (b *pmBooks) payment(t *testing.T, id string) pmPayment {
	t.Helper()
	var p pmPayment
	b.okInto(t, "GET", "/v1/accounting/payments/"+id, nil, http.StatusOK, &p)
	return p
}

func (b *pmBooks) entry(t *testing.T, id string) pmEntry {
	t.Helper()
	var e pmEntry
	b.okInto(t, "GET", "/v1/accounting/journal-entries/"+id, nil, http.StatusOK, &e)
	return e
}

func alloc(invoiceID, amount string) map[string]any {
	return map[string]any{"invoice_id": invoiceID, "amount": amount}
}

func TestPaymentReceiptsAllocateAndVoid(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, bankGL := b.bank(t, "")
	inv := b.invoice(t, "sales", "", "", "1000.00", "2025-03-01", "approved")
	b.requireInvoice(t, inv, "approved", "0")

	// A partial receipt: the invoice is partially paid.
	p1 := b.pay(t, map[string]any{"type": "receipt", "date": "2025-03-05", "amount": "400", "method": "bank_transfer",
		"bank_account_id": bankID, "reference": "RCPT-1", "allocations": []any{alloc(inv, "400")}})
	require.True(t, strings.HasPrefix(p1.ID, "pay_"), p1.ID)
	require.Equal(t, "receipt", p1.Type)
	require.Equal(t, "Contact sales", p1.ContactName, "the contact defaults to the invoice's")
	require.Equal(t, "2025-03-05", p1.Date)
	require.Equal(t, "400.00", string(p1.Amount))
	require.Equal(t, "USD", p1.Currency, "the bank account's currency")
	require.Equal(t, "1", string(p1.ExchangeRate))
	require.Equal(t, "bank_transfer", p1.Method)
	require.Equal(t, bankID, p1.BankAccountID)
	require.Equal(t, "RCPT-1", p1.Reference)
	require.Equal(t, "posted", p1.Status)
	require.Len(t, p1.Allocations, 1)
	require.True(t, strings.HasPrefix(p1.Allocations[0].ID, "pal_"))
	require.Equal(t, inv, p1.Allocations[0].InvoiceID)
	require.NotEmpty(t, p1.Allocations[0].InvoiceNumber)
	require.Equal(t, "400.00", string(p1.Allocations[0].Amount))
	require.Equal(t, "400.00", string(p1.AllocatedAmount))
	require.Equal(t, "0.00", string(p1.UnallocatedAmount))
	require.NotNil(t, p1.JournalEntryID)
	require.Nil(t, p1.VoidEntryID)
	require.NotEmpty(t, p1.CreatedAt)
	b.requireInvoice(t, inv, "partially_paid", "400")

	// Its entry: bank debit, receivable credit, posted.
	ar := b.accountBySubType(t, "accounts_receivable")
	e1 := b.entry(t, *p1.JournalEntryID)
	require.Equal(t, "posted", e1.Status)
	require.Len(t, e1.Lines, 2)
	require.Equal(t, "400.00", string(e1.line(t, bankGL).Debit))
	require.Equal(t, "400.00", string(e1.line(t, ar).Credit))

	// The rest: paid, and the receivable is clear.
	p2 := b.pay(t, map[string]any{"type": "receipt", "contact_name": "Acme Ltd", "date": "2025-03-20", "amount": 600,
		"bank_account_id": bankID, "allocations": []any{alloc(inv, "600.00")}})
	require.Equal(t, "Acme Ltd", p2.ContactName)
	b.requireInvoice(t, inv, "paid", "1000")
	if b.invoiceRow(t, inv).JournalEntryID != nil {
		require.True(t, b.balance(t, ar).IsZero(), "receivable after full payment: %s", b.balance(t, ar))
	}
	require.Equal(t, "1000", b.balance(t, bankGL).String())

	// Nothing is left to allocate.
	b.invalid(t, "POST", "/v1/accounting/payments", map[string]any{"type": "receipt", "amount": "1",
		"bank_account_id": bankID, "allocations": []any{alloc(inv, "1")}}, "allocations[0].amount")

	t.Run("get and list", func(t *testing.T) {
		got := b.payment(t, p1.ID)
		require.Equal(t, p1.ID, got.ID)
		require.Equal(t, p1.Amount, got.Amount)
		require.Equal(t, p1.Allocations, got.Allocations)
		require.Equal(t, p1.JournalEntryID, got.JournalEntryID)
		require.Equal(t, p1.Reference, got.Reference)
		require.Equal(t, "posted", got.Status)
		var list struct {
			Payments []pmPayment `json:"payments"`
			Total    int         `json:"total"`
			Limit    int         `json:"limit"`
			Offset   int         `json:"offset"`
		}
		b.okInto(t, "GET", "/v1/accounting/payments", nil, http.StatusOK, &list)
		require.Equal(t, 2, list.Total)
		require.Equal(t, 20, list.Limit)
		require.Equal(t, []string{p2.ID, p1.ID}, []string{list.Payments[0].ID, list.Payments[1].ID}, "newest date first")
		b.okInto(t, "GET", "/v1/accounting/payments?type=payment", nil, http.StatusOK, &list)
		require.Zero(t, list.Total)
		require.Empty(t, list.Payments)
		b.okInto(t, "GET", "/v1/accounting/payments?type=receipt&limit=1&offset=1", nil, http.StatusOK, &list)
		require.Equal(t, 2, list.Total)
		require.Len(t, list.Payments, 1)
		require.Equal(t, p1.ID, list.Payments[0].ID)
		b.okInto(t, "GET", "/v1/accounting/payments?invoice_id="+inv, nil, http.StatusOK, &list)
		require.Equal(t, 2, list.Total)
		b.okInto(t, "GET", "/v1/accounting/payments?bank_account_id="+bankID+"&status=void", nil, http.StatusOK, &list)
		require.Zero(t, list.Total)
		b.invalid(t, "GET", "/v1/accounting/payments?type=refund", nil, "type")
		b.invalid(t, "GET", "/v1/accounting/payments?status=draft", nil, "status")
	})

	t.Run("void reopens the invoice", func(t *testing.T) {
		var v pmPayment
		b.okInto(t, "POST", "/v1/accounting/payments/"+p2.ID+"/void", nil, http.StatusOK, &v)
		require.Equal(t, "void", v.Status)
		require.NotNil(t, v.VoidEntryID)
		require.NotNil(t, v.VoidedAt)
		require.Len(t, v.Allocations, 1, "a void payment keeps its allocations for the record")
		b.requireInvoice(t, inv, "partially_paid", "400")

		rev := b.entry(t, *v.VoidEntryID)
		require.Equal(t, "posted", rev.Status)
		require.Equal(t, p2.JournalEntryID, rev.ReversalOf)
		require.Equal(t, "600.00", string(rev.line(t, bankGL).Credit))
		require.Equal(t, "reversed", b.entry(t, *p2.JournalEntryID).Status)
		require.GreaterOrEqual(t, rev.Date, "2025-03-20", "never dated before the payment")

		b.fail(t, "POST", "/v1/accounting/payments/"+p2.ID+"/void", nil, http.StatusConflict, "INVALID_STATE")

		b.ok(t, "POST", "/v1/accounting/payments/"+p1.ID+"/void", map[string]any{"date": "2025-03-31"}, http.StatusOK)
		b.requireInvoice(t, inv, "approved", "0")
		require.Equal(t, "2025-03-31", b.entry(t, *b.payment(t, p1.ID).VoidEntryID).Date)
		require.True(t, b.balance(t, bankGL).IsZero())

		var list struct {
			Total int `json:"total"`
		}
		b.okInto(t, "GET", "/v1/accounting/payments?status=void", nil, http.StatusOK, &list)
		require.Equal(t, 2, list.Total)

		// The invoice can be paid again.
		b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-01", "amount": "1000", "bank_account_id": bankID,
			"allocations": []any{alloc(inv, "1000")}})
		b.requireInvoice(t, inv, "paid", "1000")
	})

	t.Run("void date refusals", func(t *testing.T) {
		p := b.pay(t, map[string]any{"type": "receipt", "date": "2025-05-10", "amount": "5", "bank_account_id": bankID})
		b.invalid(t, "POST", "/v1/accounting/payments/"+p.ID+"/void", map[string]any{"date": "2025-05-09"}, "date")
		b.invalid(t, "POST", "/v1/accounting/payments/"+p.ID+"/void", map[string]any{"date": "soon"}, "date")
		require.Equal(t, "posted", b.payment(t, p.ID).Status)
	})

	t.Run("unallocated rest is a customer credit", func(t *testing.T) {
		inv2 := b.invoice(t, "sales", "", "", "80", "2025-06-01", "approved")
		before := b.balance(t, ar)
		p := b.pay(t, map[string]any{"type": "receipt", "date": "2025-06-02", "amount": "100", "bank_account_id": bankID,
			"allocations": []any{alloc(inv2, "80")}})
		require.Equal(t, "80.00", string(p.AllocatedAmount))
		require.Equal(t, "20.00", string(p.UnallocatedAmount))
		b.requireInvoice(t, inv2, "paid", "80")
		e := b.entry(t, *p.JournalEntryID)
		require.Len(t, e.Lines, 3)
		require.Equal(t, "100.00", string(e.line(t, bankGL).Debit))
		require.Equal(t, "-100", b.balance(t, ar).Sub(before).String(), "80 cleared and 20 held as credit on the receivable")

		none := b.pay(t, map[string]any{"type": "receipt", "date": "2025-06-03", "amount": "12.5", "bank_account_id": bankID})
		require.Empty(t, none.Allocations)
		require.Equal(t, "12.50", string(none.UnallocatedAmount))
		require.Equal(t, "", none.ContactName)
	})
}

func TestPaymentPurchasePayments(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, bankGL := b.bank(t, "")
	bill1 := b.invoice(t, "purchase", "", "", "300", "2025-02-01", "approved")
	bill2 := b.invoice(t, "purchase", "", "", "200", "2025-02-02", "approved")

	// One payment settles two bills.
	p := b.pay(t, map[string]any{"type": "payment", "contact_name": "Supplier", "date": "2025-02-10", "amount": "450",
		"method": "cheque", "bank_account_id": bankID, "allocations": []any{alloc(bill1, "300"), alloc(bill2, "150")}})
	require.Equal(t, "payment", p.Type)
	require.Len(t, p.Allocations, 2)
	require.Equal(t, bill1, p.Allocations[0].InvoiceID, "allocations keep their order")
	require.Equal(t, bill2, p.Allocations[1].InvoiceID)
	b.requireInvoice(t, bill1, "paid", "300")
	b.requireInvoice(t, bill2, "partially_paid", "150")

	ap := b.accountBySubType(t, "accounts_payable")
	e := b.entry(t, *p.JournalEntryID)
	require.Equal(t, "450.00", string(e.line(t, bankGL).Credit), "money out credits the bank")
	var apDebits decimal.Decimal
	for _, l := range e.Lines {
		if l.AccountID == ap {
			apDebits = apDebits.Add(decimal.RequireFromString(string(l.Debit)))
		}
	}
	require.Equal(t, "450", apDebits.String())
	if b.invoiceRow(t, bill1).JournalEntryID != nil {
		require.Equal(t, "-50", b.balance(t, ap).String(), "50 of bill 2 still owed")
	}

	// A receipt cannot settle a bill, nor a payment a sales invoice.
	sale := b.invoice(t, "sales", "", "", "10", "2025-02-03", "approved")
	b.invalid(t, "POST", "/v1/accounting/payments", map[string]any{"type": "receipt", "amount": "10",
		"bank_account_id": bankID, "allocations": []any{alloc(bill2, "10")}}, "allocations[0].invoice_id")
	b.invalid(t, "POST", "/v1/accounting/payments", map[string]any{"type": "payment", "amount": "10",
		"bank_account_id": bankID, "allocations": []any{alloc(sale, "10")}}, "allocations[0].invoice_id")

	b.ok(t, "POST", "/v1/accounting/payments/"+p.ID+"/void", nil, http.StatusOK)
	b.requireInvoice(t, bill1, "approved", "0")
	b.requireInvoice(t, bill2, "approved", "0")
}

func TestPaymentRefusals(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, _ := b.bank(t, "")
	b.currency(t, "EUR")
	eurBank, _ := b.bank(t, "EUR")
	inv := b.invoice(t, "sales", "", "", "100", "2025-01-10", "approved")
	other := b.invoice(t, "sales", "", "", "50", "2025-01-10", "approved")
	const path = "/v1/accounting/payments"
	receipt := func(amount string, allocs ...any) map[string]any {
		return map[string]any{"type": "receipt", "date": "2025-01-15", "amount": amount, "bank_account_id": bankID, "allocations": allocs}
	}

	t.Run("bad input", func(t *testing.T) {
		b.invalid(t, "POST", path, map[string]any{}, "type", "amount", "bank_account_id")
		b.invalid(t, "POST", path, map[string]any{"type": "refund", "amount": "1", "bank_account_id": bankID}, "type")
		b.invalid(t, "POST", path, receipt("0"), "amount")
		b.invalid(t, "POST", path, receipt("-5"), "amount")
		b.invalid(t, "POST", path, receipt("10.001"), "amount")
		b.invalid(t, "POST", path, receipt("1000000000000000"), "amount")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": bankID, "exchange_rate": "1e20"}, "exchange_rate")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "abc", "bank_account_id": bankID}, "amount")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "date": "2025-13-01", "bank_account_id": bankID}, "date")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": "ba_nope"}, "bank_account_id")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": bankID, "exchange_rate": "0"}, "exchange_rate")
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": bankID, "reference": strings.Repeat("r", 201)}, "reference")
		b.invalid(t, "POST", path, receipt("10", map[string]any{"amount": "5"}), "allocations[0].invoice_id")
		b.invalid(t, "POST", path, receipt("10", map[string]any{"invoice_id": inv}), "allocations[0].amount")
		b.invalid(t, "POST", path, receipt("10", alloc(inv, "0")), "allocations[0].amount")
		b.invalid(t, "POST", path, receipt("10", alloc(inv, "2"), alloc(inv, "3")), "allocations[1].invoice_id")
		b.invalid(t, "POST", path, receipt("10", alloc(inv, "2.005")), "allocations[0].amount")
		b.invalid(t, "POST", path, receipt("10", alloc("inv_nope", "2")), "allocations[0].invoice_id")
		many := make([]any, 101)
		for i := range many {
			many[i] = alloc(fmt.Sprintf("inv_%d", i), "1")
		}
		b.invalid(t, "POST", path, receipt("1000", many...), "allocations")
	})

	t.Run("allocations over the amount", func(t *testing.T) {
		b.invalid(t, "POST", path, receipt("60", alloc(inv, "40"), alloc(other, "30")), "allocations")
	})

	t.Run("allocation above the amount due", func(t *testing.T) {
		b.invalid(t, "POST", path, receipt("200", alloc(inv, "100.01")), "allocations[0].amount")
		// All or nothing: the first allocation is not applied when the second fails.
		b.invalid(t, "POST", path, receipt("200", alloc(inv, "60"), alloc(other, "51")), "allocations[1].amount")
		b.requireInvoice(t, inv, "approved", "0")
		b.requireInvoice(t, other, "approved", "0")
	})

	t.Run("currency", func(t *testing.T) {
		body := receipt("10", alloc(inv, "10"))
		body["currency"] = "EUR"
		b.invalid(t, "POST", path, body, "currency")
		eurInv := b.invoice(t, "sales", "EUR", "1.1", "10", "2025-01-10", "approved")
		b.invalid(t, "POST", path, receipt("10", alloc(eurInv, "10")), "allocations[0].invoice_id")
		body = receipt("10", alloc(inv, "10"))
		body["bank_account_id"] = eurBank
		body["exchange_rate"] = "1.1"
		b.invalid(t, "POST", path, body, "allocations[0].invoice_id")
		// No exchange rate on file and none given.
		body = map[string]any{"type": "receipt", "date": "2025-01-15", "amount": "10", "bank_account_id": eurBank}
		b.invalid(t, "POST", path, body, "exchange_rate")
	})

	t.Run("draft and void invoices", func(t *testing.T) {
		draft := b.invoice(t, "sales", "", "", "10", "2025-01-10", "draft")
		b.fail(t, "POST", path, receipt("10", alloc(draft, "10")), http.StatusConflict, "INVALID_STATE")
		void := b.invoice(t, "sales", "", "", "10", "2025-01-10", "void")
		b.fail(t, "POST", path, receipt("10", alloc(void, "10")), http.StatusConflict, "INVALID_STATE")
		b.requireInvoice(t, draft, "draft", "0")
		b.requireInvoice(t, void, "void", "0")
	})

	t.Run("inactive bank account", func(t *testing.T) {
		id, _ := b.bank(t, "")
		b.ok(t, "PATCH", "/v1/accounting/bank-accounts/"+id, map[string]any{"is_active": false}, http.StatusOK)
		b.invalid(t, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": id}, "bank_account_id")
	})

	t.Run("closed period", func(t *testing.T) {
		per := b.ok(t, "POST", "/v1/accounting/periods", map[string]any{"name": "Dec 2024",
			"start_date": "2024-12-01", "end_date": "2024-12-31"}, http.StatusCreated)
		b.ok(t, "POST", "/v1/accounting/periods/"+per.str(t, "id")+"/close", nil, http.StatusOK)
		body := receipt("10", alloc(inv, "10"))
		body["date"] = "2024-12-15"
		b.fail(t, "POST", path, body, http.StatusConflict, "PERIOD_CLOSED")
		b.requireInvoice(t, inv, "approved", "0")
	})

	t.Run("not found, other tenants, scopes", func(t *testing.T) {
		p := b.pay(t, receipt("5"))
		for _, id := range []string{"pay_nope", domain.NewID("pay_"), p.ID + "x"} {
			b.fail(t, "GET", path+"/"+id, nil, http.StatusNotFound, "NOT_FOUND")
			b.fail(t, "POST", path+"/"+id+"/void", nil, http.StatusNotFound, "NOT_FOUND")
		}
		o := newPmBooks(t, env)
		rdErr(t, env, o.key, "GET", path+"/"+p.ID, nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, o.key, "POST", path+"/"+p.ID+"/void", nil, http.StatusNotFound, "NOT_FOUND")
		rdInvalid(t, env, o.key, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": bankID}, "bank_account_id")
		oBank, _ := o.bank(t, "")
		rdInvalid(t, env, o.key, "POST", path, map[string]any{"type": "receipt", "amount": "1", "bank_account_id": oBank,
			"allocations": []any{alloc(inv, "1")}}, "allocations[0].invoice_id")
		var list struct {
			Total int `json:"total"`
		}
		res := rdDo(t, env, o.key, "GET", path, nil)
		require.Equal(t, http.StatusOK, res.Status)
		res.Decode(t, &list)
		require.Zero(t, list.Total)

		rdErr(t, env, b.read, "POST", path, receipt("5"), http.StatusForbidden, "INSUFFICIENT_SCOPE")
		rdErr(t, env, b.read, "POST", path+"/"+p.ID+"/void", nil, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		rdOK(t, env, b.read, "GET", path+"/"+p.ID, nil, http.StatusOK)
		rdOK(t, env, b.read, "GET", path, nil, http.StatusOK)
		require.Equal(t, http.StatusUnauthorized, rdDo(t, env, "", "GET", path, nil).Status)
	})
}

func TestPaymentRealizedFX(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	b.currency(t, "EUR")
	bankID, bankGL := b.bank(t, "EUR")

	// A EUR invoice at 1.10 received at 1.15: a realized gain of exactly
	// (1.15 − 1.10) × 1000 = 50.00, and the receivable clears in base.
	inv := b.invoice(t, "sales", "EUR", "1.10", "1000.00", "2025-03-01", "approved")
	p := b.pay(t, map[string]any{"type": "receipt", "date": "2025-03-20", "amount": "1000", "exchange_rate": "1.15",
		"bank_account_id": bankID, "allocations": []any{alloc(inv, "1000")}})
	require.Equal(t, "EUR", p.Currency)
	require.Equal(t, "1.15", string(p.ExchangeRate))
	b.requireInvoice(t, inv, "paid", "1000")

	ar := b.accountBySubType(t, "accounts_receivable")
	fx := b.accountBySubType(t, "fx_gain_loss")
	e := b.entry(t, *p.JournalEntryID)
	require.Equal(t, "EUR", e.Currency)
	require.Len(t, e.Lines, 3)
	bank := e.line(t, bankGL)
	require.Equal(t, "1000.00", string(bank.Debit))
	require.Equal(t, "1150.00", string(bank.BaseDebit))
	recv := e.line(t, ar)
	require.Equal(t, "1000.00", string(recv.Credit))
	require.Equal(t, "1100.00", string(recv.BaseCredit), "the receivable clears at the invoice's rate")
	gain := e.line(t, fx)
	require.Equal(t, "0.00", string(gain.Debit))
	require.Equal(t, "0.00", string(gain.Credit), "the FX line has no foreign amount")
	require.Equal(t, "50.00", string(gain.BaseCredit))
	require.Equal(t, "0.00", string(gain.BaseDebit))
	if b.invoiceRow(t, inv).JournalEntryID != nil {
		require.True(t, b.balance(t, ar).IsZero(), "receivable in base: %s", b.balance(t, ar))
	}
	require.Equal(t, "-50", b.balance(t, fx).String())
	require.Equal(t, "1150", b.balance(t, bankGL).String())

	t.Run("partial payments at other rates clear the receivable exactly", func(t *testing.T) {
		arBefore, fxBefore := b.balance(t, ar), b.balance(t, fx)
		inv2 := b.invoice(t, "sales", "EUR", "1.10", "100.01", "2025-04-01", "approved")
		// 50 at 1.05: clears 55.00, banks 52.50, a loss of 2.50.
		p1 := b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-10", "amount": "50", "exchange_rate": "1.05",
			"bank_account_id": bankID, "allocations": []any{alloc(inv2, "50")}})
		e1 := b.entry(t, *p1.JournalEntryID)
		require.Equal(t, "55.00", string(e1.line(t, ar).BaseCredit))
		require.Equal(t, "52.50", string(e1.line(t, bankGL).BaseDebit))
		require.Equal(t, "2.50", string(e1.line(t, fx).BaseDebit))
		b.requireInvoice(t, inv2, "partially_paid", "50")
		// 50.01 at 1.20: banks 60.01 and clears the rest of the invoice's
		// base amount (110.01 − 55.00 = 55.01), a gain of 5.00.
		p2 := b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-20", "amount": "50.01", "exchange_rate": "1.2",
			"bank_account_id": bankID, "allocations": []any{alloc(inv2, "50.01")}})
		e2 := b.entry(t, *p2.JournalEntryID)
		require.Equal(t, "60.01", string(e2.line(t, bankGL).BaseDebit))
		require.Equal(t, "55.01", string(e2.line(t, ar).BaseCredit))
		require.Equal(t, "5.00", string(e2.line(t, fx).BaseCredit))
		b.requireInvoice(t, inv2, "paid", "100.01")
		if b.invoiceRow(t, inv2).JournalEntryID != nil {
			require.True(t, b.balance(t, ar).Equal(arBefore), "receivable back to %s: %s", arBefore, b.balance(t, ar))
		}
		require.Equal(t, "-2.5", b.balance(t, fx).Sub(fxBefore).String(), "net realized gain 2.50")

		// Voiding reverses the FX too and reopens the invoice.
		b.ok(t, "POST", "/v1/accounting/payments/"+p2.ID+"/void", nil, http.StatusOK)
		b.ok(t, "POST", "/v1/accounting/payments/"+p1.ID+"/void", nil, http.StatusOK)
		b.requireInvoice(t, inv2, "approved", "0")
		require.True(t, b.balance(t, fx).Equal(fxBefore))
	})

	t.Run("the rate on file is the default", func(t *testing.T) {
		b.ok(t, "POST", "/v1/accounting/exchange-rates", map[string]any{"from_currency": "EUR", "to_currency": "USD",
			"rate": "1.08", "effective_date": "2025-05-01"}, http.StatusCreated)
		p := b.pay(t, map[string]any{"type": "receipt", "date": "2025-05-02", "amount": "10", "bank_account_id": bankID})
		require.Equal(t, "1.08", string(p.ExchangeRate))
		require.Equal(t, "10.80", string(b.entry(t, *p.JournalEntryID).line(t, bankGL).BaseDebit))
	})
}

func TestPaymentConcurrentAllocations(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, _ := b.bank(t, "")
	inv := b.invoice(t, "sales", "", "", "100", "2025-01-01", "approved")
	inv2 := b.invoice(t, "sales", "", "", "100", "2025-01-01", "approved")

	// Eight receipts of 30 race for an invoice of 100: three fit. Each also
	// touches a second invoice, in the other order half the time, which
	// must not deadlock.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			allocs := []any{alloc(inv, "30"), alloc(inv2, "1")}
			if i%2 == 1 {
				allocs = []any{alloc(inv2, "1"), alloc(inv, "30")}
			}
			res := rdDo(t, env, b.key, "POST", "/v1/accounting/payments", map[string]any{"type": "receipt",
				"date": "2025-01-02", "amount": "31", "bank_account_id": bankID, "allocations": allocs})
			statuses[i] = res.Status
		}()
	}
	wg.Wait()
	created := 0
	for _, st := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusBadRequest}, st)
		if st == http.StatusCreated {
			created++
		}
	}
	require.Equal(t, 3, created)
	b.requireInvoice(t, inv, "partially_paid", "90")
	b.requireInvoice(t, inv2, "partially_paid", "3")

	t.Run("first FX payments at once create one FX account", func(t *testing.T) {
		f := newPmBooks(t, env)
		f.currency(t, "EUR")
		eurBank, _ := f.bank(t, "EUR")
		invs := make([]string, 6)
		for i := range invs {
			invs[i] = f.invoice(t, "sales", "EUR", "1.10", "10", "2025-01-01", "approved")
		}
		var wg sync.WaitGroup
		codes := make([]int, len(invs))
		for i := range invs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = rdDo(t, env, f.key, "POST", "/v1/accounting/payments", map[string]any{"type": "receipt",
					"date": "2025-01-05", "amount": "10", "exchange_rate": "1.2", "bank_account_id": eurBank,
					"allocations": []any{alloc(invs[i], "10")}}).Status
			}()
		}
		wg.Wait()
		for _, c := range codes {
			require.Equal(t, http.StatusCreated, c)
		}
		var n int
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FROM acct_accounts WHERE tenant_id = ? AND sub_type = 'fx_gain_loss'`,
			f.tn.ID).Scan(context.Background(), &n))
		require.Equal(t, 1, n)
		require.Equal(t, "-6", f.balance(t, f.accountBySubType(t, "fx_gain_loss")).String(), "six gains of 1.00")
	})
}
