package invoicing

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Aged receivables and payables: what was owed at as_of, per contact and in
// total, bucketed by days past the due date. Amounts are in the base
// currency: each invoice's amount due × its exchange rate, rounded half-even;
// buckets and totals are sums of those rounded amounts. When every invoice
// is in the base currency, the total of aged receivables (payables) equals
// the balance of the receivable (payable) account at as_of.

// Aging buckets (contract): an invoice due on as_of or later is current.
const (
	AgedCurrent = "current"
	Aged1To30   = "1_30"
	Aged31To60  = "31_60"
	Aged61To90  = "61_90"
	AgedOver90  = "over_90"
)

// AgedInput asks for the aged report at as_of (default today).
type AgedInput struct {
	AsOf string `query:"as_of" doc:"YYYY-MM-DD; default today."`
}

// AgedBuckets are amounts due by age, and their total.
type AgedBuckets struct {
	Current Amount `json:"current"`
	Days1   Amount `json:"1_30"`
	Days31  Amount `json:"31_60"`
	Days61  Amount `json:"61_90"`
	Over90  Amount `json:"over_90"`
	Total   Amount `json:"total"`
}

// AgedInvoice is one outstanding invoice. amount_due is in the base
// currency; amount_due_currency in the invoice's.
type AgedInvoice struct {
	InvoiceID         string `json:"invoice_id"`
	Number            string `json:"number"`
	Date              Date   `json:"date"`
	DueDate           Date   `json:"due_date"`
	DaysOverdue       int    `json:"days_overdue" doc:"Days past due_date at as_of; 0 when not yet due."`
	Currency          string `json:"currency"`
	AmountDueCurrency Amount `json:"amount_due_currency"`
	AmountDue         Amount `json:"amount_due"`
	Bucket            string `json:"bucket" doc:"current, 1_30, 31_60, 61_90 or over_90."`
}

// AgedContact is one contact's outstanding invoices and their buckets.
type AgedContact struct {
	ContactName string        `json:"contact_name"`
	Current     Amount        `json:"current"`
	Days1       Amount        `json:"1_30"`
	Days31      Amount        `json:"31_60"`
	Days61      Amount        `json:"61_90"`
	Over90      Amount        `json:"over_90"`
	Total       Amount        `json:"total"`
	Invoices    []AgedInvoice `json:"invoices"`
}

// AgedReport is the answer of GET .../reports/aged-receivables and
// .../aged-payables.
type AgedReport struct {
	AsOf     Date          `json:"as_of"`
	Type     string        `json:"type" doc:"receivables or payables."`
	Currency string        `json:"currency" doc:"The base currency, which every amount is in."`
	Contacts []AgedContact `json:"contacts"`
	Totals   AgedBuckets   `json:"totals"`
}

// AgedReceivables reports the sales invoices outstanding at as_of. Errors:
// VALIDATION_FAILED (as_of), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) AgedReceivables(ctx context.Context, in AgedInput) (AgedReport, error) {
	return s.invAged(ctx, in, InvoiceTypeSales, "receivables")
}

// AgedPayables reports the purchase invoices outstanding at as_of. Errors:
// VALIDATION_FAILED (as_of), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) AgedPayables(ctx context.Context, in AgedInput) (AgedReport, error) {
	return s.invAged(ctx, in, InvoiceTypePurchase, "payables")
}

// AgedBucket names the bucket of an invoice daysOverdue days past due.
func AgedBucket(daysOverdue int) string {
	switch {
	case daysOverdue <= 0:
		return AgedCurrent
	case daysOverdue <= 30:
		return Aged1To30
	case daysOverdue <= 60:
		return Aged31To60
	case daysOverdue <= 90:
		return Aged61To90
	}
	return AgedOver90
}

// invAgedSums accumulates exact bucket sums.
type invAgedSums map[string]decimal.Decimal

func (b invAgedSums) add(bucket string, amount decimal.Decimal) {
	b[bucket] = b[bucket].Add(amount)
	b["total"] = b["total"].Add(amount)
}

func (b invAgedSums) buckets(places int32) AgedBuckets {
	m := func(k string) Amount { return accounting.NewAmount(b[k], places) }
	return AgedBuckets{Current: m(AgedCurrent), Days1: m(Aged1To30), Days31: m(Aged31To60), Days61: m(Aged61To90),
		Over90: m(AgedOver90), Total: m("total")}
}

func (s *Service) invAged(ctx context.Context, in AgedInput, invoiceType, name string) (AgedReport, error) {
	p, err := reader(ctx)
	if err != nil {
		return AgedReport{}, err
	}
	base, basePlaces, err := s.books.BaseCurrency(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return AgedReport{}, err
	}
	var v domain.Validation
	asOf := dateOf(s.core.Clock.Now()).Time
	if strings.TrimSpace(in.AsOf) != "" {
		asOf, _ = invDate(&v, "as_of", in.AsOf)
	}
	if err := v.Err(); err != nil {
		return AgedReport{}, err
	}
	rows, err := db.AcctAgedInvoices(ctx, s.core.DB, p.TenantID, invoiceType, asOf)
	if err != nil {
		return AgedReport{}, domain.Internal(err)
	}
	places := map[string]int32{base: basePlaces}
	out := AgedReport{AsOf: dateOf(asOf), Type: name, Currency: base, Contacts: []AgedContact{}}
	totals := invAgedSums{}
	var contact *AgedContact
	var sums invAgedSums
	flush := func() {
		if contact != nil {
			b := sums.buckets(basePlaces)
			contact.Current, contact.Days1, contact.Days31, contact.Days61, contact.Over90, contact.Total =
				b.Current, b.Days1, b.Days31, b.Days61, b.Over90, b.Total
			out.Contacts = append(out.Contacts, *contact)
		}
	}
	for _, r := range rows {
		due := r.Total.Sub(r.Paid)
		if !due.IsPositive() {
			continue
		}
		pl, ok := places[r.Currency]
		if !ok {
			if pl, err = s.books.CurrencyPlaces(ctx, s.core.DB, p.TenantID, r.Currency, "currency"); err != nil {
				return AgedReport{}, err
			}
			places[r.Currency] = pl
		}
		baseDue := due.Mul(r.ExchangeRate).RoundBank(basePlaces)
		days := invDaysBetween(r.DueDate, asOf)
		if days < 0 {
			days = 0
		}
		bucket := AgedBucket(days)
		if contact == nil || contact.ContactName != r.ContactName {
			flush()
			contact = &AgedContact{ContactName: r.ContactName, Invoices: []AgedInvoice{}}
			sums = invAgedSums{}
		}
		contact.Invoices = append(contact.Invoices, AgedInvoice{InvoiceID: r.ID, Number: r.Number, Date: dateOf(r.Date),
			DueDate: dateOf(r.DueDate), DaysOverdue: days, Currency: r.Currency,
			AmountDueCurrency: accounting.NewAmount(due, pl), AmountDue: accounting.NewAmount(baseDue, basePlaces), Bucket: bucket})
		sums.add(bucket, baseDue)
		totals.add(bucket, baseDue)
	}
	flush()
	out.Totals = totals.buckets(basePlaces)
	return out, nil
}

// invDaysBetween is the number of calendar days from a to b (negative when
// b is before a).
func invDaysBetween(a, b time.Time) int {
	a = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	b = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}
