package invoicing

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// The cash flow statement, by the direct method.
//
// Cash is the balance of the cash accounts: every account of sub-type bank
// or cash, and the ledger account of every bank account. For each posted
// entry in the range that moves a cash account, the movement is attributed
// to the entry's other lines: each counter-line brings in its own
// credit − debit (base currency), so one entry's contributions add up
// exactly to its net cash movement (pro rata by base amount when an entry
// has several counter-lines, with no rounding). Contributions are netted
// per entry and counter-account sub-type (the account type when the
// sub-type is blank), then split into inflows and outflows and grouped:
//
//	investing: fixed_asset, non_current_asset
//	financing: long_term_liability and equity (owners_equity, share_capital,
//	           retained_earnings, drawings, any equity account)
//	operating: everything else (income, expenses, receivables, payables,
//	           tax, current assets and liabilities, FX gain/loss, ...)
//
// Transfers between cash accounts move no cash in total and do not appear.
// closing_cash − opening_cash = net_change, the change of the cash
// accounts' balances in the general ledger.

// CashFlowInput asks for the cash flow between from and to, inclusive.
// Defaults: the current month to date (from the first of to's month when
// only to is given; to today when only from is given).
type CashFlowInput struct {
	From string `query:"from" doc:"YYYY-MM-DD; default the first day of to's month."`
	To   string `query:"to" doc:"YYYY-MM-DD; default today."`
}

// CashFlowRow is the cash one kind of counter-account brought in and took
// out. Outflows are positive; net = inflow − outflow.
type CashFlowRow struct {
	SubType string `json:"sub_type"`
	Inflow  Amount `json:"inflow"`
	Outflow Amount `json:"outflow"`
	Net     Amount `json:"net"`
}

// CashFlowSection is one activity's rows and net.
type CashFlowSection struct {
	Rows    []CashFlowRow `json:"rows"`
	Inflow  Amount        `json:"inflow"`
	Outflow Amount        `json:"outflow"`
	Net     Amount        `json:"net"`
}

// CashFlowSections are the three activities.
type CashFlowSections struct {
	Operating CashFlowSection `json:"operating"`
	Investing CashFlowSection `json:"investing"`
	Financing CashFlowSection `json:"financing"`
}

// CashAccountBalance is one cash account's balance at the start and end.
type CashAccountBalance struct {
	AccountID      string `json:"account_id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	SubType        string `json:"sub_type"`
	OpeningBalance Amount `json:"opening_balance"`
	ClosingBalance Amount `json:"closing_balance"`
}

// CashFlowReport is the answer of GET /v1/accounting/reports/cash-flow. All
// amounts are in the base currency.
type CashFlowReport struct {
	From         Date                 `json:"from"`
	To           Date                 `json:"to"`
	Currency     string               `json:"currency"`
	OpeningCash  Amount               `json:"opening_cash"`
	Sections     CashFlowSections     `json:"sections"`
	NetChange    Amount               `json:"net_change"`
	ClosingCash  Amount               `json:"closing_cash"`
	CashAccounts []CashAccountBalance `json:"cash_accounts"`
}

// CashFlow builds the cash flow statement. Errors: VALIDATION_FAILED
// (from, to), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CashFlow(ctx context.Context, in CashFlowInput) (CashFlowReport, error) {
	p, err := reader(ctx)
	if err != nil {
		return CashFlowReport{}, err
	}
	var v domain.Validation
	from := optionalDate(&v, "from", in.From)
	to := optionalDate(&v, "to", in.To)
	if err := v.Err(); err != nil {
		return CashFlowReport{}, err
	}
	if to == nil {
		today := dateOf(s.core.Clock.Now().UTC()).Time
		to = &today
	}
	if from == nil {
		first := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
		from = &first
	}
	if to.Before(*from) {
		return CashFlowReport{}, domain.Invalid("to", "must be on or after from")
	}
	base, places, err := s.books.BaseCurrency(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return CashFlowReport{}, err
	}
	var flows []db.AcctCashFlowRow
	var balances []db.AcctCashAccountBalance
	err = db.AcctSnapshot(ctx, s.core.DB, func(tx bun.Tx) error {
		var err error
		if balances, err = db.AcctCashAccountBalances(ctx, tx, p.TenantID, *from, *to); err != nil {
			return err
		}
		flows, err = db.AcctCashFlowRows(ctx, tx, p.TenantID, *from, *to)
		return err
	})
	if err != nil {
		return CashFlowReport{}, domain.Internal(err)
	}
	amount := func(d decimal.Decimal) Amount { return accounting.NewAmount(d, places) }
	out := CashFlowReport{From: dateOf(*from), To: dateOf(*to), Currency: base, CashAccounts: make([]CashAccountBalance, len(balances))}
	var opening, closing decimal.Decimal
	for i, b := range balances {
		out.CashAccounts[i] = CashAccountBalance{AccountID: b.AccountID, Code: b.Code, Name: b.Name, SubType: b.SubType,
			OpeningBalance: amount(b.Opening), ClosingBalance: amount(b.Closing)}
		opening, closing = opening.Add(b.Opening), closing.Add(b.Closing)
	}
	type sums struct{ in, out decimal.Decimal }
	sections := map[string]*struct {
		order []string
		rows  map[string]*sums
	}{}
	for _, name := range []string{"operating", "investing", "financing"} {
		sections[name] = &struct {
			order []string
			rows  map[string]*sums
		}{rows: map[string]*sums{}}
	}
	var net decimal.Decimal
	for _, f := range flows {
		label := f.SubType
		if label == "" {
			label = f.Type
		}
		sec := sections[cashFlowActivity(f.Type, f.SubType)]
		r := sec.rows[label]
		if r == nil {
			r = &sums{}
			sec.rows[label] = r
			sec.order = append(sec.order, label)
		}
		r.in, r.out = r.in.Add(f.Inflow), r.out.Add(f.Outflow)
		net = net.Add(f.Inflow).Sub(f.Outflow)
	}
	build := func(name string) CashFlowSection {
		sec := sections[name]
		out := CashFlowSection{Rows: make([]CashFlowRow, 0, len(sec.order))}
		var in, outflow decimal.Decimal
		for _, label := range sec.order {
			r := sec.rows[label]
			out.Rows = append(out.Rows, CashFlowRow{SubType: label, Inflow: amount(r.in), Outflow: amount(r.out), Net: amount(r.in.Sub(r.out))})
			in, outflow = in.Add(r.in), outflow.Add(r.out)
		}
		out.Inflow, out.Outflow, out.Net = amount(in), amount(outflow), amount(in.Sub(outflow))
		return out
	}
	out.Sections = CashFlowSections{Operating: build("operating"), Investing: build("investing"), Financing: build("financing")}
	out.OpeningCash, out.NetChange, out.ClosingCash = amount(opening), amount(net), amount(closing)
	if !closing.Sub(opening).Equal(net) {
		// Every posting balances in base, so this cannot happen; say so
		// loudly rather than answer a statement that does not add up.
		return CashFlowReport{}, domain.Internal(cashFlowMismatch)
	}
	return out, nil
}

const cashFlowMismatch = invariantError("cash flow: net change differs from the cash accounts' balance change")

// cashFlowActivity classifies a counter-account.
func cashFlowActivity(accountType, subType string) string {
	switch subType {
	case "fixed_asset", "non_current_asset":
		return "investing"
	case "long_term_liability", "owners_equity", "share_capital", "retained_earnings", "drawings":
		return "financing"
	}
	if accountType == accounting.TypeEquity {
		return "financing"
	}
	return "operating"
}
