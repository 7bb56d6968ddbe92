package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

const (
	acctFields  = `id code name type subType parentId description currency isActive createdAt updatedAt`
	lineFields  = `id lineNo accountId account { id code name type } description debit credit baseDebit baseCredit taxCodeId`
	entryFields = `id date description reference currency exchangeRate status reversalOf reversedBy
		totalDebit totalCredit postedAt postedBy createdBy createdAt updatedAt lines { ` + lineFields + ` }`
	curFields    = `id code name symbol decimalPlaces isBase createdAt updatedAt`
	rateFields   = `id fromCurrency toCurrency rate effectiveDate createdAt`
	taxFields    = `id code name rate type category accountId isActive createdAt updatedAt`
	periodFields = `id name startDate endDate status closedAt closedBy createdAt updatedAt`
)

type gAccount struct {
	ID          string
	Code        string
	Name        string
	Type        string
	SubType     string
	ParentID    *string
	Description string
	Currency    *string
	IsActive    bool
	CreatedAt   time.Time
}

type gLine struct {
	ID          string
	LineNo      int
	AccountID   string
	Account     gAccount
	Description string
	Debit       json.Number
	Credit      json.Number
	BaseDebit   json.Number
	BaseCredit  json.Number
	TaxCodeID   *string
}

type gEntry struct {
	ID           string
	Date         string
	Description  string
	Reference    string
	Currency     string
	ExchangeRate json.Number
	Status       string
	ReversalOf   *string
	ReversedBy   *string
	Lines        []gLine
	TotalDebit   json.Number
	TotalCredit  json.Number
	PostedAt     *time.Time
	PostedBy     *string
	CreatedBy    string
}

type gCurrency struct {
	ID            string
	Code          string
	Name          string
	Symbol        string
	DecimalPlaces int
	IsBase        bool
}

type gRate struct {
	ID            string
	FromCurrency  string
	ToCurrency    string
	Rate          json.Number
	EffectiveDate string
}

type gTaxCode struct {
	ID        string
	Code      string
	Name      string
	Rate      json.Number
	Type      string
	Category  string
	AccountID *string
	IsActive  bool
}

type gPeriod struct {
	ID        string
	Name      string
	StartDate string
	EndDate   string
	Status    string
	ClosedAt  *time.Time
	ClosedBy  *string
}

type gDeleted struct {
	ID      string
	Deleted bool
}

// gBooks drives a tenant's books through GraphQL.
type gBooks struct {
	t   *testing.T
	env *apptest.Env
	key string
	ids map[string]string // account code → id
}

func newGBooks(t *testing.T, env *apptest.Env, key string) *gBooks {
	return &gBooks{t: t, env: env, key: key, ids: map[string]string{}}
}

// run requires success and decodes data into out.
func (b *gBooks) run(query string, vars map[string]any, out any) {
	b.t.Helper()
	gql(b.t, b.env, b.key, query, vars).decode(b.t, out)
}

// account creates an account and remembers its id by code.
func (b *gBooks) account(code, name, typ string) gAccount {
	b.t.Helper()
	var got struct{ CreateAccount gAccount }
	b.run(`mutation($in: CreateAccountInput!) { createAccount(input: $in) { `+acctFields+` } }`,
		map[string]any{"in": map[string]any{"code": code, "name": name, "type": typ}}, &got)
	b.ids[code] = got.CreateAccount.ID
	return got.CreateAccount
}

// line is one line of an entry input: an account code and a debit or a
// credit (anything the Decimal scalar takes).
func (b *gBooks) line(code string, debit, credit any) map[string]any {
	l := map[string]any{"accountId": b.ids[code]}
	if debit != nil {
		l["debit"] = debit
	}
	if credit != nil {
		l["credit"] = credit
	}
	return l
}

const createEntry = `mutation($in: CreateJournalEntryInput!) { createJournalEntry(input: $in) { ` + entryFields + ` } }`

// entry creates an entry (posted when post) and answers it.
func (b *gBooks) entry(date string, post bool, lines ...map[string]any) gEntry {
	b.t.Helper()
	var got struct{ CreateJournalEntry gEntry }
	b.run(createEntry, map[string]any{"in": map[string]any{"date": date, "post": post, "lines": lines}}, &got)
	return got.CreateJournalEntry
}

// fieldsOf returns an error's extensions.fields.
func fieldsOf(e gqlError) map[string]any {
	f, _ := e.Extensions["fields"].(map[string]any)
	return f
}

