package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// ledger drives a tenant's books through the REST API.
type ledger struct {
	env *apptest.Env
	key string
	ids map[string]string // account code → id
}

func newLedger(env *apptest.Env, key string) *ledger {
	return &ledger{env: env, key: key, ids: map[string]string{}}
}

// bookkeeperKey issues a "*" key whose rate limit a worked example never
// reaches.
func bookkeeperKey(t *testing.T, env *apptest.Env, caller string) string {
	t.Helper()
	return issueKey(t, env, caller, map[string]any{"label": "bookkeeper", "scopes": []string{"*"},
		"rate_limit": map[string]int{"per_minute": 100_000, "per_hour": 1_000_000}}).Token
}

// account creates an account and remembers its id by code.
func (l *ledger) account(t *testing.T, code, name, typ, subType string) string {
	t.Helper()
	res := l.env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/accounts", Key: l.key,
		Body: map[string]any{"code": code, "name": name, "type": typ, "sub_type": subType}})
	require.Equal(t, http.StatusCreated, res.Status, "create account %s: %s", code, res.Body)
	var a struct{ ID string }
	res.Decode(t, &a)
	l.ids[code] = a.ID
	return a.ID
}

// jl is one line of an entry: an account code and a debit or a credit.
type jl struct {
	code          string
	debit, credit string
	description   string
}

func dr(code, amount string) jl { return jl{code: code, debit: amount} }
func cr(code, amount string) jl { return jl{code: code, credit: amount} }

// entry creates a journal entry (posted unless post is false) and answers its id.
func (l *ledger) entry(t *testing.T, date, description, reference string, post bool, lines ...jl) string {
	t.Helper()
	body := []any{}
	for _, x := range lines {
		line := map[string]any{"account_id": l.ids[x.code]}
		if x.debit != "" {
			line["debit"] = x.debit
		} else {
			line["credit"] = x.credit
		}
		if x.description != "" {
			line["description"] = x.description
		}
		body = append(body, line)
	}
	res := l.env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/journal-entries", Key: l.key,
		Body: map[string]any{"date": date, "description": description, "reference": reference, "post": post, "lines": body}})
	require.Equal(t, http.StatusCreated, res.Status, "create entry %q: %s", description, res.Body)
	var e struct{ ID, Status string }
	res.Decode(t, &e)
	return e.ID
}

// reverse reverses a posted entry and answers the reversing entry's id.
func (l *ledger) reverse(t *testing.T, id string) string {
	t.Helper()
	res := l.env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/journal-entries/" + id + "/reverse",
		Key: l.key, Body: map[string]any{}})
	require.Equal(t, http.StatusCreated, res.Status, "reverse: %s", res.Body)
	var e struct {
		ID         string
		ReversalOf string `json:"reversal_of"`
	}
	res.Decode(t, &e)
	require.Equal(t, id, e.ReversalOf)
	return e.ID
}

// report GETs a report (200 expected) into v and answers the raw body.
func (l *ledger) report(t *testing.T, name string, params map[string]string, v any) string {
	t.Helper()
	q := url.Values{}
	for k, val := range params {
		q.Set(k, val)
	}
	res := l.env.Do(t, apptest.Request{Path: "/v1/accounting/reports/" + name + "?" + q.Encode(), Key: l.key})
	require.Equal(t, http.StatusOK, res.Status, "%s %v: %s", name, params, res.Body)
	res.Decode(t, v)
	return string(res.Data)
}

// Report answers as a client decodes them; amounts stay exact decimals.
type tbView struct {
	AsOf     string `json:"as_of"`
	Currency string `json:"currency"`
	Rows     []struct {
		AccountID string          `json:"account_id"`
		Code      string          `json:"code"`
		Name      string          `json:"name"`
		Type      string          `json:"type"`
		Debit     decimal.Decimal `json:"debit"`
		Credit    decimal.Decimal `json:"credit"`
	} `json:"rows"`
	Totals struct {
		Debit  decimal.Decimal `json:"debit"`
		Credit decimal.Decimal `json:"credit"`
	} `json:"totals"`
}

type rowView struct {
	AccountID *string         `json:"account_id"`
	Code      *string         `json:"code"`
	Name      string          `json:"name"`
	Amount    decimal.Decimal `json:"amount"`
}

type sectionView struct {
	Rows  []rowView       `json:"rows"`
	Total decimal.Decimal `json:"total"`
}

