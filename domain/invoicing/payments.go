package invoicing

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Payments and receipts.
//
// A receipt (money in) settles sales invoices, a payment (money out)
// purchase invoices. Each posts one journal entry (source_type "payment")
// in the payment's currency, which is always its bank account's currency:
//
//	receipt: debit the bank's ledger account the amount (base at the
//	         payment's rate); credit the receivable each allocation (base at
//	         the invoice's rate, so the invoice's receivable clears exactly);
//	         credit the receivable the unallocated rest, if any, as a
//	         customer credit (base at the payment's rate);
//	payment: the mirror image on the payable.
//
// The base difference between the two sides is the realized FX gain or loss:
// a line with no foreign amount on the first income account of sub-type
// fx_gain_loss (created as 4950 when there is none). The receivable or
// payable an allocation clears is the one the invoice's approval entry
// posted to, else the tenant's system account (first active
// accounts_receivable / accounts_payable account, created as 1100 / 2000).
// The allocation that completes an invoice clears whatever base amount of
// the invoice remains, so a fully paid invoice leaves its receivable at
// zero in base too, whatever the rounding of the partial payments.

// ID prefixes of payment records.
const (
	paymentPrefix    = "pay_"
	allocationPrefix = "pal_"
)

// Payment types and statuses.
const (
	PaymentTypeReceipt = "receipt"
	PaymentTypePayment = "payment"

	PaymentPosted = "posted"
	PaymentVoid   = "void"
)

// maxAllocations caps the allocations of one payment.
const maxAllocations = 100

// payMaxAmount bounds amounts and rates as the ledger does (below 10^15).
var payMaxAmount = decimal.New(1, 15)

// Payment is a receipt or a payment with its allocations.
type Payment struct {
	ID                string              `json:"id"`
	Type              string              `json:"type" doc:"receipt (money in) or payment (money out)."`
	ContactName       string              `json:"contact_name"`
	Date              Date                `json:"date"`
	Amount            Amount              `json:"amount"`
	Currency          string              `json:"currency"`
	ExchangeRate      Amount              `json:"exchange_rate" doc:"Units of the base currency per one unit of currency."`
	Method            string              `json:"method"`
	BankAccountID     string              `json:"bank_account_id"`
	Reference         string              `json:"reference"`
	Status            string              `json:"status" doc:"posted or void."`
	Allocations       []PaymentAllocation `json:"allocations"`
	AllocatedAmount   Amount              `json:"allocated_amount"`
	UnallocatedAmount Amount              `json:"unallocated_amount" doc:"Held as a customer credit (receipts) or supplier prepayment (payments) on the receivable or payable."`
	JournalEntryID    *string             `json:"journal_entry_id"`
	VoidEntryID       *string             `json:"void_entry_id"`
	VoidedAt          *time.Time          `json:"voided_at"`
	CreatedBy         string              `json:"created_by"`
	CreatedAt         time.Time           `json:"created_at"`
	UpdatedAt         time.Time           `json:"updated_at"`
}

// PaymentAllocation is the part of a payment applied to one invoice.
type PaymentAllocation struct {
	ID            string `json:"id"`
	InvoiceID     string `json:"invoice_id"`
	InvoiceNumber string `json:"invoice_number"`
	Amount        Amount `json:"amount"`
}

// AllocationInput applies part of a payment to an invoice.
type AllocationInput struct {
	InvoiceID string  `json:"invoice_id" required:"true"`
	Amount    *Amount `json:"amount" required:"true" doc:"Positive, at most the invoice's amount_due."`
}