func TestAccountingChartOfAccounts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)

	assets := b.account("G-1000", "Current assets", "asset")
	require.Equal(t, "asset", assets.Type)
	require.True(t, assets.IsActive)
	require.Nil(t, assets.ParentID)

	var created struct{ CreateAccount gAccount }
	b.run(`mutation($in: CreateAccountInput!) { createAccount(input: $in) { `+acctFields+` } }`,
		map[string]any{"in": map[string]any{"code": "G-1010", "name": "Bank", "type": "asset", "subType": "bank",
			"parentId": "G-1000", "description": "Main account", "currency": "USD"}}, &created)
	bank := created.CreateAccount
	require.Equal(t, "bank", bank.SubType)
	require.Equal(t, assets.ID, *bank.ParentID)
	require.Equal(t, "USD", *bank.Currency)
	b.account("G-4000", "Sales", "revenue")

	var list struct{ Accounts []gAccount }
	b.run(`{ accounts { `+acctFields+` } }`, nil, &list)
	require.Len(t, list.Accounts, 3)
	b.run(`{ accounts(type: "asset", active: true) { code } }`, nil, &list)
	require.Equal(t, []string{"G-1000", "G-1010"}, []string{list.Accounts[0].Code, list.Accounts[1].Code})
	b.run(`{ accounts(active: false) { code } }`, nil, &list)
	require.Empty(t, list.Accounts)

	// By id and by code.
	var one struct{ Account gAccount }
	b.run(`query($id: ID!) { account(id: $id) { `+acctFields+` } }`, map[string]any{"id": bank.ID}, &one)
	require.Equal(t, "Bank", one.Account.Name)
	b.run(`{ account(id: "G-4000") { `+acctFields+` } }`, nil, &one)
	require.Equal(t, "income", one.Account.Type)

	// PATCH semantics: absent members keep, parentId null detaches.
	const update = `mutation($id: ID!, $in: UpdateAccountInput!) { updateAccount(id: $id, input: $in) { ` + acctFields + ` } }`
	var upd struct{ UpdateAccount gAccount }
	b.run(update, map[string]any{"id": bank.ID, "in": map[string]any{"name": "Bank (main)", "isActive": false}}, &upd)
	require.Equal(t, "Bank (main)", upd.UpdateAccount.Name)
	require.False(t, upd.UpdateAccount.IsActive)
	require.Equal(t, assets.ID, *upd.UpdateAccount.ParentID, "absent parentId keeps the parent")
	b.run(update, map[string]any{"id": "G-1010", "in": map[string]any{"parentId": nil}}, &upd)
	require.Nil(t, upd.UpdateAccount.ParentID)
	require.Equal(t, "Bank (main)", upd.UpdateAccount.Name)

	// Delete rules as REST: a parent with children is refused.
	b.run(update, map[string]any{"id": bank.ID, "in": map[string]any{"parentId": "G-1000"}}, &upd)
	r := gql(t, env, tn.Key, `mutation { deleteAccount(id: "G-1000") { id deleted } }`, nil)
	r.requireCode(t, "DEPENDENCY_EXISTS")
	var del struct{ DeleteAccount gDeleted }
	b.run(`mutation($id: ID!) { deleteAccount(id: $id) { id deleted } }`, map[string]any{"id": bank.ID}, &del)
	require.Equal(t, gDeleted{ID: bank.ID, Deleted: true}, del.DeleteAccount)

	gql(t, env, tn.Key, `{ account(id: "G-1010") { id } }`, nil).requireCode(t, "NOT_FOUND")

	// The standard chart, added around the tenant's own accounts, twice.
	var seeded struct{ SeedChartOfAccounts []gAccount }
	b.run(`mutation { seedChartOfAccounts { `+acctFields+` } }`, nil, &seeded)
	n := len(seeded.SeedChartOfAccounts)
	require.Greater(t, n, 20)
	b.run(`mutation { seedChartOfAccounts { code } }`, nil, &seeded)
	require.Len(t, seeded.SeedChartOfAccounts, n)
	b.run(`{ account(id: "1000") { `+acctFields+` } }`, nil, &one)
	require.Equal(t, "Cash", one.Account.Name)
	gql(t, env, tn.Key, `mutation { deleteAccount(id: "acc_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")
	e := gql(t, env, tn.Key, `mutation { createAccount(input: {code: "G-1000", name: "Dup", type: "asset"}) { id } }`, nil).
		requireCode(t, "CONFLICT")
	require.Contains(t, e.Message, "G-1000")
	e = gql(t, env, tn.Key, `mutation { createAccount(input: {code: "G-9", name: "X", type: "bogus"}) { id } }`, nil).
		requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "type")
}

func TestAccountingReferenceData(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	tax := b.account("G-2100", "Sales tax payable", "liability")
	other := b.account("G-2200", "Other tax", "liability")

	// Currencies.
	var curs struct{ Currencies []gCurrency }
	b.run(`{ currencies { `+curFields+` } }`, nil, &curs)
	require.Len(t, curs.Currencies, 1)
	require.Equal(t, "USD", curs.Currencies[0].Code)
	require.True(t, curs.Currencies[0].IsBase)

	var cc struct{ CreateCurrency gCurrency }
	b.run(`mutation($in: CreateCurrencyInput!) { createCurrency(input: $in) { `+curFields+` } }`,
		map[string]any{"in": map[string]any{"code": "eur"}}, &cc)
	require.Equal(t, gCurrency{ID: cc.CreateCurrency.ID, Code: "EUR", Name: "EUR", Symbol: "€", DecimalPlaces: 2}, cc.CreateCurrency)
	var one struct{ Currency gCurrency }
	b.run(`{ currency(id: "EUR") { `+curFields+` } }`, nil, &one)
	require.Equal(t, cc.CreateCurrency.ID, one.Currency.ID)
	var uc struct{ UpdateCurrency gCurrency }
	b.run(`mutation($id: ID!) { updateCurrency(id: $id, input: {name: "Euro", decimalPlaces: 3}) { `+curFields+` } }`,
		map[string]any{"id": cc.CreateCurrency.ID}, &uc)
	require.Equal(t, "Euro", uc.UpdateCurrency.Name)
	require.Equal(t, 3, uc.UpdateCurrency.DecimalPlaces)
	gql(t, env, tn.Key, `{ currency(id: "cur_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")

	// Exchange rates: a rate literal with 17 significant digits stays exact.
	var cr struct{ CreateExchangeRate gRate }
	b.run(`mutation { createExchangeRate(input: {fromCurrency: "EUR", toCurrency: "USD", rate: 1.0842000000000001,
		effectiveDate: "2024-01-01"}) { `+rateFields+` } }`, nil, &cr)
	rate := cr.CreateExchangeRate
	require.Equal(t, "1.0842000000000001", rate.Rate.String())
	require.Equal(t, "2024-01-01", rate.EffectiveDate)
	b.run(`mutation { createExchangeRate(input: {fromCurrency: "EUR", toCurrency: "USD", rate: "1.1",
		effectiveDate: "2024-06-01T10:00:00Z"}) { `+rateFields+` } }`, nil, &cr)
	require.Equal(t, "2024-06-01", cr.CreateExchangeRate.EffectiveDate)
	var rates struct{ ExchangeRates []gRate }
	b.run(`{ exchangeRates(fromCurrency: "EUR", toCurrency: "USD") { `+rateFields+` } }`, nil, &rates)
	require.Len(t, rates.ExchangeRates, 2)
	b.run(`{ exchangeRates(fromCurrency: "USD") { id } }`, nil, &rates)
	require.Empty(t, rates.ExchangeRates)
	var oneRate struct{ ExchangeRate gRate }
	b.run(`query($id: ID!) { exchangeRate(id: $id) { `+rateFields+` } }`, map[string]any{"id": rate.ID}, &oneRate)
	require.Equal(t, rate, oneRate.ExchangeRate)
	var del struct{ DeleteExchangeRate gDeleted }
	b.run(`mutation($id: ID!) { deleteExchangeRate(id: $id) { id deleted } }`, map[string]any{"id": rate.ID}, &del)
	require.True(t, del.DeleteExchangeRate.Deleted)
	gql(t, env, tn.Key, `query($id: ID!) { exchangeRate(id: $id) { id } }`, map[string]any{"id": rate.ID}).requireCode(t, "NOT_FOUND")

	// A currency with rates needs force and the confirm token.
	e := gql(t, env, tn.Key, `mutation { deleteCurrency(id: "EUR") { id } }`, nil).requireCode(t, "DEPENDENCY_EXISTS")
	token, _ := e.Extensions["confirm_token"].(string)
	require.NotEmpty(t, token, "%+v", e)
	var dc struct{ DeleteCurrency gDeleted }
	b.run(`mutation($token: String) { deleteCurrency(id: "EUR", force: true, confirmToken: $token) { id deleted } }`,
		map[string]any{"token": token}, &dc)
	require.Equal(t, gDeleted{ID: cc.CreateCurrency.ID, Deleted: true}, dc.DeleteCurrency)

	// Tax codes.
	var ct struct{ CreateTaxCode gTaxCode }
	b.run(`mutation($in: CreateTaxCodeInput!) { createTaxCode(input: $in) { `+taxFields+` } }`,
		map[string]any{"in": map[string]any{"code": "GST", "name": "GST 12.5%", "rate": 12.50, "accountId": tax.ID, "category": "sales"}}, &ct)
	tc := ct.CreateTaxCode
	require.Equal(t, "12.5", tc.Rate.String())
	require.Equal(t, "exclusive", tc.Type)
	require.Equal(t, tax.ID, *tc.AccountID)
	var tcs struct{ TaxCodes []gTaxCode }
	b.run(`{ taxCodes { `+taxFields+` } }`, nil, &tcs)
	require.Equal(t, []gTaxCode{tc}, tcs.TaxCodes)
	var oneTC struct{ TaxCode gTaxCode }
	b.run(`query($id: ID!) { taxCode(id: $id) { `+taxFields+` } }`, map[string]any{"id": tc.ID}, &oneTC)
	require.Equal(t, tc, oneTC.TaxCode)
	const updateTC = `mutation($id: ID!, $in: UpdateTaxCodeInput!) { updateTaxCode(id: $id, input: $in) { ` + taxFields + ` } }`
	var ut struct{ UpdateTaxCode gTaxCode }
	b.run(updateTC, map[string]any{"id": tc.ID, "in": map[string]any{"rate": "15", "accountId": other.ID}}, &ut)
	require.Equal(t, "15", ut.UpdateTaxCode.Rate.String())
	require.Equal(t, other.ID, *ut.UpdateTaxCode.AccountID)
	b.run(updateTC, map[string]any{"id": tc.ID, "in": map[string]any{"name": "GST"}}, &ut)
	require.Equal(t, other.ID, *ut.UpdateTaxCode.AccountID, "absent accountId keeps it")
	b.run(updateTC, map[string]any{"id": tc.ID, "in": map[string]any{"accountId": nil}}, &ut)
	require.Nil(t, ut.UpdateTaxCode.AccountID)
	var dt struct{ DeleteTaxCode gDeleted }
	b.run(`mutation($id: ID!) { deleteTaxCode(id: $id) { id deleted } }`, map[string]any{"id": tc.ID}, &dt)
	require.True(t, dt.DeleteTaxCode.Deleted)
	gql(t, env, tn.Key, `query($id: ID!) { taxCode(id: $id) { id } }`, map[string]any{"id": tc.ID}).requireCode(t, "NOT_FOUND")

	// Periods.
	var cp struct{ CreatePeriod gPeriod }
	b.run(`mutation { createPeriod(input: {name: "Jan 2024", startDate: "2024-01-01", endDate: "2024-01-31"}) { `+periodFields+` } }`, nil, &cp)
	p := cp.CreatePeriod
	require.Equal(t, gPeriod{ID: p.ID, Name: "Jan 2024", StartDate: "2024-01-01", EndDate: "2024-01-31", Status: "open"}, p)
	var ps struct{ Periods []gPeriod }
	b.run(`{ periods { `+periodFields+` } }`, nil, &ps)
	require.Equal(t, []gPeriod{p}, ps.Periods)
	var onePeriod struct{ Period gPeriod }
	b.run(`query($id: ID!) { period(id: $id) { `+periodFields+` } }`, map[string]any{"id": p.ID}, &onePeriod)
	require.Equal(t, p, onePeriod.Period)
	var up struct{ UpdatePeriod gPeriod }
	b.run(`mutation($id: ID!) { updatePeriod(id: $id, input: {name: "January", endDate: "2024-01-30"}) { `+periodFields+` } }`,
		map[string]any{"id": p.ID}, &up)
	require.Equal(t, "January", up.UpdatePeriod.Name)
	require.Equal(t, "2024-01-30", up.UpdatePeriod.EndDate)
	var closed struct{ ClosePeriod gPeriod }
	b.run(`mutation($id: ID!) { closePeriod(id: $id) { `+periodFields+` } }`, map[string]any{"id": p.ID}, &closed)
	require.Equal(t, "closed", closed.ClosePeriod.Status)
	require.NotNil(t, closed.ClosePeriod.ClosedAt)
	gql(t, env, tn.Key, `mutation($id: ID!) { closePeriod(id: $id) { id } }`, map[string]any{"id": p.ID}).requireCode(t, "INVALID_STATE")
	gql(t, env, tn.Key, `mutation($id: ID!) { deletePeriod(id: $id) { id } }`, map[string]any{"id": p.ID}).requireCode(t, "INVALID_STATE")
	var reopened struct{ ReopenPeriod gPeriod }
	b.run(`mutation($id: ID!) { reopenPeriod(id: $id) { `+periodFields+` } }`, map[string]any{"id": p.ID}, &reopened)
	require.Equal(t, "open", reopened.ReopenPeriod.Status)
	require.Nil(t, reopened.ReopenPeriod.ClosedAt)
	var dp struct{ DeletePeriod gDeleted }
	b.run(`mutation($id: ID!) { deletePeriod(id: $id, force: false) { id deleted } }`, map[string]any{"id": p.ID}, &dp)
	require.Equal(t, gDeleted{ID: p.ID, Deleted: true}, dp.DeletePeriod)
	gql(t, env, tn.Key, `query($id: ID!) { period(id: $id) { id } }`, map[string]any{"id": p.ID}).requireCode(t, "NOT_FOUND")

	// A bad date names its member, as REST does.
	e = gql(t, env, tn.Key, `mutation { createPeriod(input: {name: "X", startDate: "2024-13-01", endDate: "2024-12-31"}) { id } }`, nil).
		requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "start_date")
}