type plView struct {
	From      string          `json:"from"`
	To        string          `json:"to"`
	Currency  string          `json:"currency"`
	Income    sectionView     `json:"income"`
	Expenses  sectionView     `json:"expenses"`
	NetIncome decimal.Decimal `json:"net_income"`
}

type bsView struct {
	AsOf                      string          `json:"as_of"`
	Currency                  string          `json:"currency"`
	Assets                    sectionView     `json:"assets"`
	Liabilities               sectionView     `json:"liabilities"`
	Equity                    sectionView     `json:"equity"`
	CurrentEarnings           decimal.Decimal `json:"current_earnings"`
	TotalAssets               decimal.Decimal `json:"total_assets"`
	TotalLiabilitiesAndEquity decimal.Decimal `json:"total_liabilities_and_equity"`
}

type glPosting struct {
	EntryID     string          `json:"entry_id"`
	LineID      string          `json:"line_id"`
	Date        string          `json:"date"`
	Description string          `json:"description"`
	Reference   string          `json:"reference"`
	Debit       decimal.Decimal `json:"debit"`
	Credit      decimal.Decimal `json:"credit"`
	Balance     decimal.Decimal `json:"balance"`
}

type glAccount struct {
	AccountID      string          `json:"account_id"`
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	OpeningBalance decimal.Decimal `json:"opening_balance"`
	Entries        []glPosting     `json:"entries"`
	ClosingBalance decimal.Decimal `json:"closing_balance"`
}

type glView struct {
	From     string      `json:"from"`
	To       string      `json:"to"`
	Currency string      `json:"currency"`
	Accounts []glAccount `json:"accounts"`
}

// money reads a hand-computed figure written with thousands separators.
func money(s string) decimal.Decimal {
	return decimal.RequireFromString(strings.ReplaceAll(s, ",", ""))
}

func requireMoney(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	require.True(t, money(want).Equal(got), "want %s, got %s %s", want, got, fmt.Sprint(msgAndArgs...))
}

// tbBalances maps each trial balance row's code to its natural-side balance.
func tbBalances(t *testing.T, tb tbView) map[string]decimal.Decimal {
	t.Helper()
	out := map[string]decimal.Decimal{}
	for _, r := range tb.Rows {
		switch r.Type {
		case "asset", "expense":
			require.True(t, r.Credit.IsZero(), "%s: a debit-normal account shows 0 credit", r.Code)
			out[r.Code] = r.Debit
		default:
			require.True(t, r.Debit.IsZero(), "%s: a credit-normal account shows 0 debit", r.Code)
			out[r.Code] = r.Credit
		}
	}
	return out
}

func sectionAmounts(s sectionView) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, r := range s.Rows {
		code := "-"
		if r.Code != nil {
			code = *r.Code
		}
		out[code] = r.Amount
	}
	return out
}

func requireAmounts(t *testing.T, what string, want map[string]string, got map[string]decimal.Decimal) {
	t.Helper()
	require.Len(t, got, len(want), "%s rows: %v", what, got)
	for code, w := range want {
		g, ok := got[code]
		require.True(t, ok, "%s: row %s missing (%v)", what, code, got)
		requireMoney(t, w, g, what+" "+code)
	}
}