// CreatePaymentInput is the body of POST /v1/accounting/payments.
type CreatePaymentInput struct {
	Type          string            `json:"type" required:"true" doc:"receipt (settles sales invoices) or payment (settles purchase invoices)."`
	ContactName   string            `json:"contact_name" doc:"Default: the first allocated invoice's contact."`
	Date          string            `json:"date" doc:"YYYY-MM-DD; default today."`
	Amount        *Amount           `json:"amount" required:"true"`
	Currency      string            `json:"currency" doc:"The bank account's currency (the default; another is refused)."`
	ExchangeRate  *Amount           `json:"exchange_rate" doc:"Units of base per one unit of currency; default the rate effective on date."`
	Method        string            `json:"method" doc:"Free text: bank_transfer, card, cash, cheque, ..."`
	BankAccountID string            `json:"bank_account_id" required:"true"`
	Reference     string            `json:"reference"`
	Allocations   []AllocationInput `json:"allocations" doc:"At most 100, each to a different invoice; their sum may not exceed amount."`
}

// PaymentRef names a payment.
type PaymentRef struct {
	PaymentID string `path:"payment_id" json:"-"`
}

// VoidPaymentInput names the payment to void.
type VoidPaymentInput struct {
	PaymentID string  `path:"payment_id" json:"-"`
	Date      *string `json:"date" doc:"Date of the reversing entry; default today (the payment's date when that is later)."`
}

// ListPaymentsInput filters and pages payments (offset list).
type ListPaymentsInput struct {
	Type          string `query:"type" doc:"receipt or payment."`
	Status        string `query:"status" doc:"posted or void."`
	BankAccountID string `query:"bank_account_id"`
	InvoiceID     string `query:"invoice_id" doc:"Payments with an allocation to this invoice."`
	Limit         int    `query:"limit"`
	Offset        int    `query:"offset"`
}

// PaymentList is the answer of GET /v1/accounting/payments.
type PaymentList struct {
	Payments []Payment `json:"payments"`
	Total    int       `json:"total"`
	Limit    int       `json:"limit"`
	Offset   int       `json:"offset"`
}

// ListPayments pages payments, newest date first. Errors: VALIDATION_FAILED.
func (s *Service) ListPayments(ctx context.Context, in ListPaymentsInput) (PaymentList, error) {
	p, err := reader(ctx)
	if err != nil {
		return PaymentList{}, err
	}
	var v domain.Validation
	v.Check(in.Type != "" && in.Type != PaymentTypeReceipt && in.Type != PaymentTypePayment, "type", "must be receipt or payment")
	v.Check(in.Status != "" && in.Status != PaymentPosted && in.Status != PaymentVoid, "status", "must be posted or void")
	v.Check(in.Offset < 0, "offset", "must not be negative")
	if err := v.Err(); err != nil {
		return PaymentList{}, err
	}
	params := &db.AcctPaymentListParams{Type: in.Type, Status: in.Status, BankAccountID: in.BankAccountID,
		InvoiceID: in.InvoiceID, Limit: domain.ClampLimit(in.Limit), Offset: in.Offset}
	rows, total, err := db.AcctPaymentList(ctx, s.core.DB, p.TenantID, params)
	if err != nil {
		return PaymentList{}, domain.Internal(err)
	}
	out, err := s.paymentsOut(ctx, s.core.DB, p.TenantID, rows)
	if err != nil {
		return PaymentList{}, err
	}
	return PaymentList{Payments: out, Total: total, Limit: params.Limit, Offset: in.Offset}, nil
}

// GetPayment loads a payment with its allocations. Errors: NOT_FOUND.
func (s *Service) GetPayment(ctx context.Context, in PaymentRef) (Payment, error) {
	p, err := reader(ctx)
	if err != nil {
		return Payment{}, err
	}
	row, err := s.payment(ctx, s.core.DB, p.TenantID, in.PaymentID, false)
	if err != nil {
		return Payment{}, err
	}
	out, err := s.paymentsOut(ctx, s.core.DB, p.TenantID, []db.AcctPayment{*row})
	if err != nil {
		return Payment{}, err
	}
	return out[0], nil
}

// payDraft is a create body after the checks that need no database.
type payDraft struct {
	typ, contact, method, reference string
	date                            time.Time
	amount                          decimal.Decimal
	allocations                     []payAlloc
}

type payAlloc struct {
	index     int
	invoiceID string
	amount    decimal.Decimal
	invoice   *db.AcctInvoice // after adjustPaid
	base      decimal.Decimal // base amount cleared on the invoice's control account
}