func TestAccountingJournal(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	b.account("G-CASH", "Cash", "asset")
	b.account("G-SALES", "Sales", "income")
	b.account("G-RENT", "Rent", "expense")

	// A draft, amounts as a string, a JSON number and a literal-free
	// variable: 0.10 + 0.20 = 0.30 exactly.
	var c struct{ CreateJournalEntry gEntry }
	b.run(createEntry, map[string]any{"in": map[string]any{"date": "2024-03-05", "description": "Cash sales",
		"reference": "R-1", "lines": []any{
			b.line("G-CASH", "0.10", nil),
			b.line("G-CASH", json.Number("0.20"), nil),
			b.line("G-SALES", nil, json.Number("0.30"))}}}, &c)
	draft := c.CreateJournalEntry
	require.Equal(t, "draft", draft.Status)
	require.Equal(t, "2024-03-05", draft.Date)
	require.Equal(t, "USD", draft.Currency)
	require.Equal(t, "0.30", draft.TotalDebit.String())
	require.Equal(t, "0.30", draft.TotalCredit.String())
	require.Len(t, draft.Lines, 3)
	require.Equal(t, "0.10", draft.Lines[0].Debit.String())
	require.Equal(t, "0.00", draft.Lines[0].Credit.String())
	require.Equal(t, "G-CASH", draft.Lines[0].Account.Code)
	require.Equal(t, "G-SALES", draft.Lines[2].Account.Code)
	require.Equal(t, "income", draft.Lines[2].Account.Type)

	// Edit the draft: lines replace all lines.
	const update = `mutation($id: ID!, $in: UpdateJournalEntryInput!) { updateJournalEntry(id: $id, input: $in) { ` + entryFields + ` } }`
	var u struct{ UpdateJournalEntry gEntry }
	b.run(update, map[string]any{"id": draft.ID, "in": map[string]any{"description": "Cash sales (edited)",
		"lines": []any{b.line("G-CASH", "300.30", nil), b.line("G-SALES", nil, "300.30")}}}, &u)
	require.Equal(t, "Cash sales (edited)", u.UpdateJournalEntry.Description)
	require.Equal(t, "R-1", u.UpdateJournalEntry.Reference)
	require.Len(t, u.UpdateJournalEntry.Lines, 2)
	require.Equal(t, "300.30", u.UpdateJournalEntry.TotalDebit.String())

	var p struct{ PostJournalEntry gEntry }
	b.run(`mutation($id: ID!) { postJournalEntry(id: $id) { `+entryFields+` } }`, map[string]any{"id": draft.ID}, &p)
	require.Equal(t, "posted", p.PostJournalEntry.Status)
	require.NotNil(t, p.PostJournalEntry.PostedAt)
	gql(t, env, tn.Key, `mutation($id: ID!) { postJournalEntry(id: $id) { id } }`, map[string]any{"id": draft.ID}).requireCode(t, "INVALID_STATE")
	gql(t, env, tn.Key, update, map[string]any{"id": draft.ID, "in": map[string]any{"description": "x"}}).requireCode(t, "INVALID_STATE")

	var one struct{ JournalEntry gEntry }
	b.run(`query($id: ID!) { journalEntry(id: $id) { `+entryFields+` } }`, map[string]any{"id": draft.ID}, &one)
	require.Equal(t, p.PostJournalEntry, one.JournalEntry)

	// Rent, posted at once.
	rent := b.entry("2024-03-10", true, b.line("G-RENT", "100.05", nil), b.line("G-CASH", nil, "100.05"))
	require.Equal(t, "posted", rent.Status)

	// The list, its filters and its page.
	const list = `query($status: String, $from: Date, $to: Date, $account: ID, $limit: Int, $offset: Int) {
		journalEntries(status: $status, from: $from, to: $to, accountId: $account, limit: $limit, offset: $offset) {
			total limit offset entries { ` + entryFields + ` } } }`
	type page struct {
		Entries []gEntry
		Total   int
		Limit   int
		Offset  int
	}
	var l struct{ JournalEntries page }
	b.run(list, map[string]any{"status": "posted", "from": "2024-03-01", "to": "2024-03-31"}, &l)
	require.Equal(t, 2, l.JournalEntries.Total)
	require.Equal(t, []string{rent.ID, draft.ID}, []string{l.JournalEntries.Entries[0].ID, l.JournalEntries.Entries[1].ID})
	b.run(list, map[string]any{"account": b.ids["G-RENT"]}, &l)
	require.Equal(t, 1, l.JournalEntries.Total)
	require.Equal(t, rent.ID, l.JournalEntries.Entries[0].ID)
	b.run(list, map[string]any{"limit": 1, "offset": 1}, &l)
	require.Equal(t, 2, l.JournalEntries.Total)
	require.Equal(t, 1, l.JournalEntries.Limit)
	require.Equal(t, 1, l.JournalEntries.Offset)
	require.Equal(t, []string{draft.ID}, []string{l.JournalEntries.Entries[0].ID})
	b.run(list, map[string]any{"to": "2024-03-01"}, &l)
	require.Zero(t, l.JournalEntries.Total)
	e := gql(t, env, tn.Key, list, map[string]any{"status": "bogus"}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "status")
	e = gql(t, env, tn.Key, list, map[string]any{"from": "March"}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "from")

	// Reverse, once.
	const reverse = `mutation($id: ID!, $in: ReverseJournalEntryInput) { reverseJournalEntry(id: $id, input: $in) { ` + entryFields + ` } }`
	var r struct{ ReverseJournalEntry gEntry }
	b.run(reverse, map[string]any{"id": rent.ID, "in": map[string]any{"date": "2024-03-11", "description": "Wrong month"}}, &r)
	rev := r.ReverseJournalEntry
	require.Equal(t, rent.ID, *rev.ReversalOf)
	require.Equal(t, "2024-03-11", rev.Date)
	require.Equal(t, "Wrong month", rev.Description)
	require.Equal(t, "100.05", rev.Lines[0].Credit.String())
	require.Equal(t, "G-RENT", rev.Lines[0].Account.Code)
	b.run(`query($id: ID!) { journalEntry(id: $id) { `+entryFields+` } }`, map[string]any{"id": rent.ID}, &one)
	require.Equal(t, "reversed", one.JournalEntry.Status)
	require.Equal(t, rev.ID, *one.JournalEntry.ReversedBy)
	gql(t, env, tn.Key, reverse, map[string]any{"id": rent.ID}).requireCode(t, "INVALID_STATE")
	gql(t, env, tn.Key, `mutation { reverseJournalEntry(id: "je_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")

	// Delete a draft; posted entries are never deleted.
	d := b.entry("2024-03-12", false, b.line("G-RENT", "1", nil), b.line("G-CASH", nil, "1"))
	var del struct{ DeleteJournalEntry gDeleted }
	b.run(`mutation($id: ID!) { deleteJournalEntry(id: $id) { id deleted } }`, map[string]any{"id": d.ID}, &del)
	require.Equal(t, gDeleted{ID: d.ID, Deleted: true}, del.DeleteJournalEntry)
	gql(t, env, tn.Key, `query($id: ID!) { journalEntry(id: $id) { id } }`, map[string]any{"id": d.ID}).requireCode(t, "NOT_FOUND")
	gql(t, env, tn.Key, `mutation($id: ID!) { deleteJournalEntry(id: $id) { id } }`, map[string]any{"id": draft.ID}).requireCode(t, "INVALID_STATE")

	// Unbalanced: VALIDATION_FAILED naming lines, as REST.
	e = gql(t, env, tn.Key, createEntry, map[string]any{"in": map[string]any{"date": "2024-03-05", "lines": []any{
		b.line("G-CASH", "10.00", nil), b.line("G-SALES", nil, "9.99")}}}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "lines")
	require.Contains(t, fmt.Sprint(fieldsOf(e)["lines"]), "debits (10.00) must equal credits (9.99)")
	// A line on an unknown account names it.
	e = gql(t, env, tn.Key, createEntry, map[string]any{"in": map[string]any{"date": "2024-03-05", "lines": []any{
		map[string]any{"accountId": "acc_nope", "debit": 1}, b.line("G-SALES", nil, 1)}}}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "lines[0].account_id")

	// Posting into a closed period: PERIOD_CLOSED, then fine once reopened.
	var cp struct{ CreatePeriod gPeriod }
	b.run(`mutation { createPeriod(input: {name: "Feb", startDate: "2024-02-01", endDate: "2024-02-29"}) { id } }`, nil, &cp)
	b.run(`mutation($id: ID!) { closePeriod(id: $id) { id } }`, map[string]any{"id": cp.CreatePeriod.ID}, &struct{}{})
	feb := b.entry("2024-02-15", false, b.line("G-RENT", "5", nil), b.line("G-CASH", nil, "5"))
	e = gql(t, env, tn.Key, `mutation($id: ID!) { postJournalEntry(id: $id) { id } }`, map[string]any{"id": feb.ID}).
		requireCode(t, "PERIOD_CLOSED")
	require.Equal(t, cp.CreatePeriod.ID, e.Extensions["period_id"])
	gql(t, env, tn.Key, createEntry, map[string]any{"in": map[string]any{"date": "2024-02-20", "post": true, "lines": []any{
		b.line("G-RENT", "5", nil), b.line("G-CASH", nil, "5")}}}).requireCode(t, "PERIOD_CLOSED")
	gql(t, env, tn.Key, reverse, map[string]any{"id": draft.ID, "in": map[string]any{"date": "2024-02-10"}}).requireCode(t, "PERIOD_CLOSED")
	b.run(`mutation($id: ID!) { reopenPeriod(id: $id) { id } }`, map[string]any{"id": cp.CreatePeriod.ID}, &struct{}{})
	b.run(`mutation($id: ID!) { postJournalEntry(id: $id) { id status } }`, map[string]any{"id": feb.ID}, &p)
	require.Equal(t, "posted", p.PostJournalEntry.Status)
}

func TestAccountingReports(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	b.account("G-CASH", "Cash", "asset")
	b.account("G-LOAN", "Loan", "liability")
	b.account("G-CAP", "Capital", "equity")
	b.account("G-SALES", "Sales", "income")
	b.account("G-RENT", "Rent", "expense")
	b.entry("2024-01-02", true, b.line("G-CASH", "1000.00", nil), b.line("G-CAP", nil, "1000.00"))
	b.entry("2024-01-05", true, b.line("G-CASH", "500", nil), b.line("G-LOAN", nil, "500"))
	b.entry("2024-02-01", true, b.line("G-CASH", "0.10", nil), b.line("G-CASH", "0.20", nil), b.line("G-SALES", nil, "0.30"))
	b.entry("2024-02-03", true, b.line("G-RENT", "250.45", nil), b.line("G-CASH", nil, "250.45"))
	b.entry("2024-02-04", false, b.line("G-RENT", "99", nil), b.line("G-CASH", nil, "99")) // a draft counts nowhere
	var cp struct{ CreatePeriod gPeriod }
	b.run(`mutation { createPeriod(input: {name: "Jan", startDate: "2024-01-01", endDate: "2024-01-31"}) { id } }`, nil, &cp)

	var tb struct {
		TrialBalance struct {
			AsOf     string
			Currency string
			Rows     []struct {
				Code          string
				Debit, Credit json.Number
			}
			Totals struct{ Debit, Credit json.Number }
		}
	}
	b.run(`{ trialBalance(asOf: "2024-12-31") { asOf currency rows { code debit credit } totals { debit credit } } }`, nil, &tb)
	require.Equal(t, "2024-12-31", tb.TrialBalance.AsOf)
	require.Equal(t, "USD", tb.TrialBalance.Currency)
	require.Equal(t, "1500.30", tb.TrialBalance.Totals.Debit.String())
	require.Equal(t, tb.TrialBalance.Totals.Debit, tb.TrialBalance.Totals.Credit)
	b.run(`query($p: ID) { trialBalance(periodId: $p) { asOf currency rows { code debit credit } totals { debit credit } } }`,
		map[string]any{"p": cp.CreatePeriod.ID}, &tb)
	require.Equal(t, "2024-01-31", tb.TrialBalance.AsOf)
	require.Equal(t, "1500.00", tb.TrialBalance.Totals.Credit.String())
	gql(t, env, tn.Key, `{ trialBalance(periodId: "per_nope") { asOf } }`, nil).requireCode(t, "NOT_FOUND")

	var pl struct {
		ProfitAndLoss struct {
			From, To         string
			Income, Expenses struct{ Total json.Number }
			NetIncome        json.Number
		}
	}
	b.run(`{ profitAndLoss(from: "2024-01-01", to: "2024-12-31") { from to currency income { rows { accountId code name amount } total }
		expenses { rows { accountId code name amount } total } netIncome } }`, nil, &pl)
	require.Equal(t, "0.30", pl.ProfitAndLoss.Income.Total.String())
	require.Equal(t, "250.45", pl.ProfitAndLoss.Expenses.Total.String())
	require.Equal(t, "-250.15", pl.ProfitAndLoss.NetIncome.String())

	var bs struct {
		BalanceSheet struct {
			TotalAssets, TotalLiabilitiesAndEquity, CurrentEarnings json.Number
		}
	}
	b.run(`{ balanceSheet(asOf: "2024-12-31") { asOf currency assets { rows { code amount } total } liabilities { total }
		equity { rows { accountId code name amount } total } currentEarnings totalAssets totalLiabilitiesAndEquity } }`, nil, &bs)
	require.Equal(t, "1249.85", bs.BalanceSheet.TotalAssets.String())
	require.Equal(t, bs.BalanceSheet.TotalAssets, bs.BalanceSheet.TotalLiabilitiesAndEquity)
	require.Equal(t, pl.ProfitAndLoss.NetIncome, bs.BalanceSheet.CurrentEarnings)

	var gl struct {
		GeneralLedger struct {
			Accounts []struct {
				Code                           string
				OpeningBalance, ClosingBalance json.Number
				Entries                        []struct{ Debit, Credit, Balance json.Number }
			}
		}
	}
	b.run(`{ generalLedger(from: "2024-02-01", to: "2024-02-29", accountId: "G-CASH") { from to currency accounts {
		accountId code name type openingBalance closingBalance
		entries { entryId lineId date description reference debit credit balance } } } }`, nil, &gl)
	require.Len(t, gl.GeneralLedger.Accounts, 1)
	cash := gl.GeneralLedger.Accounts[0]
	require.Equal(t, "G-CASH", cash.Code)
	require.Equal(t, "1500.00", cash.OpeningBalance.String())
	require.Len(t, cash.Entries, 3)
	require.Equal(t, "1500.10", cash.Entries[0].Balance.String())
	require.Equal(t, "1249.85", cash.ClosingBalance.String())
}

// camelKeys rewrites the object keys of a decoded JSON value from REST's
// snake_case to GraphQL's camelCase.
func camelKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			parts := strings.Split(k, "_")
			for i := 1; i < len(parts); i++ {
				parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
			}
			out[strings.Join(parts, "")] = camelKeys(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = camelKeys(x[i])
		}
		return x
	}
	return v
}

// decodeExact decodes JSON keeping numbers as written.
func decodeExact(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), string(raw))
	return v
}

func TestAccountingReportsEqualREST(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	b.account("G-CASH", "Cash", "asset")
	b.account("G-AR", "Receivables", "asset")
	b.account("G-CAP", "Capital", "equity")
	b.account("G-SALES", "Sales", "income")
	b.account("G-RENT", "Rent", "expense")
	b.entry("2023-12-30", true, b.line("G-CASH", "10000", nil), b.line("G-CAP", nil, "10000"))
	b.entry("2023-12-31", true, b.line("G-AR", "0.10", nil), b.line("G-SALES", nil, "0.10"))
	b.entry("2024-01-15", true, b.line("G-AR", "1234.56", nil), b.line("G-SALES", nil, "1234.56"))
	b.entry("2024-01-20", true, b.line("G-CASH", "0.20", nil), b.line("G-AR", nil, "0.20"))
	b.entry("2024-01-31", true, b.line("G-RENT", "333.33", nil), b.line("G-CASH", nil, "333.33"))

	cases := []struct{ rest, query, field string }{
		{"/v1/accounting/reports/trial-balance?as_of=2024-12-31",
			`{ trialBalance(asOf: "2024-12-31") { asOf currency rows { accountId code name type debit credit } totals { debit credit } } }`,
			"trialBalance"},
		{"/v1/accounting/reports/profit-and-loss?from=2024-01-01&to=2024-12-31",
			`{ profitAndLoss(from: "2024-01-01", to: "2024-12-31") { from to currency income { rows { accountId code name amount } total }
				expenses { rows { accountId code name amount } total } netIncome } }`,
			"profitAndLoss"},
		{"/v1/accounting/reports/balance-sheet?as_of=2024-06-30",
			`{ balanceSheet(asOf: "2024-06-30") { asOf currency assets { rows { accountId code name amount } total }
				liabilities { rows { accountId code name amount } total } equity { rows { accountId code name amount } total }
				currentEarnings totalAssets totalLiabilitiesAndEquity } }`,
			"balanceSheet"},
		{"/v1/accounting/reports/general-ledger?from=2024-01-01&to=2024-01-31",
			`{ generalLedger(from: "2024-01-01", to: "2024-01-31") { from to currency accounts { accountId code name type
				openingBalance entries { entryId lineId date description reference debit credit balance } closingBalance } } }`,
			"generalLedger"},
	}
	for _, c := range cases {
		res := env.Do(t, apptest.Request{Path: c.rest, Key: tn.Key})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		want := camelKeys(decodeExact(t, res.Data))

		r := gql(t, env, tn.Key, c.query, nil)
		require.Empty(t, r.Errors, string(r.Body))
		got := decodeExact(t, r.Data).(map[string]any)[c.field]
		require.Equal(t, want, got, c.field)
	}
}

func TestAccountingDecimalScalar(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	cash := b.account("G-CASH", "Cash", "asset").ID
	sales := b.account("G-SALES", "Sales", "income").ID

	// Literals in the query document: float, int and string forms.
	q := fmt.Sprintf(`mutation { createJournalEntry(input: {date: "2024-05-01", lines: [
		{accountId: %q, debit: 0.10}, {accountId: %q, debit: "0.20"}, {accountId: %q, debit: 300},
		{accountId: %q, credit: 300.30}]}) { totalDebit totalCredit lines { debit credit } } }`, cash, cash, cash, sales)
	r := gql(t, env, tn.Key, q, nil)
	require.Empty(t, r.Errors, string(r.Body))
	require.Contains(t, string(r.Body), `"totalDebit":300.30,"totalCredit":300.30`)
	require.Contains(t, string(r.Body), `{"debit":0.10,"credit":0.00}`)
	require.NotContains(t, string(r.Body), "0000000")

	// Variables are JSON numbers kept exact (gqlgen decodes with UseNumber).
	var c struct{ CreateJournalEntry gEntry }
	b.run(createEntry, map[string]any{"in": map[string]any{"date": "2024-05-01", "lines": []any{
		map[string]any{"accountId": cash, "debit": json.Number("0.1")},
		map[string]any{"accountId": cash, "debit": json.Number("0.2")},
		map[string]any{"accountId": sales, "credit": json.Number("0.3")}}}}, &c)
	require.Equal(t, "0.30", c.CreateJournalEntry.TotalDebit.String())

	// Amounts the currency cannot hold round half-even, as REST.
	b.run(createEntry, map[string]any{"in": map[string]any{"date": "2024-05-01", "lines": []any{
		map[string]any{"accountId": cash, "debit": json.Number("0.125")},
		map[string]any{"accountId": sales, "credit": "0.12"}}}}, &c)
	require.Equal(t, "0.12", c.CreateJournalEntry.TotalDebit.String())

	// Not a number: VALIDATION_FAILED naming the member.
	e := gql(t, env, tn.Key, createEntry, map[string]any{"in": map[string]any{"date": "2024-05-01", "lines": []any{
		map[string]any{"accountId": cash, "debit": "ten"}, map[string]any{"accountId": sales, "credit": 10}}}}).
		requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "lines[0].debit", "%+v", e)
	e = gql(t, env, tn.Key, fmt.Sprintf(`mutation { createJournalEntry(input: {date: "2024-05-01", lines: [
		{accountId: %q, debit: 1}, {accountId: %q, credit: true}]}) { id } }`, cash, sales), nil).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "lines[1].credit", "%+v", e)
	e = gql(t, env, tn.Key, createEntry, map[string]any{"in": map[string]any{"date": "2024-05-01", "exchangeRate": []int{1},
		"lines": []any{}}}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "exchange_rate", "%+v", e)
}

func TestAccountingAuthorization(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	b.account("G-CASH", "Cash", "asset")
	_, readKey := restKey(t, env, tn.Key, map[string]any{"label": "reader", "scopes": []string{"read"}})

	// A read key reads...
	var list struct{ Accounts []gAccount }
	gql(t, env, readKey, `{ accounts { code } }`, nil).decode(t, &list)
	require.Len(t, list.Accounts, 1)
	// ...but every mutation is INSUFFICIENT_SCOPE, as REST's 403.
	mutations := []string{
		`mutation { createAccount(input: {code: "X", name: "X", type: "asset"}) { id } }`,
		`mutation { updateAccount(id: "G-CASH", input: {name: "Y"}) { id } }`,
		`mutation { deleteAccount(id: "G-CASH") { id } }`,
		`mutation { createJournalEntry(input: {date: "2024-01-01", lines: []}) { id } }`,
		`mutation { postJournalEntry(id: "je_x") { id } }`,
		`mutation { reverseJournalEntry(id: "je_x") { id } }`,
		`mutation { createCurrency(input: {code: "EUR"}) { id } }`,
		`mutation { createExchangeRate(input: {fromCurrency: "EUR", toCurrency: "USD", rate: 1, effectiveDate: "2024-01-01"}) { id } }`,
		`mutation { createTaxCode(input: {code: "T", name: "T", rate: 1}) { id } }`,
		`mutation { createPeriod(input: {name: "P", startDate: "2024-01-01", endDate: "2024-01-31"}) { id } }`,
		`mutation { closePeriod(id: "per_x") { id } }`,
	}
	for _, m := range mutations {
		e := gql(t, env, readKey, m, nil).requireCode(t, "INSUFFICIENT_SCOPE")
		require.Equal(t, "write", e.Extensions["required_scope"], m)
	}
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/accounts", Key: readKey,
		Body: map[string]any{"code": "X", "name": "X", "type": "asset"}})
	require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)

	// Anonymous: UNAUTHORIZED for reads and writes.
	for _, q := range []string{`{ accounts { id } }`, `{ trialBalance { asOf } }`, `{ journalEntries { total } }`,
		`mutation { createAccount(input: {code: "X", name: "X", type: "asset"}) { id } }`} {
		gql(t, env, "", q, nil).requireCode(t, "UNAUTHORIZED")
	}

	// Another tenant sees none of it.
	other := env.NewTenant(t, "Other")
	gql(t, env, other.Key, `{ account(id: "G-CASH") { id } }`, nil).requireCode(t, "NOT_FOUND")
}

// queryLog records the SQL run while a GraphQL operation executes.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *queryLog) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if !graphql.HasOperationContext(ctx) {
		return // authentication, rate limits: not the operation's
	}
	l.mu.Lock()
	l.queries = append(l.queries, e.Query)
	l.mu.Unlock()
}

func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.queries
	l.queries = nil
	return out
}

func TestAccountingLineAccountsBatched(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	log := &queryLog{}
	env.App.Core.DB.AddQueryHook(log)
	tn := env.NewTenant(t)
	b := newGBooks(t, env, tn.Key)
	codes := []string{"G-A", "G-B", "G-C", "G-D", "G-E", "G-F"}
	for _, c := range codes {
		b.account(c, "Account "+c, "asset")
	}
	for i := range 20 {
		b.entry(fmt.Sprintf("2024-04-%02d", i+1), i%2 == 0,
			b.line(codes[i%len(codes)], "1.50", nil), b.line(codes[(i+1)%len(codes)], nil, "1.50"))
	}

	const q = `query($limit: Int) { journalEntries(limit: $limit) { total entries { id lines { account { code } } } } }`
	run := func(limit int) (int, []string) {
		log.take()
		var got struct {
			JournalEntries struct {
				Entries []struct {
					Lines []struct{ Account struct{ Code string } }
				}
			}
		}
		gql(t, env, tn.Key, q, map[string]any{"limit": limit}).decode(t, &got)
		require.Len(t, got.JournalEntries.Entries, limit)
		for _, e := range got.JournalEntries.Entries {
			require.Len(t, e.Lines, 2)
			for _, l := range e.Lines {
				require.Contains(t, codes, l.Account.Code)
			}
		}
		qs := log.take()
		return len(qs), qs
	}
	run(20) // warm
	one, oneQs := run(1)
	twenty, twentyQs := run(20)
	t.Logf("SQL per operation: %d for 1 entry, %d for 20", one, twenty)
	require.Equal(t, one, twenty, "SQL for 1 entry:\n%s\nfor 20:\n%s", strings.Join(oneQs, "\n"), strings.Join(twentyQs, "\n"))
	accountReads := 0
	for _, s := range twentyQs {
		if strings.Contains(s, "acct_accounts") {
			accountReads++
		}
	}
	require.LessOrEqual(t, accountReads, 1, strings.Join(twentyQs, "\n"))
	require.LessOrEqual(t, twenty, 8, strings.Join(twentyQs, "\n"))
}