// smallBusiness keeps a month of a small business's books (March 2026,
// fiscal year = calendar year) plus one sale of the prior year, one reversed
// entry, one draft and one entry after the month.
func smallBusiness(t *testing.T, l *ledger) (reversed, reversal string) {
	t.Helper()
	l.account(t, "1000", "Cash at bank", "asset", "bank")
	l.account(t, "1100", "Accounts receivable", "asset", "accounts_receivable")
	l.account(t, "1500", "Equipment", "asset", "fixed_asset")
	l.account(t, "2000", "Accounts payable", "liability", "accounts_payable")
	l.account(t, "2500", "Bank loan", "liability", "long_term_liability")
	l.account(t, "3000", "Owner's capital", "equity", "owners_equity")
	l.account(t, "3900", "Retained earnings", "equity", "retained_earnings")
	l.account(t, "4000", "Sales", "revenue", "sales")
	l.account(t, "6000", "Rent", "expense", "operating_expense")
	l.account(t, "6100", "Supplies", "expense", "operating_expense")
	l.account(t, "6200", "Utilities", "expense", "operating_expense")
	l.account(t, "6300", "Interest", "expense", "interest_expense")

	l.entry(t, "2025-12-15", "December sale (prior year)", "INV-0999", true, dr("1000", "500.00"), cr("4000", "500.00"))
	l.entry(t, "2026-03-01", "Owner invests", "", true, dr("1000", "10000.00"), cr("3000", "10000.00"))
	l.entry(t, "2026-03-02", "Equipment", "PO-1", true, dr("1500", "2500.00"), cr("1000", "2500.00"))
	l.entry(t, "2026-03-05", "Credit sale", "INV-1001", true,
		jl{code: "1100", debit: "4200.50", description: "Invoice 1001, Acme"}, cr("4000", "4200.50"))
	l.entry(t, "2026-03-06", "Cash sale", "", true, dr("1000", "1300.25"), cr("4000", "1300.25"))
	l.entry(t, "2026-03-10", "Acme pays part of INV-1001", "", true, dr("1000", "2000.00"), cr("1100", "2000.00"))
	l.entry(t, "2026-03-01", "March rent", "", true, dr("6000", "1200.00"), cr("1000", "1200.00"))
	l.entry(t, "2026-03-12", "Supplies", "", true, dr("6100", "333.33"), cr("1000", "333.33"))
	l.entry(t, "2026-03-15", "Electricity bill", "", true, dr("6200", "145.67"), cr("2000", "145.67"))
	l.entry(t, "2026-03-15", "Bank loan", "", true, dr("1000", "5000.00"), cr("2500", "5000.00"))
	reversed = l.entry(t, "2026-03-20", "Supplies, entered twice", "", true, dr("6100", "99.99"), cr("1000", "99.99"))
	reversal = l.reverse(t, reversed)
	l.entry(t, "2026-03-31", "Loan interest", "", true, dr("6300", "41.10"), cr("1000", "41.10"))
	l.entry(t, "2026-03-25", "Draft never posted", "", false, dr("6000", "777.77"), cr("1000", "777.77"))
	l.entry(t, "2026-04-01", "April rent", "", true, dr("6000", "1200.00"), cr("1000", "1200.00"))
	return reversed, reversal
}