// CreatePayment records a receipt or a payment, applies its allocations to
// the invoices (which move to partially_paid or paid) and posts its entry.
// Errors: VALIDATION_FAILED (type, amount, bank_account_id, currency — not
// the bank account's —, exchange_rate, allocations: over the amount, an
// invoice of the wrong type or currency, an amount above the invoice's
// amount_due), INVALID_STATE (a draft or void invoice), PERIOD_CLOSED,
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreatePayment(ctx context.Context, in CreatePaymentInput) (Payment, error) {
	p, err := writer(ctx)
	if err != nil {
		return Payment{}, err
	}
	d, err := s.paymentDraft(in)
	if err != nil {
		return Payment{}, err
	}
	var out Payment
	err = s.core.Write(ctx, func(w *domain.Write) error {
		var err error
		out, err = s.createPayment(ctx, w, p, d, in)
		return err
	})
	return out, err
}

func (s *Service) paymentDraft(in CreatePaymentInput) (*payDraft, error) {
	var v domain.Validation
	d := &payDraft{typ: strings.ToLower(strings.TrimSpace(in.Type)), contact: strings.TrimSpace(in.ContactName),
		method: strings.TrimSpace(in.Method), reference: strings.TrimSpace(in.Reference),
		date: dateOf(s.core.Clock.Now().UTC()).Time}
	v.Check(d.typ != PaymentTypeReceipt && d.typ != PaymentTypePayment, "type", "must be receipt or payment")
	if strings.TrimSpace(in.Date) != "" {
		if t, ok := requiredDate(&v, "date", in.Date); ok {
			d.date = t
		}
	}
	switch {
	case in.Amount == nil:
		v.Add("amount", "is required")
	case !in.Amount.IsPositive():
		v.Add("amount", "must be positive")
	case in.Amount.GreaterThanOrEqual(payMaxAmount):
		v.Add("amount", "must be below 10^15")
	default:
		d.amount = in.Amount.Decimal
	}
	domain.CheckText(&v, "contact_name", d.contact, 200, false)
	domain.CheckText(&v, "method", d.method, 50, false)
	domain.CheckText(&v, "reference", d.reference, 200, false)
	v.Check(strings.TrimSpace(in.BankAccountID) == "", "bank_account_id", "is required")
	v.Check(in.ExchangeRate != nil && (!in.ExchangeRate.IsPositive() || in.ExchangeRate.GreaterThanOrEqual(payMaxAmount)),
		"exchange_rate", "must be positive and below 10^15")
	v.Check(len(in.Allocations) > maxAllocations, "allocations", fmt.Sprintf("must have at most %d items", maxAllocations))
	seen := map[string]int{}
	for i, a := range in.Allocations {
		f := fmt.Sprintf("allocations[%d]", i)
		id := strings.TrimSpace(a.InvoiceID)
		if id == "" {
			v.Add(f+".invoice_id", "is required")
		} else if j, dup := seen[id]; dup {
			v.Add(f+".invoice_id", fmt.Sprintf("repeats allocations[%d]: allocate once per invoice", j))
		} else {
			seen[id] = i
		}
		switch {
		case a.Amount == nil:
			v.Add(f+".amount", "is required")
		case !a.Amount.IsPositive():
			v.Add(f+".amount", "must be positive")
		case a.Amount.GreaterThanOrEqual(payMaxAmount):
			v.Add(f+".amount", "must be below 10^15")
		default:
			d.allocations = append(d.allocations, payAlloc{index: i, invoiceID: id, amount: a.Amount.Decimal})
		}
	}
	return d, v.Err()
}

