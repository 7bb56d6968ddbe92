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

// The tax report: tax collected on sales and paid on purchases per tax
// code, as posted by invoices between from and to. It follows the ledger:
// an approval counts on the invoice date, a void's reversal counts against
// it on the reversal's date, so the report for any range reconciles with
// the movement of the tax accounts in the general ledger (exactly, when the
// invoices are in the base currency). Amounts are in the base currency: an
// invoice's tax per code × its exchange rate, rounded half-even.

// TaxReportInput asks for the tax report between from (default the first
// day of to's month) and to (default today), inclusive.
type TaxReportInput struct {
	From string `query:"from" doc:"YYYY-MM-DD; default the first day of to's month."`
	To   string `query:"to" doc:"YYYY-MM-DD; default today."`
}

// TaxReportRow is one tax code's tax: collected on sales, paid on
// purchases, net = collected − paid.
type TaxReportRow struct {
	TaxCodeID string `json:"tax_code_id"`
	Code      string `json:"code"`
	Collected Amount `json:"collected"`
	Paid      Amount `json:"paid"`
	Net       Amount `json:"net"`
}

// TaxReportTotals sums the rows.
type TaxReportTotals struct {
	Collected Amount `json:"collected"`
	Paid      Amount `json:"paid"`
	Net       Amount `json:"net"`
}

// TaxReport is the answer of GET /v1/accounting/reports/tax.
type TaxReport struct {
	From     Date            `json:"from"`
	To       Date            `json:"to"`
	Currency string          `json:"currency" doc:"The base currency, which every amount is in."`
	Rows     []TaxReportRow  `json:"rows"`
	Totals   TaxReportTotals `json:"totals"`
}

// TaxReport lists tax collected and paid per tax code between from and to.
// Errors: VALIDATION_FAILED (a bad date, from after to), UNAUTHORIZED,
// INSUFFICIENT_SCOPE.
func (s *Service) TaxReport(ctx context.Context, in TaxReportInput) (TaxReport, error) {
	p, err := reader(ctx)
	if err != nil {
		return TaxReport{}, err
	}
	base, places, err := s.books.BaseCurrency(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return TaxReport{}, err
	}
	var v domain.Validation
	to := dateOf(s.core.Clock.Now()).Time
	if strings.TrimSpace(in.To) != "" {
		to, _ = invDate(&v, "to", in.To)
	}
	from := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if strings.TrimSpace(in.From) != "" {
		from, _ = invDate(&v, "from", in.From)
	}
	if err := v.Err(); err != nil {
		return TaxReport{}, err
	}
	if from.After(to) {
		return TaxReport{}, domain.Invalid("from", "must not be after to ("+to.Format(dateLayout)+")")
	}
	moves, err := db.AcctInvoiceTaxMovements(ctx, s.core.DB, p.TenantID, from, to)
	if err != nil {
		return TaxReport{}, domain.Internal(err)
	}
	type sums struct {
		id, code        string
		collected, paid decimal.Decimal
	}
	var order []*sums
	byID := map[string]*sums{}
	var collected, paid decimal.Decimal
	for _, m := range moves {
		r, ok := byID[m.TaxCodeID]
		if !ok {
			r = &sums{id: m.TaxCodeID, code: m.Code}
			byID[m.TaxCodeID] = r
			order = append(order, r)
		}
		amount := m.Tax.Mul(m.ExchangeRate).RoundBank(places).Mul(decimal.NewFromInt(int64(m.Sign)))
		if m.Type == InvoiceTypeSales {
			r.collected = r.collected.Add(amount)
			collected = collected.Add(amount)
		} else {
			r.paid = r.paid.Add(amount)
			paid = paid.Add(amount)
		}
	}
	money := func(d decimal.Decimal) Amount { return accounting.NewAmount(d, places) }
	out := TaxReport{From: dateOf(from), To: dateOf(to), Currency: base, Rows: make([]TaxReportRow, 0, len(order)),
		Totals: TaxReportTotals{Collected: money(collected), Paid: money(paid), Net: money(collected.Sub(paid))}}
	for _, r := range order {
		out.Rows = append(out.Rows, TaxReportRow{TaxCodeID: r.id, Code: r.code, Collected: money(r.collected),
			Paid: money(r.paid), Net: money(r.collected.Sub(r.paid))})
	}
	return out, nil
}