// TestAccountingReportsWorkedExample checks every report of a month of a
// small business's books against figures computed by hand.
func TestAccountingReportsWorkedExample(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	l := newLedger(env, bookkeeperKey(t, env, tn.Key))
	reversed, reversal := smallBusiness(t, l)

	// Hand-computed, as of 2026-03-31:
	//   Cash        500.00 + 10,000.00 − 2,500.00 + 1,300.25 + 2,000.00 − 1,200.00
	//               − 333.33 + 5,000.00 − 99.99 + 99.99 − 41.10       = 14,725.82
	//   Receivable  4,200.50 − 2,000.00                                =  2,200.50
	//   Sales       500.00 (2025) + 4,200.50 + 1,300.25                =  6,000.75
	//   Expenses    1,200.00 + 333.33 + 145.67 + 41.10                 =  1,720.10
	//   Net income 2026: 5,500.75 − 1,720.10 = 3,780.65; prior years 500.00.
	t.Run("trial balance", func(t *testing.T) {
		var tb tbView
		raw := l.report(t, "trial-balance", map[string]string{"as_of": "2026-03-31"}, &tb)
		require.Equal(t, "2026-03-31", tb.AsOf)
		require.Equal(t, "USD", tb.Currency)
		requireAmounts(t, "trial balance", map[string]string{
			"1000": "14,725.82", "1100": "2,200.50", "1500": "2,500.00",
			"2000": "145.67", "2500": "5,000.00", "3000": "10,000.00", "4000": "6,000.75",
			"6000": "1,200.00", "6100": "333.33", "6200": "145.67", "6300": "41.10",
		}, tbBalances(t, tb))
		var codes []string
		for _, r := range tb.Rows {
			codes = append(codes, r.Code)
		}
		require.Equal(t, []string{"1000", "1100", "1500", "2000", "2500", "3000", "4000", "6000", "6100", "6200", "6300"}, codes,
			"rows by code; accounts without a balance (3900) are left out")
		require.Equal(t, "income", tb.Rows[6].Type, "revenue reads back as income")
		requireMoney(t, "21,146.42", tb.Totals.Debit)
		requireMoney(t, "21,146.42", tb.Totals.Credit)
		require.Contains(t, raw, `"totals":{"debit":21146.42,"credit":21146.42}`, "JSON numbers with the currency's places")
		require.Contains(t, raw, `"debit":2500.00,"credit":0.00`)

		// The year before holds only the December sale.
		l.report(t, "trial-balance", map[string]string{"as_of": "2025-12-31"}, &tb)
		requireAmounts(t, "trial balance 2025", map[string]string{"1000": "500.00", "4000": "500.00"}, tbBalances(t, tb))
		requireMoney(t, "500.00", tb.Totals.Debit)

		// Mid-month, before the reversed entry: 14,766.92 − 4,200.50 ... computed by hand:
		// cash at 2026-03-15 = 500 + 10,000 − 2,500 + 1,300.25 + 2,000 − 1,200 − 333.33 + 5,000 = 14,766.92.
		l.report(t, "trial-balance", map[string]string{"as_of": "2026-03-15"}, &tb)
		requireMoney(t, "14,766.92", tbBalances(t, tb)["1000"])
		require.Equal(t, tb.Totals.Debit.String(), tb.Totals.Credit.String())
	})

	t.Run("trial balance of a period", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/periods", Key: l.key,
			Body: map[string]any{"name": "March 2026", "start_date": "2026-03-01", "end_date": "2026-03-15"}})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var p struct{ ID string }
		res.Decode(t, &p)
		var tb tbView
		l.report(t, "trial-balance", map[string]string{"period_id": p.ID, "as_of": "2026-12-31"}, &tb)
		require.Equal(t, "2026-03-15", tb.AsOf, "as_of is the period's end date")
		requireMoney(t, "14,766.92", tbBalances(t, tb)["1000"])
	})

	t.Run("profit and loss", func(t *testing.T) {
		var pl plView
		raw := l.report(t, "profit-and-loss", map[string]string{"to": "2026-03-31"}, &pl)
		require.Equal(t, "2026-01-01", pl.From, "from defaults to the start of the fiscal year")
		require.Equal(t, "2026-03-31", pl.To)
		requireAmounts(t, "income", map[string]string{"4000": "5,500.75"}, sectionAmounts(pl.Income))
		requireMoney(t, "5,500.75", pl.Income.Total)
		requireAmounts(t, "expenses", map[string]string{
			"6000": "1,200.00", "6100": "333.33", "6200": "145.67", "6300": "41.10"}, sectionAmounts(pl.Expenses))
		requireMoney(t, "1,720.10", pl.Expenses.Total)
		requireMoney(t, "3,780.65", pl.NetIncome)
		require.Contains(t, raw, `"net_income":3780.65`)

		l.report(t, "profit-and-loss", map[string]string{"from": "2026-03-02", "to": "2026-03-12"}, &pl)
		requireAmounts(t, "income 2–12 March", map[string]string{"4000": "5,500.75"}, sectionAmounts(pl.Income))
		requireAmounts(t, "expenses 2–12 March", map[string]string{"6100": "333.33"}, sectionAmounts(pl.Expenses))
		requireMoney(t, "5,167.42", pl.NetIncome)

		l.report(t, "profit-and-loss", map[string]string{"from": "2025-01-01", "to": "2025-12-31"}, &pl)
		requireMoney(t, "500.00", pl.NetIncome)
		require.Empty(t, pl.Expenses.Rows)
		requireMoney(t, "0", pl.Expenses.Total)
	})

	t.Run("balance sheet", func(t *testing.T) {
		var bs bsView
		raw := l.report(t, "balance-sheet", map[string]string{"as_of": "2026-03-31"}, &bs)
		requireAmounts(t, "assets", map[string]string{"1000": "14,725.82", "1100": "2,200.50", "1500": "2,500.00"},
			sectionAmounts(bs.Assets))
		requireMoney(t, "19,426.32", bs.Assets.Total)
		requireMoney(t, "19,426.32", bs.TotalAssets)
		requireAmounts(t, "liabilities", map[string]string{"2000": "145.67", "2500": "5,000.00"}, sectionAmounts(bs.Liabilities))
		requireMoney(t, "5,145.67", bs.Liabilities.Total)
		requireAmounts(t, "equity", map[string]string{"3000": "10,000.00", "-": "500.00"}, sectionAmounts(bs.Equity))
		requireMoney(t, "10,500.00", bs.Equity.Total)
		requireMoney(t, "3,780.65", bs.CurrentEarnings)
		requireMoney(t, "19,426.32", bs.TotalLiabilitiesAndEquity)
		require.Contains(t, raw, `{"account_id":null,"code":null,"name":"Retained earnings (prior years)","amount":500.00}`)

		// At the end of 2025 the December sale is the current year's earnings.
		l.report(t, "balance-sheet", map[string]string{"as_of": "2025-12-31"}, &bs)
		requireMoney(t, "500.00", bs.TotalAssets)
		requireMoney(t, "500.00", bs.CurrentEarnings)
		require.Empty(t, bs.Equity.Rows)
		requireMoney(t, "500.00", bs.TotalLiabilitiesAndEquity)
	})

	t.Run("general ledger of one account", func(t *testing.T) {
		var gl glView
		l.report(t, "general-ledger", map[string]string{"account_id": l.ids["1000"], "from": "2026-03-01", "to": "2026-03-31"}, &gl)
		require.Len(t, gl.Accounts, 1)
		cash := gl.Accounts[0]
		require.Equal(t, "1000", cash.Code)
		requireMoney(t, "500.00", cash.OpeningBalance)
		type step struct{ date, debit, credit, balance string }
		want := []step{
			{"2026-03-01", "10,000.00", "0", "10,500.00"}, // owner invests (created before the rent)
			{"2026-03-01", "0", "1,200.00", "9,300.00"},   // rent
			{"2026-03-02", "0", "2,500.00", "6,800.00"},   // equipment
			{"2026-03-06", "1,300.25", "0", "8,100.25"},   // cash sale
			{"2026-03-10", "2,000.00", "0", "10,100.25"},  // customer pays
			{"2026-03-12", "0", "333.33", "9,766.92"},     // supplies
			{"2026-03-15", "5,000.00", "0", "14,766.92"},  // loan
			{"2026-03-20", "0", "99.99", "14,666.93"},     // entered twice
			{"2026-03-20", "99.99", "0", "14,766.92"},     // its reversal
			{"2026-03-31", "0", "41.10", "14,725.82"},     // interest
		}
		require.Len(t, cash.Entries, len(want), "drafts and April are left out")
		for i, w := range want {
			e := cash.Entries[i]
			require.Equal(t, w.date, e.Date, "posting %d", i)
			requireMoney(t, w.debit, e.Debit, "debit ", i)
			requireMoney(t, w.credit, e.Credit, "credit ", i)
			requireMoney(t, w.balance, e.Balance, "balance ", i)
		}
		require.Equal(t, reversed, cash.Entries[7].EntryID)
		require.Equal(t, reversal, cash.Entries[8].EntryID)
		require.NotEmpty(t, cash.Entries[0].LineID)
		require.Equal(t, "Owner invests", cash.Entries[0].Description, "the entry's description when the line has none")
		require.Equal(t, "PO-1", cash.Entries[2].Reference)
		requireMoney(t, "14,725.82", cash.ClosingBalance)

		// By code, and the line's own description wins.
		l.report(t, "general-ledger", map[string]string{"account_id": "1100", "from": "2026-03-01", "to": "2026-03-31"}, &gl)
		require.Len(t, gl.Accounts, 1)
		ar := gl.Accounts[0]
		requireMoney(t, "0", ar.OpeningBalance)
		require.Len(t, ar.Entries, 2)
		require.Equal(t, "Invoice 1001, Acme", ar.Entries[0].Description)
		require.Equal(t, "INV-1001", ar.Entries[0].Reference)
		requireMoney(t, "2,200.50", ar.ClosingBalance)

		// Credit-normal accounts run in their natural sign.
		l.report(t, "general-ledger", map[string]string{"account_id": l.ids["4000"], "to": "2026-03-31"}, &gl)
		require.Equal(t, "2026-01-01", gl.From)
		sales := gl.Accounts[0]
		requireMoney(t, "500.00", sales.OpeningBalance)
		requireMoney(t, "4,700.50", sales.Entries[0].Balance)
		requireMoney(t, "6,000.75", sales.ClosingBalance)

		// An account without postings still answers, empty.
		l.report(t, "general-ledger", map[string]string{"account_id": l.ids["3900"], "to": "2026-03-31"}, &gl)
		require.Len(t, gl.Accounts, 1)
		require.Empty(t, gl.Accounts[0].Entries)
		require.NotNil(t, gl.Accounts[0].Entries)
		requireMoney(t, "0", gl.Accounts[0].ClosingBalance)
	})

	t.Run("reports agree", func(t *testing.T) {
		for _, asOf := range []string{"2025-12-31", "2026-03-05", "2026-03-20", "2026-03-31", "2026-04-30"} {
			var tb tbView
			var bs bsView
			var pl plView
			var gl glView
			l.report(t, "trial-balance", map[string]string{"as_of": asOf}, &tb)
			l.report(t, "balance-sheet", map[string]string{"as_of": asOf}, &bs)
			l.report(t, "profit-and-loss", map[string]string{"to": asOf}, &pl)
			l.report(t, "general-ledger", map[string]string{"to": asOf}, &gl)
			require.True(t, tb.Totals.Debit.Equal(tb.Totals.Credit), "%s: trial balance balances", asOf)
			require.True(t, bs.TotalAssets.Equal(bs.TotalLiabilitiesAndEquity), "%s: assets = liabilities + equity + current earnings", asOf)
			require.True(t, bs.TotalAssets.Equal(bs.Liabilities.Total.Add(bs.Equity.Total).Add(bs.CurrentEarnings)), asOf)
			require.True(t, pl.NetIncome.Equal(bs.CurrentEarnings), "%s: P&L for the year = current earnings", asOf)
			balances := tbBalances(t, tb)
			seen := map[string]bool{}
			for _, a := range gl.Accounts {
				seen[a.Code] = true
				want := balances[a.Code] // zero when not in the trial balance
				require.True(t, want.Equal(a.ClosingBalance), "%s: GL closing of %s %s = trial balance %s", asOf, a.Code, a.ClosingBalance, want)
				run := a.OpeningBalance
				for _, e := range a.Entries {
					if a.Type == "asset" || a.Type == "expense" {
						run = run.Add(e.Debit).Sub(e.Credit)
					} else {
						run = run.Add(e.Credit).Sub(e.Debit)
					}
					require.True(t, run.Equal(e.Balance))
				}
			}
			for code := range balances {
				require.True(t, seen[code], "%s: account %s of the trial balance is in the general ledger", asOf, code)
			}
		}
		var tb tbView
		l.report(t, "trial-balance", map[string]string{"as_of": "2026-04-30"}, &tb)
		requireMoney(t, "13,525.82", tbBalances(t, tb)["1000"], "April rent is paid")
	})
}