func (s *Service) createPayment(ctx context.Context, w *domain.Write, p *domain.Principal, d *payDraft, in CreatePaymentInput) (Payment, error) {
	bank, err := s.bankAccount(ctx, w.Tx, p.TenantID, strings.TrimSpace(in.BankAccountID), "SHARE")
	if err != nil && domain.ErrorCode(err) == domain.CodeNotFound {
		return Payment{}, domain.Invalid("bank_account_id", "is not a bank account of this tenant")
	}
	if err != nil {
		return Payment{}, err
	}
	if !bank.IsActive {
		return Payment{}, domain.Invalid("bank_account_id", "the bank account is inactive")
	}
	currency := strings.ToUpper(strings.TrimSpace(in.Currency))
	if currency == "" {
		currency = bank.Currency
	}
	if currency != bank.Currency {
		return Payment{}, domain.Invalid("currency", "must be the bank account's currency ("+bank.Currency+")")
	}
	places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, currency, "currency")
	if err != nil {
		return Payment{}, err
	}
	base, basePlaces, err := s.books.BaseCurrency(ctx, w.Tx, p.TenantID)
	if err != nil {
		return Payment{}, err
	}
	var v domain.Validation
	payCheckPlaces(&v, "amount", d.amount, places)
	var allocated decimal.Decimal
	for _, a := range d.allocations {
		payCheckPlaces(&v, fmt.Sprintf("allocations[%d].amount", a.index), a.amount, places)
		allocated = allocated.Add(a.amount)
	}
	if allocated.GreaterThan(d.amount) {
		v.Add("allocations", fmt.Sprintf("total %s exceeds the payment amount %s",
			allocated.StringFixedBank(places), d.amount.StringFixedBank(places)))
	}
	if err := v.Err(); err != nil {
		return Payment{}, err
	}
	rate := decimal.NewFromInt(1)
	if currency != base {
		if in.ExchangeRate != nil {
			rate = in.ExchangeRate.Decimal
		} else if rate, err = s.books.RateOn(ctx, w.Tx, p.TenantID, currency, base, d.date, "exchange_rate"); err != nil {
			return Payment{}, err
		}
	}
	if err := s.applyAllocations(ctx, w.Tx, p.TenantID, d, currency); err != nil {
		return Payment{}, err
	}
	if d.contact == "" && len(d.allocations) > 0 {
		first := d.allocations[0]
		for _, a := range d.allocations {
			if a.index < first.index {
				first = a
			}
		}
		d.contact = first.invoice.ContactName
	}

	id := domain.NewID(paymentPrefix)
	lines, err := s.paymentLines(ctx, w, p.TenantID, d, bank, rate, basePlaces)
	if err != nil {
		return Payment{}, err
	}
	description := "Receipt"
	if d.typ == PaymentTypePayment {
		description = "Payment"
	}
	switch {
	case d.contact != "" && d.typ == PaymentTypeReceipt:
		description += " from " + d.contact
	case d.contact != "":
		description += " to " + d.contact
	}
	entry, err := s.books.CreateEntryTx(ctx, w, p, accounting.CreateEntryInput{Date: d.date.Format(dateLayout),
		Description: description, Reference: d.reference, Currency: currency,
		ExchangeRate: &accounting.Amount{Decimal: rate}, Lines: lines, Post: true}, "payment", id)
	if err != nil {
		return Payment{}, err
	}
	now := s.core.Clock.Now()
	row := &db.AcctPayment{TenantID: p.TenantID, ID: id, Type: d.typ, ContactName: d.contact, Date: d.date,
		Amount: d.amount, Currency: currency, ExchangeRate: rate, Method: d.method, BankAccountID: bank.ID,
		Reference: d.reference, Status: PaymentPosted, JournalEntryID: &entry.ID, CreatedBy: p.ActorID(),
		CreatedAt: now, UpdatedAt: now}
	if err := db.AcctPaymentInsert(ctx, w.Tx, row); err != nil {
		return Payment{}, domain.Internal(err)
	}
	sort.Slice(d.allocations, func(i, j int) bool { return d.allocations[i].index < d.allocations[j].index })
	allocs := make([]db.AcctPaymentAllocation, len(d.allocations))
	views := make([]db.AcctPaymentAllocationRow, len(d.allocations))
	for i, a := range d.allocations {
		allocs[i] = db.AcctPaymentAllocation{TenantID: p.TenantID, ID: domain.NewID(allocationPrefix), PaymentID: id,
			InvoiceID: a.invoiceID, Amount: a.amount, BaseAmount: a.base}
		views[i] = db.AcctPaymentAllocationRow{ID: allocs[i].ID, PaymentID: id, InvoiceID: a.invoiceID,
			InvoiceNumber: a.invoice.Number, Amount: a.amount}
	}
	if err := db.AcctPaymentAllocationsInsert(ctx, w.Tx, allocs); err != nil {
		return Payment{}, domain.Internal(err)
	}
	out := paymentFromRow(row, views, places)
	if err := w.Audit(p.TenantID, "payment.create", "payment", id, map[string]any{"type": out.Type,
		"amount": out.Amount, "currency": out.Currency, "bank_account_id": out.BankAccountID,
		"allocations": out.Allocations, "journal_entry_id": entry.ID}); err != nil {
		return Payment{}, err
	}
	return out, w.Emit(p.TenantID, accounting.Topic, "payment.created", out)
}

