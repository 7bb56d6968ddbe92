package accounting

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// The ledger reports. Every figure is in the tenant's base currency, summed
// exactly (SQL numeric, then decimal.Decimal) and written rounded half-even
// to the base currency's decimal places. Balances come from the daily
// roll-up acct_daily_balances, so the trial balance, profit and loss and
// balance sheet cost O(accounts × days with postings), whatever the number
// of journal lines; the general ledger lists lines, capped per request.

// MaxLedgerPostings caps the postings one general ledger answer lists.
const MaxLedgerPostings = 10_000

// TrialBalanceInput asks for the trial balance at as_of (default today) or
// at the end of period_id (which then wins over as_of).
type TrialBalanceInput struct {
	AsOf     string `query:"as_of"`
	PeriodID string `query:"period_id"`
}

// TrialBalanceRow is one account's net balance on its natural side:
// debit-normal accounts (asset, expense) in debit, the others in credit;
// the other side is 0. A balance against the natural side is negative.
type TrialBalanceRow struct {
	AccountID string `json:"account_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Debit     Amount `json:"debit"`
	Credit    Amount `json:"credit"`
}

// TrialBalanceTotals sums the debit and credit columns; they are equal.
type TrialBalanceTotals struct {
	Debit  Amount `json:"debit"`
	Credit Amount `json:"credit"`
}

// TrialBalanceReport is the answer of GET /v1/accounting/reports/trial-balance.
type TrialBalanceReport struct {
	AsOf     Date               `json:"as_of"`
	Currency string             `json:"currency"`
	Rows     []TrialBalanceRow  `json:"rows"`
	Totals   TrialBalanceTotals `json:"totals"`
}

// ProfitAndLossInput asks for the profit and loss between from (default the
// start of the fiscal year containing to) and to (default today), inclusive.
type ProfitAndLossInput struct {
	From string `query:"from"`
	To   string `query:"to"`
}

// ReportRow is one line of a profit and loss or balance sheet section. The
// balance sheet's prior years' earnings row has no account (null id and code).
type ReportRow struct {
	AccountID *string `json:"account_id"`
	Code      *string `json:"code"`
	Name      string  `json:"name"`
	Amount    Amount  `json:"amount"`
}

// ReportSection is a group of rows and their total.
type ReportSection struct {
	Rows  []ReportRow `json:"rows"`
	Total Amount      `json:"total"`
}

// ProfitAndLossReport is the answer of GET .../reports/profit-and-loss.
// Income amounts are credits − debits, expenses debits − credits.
type ProfitAndLossReport struct {
	From      Date          `json:"from"`
	To        Date          `json:"to"`
	Currency  string        `json:"currency"`
	Income    ReportSection `json:"income"`
	Expenses  ReportSection `json:"expenses"`
	NetIncome Amount        `json:"net_income"`
}

// BalanceSheetInput asks for the balance sheet at as_of (default today).
type BalanceSheetInput struct {
	AsOf string `query:"as_of"`
}

// BalanceSheetReport is the answer of GET .../reports/balance-sheet. Assets
// are debits − credits, liabilities and equity credits − debits.
// current_earnings is the net income from the start of the fiscal year
// containing as_of to as_of; earlier years' net income not yet closed into
// an equity account is the equity row "Retained earnings (prior years)".
// total_liabilities_and_equity = liabilities + equity + current_earnings,
// equal to total_assets.
type BalanceSheetReport struct {
	AsOf                      Date          `json:"as_of"`
	Currency                  string        `json:"currency"`
	Assets                    ReportSection `json:"assets"`
	Liabilities               ReportSection `json:"liabilities"`
	Equity                    ReportSection `json:"equity"`
	CurrentEarnings           Amount        `json:"current_earnings"`
	TotalAssets               Amount        `json:"total_assets"`
	TotalLiabilitiesAndEquity Amount        `json:"total_liabilities_and_equity"`
}

// GeneralLedgerInput asks for the postings between from and to (defaults as
// the profit and loss) of one account (id or code) or of every account.
type GeneralLedgerInput struct {
	From      string `query:"from"`
	To        string `query:"to"`
	AccountID string `query:"account_id"`
}

// LedgerPosting is one posted line with the account's balance after it.
type LedgerPosting struct {
	EntryID     string `json:"entry_id"`
	LineID      string `json:"line_id"`
	Date        Date   `json:"date"`
	Description string `json:"description"`
	Reference   string `json:"reference"`
	Debit       Amount `json:"debit"`
	Credit      Amount `json:"credit"`
	Balance     Amount `json:"balance"`
}

// LedgerAccount is one account of the general ledger; balances are in the
// account's natural sign (debits − credits for assets and expenses).
type LedgerAccount struct {
	AccountID      string          `json:"account_id"`
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	OpeningBalance Amount          `json:"opening_balance"`
	Entries        []LedgerPosting `json:"entries"`
	ClosingBalance Amount          `json:"closing_balance"`
}

// GeneralLedgerReport is the answer of GET .../reports/general-ledger.
type GeneralLedgerReport struct {
	From     Date            `json:"from"`
	To       Date            `json:"to"`
	Currency string          `json:"currency"`
	Accounts []LedgerAccount `json:"accounts"`
}

// reportBooks is what every report needs: the caller's tenant, the base
// currency and its places, and the fiscal year's first month.
type reportBooks struct {
	tenantID string
	currency string
	places   int32
	fyStart  time.Month
	today    time.Time
}

// reportSetup authorizes a read and loads the books (created on first use,
// outside the read-only snapshot the report then runs in).
func (s *Service) reportSetup(ctx context.Context) (*reportBooks, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.books(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, err
	}
	places, err := s.places(ctx, s.core.DB, p.TenantID, b.BaseCurrency, "currency")
	if err != nil {
		return nil, err
	}
	fy := time.Month(b.FiscalYearStart)
	if fy < time.January || fy > time.December {
		fy = time.January
	}
	return &reportBooks{tenantID: p.TenantID, currency: b.BaseCurrency, places: places, fyStart: fy,
		today: DateOf(s.core.Clock.Now().UTC()).Time}, nil
}

// fiscalYearStart returns the first day of the fiscal year containing d.
func (rb *reportBooks) fiscalYearStart(d time.Time) time.Time {
	y := d.Year()
	if d.Month() < rb.fyStart {
		y--
	}
	return time.Date(y, rb.fyStart, 1, 0, 0, 0, 0, time.UTC)
}

func (rb *reportBooks) amount(d decimal.Decimal) Amount { return NewAmount(d, rb.places) }

// snapshot runs fn in one read-only, repeatable-read transaction.
func (s *Service) snapshot(ctx context.Context, fn func(tx bun.Tx) error) error {
	err := db.AcctSnapshot(ctx, s.core.DB, fn)
	if err != nil {
		return domain.AsError(err)
	}
	return nil
}

// natural is an account's balance in its natural sign.
func natural(accountType string, debit, credit decimal.Decimal) decimal.Decimal {
	if DebitNormal(accountType) {
		return debit.Sub(credit)
	}
	return credit.Sub(debit)
}

// TrialBalance lists each account's net balance at as_of on its natural
// side. Errors: VALIDATION_FAILED (as_of), NOT_FOUND (period_id),
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) TrialBalance(ctx context.Context, in TrialBalanceInput) (TrialBalanceReport, error) {
	rb, err := s.reportSetup(ctx)
	if err != nil {
		return TrialBalanceReport{}, err
	}
	var v domain.Validation
	asOf := reportDate(&v, "as_of", in.AsOf, rb.today)
	if err := v.Err(); err != nil {
		return TrialBalanceReport{}, err
	}
	if id := strings.TrimSpace(in.PeriodID); id != "" {
		if !domain.ValidID("per_", id) {
			return TrialBalanceReport{}, domain.NotFound("Period")
		}
		_, end, err := db.AcctReportPeriod(ctx, s.core.DB, rb.tenantID, id)
		if db.IsNoRows(err) {
			return TrialBalanceReport{}, domain.NotFound("Period")
		}
		if err != nil {
			return TrialBalanceReport{}, domain.Internal(err)
		}
		asOf = end
	}
	rows, err := db.AcctAccountBalances(ctx, s.core.DB, rb.tenantID, db.AcctBalanceParams{To: &asOf})
	if err != nil {
		return TrialBalanceReport{}, domain.Internal(err)
	}
	out := TrialBalanceReport{AsOf: DateOf(asOf), Currency: rb.currency, Rows: make([]TrialBalanceRow, 0, len(rows))}
	zero := rb.amount(decimal.Zero)
	var td, tc decimal.Decimal
	for _, r := range rows {
		row := TrialBalanceRow{AccountID: r.AccountID, Code: r.Code, Name: r.Name, Type: r.Type, Debit: zero, Credit: zero}
		bal := natural(r.Type, r.Debit, r.Credit)
		if DebitNormal(r.Type) {
			row.Debit, td = rb.amount(bal), td.Add(bal)
		} else {
			row.Credit, tc = rb.amount(bal), tc.Add(bal)
		}
		out.Rows = append(out.Rows, row)
	}
	out.Totals = TrialBalanceTotals{Debit: rb.amount(td), Credit: rb.amount(tc)}
	return out, nil
}

// ProfitAndLoss lists income and expense accounts' activity between from
// and to. Errors: VALIDATION_FAILED (a bad date, from after to).
func (s *Service) ProfitAndLoss(ctx context.Context, in ProfitAndLossInput) (ProfitAndLossReport, error) {
	rb, err := s.reportSetup(ctx)
	if err != nil {
		return ProfitAndLossReport{}, err
	}
	from, to, err := rb.reportRange(in.From, in.To)
	if err != nil {
		return ProfitAndLossReport{}, err
	}
	rows, err := db.AcctAccountBalances(ctx, s.core.DB, rb.tenantID, db.AcctBalanceParams{From: &from, To: &to,
		Types: []string{TypeIncome, TypeExpense}})
	if err != nil {
		return ProfitAndLossReport{}, domain.Internal(err)
	}
	out := ProfitAndLossReport{From: DateOf(from), To: DateOf(to), Currency: rb.currency}
	var income, expenses sectionBuilder
	for _, r := range rows {
		if r.Type == TypeIncome {
			income.add(r, natural(r.Type, r.Debit, r.Credit))
		} else {
			expenses.add(r, natural(r.Type, r.Debit, r.Credit))
		}
	}
	out.Income, out.Expenses = income.section(rb), expenses.section(rb)
	out.NetIncome = rb.amount(income.total.Sub(expenses.total))
	return out, nil
}

// BalanceSheet lists asset, liability and equity balances at as_of, with
// the fiscal year's current earnings. Errors: VALIDATION_FAILED (as_of).
func (s *Service) BalanceSheet(ctx context.Context, in BalanceSheetInput) (BalanceSheetReport, error) {
	rb, err := s.reportSetup(ctx)
	if err != nil {
		return BalanceSheetReport{}, err
	}
	var v domain.Validation
	asOf := reportDate(&v, "as_of", in.AsOf, rb.today)
	if err := v.Err(); err != nil {
		return BalanceSheetReport{}, err
	}
	fyStart := rb.fiscalYearStart(asOf)
	var all, current []db.AcctAccountBalance
	err = s.snapshot(ctx, func(tx bun.Tx) error {
		var err error
		if all, err = db.AcctAccountBalances(ctx, tx, rb.tenantID, db.AcctBalanceParams{To: &asOf}); err != nil {
			return domain.Internal(err)
		}
		current, err = db.AcctAccountBalances(ctx, tx, rb.tenantID, db.AcctBalanceParams{From: &fyStart, To: &asOf,
			Types: []string{TypeIncome, TypeExpense}})
		if err != nil {
			return domain.Internal(err)
		}
		return nil
	})
	if err != nil {
		return BalanceSheetReport{}, err
	}
	// Net income (credits − debits of income and expense accounts) up to
	// as_of, and within the current fiscal year; the difference is earlier
	// years' earnings.
	var earningsToDate, currentEarnings decimal.Decimal
	var assets, liabilities, equity sectionBuilder
	for _, r := range all {
		switch r.Type {
		case TypeAsset:
			assets.add(r, natural(r.Type, r.Debit, r.Credit))
		case TypeLiability:
			liabilities.add(r, natural(r.Type, r.Debit, r.Credit))
		case TypeEquity:
			equity.add(r, natural(r.Type, r.Debit, r.Credit))
		default:
			earningsToDate = earningsToDate.Add(r.Credit.Sub(r.Debit))
		}
	}
	for _, r := range current {
		currentEarnings = currentEarnings.Add(r.Credit.Sub(r.Debit))
	}
	if prior := earningsToDate.Sub(currentEarnings); !prior.IsZero() {
		equity.rows = append(equity.rows, ReportRow{Name: "Retained earnings (prior years)", Amount: rb.amount(prior)})
		equity.total = equity.total.Add(prior)
	}
	out := BalanceSheetReport{AsOf: DateOf(asOf), Currency: rb.currency,
		Assets: assets.section(rb), Liabilities: liabilities.section(rb), Equity: equity.section(rb),
		CurrentEarnings: rb.amount(currentEarnings), TotalAssets: rb.amount(assets.total),
		TotalLiabilitiesAndEquity: rb.amount(liabilities.total.Add(equity.total).Add(currentEarnings))}
	return out, nil
}

// GeneralLedger lists each account's opening balance, its postings between
// from and to with a running balance, and its closing balance: one account
// (account_id, by id or code) or every account with an opening balance or
// postings. Errors: VALIDATION_FAILED (a bad date, from after to, more than
// MaxLedgerPostings postings), NOT_FOUND (account_id).
func (s *Service) GeneralLedger(ctx context.Context, in GeneralLedgerInput) (GeneralLedgerReport, error) {
	rb, err := s.reportSetup(ctx)
	if err != nil {
		return GeneralLedgerReport{}, err
	}
	from, to, err := rb.reportRange(in.From, in.To)
	if err != nil {
		return GeneralLedgerReport{}, err
	}
	var only *db.AcctAccount
	if ref := strings.TrimSpace(in.AccountID); ref != "" {
		if only, err = s.account(ctx, s.core.DB, rb.tenantID, ref); err != nil {
			return GeneralLedgerReport{}, err
		}
	}
	lp := db.AcctLedgerParams{From: from, To: to, Limit: MaxLedgerPostings + 1}
	bp := db.AcctBalanceParams{Before: &from}
	if only != nil {
		lp.AccountID, bp.AccountID = only.ID, only.ID
	}
	var openings []db.AcctAccountBalance
	var postings []db.AcctLedgerPosting
	err = s.snapshot(ctx, func(tx bun.Tx) error {
		n, err := db.AcctLedgerCount(ctx, tx, rb.tenantID, lp)
		if err != nil {
			return domain.Internal(err)
		}
		if n > MaxLedgerPostings {
			msg := "more than 10,000 postings in this range; narrow from/to or pass account_id"
			return (&domain.Error{Code: domain.CodeValidationFailed,
				Message: "The general ledger lists at most 10,000 postings per request.",
				Fields:  map[string][]string{"from": {msg}, "to": {msg}}}).With("max_postings", MaxLedgerPostings)
		}
		if openings, err = db.AcctAccountBalances(ctx, tx, rb.tenantID, bp); err != nil {
			return domain.Internal(err)
		}
		if postings, err = db.AcctLedgerPostings(ctx, tx, rb.tenantID, lp); err != nil {
			return domain.Internal(err)
		}
		return nil
	})
	if err != nil {
		return GeneralLedgerReport{}, err
	}

	// Accounts by code: those with an opening balance or postings (or the
	// one asked for), each balance in natural sign.
	type acct struct {
		LedgerAccount
		opening, balance decimal.Decimal
	}
	byID := map[string]*acct{}
	var order []*acct
	get := func(id, code, name, typ string) *acct {
		if a, ok := byID[id]; ok {
			return a
		}
		a := &acct{LedgerAccount: LedgerAccount{AccountID: id, Code: code, Name: name, Type: typ, Entries: []LedgerPosting{}}}
		byID[id] = a
		order = append(order, a)
		return a
	}
	if only != nil {
		get(only.ID, only.Code, only.Name, only.Type)
	}
	for _, o := range openings {
		a := get(o.AccountID, o.Code, o.Name, o.Type)
		a.opening = natural(o.Type, o.Debit, o.Credit)
		a.balance = a.opening
	}
	for _, p := range postings {
		a := get(p.AccountID, p.Code, p.Name, p.Type)
		a.balance = a.balance.Add(natural(a.Type, p.Debit, p.Credit))
		a.Entries = append(a.Entries, LedgerPosting{EntryID: p.EntryID, LineID: p.LineID, Date: DateOf(p.Date),
			Description: p.Description, Reference: p.Reference, Debit: rb.amount(p.Debit), Credit: rb.amount(p.Credit),
			Balance: rb.amount(a.balance)})
	}
	slices.SortFunc(order, func(a, b *acct) int { return strings.Compare(a.Code, b.Code) })
	out := GeneralLedgerReport{From: DateOf(from), To: DateOf(to), Currency: rb.currency,
		Accounts: make([]LedgerAccount, 0, len(order))}
	for _, a := range order {
		a.OpeningBalance, a.ClosingBalance = rb.amount(a.opening), rb.amount(a.balance)
		out.Accounts = append(out.Accounts, a.LedgerAccount)
	}
	return out, nil
}

// sectionBuilder collects a report section's rows and exact total.
type sectionBuilder struct {
	rows  []ReportRow
	total decimal.Decimal
}

func (b *sectionBuilder) add(r db.AcctAccountBalance, amount decimal.Decimal) {
	id, code := r.AccountID, r.Code
	b.rows = append(b.rows, ReportRow{AccountID: &id, Code: &code, Name: r.Name, Amount: Amount{Decimal: amount}})
	b.total = b.total.Add(amount)
}

func (b *sectionBuilder) section(rb *reportBooks) ReportSection {
	rows := make([]ReportRow, len(b.rows))
	for i, r := range b.rows {
		r.Amount = rb.amount(r.Amount.Decimal)
		rows[i] = r
	}
	return ReportSection{Rows: rows, Total: rb.amount(b.total)}
}

// reportRange reads from and to: to defaults to today, from to the start
// of the fiscal year containing to. Errors: VALIDATION_FAILED.
func (rb *reportBooks) reportRange(fromS, toS string) (from, to time.Time, err error) {
	var v domain.Validation
	to = reportDate(&v, "to", toS, rb.today)
	from = reportDate(&v, "from", fromS, time.Time{})
	if err := v.Err(); err != nil {
		return from, to, err
	}
	if strings.TrimSpace(fromS) == "" {
		from = rb.fiscalYearStart(to)
	}
	if from.After(to) {
		return from, to, domain.Invalid("from", "must not be after to ("+to.Format(DateLayout)+")")
	}
	return from, to, nil
}

// reportDate reads an optional YYYY-MM-DD query parameter (def when empty).
func reportDate(v *domain.Validation, field, s string, def time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	t, err := ParseDate(s)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		v.Add(field, "must be a date (YYYY-MM-DD)")
		return def
	}
	return t
}