// TestAccountingReportsTenantIsolationAndRefusals: another tenant's books
// never show, and each bad request is refused with the contract's status.
func TestAccountingReportsTenantIsolationAndRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := newLedger(env, bookkeeperKey(t, env, env.NewTenant(t, "Tenant A").Key))
	b := newLedger(env, bookkeeperKey(t, env, env.NewTenant(t, "Tenant B").Key))
	a.account(t, "1000", "A cash", "asset", "bank")
	a.account(t, "4000", "A sales", "income", "sales")
	a.entry(t, "2026-03-02", "A sale", "", true, dr("1000", "123.45"), cr("4000", "123.45"))

	var tb tbView
	b.report(t, "trial-balance", map[string]string{"as_of": "2026-12-31"}, &tb)
	require.Empty(t, tb.Rows, "a new tenant's trial balance is empty")
	require.NotNil(t, tb.Rows)
	requireMoney(t, "0", tb.Totals.Debit)
	require.Equal(t, "USD", tb.Currency)

	// B overdraws: cash in credit shows as a negative debit.
	b.account(t, "1000", "B cash", "asset", "bank")
	b.account(t, "6000", "B rent", "expense", "operating_expense")
	b.entry(t, "2026-03-03", "B rent", "", true, dr("6000", "50.00"), cr("1000", "50.00"))
	b.report(t, "trial-balance", map[string]string{"as_of": "2026-12-31"}, &tb)
	requireAmounts(t, "B", map[string]string{"1000": "-50.00", "6000": "50.00"}, tbBalances(t, tb))
	requireMoney(t, "0", tb.Totals.Debit)
	requireMoney(t, "0", tb.Totals.Credit)
	for _, r := range tb.Rows {
		require.NotEqual(t, a.ids[r.Code], r.AccountID, "B never sees A's accounts")
	}
	var bs bsView
	b.report(t, "balance-sheet", map[string]string{"as_of": "2026-12-31"}, &bs)
	requireMoney(t, "-50.00", bs.TotalAssets)
	requireMoney(t, "-50.00", bs.CurrentEarnings)
	var gl glView
	b.report(t, "general-ledger", map[string]string{"from": "2026-01-01", "to": "2026-12-31"}, &gl)
	require.Len(t, gl.Accounts, 2)
	for _, acc := range gl.Accounts {
		require.Equal(t, b.ids[acc.Code], acc.AccountID)
	}
	var pl plView
	b.report(t, "profit-and-loss", map[string]string{"from": "2026-01-01", "to": "2026-12-31"}, &pl)
	require.Empty(t, pl.Income.Rows)
	requireMoney(t, "-50.00", pl.NetIncome)

	refuse := func(key, path string, status int, code string, field string) {
		t.Helper()
		res := env.Do(t, apptest.Request{Path: path, Key: key})
		require.Equal(t, status, res.Status, "%s: %s", path, res.Body)
		require.Equal(t, code, res.Error.Code, path)
		if field != "" {
			require.Contains(t, res.Error.Fields, field, path)
		}
	}
	const r = "/v1/accounting/reports/"
	refuse(b.key, r+"general-ledger?account_id="+a.ids["1000"], 404, "NOT_FOUND", "")
	refuse(b.key, r+"general-ledger?account_id=9999", 404, "NOT_FOUND", "")
	refuse(b.key, r+"trial-balance?period_id="+domain.NewID("per_"), 404, "NOT_FOUND", "")
	refuse(b.key, r+"trial-balance?period_id=nope", 404, "NOT_FOUND", "")
	refuse(b.key, r+"trial-balance?as_of=2026-02-30", 400, "VALIDATION_FAILED", "as_of")
	refuse(b.key, r+"balance-sheet?as_of=yesterday", 400, "VALIDATION_FAILED", "as_of")
	refuse(b.key, r+"profit-and-loss?from=2026-1-1", 400, "VALIDATION_FAILED", "from")
	refuse(b.key, r+"profit-and-loss?to=31/12/2026", 400, "VALIDATION_FAILED", "to")
	refuse(b.key, r+"profit-and-loss?from=2026-04-01&to=2026-03-31", 400, "VALIDATION_FAILED", "from")
	refuse(b.key, r+"general-ledger?from=2026-04-01&to=2026-03-31", 400, "VALIDATION_FAILED", "from")
	refuse(b.key, r+"general-ledger?to=2026-13-01", 400, "VALIDATION_FAILED", "to")

	writeOnly := scopedKey(t, env, b.key, "write")
	for _, name := range []string{"trial-balance", "profit-and-loss", "balance-sheet", "general-ledger"} {
		refuse(writeOnly, r+name, 403, "INSUFFICIENT_SCOPE", "")
		refuse("", r+name, 401, "UNAUTHORIZED", "")
	}
	readOnly := scopedKey(t, env, b.key, "read")
	b2 := newLedger(env, readOnly)
	b2.report(t, "trial-balance", nil, &tb)
	require.Len(t, tb.Rows, 2, "a read key sees the books (as_of defaults to today)")
}