// applyAllocations checks each allocation's invoice (this tenant's, of the
// payment's type and currency) and adds the allocation to its amount_paid,
// locking the invoices in id order so concurrent payments never deadlock.
func (s *Service) applyAllocations(ctx context.Context, idb bun.IDB, tenantID string, d *payDraft, currency string) error {
	if len(d.allocations) == 0 {
		return nil
	}
	ids := make([]string, len(d.allocations))
	for i, a := range d.allocations {
		ids[i] = a.invoiceID
	}
	invoices, err := db.AcctPaymentInvoices(ctx, idb, tenantID, ids)
	if err != nil {
		return domain.Internal(err)
	}
	byID := map[string]*db.AcctInvoice{}
	for i := range invoices {
		byID[invoices[i].ID] = &invoices[i]
	}
	want := "sales"
	if d.typ == PaymentTypePayment {
		want = "purchase"
	}
	var v domain.Validation
	for _, a := range d.allocations {
		f := fmt.Sprintf("allocations[%d].invoice_id", a.index)
		inv := byID[a.invoiceID]
		switch {
		case inv == nil:
			v.Add(f, "is not an invoice of this tenant")
		case inv.Type != want:
			v.Add(f, fmt.Sprintf("is a %s invoice; a %s settles %s invoices", inv.Type, d.typ, want))
		case inv.Currency != currency:
			v.Add(f, fmt.Sprintf("is in %s; the payment is in %s", inv.Currency, currency))
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	sort.Slice(d.allocations, func(i, j int) bool { return d.allocations[i].invoiceID < d.allocations[j].invoiceID })
	for i := range d.allocations {
		a := &d.allocations[i]
		inv, err := s.adjustPaid(ctx, idb, tenantID, a.invoiceID, a.amount, fmt.Sprintf("allocations[%d].amount", a.index))
		if err != nil {
			return err
		}
		a.invoice = inv
	}
	return nil
}

// paymentLines builds the entry of a payment (see the top of this file).
func (s *Service) paymentLines(ctx context.Context, w *domain.Write, tenantID string, d *payDraft,
	bank *db.AcctBankAccount, rate decimal.Decimal, basePlaces int32) ([]accounting.LineInput, error) {
	receipt := d.typ == PaymentTypeReceipt
	var system *accounting.Account
	systemControl := func() (string, error) {
		if system == nil {
			var a accounting.Account
			var err error
			if receipt {
				a, err = s.books.SystemAccount(ctx, w, tenantID, accounting.TypeAsset, "accounts_receivable", "1100", "Accounts Receivable")
			} else {
				a, err = s.books.SystemAccount(ctx, w, tenantID, accounting.TypeLiability, "accounts_payable", "2000", "Accounts Payable")
			}
			if err != nil {
				return "", err
			}
			system = &a
		}
		return system.ID, nil
	}
	var baseDebits, baseCredits decimal.Decimal
	add := func(lines []accounting.LineInput, accountID string, amount, base decimal.Decimal, debit bool, desc string) []accounting.LineInput {
		l := payLine(accountID, amount, base, debit, desc)
		baseDebits, baseCredits = baseDebits.Add(l.Base.Debit), baseCredits.Add(l.Base.Credit)
		return append(lines, l)
	}
	// The bank side: debit for money in, credit for money out.
	lines := add(nil, bank.GLAccountID, d.amount, d.amount.Mul(rate).RoundBank(basePlaces), receipt, "")
	var allocated decimal.Decimal
	for i := range d.allocations {
		a := &d.allocations[i]
		account, invoiceBase, err := s.payInvoiceControl(ctx, w.Tx, tenantID, a.invoice, basePlaces, systemControl)
		if err != nil {
			return nil, err
		}
		already, err := db.AcctInvoiceClearedBase(ctx, w.Tx, tenantID, a.invoiceID)
		if err != nil {
			return nil, domain.Internal(err)
		}
		a.base = payClearedBase(a.invoice, invoiceBase, already, basePlaces)
		lines = add(lines, account, a.amount, a.base, !receipt, "Invoice "+a.invoice.Number)
		allocated = allocated.Add(a.amount)
	}
	if rest := d.amount.Sub(allocated); rest.IsPositive() {
		account, err := systemControl()
		if err != nil {
			return nil, err
		}
		desc := "Unallocated: customer credit"
		if !receipt {
			desc = "Unallocated: supplier prepayment"
		}
		lines = add(lines, account, rest, rest.Mul(rate).RoundBank(basePlaces), !receipt, desc)
	}
	if diff := baseDebits.Sub(baseCredits); !diff.IsZero() {
		fx, err := s.books.SystemAccount(ctx, w, tenantID, accounting.TypeIncome, "fx_gain_loss", "4950", "Foreign Exchange Gain/Loss")
		if err != nil {
			return nil, err
		}
		l := accounting.LineInput{AccountID: fx.ID, Description: "Realized foreign exchange gain/loss"}
		if diff.IsPositive() {
			l.Base = &accounting.BaseAmounts{Credit: diff}
		} else {
			l.Base = &accounting.BaseAmounts{Debit: diff.Neg()}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// payLine is a line of amount on one side with its base amount fixed (a
// negative base figure goes to the other base side).
func payLine(accountID string, amount, base decimal.Decimal, debit bool, desc string) accounting.LineInput {
	a := &accounting.Amount{Decimal: amount}
	l := accounting.LineInput{AccountID: accountID, Description: desc}
	if debit {
		l.Debit = a
	} else {
		l.Credit = a
	}
	if base.IsNegative() {
		debit, base = !debit, base.Neg()
	}
	if debit {
		l.Base = &accounting.BaseAmounts{Debit: base}
	} else {
		l.Base = &accounting.BaseAmounts{Credit: base}
	}
	return l
}

// payInvoiceControl returns the receivable (sales) or payable (purchase)
// account an invoice posted to and the invoice's base amount on it: from the
// approval entry when there is one, else the system account and the total at
// the invoice's rate.
func (s *Service) payInvoiceControl(ctx context.Context, idb bun.IDB, tenantID string, inv *db.AcctInvoice, basePlaces int32,
	system func() (string, error)) (string, decimal.Decimal, error) {
	fallback := inv.Total.Mul(inv.ExchangeRate).RoundBank(basePlaces)
	if inv.JournalEntryID != nil {
		lines, err := db.AcctLinesByEntries(ctx, idb, tenantID, []string{*inv.JournalEntryID})
		if err != nil {
			return "", decimal.Zero, domain.Internal(err)
		}
		ids := make([]string, len(lines))
		for i, l := range lines {
			ids[i] = l.AccountID
		}
		accounts, err := db.AcctAccountsByIDs(ctx, idb, tenantID, ids)
		if err != nil {
			return "", decimal.Zero, domain.Internal(err)
		}
		subType := map[string]string{}
		for _, a := range accounts {
			subType[a.ID] = a.SubType
		}
		want := "accounts_receivable"
		if inv.Type == "purchase" {
			want = "accounts_payable"
		}
		account := ""
		var base decimal.Decimal
		for _, l := range lines {
			if subType[l.AccountID] != want || (account != "" && l.AccountID != account) {
				continue
			}
			account = l.AccountID
			if inv.Type == "purchase" {
				base = base.Add(l.BaseCredit).Sub(l.BaseDebit)
			} else {
				base = base.Add(l.BaseDebit).Sub(l.BaseCredit)
			}
		}
		if account != "" {
			return account, base, nil
		}
	}
	account, err := system()
	return account, fallback, err
}

// payClearedBase is the base amount an allocation clears on an invoice whose
// amount_paid (after the allocation) is inv.AmountPaid: what the invoice's
// cleared base should now be — paid × the invoice's rate (rounded), or all
// of its base once paid in full — less what live allocations of earlier
// payments cleared already (voided payments no longer count). So a paid
// invoice leaves exactly zero on its receivable or payable in base.
func payClearedBase(inv *db.AcctInvoice, invoiceBase, already decimal.Decimal, basePlaces int32) decimal.Decimal {
	target := inv.AmountPaid.Mul(inv.ExchangeRate).RoundBank(basePlaces)
	if inv.AmountPaid.GreaterThanOrEqual(inv.Total) {
		target = invoiceBase
	}
	return target.Sub(already)
}

func payCheckPlaces(v *domain.Validation, field string, d decimal.Decimal, places int32) {
	if !d.Equal(d.RoundBank(places)) {
		if places == 0 {
			v.Add(field, "must be a whole number in this currency")
			return
		}
		v.Add(field, fmt.Sprintf("must have at most %d decimal places", places))
	}
}

// VoidPayment voids a posted payment: its entry is reversed (dated today,
// or the given date), each allocation is taken off its invoice (which goes
// back to approved or partially_paid), and statement lines matched to it
// become unmatched. A payment matched to a reconciled statement line cannot
// be voided. Errors: NOT_FOUND, INVALID_STATE (void already; reconciled),
// VALIDATION_FAILED (date), PERIOD_CLOSED.
func (s *Service) VoidPayment(ctx context.Context, in VoidPaymentInput) (Payment, error) {
	p, err := writer(ctx)
	if err != nil {
		return Payment{}, err
	}
	var v domain.Validation
	var date *time.Time
	if in.Date != nil {
		date = optionalDate(&v, "date", *in.Date)
	}
	if err := v.Err(); err != nil {
		return Payment{}, err
	}
	var out Payment
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.payment(ctx, w.Tx, p.TenantID, in.PaymentID, true)
		if err != nil {
			return err
		}
		if row.Status == PaymentVoid {
			return domain.Errorf(domain.CodeInvalidState, "The payment is void already.")
		}
		on := dateOf(s.core.Clock.Now().UTC()).Time
		if date != nil {
			if date.Before(row.Date) {
				return domain.Invalid("date", "must be on or after the payment's date ("+row.Date.Format(dateLayout)+")")
			}
			on = *date
		} else if on.Before(row.Date) {
			on = row.Date
		}
		matched, err := db.AcctBankTxnMatchedTo(ctx, w.Tx, p.TenantID, bankStr(row.JournalEntryID), row.ID, "")
		if err != nil {
			return domain.Internal(err)
		}
		now := s.core.Clock.Now()
		for i := range matched {
			if matched[i].Status == BankReconciled {
				return domain.Errorf(domain.CodeInvalidState,
					"The payment is matched to reconciled statement line %s and cannot be voided.", matched[i].ID).
					With("transaction_id", matched[i].ID)
			}
		}
		for i := range matched {
			m := &matched[i]
			m.Status, m.MatchedEntryID, m.MatchedPaymentID, m.UpdatedAt = BankUnmatched, nil, nil, now
			if err := db.AcctBankTxnUpdate(ctx, w.Tx, m); err != nil {
				return domain.Internal(err)
			}
		}
		if row.JournalEntryID != nil {
			rev, err := s.books.ReverseEntryTx(ctx, w, p, *row.JournalEntryID, on, "Void of payment "+row.ID)
			if err != nil {
				return err
			}
			row.VoidEntryID = &rev.ID
		}
		allocs, err := db.AcctPaymentAllocationsByPayments(ctx, w.Tx, p.TenantID, []string{row.ID})
		if err != nil {
			return domain.Internal(err)
		}
		byInvoice := append([]db.AcctPaymentAllocationRow(nil), allocs...)
		sort.Slice(byInvoice, func(i, j int) bool { return byInvoice[i].InvoiceID < byInvoice[j].InvoiceID })
		for _, a := range byInvoice {
			if _, err := s.adjustPaid(ctx, w.Tx, p.TenantID, a.InvoiceID, a.Amount.Neg(), "allocations"); err != nil {
				return err
			}
		}
		row.Status, row.VoidedAt, row.UpdatedAt = PaymentVoid, &now, now
		if err := db.AcctPaymentUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, row.Currency, "currency")
		if err != nil {
			return err
		}
		out = paymentFromRow(row, allocs, places)
		unmatched := make([]string, len(matched))
		for i, m := range matched {
			unmatched[i] = m.ID
		}
		if err := w.Audit(p.TenantID, "payment.void", "payment", row.ID, map[string]any{"void_entry_id": row.VoidEntryID,
			"date": on.Format(dateLayout), "unmatched_transaction_ids": unmatched}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "payment.voided", out)
	})
	return out, err
}

// payment loads a payment. Errors: NOT_FOUND.
func (s *Service) payment(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctPayment, error) {
	if !domain.ValidID(paymentPrefix, id) {
		return nil, domain.NotFound("Payment")
	}
	row, err := db.AcctPaymentGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Payment")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// paymentsOut loads the allocations of rows and builds the answers.
func (s *Service) paymentsOut(ctx context.Context, idb bun.IDB, tenantID string, rows []db.AcctPayment) ([]Payment, error) {
	out := make([]Payment, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	allocs, err := db.AcctPaymentAllocationsByPayments(ctx, idb, tenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	byPayment := map[string][]db.AcctPaymentAllocationRow{}
	for _, a := range allocs {
		byPayment[a.PaymentID] = append(byPayment[a.PaymentID], a)
	}
	places := map[string]int32{}
	for i := range rows {
		pl, ok := places[rows[i].Currency]
		if !ok {
			if pl, err = s.books.CurrencyPlaces(ctx, idb, tenantID, rows[i].Currency, "currency"); err != nil {
				return nil, err
			}
			places[rows[i].Currency] = pl
		}
		out = append(out, paymentFromRow(&rows[i], byPayment[rows[i].ID], pl))
	}
	return out, nil
}

func paymentFromRow(r *db.AcctPayment, allocs []db.AcctPaymentAllocationRow, places int32) Payment {
	out := Payment{ID: r.ID, Type: r.Type, ContactName: r.ContactName, Date: dateOf(r.Date),
		Amount: accounting.NewAmount(r.Amount, places), Currency: r.Currency, ExchangeRate: Amount{Decimal: r.ExchangeRate},
		Method: r.Method, BankAccountID: r.BankAccountID, Reference: r.Reference, Status: r.Status,
		Allocations: make([]PaymentAllocation, len(allocs)), JournalEntryID: r.JournalEntryID, VoidEntryID: r.VoidEntryID,
		VoidedAt: r.VoidedAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	var allocated decimal.Decimal
	for i, a := range allocs {
		out.Allocations[i] = PaymentAllocation{ID: a.ID, InvoiceID: a.InvoiceID, InvoiceNumber: a.InvoiceNumber,
			Amount: accounting.NewAmount(a.Amount, places)}
		allocated = allocated.Add(a.Amount)
	}
	out.AllocatedAmount = accounting.NewAmount(allocated, places)
	out.UnallocatedAmount = accounting.NewAmount(r.Amount.Sub(allocated), places)
	return out
}
