package invoicing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Invoice types: a sales invoice is owed to the tenant (receivable), a
// purchase invoice (bill) is owed by it (payable).
const (
	InvoiceTypeSales    = "sales"
	InvoiceTypePurchase = "purchase"
)

const (
	// maxInvoiceLines caps the lines of one invoice.
	maxInvoiceLines = 500
	// invoiceDefaultTerms is the default days from date to due_date.
	invoiceDefaultTerms = 30
	// invoiceMaxDecimals caps the decimals of a quantity or unit price.
	invoiceMaxDecimals = 10
)

// invoiceMaxMagnitude bounds quantities and unit prices (exclusive).
var invoiceMaxMagnitude = decimal.New(1, 15)

// Invoice is a sales or purchase invoice with its lines and the posted
// payments allocated to it. Money is in the invoice currency, written with
// its decimal places; amount_due = total − amount_paid.
type Invoice struct {
	ID             string              `json:"id"`
	Number         string              `json:"number"`
	Type           string              `json:"type" doc:"sales or purchase."`
	ContactName    string              `json:"contact_name"`
	Date           Date                `json:"date"`
	DueDate        Date                `json:"due_date"`
	Currency       string              `json:"currency"`
	ExchangeRate   Amount              `json:"exchange_rate" doc:"Units of the base currency per one unit of the invoice currency."`
	Status         string              `json:"status" doc:"draft, approved, partially_paid, paid or void."`
	Subtotal       Amount              `json:"subtotal"`
	TaxTotal       Amount              `json:"tax_total"`
	Total          Amount              `json:"total"`
	AmountPaid     Amount              `json:"amount_paid"`
	AmountDue      Amount              `json:"amount_due"`
	Notes          string              `json:"notes"`
	JournalEntryID *string             `json:"journal_entry_id"`
	VoidEntryID    *string             `json:"void_entry_id"`
	RecurringID    *string             `json:"recurring_id"`
	Lines          []InvoiceLine       `json:"lines"`
	Allocations    []InvoiceAllocation `json:"allocations"`
	ApprovedAt     *time.Time          `json:"approved_at"`
	VoidedAt       *time.Time          `json:"voided_at"`
	CreatedBy      string              `json:"created_by"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
}

// InvoiceLine is one line: net + tax = gross, each rounded half-even.
type InvoiceLine struct {
	ID          string  `json:"id"`
	LineNo      int     `json:"line_no"`
	Description string  `json:"description"`
	Quantity    Amount  `json:"quantity" doc:"Exact."`
	UnitPrice   Amount  `json:"unit_price" doc:"Exact, with at least the currency's decimal places."`
	AccountID   string  `json:"account_id"`
	TaxCodeID   *string `json:"tax_code_id"`
	NetAmount   Amount  `json:"net_amount"`
	TaxAmount   Amount  `json:"tax_amount"`
	GrossAmount Amount  `json:"gross_amount"`
}

// InvoiceAllocation is an amount of a posted payment applied to the invoice.
type InvoiceAllocation struct {
	PaymentID string `json:"payment_id"`
	Amount    Amount `json:"amount"`
	Date      Date   `json:"date"`
}

// InvoiceLineInput is one line of a create or update body.
type InvoiceLineInput struct {
	Description string  `json:"description"`
	Quantity    *Amount `json:"quantity" doc:"Positive, exact (default 1)."`
	UnitPrice   *Amount `json:"unit_price" required:"true" doc:"Zero or more, exact."`
	AccountID   string  `json:"account_id" required:"true" doc:"An active account of the tenant (id or code), not a receivable or payable."`
	TaxCodeID   *string `json:"tax_code_id" doc:"An active tax code (id or code)."`
}

// CreateInvoiceInput is the body of POST /v1/accounting/invoices.
type CreateInvoiceInput struct {
	Type         string             `json:"type" required:"true" doc:"sales or purchase."`
	ContactName  string             `json:"contact_name" required:"true"`
	Number       string             `json:"number" doc:"Default: the next INV-000001 (sales) or BILL-000001 (purchase)."`
	Date         string             `json:"date" doc:"YYYY-MM-DD; default today."`
	DueDate      string             `json:"due_date" doc:"On or after date; default date + 30 days."`
	Currency     string             `json:"currency" doc:"A currency of the tenant; default the base currency."`
	ExchangeRate *Amount            `json:"exchange_rate" doc:"Base units per invoice unit; default the rate effective on date."`
	Notes        string             `json:"notes"`
	Lines        []InvoiceLineInput `json:"lines" required:"true"`
}

// UpdateInvoiceInput is the body of PATCH /v1/accounting/invoices/:invoice_id
// (drafts only). Absent members keep their value; lines, when sent, replace
// all lines. Amounts are recomputed with the tax codes' current terms.
type UpdateInvoiceInput struct {
	InvoiceID    string              `path:"invoice_id" json:"-"`
	Number       *string             `json:"number"`
	ContactName  *string             `json:"contact_name"`
	Date         *string             `json:"date"`
	DueDate      *string             `json:"due_date"`
	Currency     *string             `json:"currency"`
	ExchangeRate *Amount             `json:"exchange_rate"`
	Notes        *string             `json:"notes"`
	Lines        *[]InvoiceLineInput `json:"lines"`
}

// InvoiceRef names an invoice.
type InvoiceRef struct {
	InvoiceID string `path:"invoice_id" json:"-"`
}

// DeleteInvoiceInput names the invoice to delete. Only drafts are deleted;
// an approved (or later) invoice never is, even with force.
type DeleteInvoiceInput struct {
	InvoiceID    string `path:"invoice_id" json:"-"`
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// ListInvoicesInput filters and pages invoices (offset list).
type ListInvoicesInput struct {
	Type    string `query:"type"`
	Status  string `query:"status"`
	Contact string `query:"contact" doc:"Case-insensitive substring of contact_name."`
	Limit   int    `query:"limit"`
	Offset  int    `query:"offset"`
}

// InvoiceList is the answer of GET /v1/accounting/invoices.
type InvoiceList struct {
	Invoices []Invoice `json:"invoices"`
	Total    int       `json:"total"`
	Limit    int       `json:"limit"`
	Offset   int       `json:"offset"`
}

// ListInvoices pages invoices, newest date first. Errors: VALIDATION_FAILED,
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListInvoices(ctx context.Context, in ListInvoicesInput) (InvoiceList, error) {
	p, err := reader(ctx)
	if err != nil {
		return InvoiceList{}, err
	}
	params := &db.AcctInvoiceListParams{Limit: domain.ClampLimit(in.Limit), Offset: in.Offset,
		Type: strings.TrimSpace(in.Type), Status: strings.TrimSpace(in.Status), Contact: strings.TrimSpace(in.Contact)}
	var v domain.Validation
	v.Check(params.Type != "" && params.Type != InvoiceTypeSales && params.Type != InvoiceTypePurchase,
		"type", "must be sales or purchase")
	v.Check(params.Status != "" && !invValidStatus(params.Status), "status",
		"must be draft, approved, partially_paid, paid or void")
	domain.CheckText(&v, "contact", params.Contact, 200, false)
	v.Check(in.Offset < 0, "offset", "must not be negative")
	if err := v.Err(); err != nil {
		return InvoiceList{}, err
	}
	rows, total, err := db.AcctInvoiceList(ctx, s.core.DB, p.TenantID, params)
	if err != nil {
		return InvoiceList{}, domain.Internal(err)
	}
	invoices, err := s.invAnswers(ctx, s.core.DB, p.TenantID, rows)
	if err != nil {
		return InvoiceList{}, err
	}
	return InvoiceList{Invoices: invoices, Total: total, Limit: params.Limit, Offset: in.Offset}, nil
}

// GetInvoice loads an invoice with its lines and allocations. Errors:
// NOT_FOUND.
func (s *Service) GetInvoice(ctx context.Context, in InvoiceRef) (Invoice, error) {
	p, err := reader(ctx)
	if err != nil {
		return Invoice{}, err
	}
	row, err := s.invLoad(ctx, s.core.DB, p.TenantID, in.InvoiceID, false)
	if err != nil {
		return Invoice{}, err
	}
	return s.invAnswer(ctx, s.core.DB, row)
}

// CreateInvoice records a draft invoice. Errors: VALIDATION_FAILED,
// CONFLICT (number taken), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateInvoice(ctx context.Context, in CreateInvoiceInput) (Invoice, error) {
	p, err := writer(ctx)
	if err != nil {
		return Invoice{}, err
	}
	var out Invoice
	err = s.core.Write(ctx, func(w *domain.Write) error {
		out, err = s.CreateInvoiceTx(ctx, w, p, in, "")
		return err
	})
	return out, err
}

// CreateInvoiceTx records a draft invoice inside a caller's unit of work;
// recurringID names the recurring entry that generated it ("" for none).
// Recurring entries create their invoices through it.
func (s *Service) CreateInvoiceTx(ctx context.Context, w *domain.Write, p *domain.Principal, in CreateInvoiceInput, recurringID string) (Invoice, error) {
	typ := strings.ToLower(strings.TrimSpace(in.Type))
	if typ != InvoiceTypeSales && typ != InvoiceTypePurchase {
		// Reported with the other fields' problems.
		var v domain.Validation
		v.Add("type", "must be sales or purchase")
		draft := invDraft{typ: InvoiceTypeSales, number: in.Number, contact: in.ContactName, date: in.Date,
			dueDate: in.DueDate, currency: in.Currency, rate: in.ExchangeRate, notes: in.Notes, lines: in.Lines}
		if _, _, err := s.invPrepare(ctx, w.Tx, p.TenantID, &db.AcctInvoice{}, draft); err != nil {
			invMerge(&v, err)
		}
		return Invoice{}, v.Err()
	}
	// The books row first: it holds the document counters.
	if _, _, err := s.books.BaseCurrency(ctx, w.Tx, p.TenantID); err != nil {
		return Invoice{}, err
	}
	now := s.core.Clock.Now()
	row := &db.AcctInvoice{TenantID: p.TenantID, ID: domain.NewID("inv_"), Type: typ, Status: InvoiceDraft,
		AmountPaid: decimal.Zero, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
	if recurringID != "" {
		row.RecurringID = &recurringID
	}
	draft := invDraft{typ: typ, number: in.Number, contact: in.ContactName, date: in.Date, dueDate: in.DueDate,
		currency: in.Currency, rate: in.ExchangeRate, notes: in.Notes, lines: in.Lines}
	lines, places, err := s.invPrepare(ctx, w.Tx, p.TenantID, row, draft)
	if err != nil {
		return Invoice{}, err
	}
	if err := s.invAssignNumber(ctx, w.Tx, row); err != nil {
		return Invoice{}, err
	}
	if err := db.AcctInvoiceInsert(ctx, w.Tx, row); err != nil {
		return Invoice{}, invWriteErr(err, row.Number)
	}
	if err := db.AcctInvoiceLinesReplace(ctx, w.Tx, p.TenantID, row.ID, lines); err != nil {
		return Invoice{}, domain.Internal(err)
	}
	out := invoiceOut(row, lines, nil, places)
	return out, s.invRecord(w, p.TenantID, "invoice.create", "invoice.created", out)
}

// UpdateInvoice edits a draft. Errors: NOT_FOUND, INVALID_STATE (not a
// draft), VALIDATION_FAILED, CONFLICT (number taken).
func (s *Service) UpdateInvoice(ctx context.Context, in UpdateInvoiceInput) (Invoice, error) {
	p, err := writer(ctx)
	if err != nil {
		return Invoice{}, err
	}
	var out Invoice
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.invLoad(ctx, w.Tx, p.TenantID, in.InvoiceID, true)
		if err != nil {
			return err
		}
		if row.Status != InvoiceDraft {
			return domain.Errorf(domain.CodeInvalidState, "Only draft invoices can be edited; invoice %s is %s.", row.Number, row.Status)
		}
		current, err := db.AcctInvoiceLinesByInvoices(ctx, w.Tx, p.TenantID, []string{row.ID})
		if err != nil {
			return domain.Internal(err)
		}
		draft := invDraft{typ: row.Type, number: row.Number, contact: row.ContactName,
			date: row.Date.Format(dateLayout), dueDate: row.DueDate.Format(dateLayout),
			currency: row.Currency, notes: row.Notes, lines: invLinesAsInput(current)}
		if in.ExchangeRate != nil {
			draft.rate = in.ExchangeRate
		} else if in.Currency == nil && in.Date == nil {
			draft.rate = &Amount{Decimal: row.ExchangeRate}
		}
		invSetIf(&draft.number, in.Number)
		invSetIf(&draft.contact, in.ContactName)
		invSetIf(&draft.date, in.Date)
		invSetIf(&draft.dueDate, in.DueDate)
		invSetIf(&draft.currency, in.Currency)
		invSetIf(&draft.notes, in.Notes)
		if in.Lines != nil {
			draft.lines = *in.Lines
		}
		oldNumber := row.Number
		lines, places, err := s.invPrepare(ctx, w.Tx, p.TenantID, row, draft)
		if err != nil {
			return err
		}
		if row.Number == "" {
			row.Number = oldNumber // a blank number keeps the current one
		}
		if row.Number != oldNumber {
			taken, err := db.AcctInvoiceNumberTaken(ctx, w.Tx, p.TenantID, row.Number, row.ID)
			if err != nil {
				return domain.Internal(err)
			}
			if taken {
				return invNumberConflict(row.Number)
			}
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctInvoiceUpdate(ctx, w.Tx, row); err != nil {
			return invWriteErr(err, row.Number)
		}
		if err := db.AcctInvoiceLinesReplace(ctx, w.Tx, p.TenantID, row.ID, lines); err != nil {
			return domain.Internal(err)
		}
		out = invoiceOut(row, lines, nil, places)
		return s.invRecord(w, p.TenantID, "invoice.update", "invoice.updated", out)
	})
	return out, err
}

// DeleteInvoice deletes a draft. An approved, paid or void invoice is part
// of the books' history and never deleted, even with force: 409
// INVALID_STATE (void it instead). Errors: NOT_FOUND, INVALID_STATE.
func (s *Service) DeleteInvoice(ctx context.Context, in DeleteInvoiceInput) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.invLoad(ctx, w.Tx, p.TenantID, in.InvoiceID, true)
		if err != nil {
			return err
		}
		if row.Status != InvoiceDraft {
			hint := "void it instead"
			if row.Status == InvoiceVoid {
				hint = "it stays as a record of the books"
			}
			return domain.Errorf(domain.CodeInvalidState, "Only draft invoices can be deleted; invoice %s is %s (%s).", row.Number, row.Status, hint)
		}
		if err := db.AcctInvoiceDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		out = Deleted{ID: row.ID, Deleted: true}
		if err := w.Audit(p.TenantID, "invoice.delete", "invoice", row.ID, map[string]any{"number": row.Number,
			"type": row.Type, "status": row.Status}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "invoice.deleted", out)
	})
	return out, err
}

// ApproveInvoice approves a draft and posts it to the ledger. Errors:
// NOT_FOUND, INVALID_STATE (not a draft), PERIOD_CLOSED, VALIDATION_FAILED
// (an account or tax code deactivated since, no exchange rate).
func (s *Service) ApproveInvoice(ctx context.Context, in InvoiceRef) (Invoice, error) {
	p, err := writer(ctx)
	if err != nil {
		return Invoice{}, err
	}
	var out Invoice
	err = s.core.Write(ctx, func(w *domain.Write) error {
		out, err = s.ApproveInvoiceTx(ctx, w, p, in.InvoiceID)
		return err
	})
	return out, err
}

// ApproveInvoiceTx approves a draft inside a caller's unit of work. It posts
// one journal entry (source "invoice") dated like the invoice, in its
// currency at its exchange rate. Sales: debit the receivable the total,
// credit each line's account its net amount and the tax account the tax.
// Purchase: the mirror image (credit the payable, debit lines and tax).
// Zero amounts are not posted; an invoice whose total is zero posts nothing
// and is paid at once.
func (s *Service) ApproveInvoiceTx(ctx context.Context, w *domain.Write, p *domain.Principal, invoiceID string) (Invoice, error) {
	row, err := s.invLoad(ctx, w.Tx, p.TenantID, invoiceID, true)
	if err != nil {
		return Invoice{}, err
	}
	if row.Status != InvoiceDraft {
		return Invoice{}, domain.Errorf(domain.CodeInvalidState, "Only draft invoices can be approved; invoice %s is %s.", row.Number, row.Status)
	}
	lines, err := db.AcctInvoiceLinesByInvoices(ctx, w.Tx, p.TenantID, []string{row.ID})
	if err != nil {
		return Invoice{}, domain.Internal(err)
	}
	places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, row.Currency, "currency")
	if err != nil {
		return Invoice{}, err
	}
	now := s.core.Clock.Now()
	row.Status, row.ApprovedAt, row.UpdatedAt = InvoiceApproved, &now, now
	if row.Total.IsZero() {
		row.Status = InvoicePaid
	} else {
		entryLines, err := s.invPostingLines(ctx, w, p.TenantID, row, lines)
		if err != nil {
			return Invoice{}, err
		}
		kind := "Sales invoice"
		if row.Type == InvoiceTypePurchase {
			kind = "Bill"
		}
		entry, err := s.books.CreateEntryTx(ctx, w, p, accounting.CreateEntryInput{
			Date: row.Date.Format(dateLayout), Description: invTruncate(kind+" "+row.Number+" · "+row.ContactName, 1000),
			Reference: invTruncate(row.Number, 200), Currency: row.Currency, ExchangeRate: &Amount{Decimal: row.ExchangeRate},
			Lines: entryLines, Post: true}, "invoice", row.ID)
		if err != nil {
			return Invoice{}, err
		}
		row.JournalEntryID = &entry.ID
	}
	if err := db.AcctInvoiceUpdate(ctx, w.Tx, row); err != nil {
		return Invoice{}, domain.Internal(err)
	}
	out := invoiceOut(row, lines, nil, places)
	return out, s.invRecord(w, p.TenantID, "invoice.approve", "invoice.approved", out)
}

// invPostingLines builds the approval entry's lines: the receivable or
// payable first (so the ledger's base rounding residual, if any, lands on
// it), then each line's net amount, then the tax per tax account and code.
func (s *Service) invPostingLines(ctx context.Context, w *domain.Write, tenantID string, row *db.AcctInvoice, lines []db.AcctInvoiceLine) ([]accounting.LineInput, error) {
	sales := row.Type == InvoiceTypeSales
	var control accounting.Account
	var err error
	if sales {
		control, err = s.books.SystemAccount(ctx, w, tenantID, accounting.TypeAsset, "accounts_receivable", "1100", "Accounts Receivable")
	} else {
		control, err = s.books.SystemAccount(ctx, w, tenantID, accounting.TypeLiability, "accounts_payable", "2000", "Accounts Payable")
	}
	if err != nil {
		return nil, err
	}
	// side puts an amount on the side a line of the invoice's type takes:
	// the control account on one side, revenue/expense and tax on the other.
	side := func(l *accounting.LineInput, amount decimal.Decimal, isControl bool) {
		a := &Amount{Decimal: amount}
		if isControl == sales {
			l.Debit = a
		} else {
			l.Credit = a
		}
	}
	first := accounting.LineInput{AccountID: control.ID, Description: row.ContactName}
	side(&first, row.Total, true)
	out := []accounting.LineInput{first}

	var v domain.Validation
	checked := map[string]bool{}
	type taxKey struct{ account, code string }
	taxSums := map[taxKey]decimal.Decimal{}
	var taxOrder []taxKey
	var defaultTax *accounting.Account
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		if !checked[l.AccountID] {
			checked[l.AccountID] = true
			a, err := s.books.LookupAccount(ctx, w.Tx, tenantID, l.AccountID)
			switch {
			case err != nil:
				v.Add(field+".account_id", "is not an account of this tenant")
			case !a.IsActive:
				v.Add(field+".account_id", "account "+a.Code+" is inactive")
			}
		}
		if l.NetAmount.IsPositive() {
			nl := accounting.LineInput{AccountID: l.AccountID, Description: l.Description, TaxCodeID: l.TaxCodeID}
			side(&nl, l.NetAmount, false)
			out = append(out, nl)
		}
		if l.TaxCodeID == nil || !l.TaxAmount.IsPositive() {
			continue
		}
		tc, err := s.books.LookupTaxCode(ctx, w.Tx, tenantID, *l.TaxCodeID)
		if err != nil {
			return nil, err
		}
		accountID := ""
		if tc.AccountID != nil {
			accountID = *tc.AccountID
		} else {
			if defaultTax == nil {
				a, err := s.books.SystemAccount(ctx, w, tenantID, accounting.TypeLiability, "tax", "2100", "Sales Tax Payable")
				if err != nil {
					return nil, err
				}
				defaultTax = &a
			}
			accountID = defaultTax.ID
		}
		k := taxKey{accountID, tc.ID}
		if _, ok := taxSums[k]; !ok {
			taxOrder = append(taxOrder, k)
		}
		taxSums[k] = taxSums[k].Add(l.TaxAmount)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, k := range taxOrder {
		code := k.code
		tl := accounting.LineInput{AccountID: k.account, Description: "Tax", TaxCodeID: &code}
		side(&tl, taxSums[k], false)
		out = append(out, tl)
	}
	return out, nil
}

// VoidInvoice voids an invoice: a draft without posting, an approved one
// by posting the reversal of its entry (dated today, or the invoice date
// when that is later). Errors: NOT_FOUND, INVALID_STATE (void already, or
// payments allocated: void the payments first), PERIOD_CLOSED.
func (s *Service) VoidInvoice(ctx context.Context, in InvoiceRef) (Invoice, error) {
	p, err := writer(ctx)
	if err != nil {
		return Invoice{}, err
	}
	var out Invoice
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.invLoad(ctx, w.Tx, p.TenantID, in.InvoiceID, true)
		if err != nil {
			return err
		}
		if row.Status == InvoiceVoid {
			return domain.Errorf(domain.CodeInvalidState, "Invoice %s is void already.", row.Number)
		}
		if row.AmountPaid.IsPositive() {
			return domain.Errorf(domain.CodeInvalidState, "Invoice %s is %s: void the payments allocated to it first.", row.Number, row.Status)
		}
		now := s.core.Clock.Now()
		if row.JournalEntryID != nil {
			date := dateOf(now).Time
			if row.Date.After(date) {
				date = row.Date
			}
			rev, err := s.books.ReverseEntryTx(ctx, w, p, *row.JournalEntryID, date, invTruncate("Void of invoice "+row.Number, 1000))
			if err != nil {
				return err
			}
			row.VoidEntryID = &rev.ID
		}
		row.Status, row.VoidedAt, row.UpdatedAt = InvoiceVoid, &now, now
		if err := db.AcctInvoiceUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if out, err = s.invAnswer(ctx, w.Tx, row); err != nil {
			return err
		}
		return s.invRecord(w, p.TenantID, "invoice.void", "invoice.voided", out)
	})
	return out, err
}

// invDraft is an invoice as a client describes it, before validation.
type invDraft struct {
	typ, number, contact, date, dueDate, currency, notes string
	rate                                                 *Amount
	lines                                                []InvoiceLineInput
}

// invPrepare validates a draft against the books and fills row (all but
// number when blank, which the caller assigns) and its lines, computing the
// amounts. It answers the lines and the currency's decimal places. Every
// problem found is reported at once (VALIDATION_FAILED).
func (s *Service) invPrepare(ctx context.Context, idb bun.IDB, tenantID string, row *db.AcctInvoice, d invDraft) ([]db.AcctInvoiceLine, int32, error) {
	var v domain.Validation
	number := strings.TrimSpace(d.number)
	domain.CheckText(&v, "number", number, 50, false)
	contact := strings.TrimSpace(d.contact)
	domain.CheckText(&v, "contact_name", contact, 200, true)
	invCheckNotes(&v, d.notes)
	today := dateOf(s.core.Clock.Now()).Time
	date, dateOK := today, true
	if strings.TrimSpace(d.date) != "" {
		date, dateOK = invDate(&v, "date", d.date)
	}
	due := date.AddDate(0, 0, invoiceDefaultTerms)
	if strings.TrimSpace(d.dueDate) != "" {
		var ok bool
		if due, ok = invDate(&v, "due_date", d.dueDate); ok && dateOK && due.Before(date) {
			v.Add("due_date", "must be on or after date ("+date.Format(dateLayout)+")")
		}
	}
	if d.rate != nil && !d.rate.IsPositive() {
		v.Add("exchange_rate", "must be positive")
	}
	switch {
	case len(d.lines) == 0:
		v.Add("lines", "needs at least one line")
	case len(d.lines) > maxInvoiceLines:
		v.Add("lines", fmt.Sprintf("must have at most %d lines", maxInvoiceLines))
	}
	type lineIn struct {
		qty, price decimal.Decimal
	}
	parsed := make([]lineIn, len(d.lines))
	for i, l := range d.lines {
		if len(d.lines) > maxInvoiceLines {
			break
		}
		field := fmt.Sprintf("lines[%d]", i)
		domain.CheckText(&v, field+".description", l.Description, 1000, false)
		qty := decimal.NewFromInt(1)
		if l.Quantity != nil {
			qty = l.Quantity.Decimal
		}
		switch {
		case !qty.IsPositive():
			v.Add(field+".quantity", "must be positive")
		case !invFits(qty):
			v.Add(field+".quantity", fmt.Sprintf("must be below 10^15 with at most %d decimal places", invoiceMaxDecimals))
		}
		switch {
		case l.UnitPrice == nil:
			v.Add(field+".unit_price", "is required")
		case l.UnitPrice.IsNegative():
			v.Add(field+".unit_price", "must not be negative")
		case !invFits(l.UnitPrice.Decimal):
			v.Add(field+".unit_price", fmt.Sprintf("must be below 10^15 with at most %d decimal places", invoiceMaxDecimals))
		default:
			parsed[i].price = l.UnitPrice.Decimal
		}
		parsed[i].qty = qty
		v.Check(strings.TrimSpace(l.AccountID) == "", field+".account_id", "is required")
	}

	// Against the books: the currency and its rate, accounts, tax codes.
	base, _, err := s.books.BaseCurrency(ctx, idb, tenantID)
	if err != nil {
		return nil, 0, err
	}
	currency := strings.ToUpper(strings.TrimSpace(d.currency))
	if currency == "" {
		currency = base
	}
	places, err := s.books.CurrencyPlaces(ctx, idb, tenantID, currency, "currency")
	if err != nil {
		if invMerge(&v, err) != nil {
			return nil, 0, err
		}
	}
	placesOK := err == nil
	rate := decimal.NewFromInt(1)
	switch {
	case !placesOK:
	case currency == base:
		if d.rate != nil && d.rate.IsPositive() && !d.rate.Equal(rate) {
			v.Add("exchange_rate", "must be 1 for the base currency")
		}
	case d.rate != nil:
		rate = d.rate.Decimal
	case dateOK:
		r, err := s.books.RateOn(ctx, idb, tenantID, currency, base, date, "exchange_rate")
		if err != nil {
			if invMerge(&v, err) != nil {
				return nil, 0, err
			}
		} else {
			rate = r
		}
	}

	accounts := map[string]*accounting.Account{}
	taxCodes := map[string]*accounting.TaxCodeTerms{}
	out := make([]db.AcctInvoiceLine, 0, len(d.lines))
	for i, l := range d.lines {
		if len(d.lines) > maxInvoiceLines {
			break
		}
		field := fmt.Sprintf("lines[%d]", i)
		line := db.AcctInvoiceLine{TenantID: tenantID, ID: domain.NewID("invl_"), InvoiceID: row.ID, LineNo: i + 1,
			Description: l.Description, Quantity: parsed[i].qty, UnitPrice: parsed[i].price}
		if ref := strings.TrimSpace(l.AccountID); ref != "" {
			a, ok := accounts[ref]
			if !ok {
				got, err := s.books.LookupAccount(ctx, idb, tenantID, ref)
				if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
					return nil, 0, err
				}
				if err == nil {
					a = &got
				}
				accounts[ref] = a
			}
			switch {
			case a == nil:
				v.Add(field+".account_id", "is not an account of this tenant")
			case !a.IsActive:
				v.Add(field+".account_id", "account "+a.Code+" is inactive")
			case a.SubType == "accounts_receivable" || a.SubType == "accounts_payable":
				v.Add(field+".account_id", "account "+a.Code+" is a receivable or payable account, which approval posts to itself")
			case placesOK && a.Currency != nil && *a.Currency != currency:
				v.Add(field+".account_id", "account "+a.Code+" only takes "+*a.Currency)
			default:
				line.AccountID = a.ID
			}
		}
		var terms *InvoiceLineTerms
		if l.TaxCodeID != nil && strings.TrimSpace(*l.TaxCodeID) != "" {
			ref := strings.TrimSpace(*l.TaxCodeID)
			tc, ok := taxCodes[ref]
			if !ok {
				got, err := s.books.LookupTaxCode(ctx, idb, tenantID, ref)
				if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
					return nil, 0, err
				}
				if err == nil {
					tc = &got
				}
				taxCodes[ref] = tc
			}
			switch {
			case tc == nil:
				v.Add(field+".tax_code_id", "is not a tax code of this tenant")
			case !tc.IsActive:
				v.Add(field+".tax_code_id", "tax code "+tc.Code+" is inactive")
			default:
				id := tc.ID
				line.TaxCodeID = &id
				terms = &InvoiceLineTerms{Rate: tc.Rate, Inclusive: tc.Inclusive}
			}
		}
		if placesOK {
			amounts := ComputeInvoiceLine(line.Quantity, line.UnitPrice, terms, places)
			line.NetAmount, line.TaxAmount = amounts.Net, amounts.Tax
		}
		out = append(out, line)
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	amounts := make([]InvoiceLineAmounts, len(out))
	for i, l := range out {
		amounts[i] = InvoiceLineAmounts{Net: l.NetAmount, Tax: l.TaxAmount, Gross: l.NetAmount.Add(l.TaxAmount)}
	}
	row.Subtotal, row.TaxTotal, row.Total = InvoiceTotals(amounts)
	row.Type, row.Number, row.ContactName, row.Notes = d.typ, number, contact, d.notes
	row.Date, row.DueDate, row.Currency, row.ExchangeRate = date, due, currency, rate
	return out, places, nil
}

// invAssignNumber gives a new invoice its number: the one asked for (409
// CONFLICT when taken), else the next free INV-nnnnnn / BILL-nnnnnn from the
// tenant's counter (allocated under the books row's lock).
func (s *Service) invAssignNumber(ctx context.Context, idb bun.IDB, row *db.AcctInvoice) error {
	if row.Number != "" {
		taken, err := db.AcctInvoiceNumberTaken(ctx, idb, row.TenantID, row.Number, row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if taken {
			return invNumberConflict(row.Number)
		}
		return nil
	}
	prefix := "INV-"
	if row.Type == InvoiceTypePurchase {
		prefix = "BILL-"
	}
	for range 1000 {
		n, err := db.AcctNextDocumentNumber(ctx, idb, row.TenantID, row.Type)
		if err != nil {
			return domain.Internal(err)
		}
		number := fmt.Sprintf("%s%06d", prefix, n)
		taken, err := db.AcctInvoiceNumberTaken(ctx, idb, row.TenantID, number, row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if !taken {
			row.Number = number
			return nil
		}
	}
	return domain.Errorf(domain.CodeConflict, "Could not allocate an invoice number: the next numbers are taken; send number.")
}

// invLoad finds an invoice of the tenant. Errors: NOT_FOUND.
func (s *Service) invLoad(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctInvoice, error) {
	if !domain.ValidID("inv_", id) {
		return nil, domain.NotFound("Invoice")
	}
	row, err := db.AcctInvoiceGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Invoice")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// invAnswer builds the answer for one invoice, loading its lines and
// allocations.
func (s *Service) invAnswer(ctx context.Context, idb bun.IDB, row *db.AcctInvoice) (Invoice, error) {
	out, err := s.invAnswers(ctx, idb, row.TenantID, []db.AcctInvoice{*row})
	if err != nil {
		return Invoice{}, err
	}
	return out[0], nil
}

// invAnswers builds the answers for rows, loading lines and allocations
// in two queries.
func (s *Service) invAnswers(ctx context.Context, idb bun.IDB, tenantID string, rows []db.AcctInvoice) ([]Invoice, error) {
	out := make([]Invoice, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	lines, err := db.AcctInvoiceLinesByInvoices(ctx, idb, tenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	allocs, err := db.AcctInvoiceAllocations(ctx, idb, tenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	linesBy := map[string][]db.AcctInvoiceLine{}
	for _, l := range lines {
		linesBy[l.InvoiceID] = append(linesBy[l.InvoiceID], l)
	}
	allocsBy := map[string][]db.AcctInvoiceAllocation{}
	for _, a := range allocs {
		allocsBy[a.InvoiceID] = append(allocsBy[a.InvoiceID], a)
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
		out = append(out, invoiceOut(&rows[i], linesBy[rows[i].ID], allocsBy[rows[i].ID], pl))
	}
	return out, nil
}

// invoiceOut builds an answer from a row, its lines and its allocations.
func invoiceOut(r *db.AcctInvoice, lines []db.AcctInvoiceLine, allocs []db.AcctInvoiceAllocation, places int32) Invoice {
	money := func(d decimal.Decimal) Amount { return accounting.NewAmount(d, places) }
	out := Invoice{ID: r.ID, Number: r.Number, Type: r.Type, ContactName: r.ContactName, Date: dateOf(r.Date),
		DueDate: dateOf(r.DueDate), Currency: r.Currency, ExchangeRate: Amount{Decimal: r.ExchangeRate}, Status: r.Status,
		Subtotal: money(r.Subtotal), TaxTotal: money(r.TaxTotal), Total: money(r.Total), AmountPaid: money(r.AmountPaid),
		AmountDue: money(r.Total.Sub(r.AmountPaid)), Notes: r.Notes, JournalEntryID: r.JournalEntryID,
		VoidEntryID: r.VoidEntryID, RecurringID: r.RecurringID, Lines: make([]InvoiceLine, len(lines)),
		Allocations: make([]InvoiceAllocation, len(allocs)), ApprovedAt: r.ApprovedAt, VoidedAt: r.VoidedAt,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for i, l := range lines {
		out.Lines[i] = InvoiceLine{ID: l.ID, LineNo: l.LineNo, Description: l.Description,
			Quantity: Amount{Decimal: l.Quantity}, UnitPrice: Amount{Decimal: l.UnitPrice, Places: invExactPlaces(l.UnitPrice, places)},
			AccountID: l.AccountID, TaxCodeID: l.TaxCodeID, NetAmount: money(l.NetAmount), TaxAmount: money(l.TaxAmount),
			GrossAmount: money(l.NetAmount.Add(l.TaxAmount))}
	}
	for i, a := range allocs {
		out.Allocations[i] = InvoiceAllocation{PaymentID: a.PaymentID, Amount: money(a.Amount), Date: dateOf(a.Date)}
	}
	return out
}

// invRecord audits a change to an invoice and emits its event.
func (s *Service) invRecord(w *domain.Write, tenantID, action, event string, inv Invoice) error {
	if err := w.Audit(tenantID, action, "invoice", inv.ID, map[string]any{"number": inv.Number, "type": inv.Type,
		"status": inv.Status, "total": inv.Total, "currency": inv.Currency, "journal_entry_id": inv.JournalEntryID,
		"void_entry_id": inv.VoidEntryID}); err != nil {
		return err
	}
	return w.Emit(tenantID, accounting.Topic, event, inv)
}

func invLinesAsInput(lines []db.AcctInvoiceLine) []InvoiceLineInput {
	out := make([]InvoiceLineInput, len(lines))
	for i, l := range lines {
		out[i] = InvoiceLineInput{Description: l.Description, Quantity: &Amount{Decimal: l.Quantity},
			UnitPrice: &Amount{Decimal: l.UnitPrice}, AccountID: l.AccountID, TaxCodeID: l.TaxCodeID}
	}
	return out
}

func invValidStatus(s string) bool {
	switch s {
	case InvoiceDraft, InvoiceApproved, InvoicePartiallyPaid, InvoicePaid, InvoiceVoid:
		return true
	}
	return false
}

// invFits bounds a quantity or unit price: below 10^15, at most
// invoiceMaxDecimals decimals.
func invFits(d decimal.Decimal) bool {
	return d.Abs().LessThan(invoiceMaxMagnitude) && d.Equal(d.Truncate(invoiceMaxDecimals))
}

// invDate parses a date field, refusing years outside 1..9999.
func invDate(v *domain.Validation, field, s string) (time.Time, bool) {
	t, ok := requiredDate(v, field, s)
	if ok && (t.Year() < 1 || t.Year() > 9999) {
		v.Add(field, "must be a date (YYYY-MM-DD)")
		return time.Time{}, false
	}
	return t, ok
}

// invCheckNotes accepts free text with line breaks and tabs, up to 5,000
// characters.
func invCheckNotes(v *domain.Validation, s string) {
	switch {
	case !utf8.ValidString(s):
		v.Add("notes", "must be valid UTF-8")
	case utf8.RuneCountInString(s) > 5000:
		v.Add("notes", "must be at most 5000 characters")
	default:
		for _, r := range s {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				v.Add("notes", "must not contain control characters other than line breaks and tabs")
				return
			}
		}
	}
}

// invMerge adds the fields of a VALIDATION_FAILED error to v and answers
// nil; any other error is answered as is.
func invMerge(v *domain.Validation, err error) error {
	de := domain.AsError(err)
	if de.Code != domain.CodeValidationFailed {
		return err
	}
	for f, msgs := range de.Fields {
		for _, m := range msgs {
			v.Add(f, m)
		}
	}
	return nil
}

func invNumberConflict(number string) error {
	return domain.Errorf(domain.CodeConflict, "An invoice numbered %q exists already.", number)
}

// invWriteErr maps a failed insert or update: a unique violation is the
// number (taken by a concurrent request).
func invWriteErr(err error, number string) error {
	if db.IsUniqueViolation(err) {
		return invNumberConflict(number)
	}
	return domain.Internal(err)
}

func invSetIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func invTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