// TestAccountingReportsFiscalYearAndLedgerCap: a fiscal year starting in
// April splits current from prior earnings there; the general ledger stops
// at 10,000 postings.
func TestAccountingReportsFiscalYearAndLedgerCap(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	l := newLedger(env, bookkeeperKey(t, env, tn.Key))
	l.account(t, "1000", "Cash", "asset", "bank")
	l.account(t, "4000", "Sales", "income", "sales")
	l.account(t, "6000", "Costs", "expense", "operating_expense")
	l.entry(t, "2026-03-31", "Last sale of FY2025/26", "", true, dr("1000", "1000.01"), cr("4000", "1000.01"))
	l.entry(t, "2026-04-01", "First sale of FY2026/27", "", true, dr("1000", "250.10"), cr("4000", "250.10"))
	l.entry(t, "2026-04-02", "Costs", "", true, dr("6000", "0.05"), cr("1000", "0.05"))

	ctx := context.Background()
	_, err := env.App.Core.DB.ExecContext(ctx, "UPDATE acct_books SET fiscal_year_start = 4 WHERE tenant_id = ?", tn.ID)
	require.NoError(t, err)

	var pl plView
	l.report(t, "profit-and-loss", map[string]string{"to": "2026-06-30"}, &pl)
	require.Equal(t, "2026-04-01", pl.From)
	requireMoney(t, "250.05", pl.NetIncome)
	l.report(t, "profit-and-loss", map[string]string{"to": "2026-03-31"}, &pl)
	require.Equal(t, "2025-04-01", pl.From)
	requireMoney(t, "1,000.01", pl.NetIncome)

	var bs bsView
	l.report(t, "balance-sheet", map[string]string{"as_of": "2026-06-30"}, &bs)
	requireMoney(t, "250.05", bs.CurrentEarnings)
	requireAmounts(t, "equity", map[string]string{"-": "1,000.01"}, sectionAmounts(bs.Equity))
	requireMoney(t, "1,250.06", bs.TotalAssets)
	requireMoney(t, "1,250.06", bs.TotalLiabilitiesAndEquity)

	// 5,001 two-line entries in March 2027, written straight into the
	// tables (with their daily roll-up) to pass the cap quickly; one
	// transaction, free of the statement timeout on a busy machine.
	tx, err := env.App.Core.DB.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback() //nolint:errcheck
	_, err = tx.ExecContext(ctx, `
		SET LOCAL statement_timeout = 0;
		INSERT INTO acct_journal_entries (tenant_id, id, date, description, currency, status)
		SELECT ?, 'je_cap' || g, DATE '2027-03-01' + (g % 28), 'Bulk ' || g, 'USD', 'posted'
		FROM generate_series(1, 5001) g;
		INSERT INTO acct_journal_lines (tenant_id, id, entry_id, line_no, account_id, debit, credit, base_debit, base_credit, date, posted)
		SELECT ?, 'jl_cap' || g || '_' || n, 'je_cap' || g, n, CASE n WHEN 1 THEN ? ELSE ? END,
			CASE n WHEN 1 THEN 1 ELSE 0 END, CASE n WHEN 1 THEN 0 ELSE 1 END,
			CASE n WHEN 1 THEN 1 ELSE 0 END, CASE n WHEN 1 THEN 0 ELSE 1 END,
			DATE '2027-03-01' + (g % 28), true
		FROM generate_series(1, 5001) g, generate_series(1, 2) n;
		INSERT INTO acct_daily_balances (tenant_id, account_id, date, debit, credit)
		SELECT tenant_id, account_id, date, sum(base_debit), sum(base_credit) FROM acct_journal_lines
		WHERE tenant_id = ? AND entry_id LIKE 'je_cap%' GROUP BY 1, 2, 3
		ON CONFLICT (tenant_id, account_id, date) DO UPDATE
		SET debit = acct_daily_balances.debit + EXCLUDED.debit, credit = acct_daily_balances.credit + EXCLUDED.credit`,
		tn.ID, tn.ID, l.ids["1000"], l.ids["4000"], tn.ID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())

	res := env.Do(t, apptest.Request{Path: "/v1/accounting/reports/general-ledger?from=2027-03-01&to=2027-03-31", Key: l.key})
	require.Equal(t, http.StatusBadRequest, res.Status, string(res.Body))
	require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
	require.EqualValues(t, 10000, res.Error.Extra["max_postings"])
	require.Contains(t, res.Error.Fields["to"][0], "account_id")

	var gl glView
	l.report(t, "general-ledger", map[string]string{"from": "2027-03-01", "to": "2027-03-31", "account_id": "1000"}, &gl)
	require.Len(t, gl.Accounts[0].Entries, 5001)
	requireMoney(t, "1,250.06", gl.Accounts[0].OpeningBalance)
	requireMoney(t, "6,251.06", gl.Accounts[0].ClosingBalance)
	l.report(t, "general-ledger", map[string]string{"from": "2027-03-01", "to": "2027-03-14"}, &gl)
	require.Len(t, gl.Accounts, 3, "under the cap every account shows (costs by its opening balance)")

	var tb tbView
	l.report(t, "trial-balance", map[string]string{"as_of": "2027-12-31"}, &tb)
	requireAmounts(t, "trial balance", map[string]string{"1000": "6,251.06", "4000": "6,251.11", "6000": "0.05"}, tbBalances(t, tb))
	requireMoney(t, "6,251.11", tb.Totals.Debit)
	requireMoney(t, "6,251.11", tb.Totals.Credit)
}
