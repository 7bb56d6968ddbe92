package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// HTTP tests of the chart of accounts (this file) and of journal entries
// (accounting_entries_test.go). The ldg* helpers below serve both files.

const (
	ldgAccounts = "/v1/accounting/accounts"
	ldgEntries  = "/v1/accounting/journal-entries"
)

// ldgAccount is an account as the API shows it.
type ldgAccount struct {
	ID          string  `json:"id"`
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	SubType     string  `json:"sub_type"`
	ParentID    *string `json:"parent_id"`
	Description string  `json:"description"`
	Currency    *string `json:"currency"`
	IsActive    bool    `json:"is_active"`
}

// ldgLine is a journal line as the API shows it; amounts keep the server's
// digits.
type ldgLine struct {
	ID          string      `json:"id"`
	LineNo      int         `json:"line_no"`
	AccountID   string      `json:"account_id"`
	Description string      `json:"description"`
	Debit       json.Number `json:"debit"`
	Credit      json.Number `json:"credit"`
	BaseDebit   json.Number `json:"base_debit"`
	BaseCredit  json.Number `json:"base_credit"`
}

// ldgEntry is a journal entry as the API shows it.
type ldgEntry struct {
	ID           string      `json:"id"`
	Date         string      `json:"date"`
	Description  string      `json:"description"`
	Reference    string      `json:"reference"`
	Currency     string      `json:"currency"`
	ExchangeRate json.Number `json:"exchange_rate"`
	Status       string      `json:"status"`
	ReversalOf   *string     `json:"reversal_of"`
	ReversedBy   *string     `json:"reversed_by"`
	Lines        []ldgLine   `json:"lines"`
	TotalDebit   json.Number `json:"total_debit"`
	TotalCredit  json.Number `json:"total_credit"`
	PostedAt     *string     `json:"posted_at"`
	PostedBy     *string     `json:"posted_by"`
	CreatedBy    string      `json:"created_by"`
}

// ldgEntryList is the answer of GET /v1/accounting/journal-entries.
type ldgEntryList struct {
	Entries []ldgEntry `json:"entries"`
	Total   int        `json:"total"`
	Limit   int        `json:"limit"`
	Offset  int        `json:"offset"`
}

// ldgTrialBalance is the trial balance report.
type ldgTrialBalance struct {
	Rows []struct {
		AccountID string      `json:"account_id"`
		Code      string      `json:"code"`
		Type      string      `json:"type"`
		Debit     json.Number `json:"debit"`
		Credit    json.Number `json:"credit"`
	} `json:"rows"`
	Totals struct {
		Debit  json.Number `json:"debit"`
		Credit json.Number `json:"credit"`
	} `json:"totals"`
}

var ldgSeq atomic.Int64

// ldgCode returns an account code unique in this test binary.
func ldgCode(prefix string) string { return fmt.Sprintf("%s%d", prefix, ldgSeq.Add(1)) }

// ldgDec reads a JSON number exactly.
func ldgDec(t testing.TB, n json.Number) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(string(n))
	require.NoError(t, err, "not a decimal: %q", n)
	return d
}

// requireDec checks that a JSON number equals want exactly (as a decimal).
func requireDec(t testing.TB, want string, got json.Number, msgAndArgs ...any) {
	t.Helper()
	require.True(t, decimal.RequireFromString(want).Equal(ldgDec(t, got)), append([]any{"want %s, got %s", want, got}, msgAndArgs...)...)
}

// ldgKey issues a "*" key whose rate limit a long test never reaches.
func ldgKey(t *testing.T, env *apptest.Env, tn apptest.Tenant) string {
	t.Helper()
	return issueKey(t, env, tn.Key, map[string]any{"label": "ledger", "scopes": []string{"*"},
		"rate_limit": map[string]any{"per_minute": 100000, "per_hour": 1000000}}).Token
}

func ldgDo(t testing.TB, env *apptest.Env, key, method, path string, body any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: method, Path: path, Key: key, Body: body})
}

// ldgNewAccount creates an account (type and sub_type as given; sub_type
// may be empty) and returns it.
func ldgNewAccount(t testing.TB, env *apptest.Env, key, typ, subType string) ldgAccount {
	t.Helper()
	body := map[string]any{"code": ldgCode("L"), "name": "Account " + typ, "type": typ}
	if subType != "" {
		body["sub_type"] = subType
	}
	res := ldgDo(t, env, key, "POST", ldgAccounts, body)
	require.Equal(t, http.StatusCreated, res.Status, "create account: %s", res.Body)
	var a ldgAccount
	res.Decode(t, &a)
	return a
}

// ldgTwoLines is a balanced two-line body: debit one account, credit another.
func ldgTwoLines(date, debitAcct, creditAcct string, amount any, post bool) map[string]any {
	return map[string]any{"date": date, "description": "two lines", "post": post, "lines": []any{
		map[string]any{"account_id": debitAcct, "debit": amount},
		map[string]any{"account_id": creditAcct, "credit": amount},
	}}
}

// ldgNewEntry creates an entry, requires 201 and returns it.
func ldgNewEntry(t testing.TB, env *apptest.Env, key string, body map[string]any) ldgEntry {
	t.Helper()
	res := ldgDo(t, env, key, "POST", ldgEntries, body)
	require.Equal(t, http.StatusCreated, res.Status, "create entry: %s", res.Body)
	var e ldgEntry
	res.Decode(t, &e)
	return e
}

// ldgGetEntry loads an entry, requiring 200.
func ldgGetEntry(t testing.TB, env *apptest.Env, key, id string) ldgEntry {
	t.Helper()
	res := ldgDo(t, env, key, "GET", ldgEntries+"/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "get entry: %s", res.Body)
	var e ldgEntry
	res.Decode(t, &e)
	return e
}

// ldgPeriod creates a period and returns its id; closed closes it too.
func ldgPeriod(t testing.TB, env *apptest.Env, key, start, end string, closed bool) string {
	t.Helper()
	res := ldgDo(t, env, key, "POST", "/v1/accounting/periods",
		map[string]any{"name": "Period " + start, "start_date": start, "end_date": end})
	require.Equal(t, http.StatusCreated, res.Status, "create period: %s", res.Body)
	var p struct{ ID string }
	res.Decode(t, &p)
	if closed {
		ldgClosePeriod(t, env, key, p.ID)
	}
	return p.ID
}

func ldgClosePeriod(t testing.TB, env *apptest.Env, key, id string) {
	t.Helper()
	res := ldgDo(t, env, key, "POST", "/v1/accounting/periods/"+id+"/close", nil)
	require.Equal(t, http.StatusOK, res.Status, "close period: %s", res.Body)
}

// ldgTB reads the trial balance at asOf: over HTTP when the route answers,
// else (route not wired yet: 501) through the same domain method.
func ldgTB(t testing.TB, env *apptest.Env, tn apptest.Tenant, key, asOf string) ldgTrialBalance {
	t.Helper()
	var tb ldgTrialBalance
	res := ldgDo(t, env, key, "GET", "/v1/accounting/reports/trial-balance?as_of="+asOf, nil)
	if res.Status != http.StatusNotImplemented {
		require.Equal(t, http.StatusOK, res.Status, "trial balance: %s", res.Body)
		res.Decode(t, &tb)
		return tb
	}
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalKey,
		TenantID: tn.ID, KeyID: "key_test", Scopes: []string{"*"}})
	rep, err := env.App.Books.TrialBalance(ctx, accounting.TrialBalanceInput{AsOf: asOf})
	require.NoError(t, err)
	raw, err := json.Marshal(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &tb))
	return tb
}

// ldgBalance is an account's (debit, credit) on the trial balance (zeros
// when the account is not listed).
func (tb ldgTrialBalance) balance(t testing.TB, accountID string) (debit, credit decimal.Decimal) {
	t.Helper()
	for _, r := range tb.Rows {
		if r.AccountID == accountID {
			return ldgDec(t, r.Debit), ldgDec(t, r.Credit)
		}
	}
	return decimal.Zero, decimal.Zero
}

// ldgBooks gives a scenario two accounts to post between: a bank account
// (asset) in f.vars["bank"] and a sales account (income) in f.vars["sales"].
func ldgBooks(t *testing.T, f *caseFixture) {
	t.Helper()
	f.vars["bank"] = ldgNewAccount(t, f.env, f.tn.Key, "asset", "bank").ID
	f.vars["sales"] = ldgNewAccount(t, f.env, f.tn.Key, "income", "sales").ID
}

// ldgDeps returns the dependency types of a DEPENDENCY_EXISTS answer and
// requires it to carry no confirm token (the books' records are never
// force-deleted).
func ldgDeps(t *testing.T, res *apptest.Response) map[string]int {
	t.Helper()
	requireAPIError(t, res, http.StatusConflict, "DEPENDENCY_EXISTS")
	list, ok := res.Error.Extra["dependencies"].([]any)
	require.True(t, ok, "dependencies missing: %s", res.Body)
	deps := map[string]int{}
	for _, d := range list {
		m := d.(map[string]any)
		require.NotEmpty(t, m["label"], "%s", res.Body)
		deps[m["type"].(string)] = int(m["count"].(float64))
	}
	_, hasToken := res.Error.Extra["confirm_token"]
	require.False(t, hasToken, "no confirm_token: the books' accounts are never force-deleted: %s", res.Body)
	return deps
}

func TestAccountingAccountsCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	create := func(body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key, Body: body}
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "creates an active account with every field",
			req: create(map[string]any{"code": "1000", "name": "Operating account", "type": "asset", "sub_type": "bank",
				"description": "Main bank account", "currency": "USD"}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var a ldgAccount
				res.Decode(t, &a)
				require.True(t, domain.ValidID("acc_", a.ID), a.ID)
				require.Equal(t, ldgAccount{ID: a.ID, Code: "1000", Name: "Operating account", Type: "asset", SubType: "bank",
					Description: "Main bank account", Currency: a.Currency, IsActive: true}, a)
				require.NotNil(t, a.Currency)
				require.Equal(t, "USD", *a.Currency)
				require.Nil(t, a.ParentID)
				require.Contains(t, string(res.Data), `"created_at"`)
				// It reads back as created, by id and by code.
				for _, ref := range []string{a.ID, "1000"} {
					var got ldgAccount
					g := ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+ref, nil)
					require.Equal(t, http.StatusOK, g.Status, "%s", g.Body)
					g.Decode(t, &got)
					require.Equal(t, a, got)
				}
			},
		},
		{
			name:   "minimal account: code, name and type",
			req:    create(map[string]any{"code": "5000", "name": "Rent", "type": "expense"}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var a ldgAccount
				res.Decode(t, &a)
				require.Equal(t, "expense", a.Type)
				require.Equal(t, "", a.SubType)
				require.Nil(t, a.Currency)
				require.True(t, a.IsActive)
			},
		},
		{
			name:   "revenue is an alias of income and reads back as income",
			req:    create(map[string]any{"code": "4000", "name": "Sales", "type": "revenue", "sub_type": "sales"}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var a ldgAccount
				res.Decode(t, &a)
				require.Equal(t, "income", a.Type)
				var got ldgAccount
				ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+a.ID, nil).Decode(t, &got)
				require.Equal(t, "income", got.Type)
				var list []ldgAccount
				ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"?type=income", nil).Decode(t, &list)
				require.Len(t, list, 1)
				require.Equal(t, a.ID, list[0].ID)
			},
		},
		{
			name: "every type takes its own sub-types",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				for typ, subs := range map[string][]string{
					"asset":     {"bank", "current_asset", "accounts_receivable", "fixed_asset"},
					"liability": {"accounts_payable", "current_liability", "tax", "long_term_liability"},
					"equity":    {"retained_earnings"},
					"income":    {"sales", "other_income"},
					"expense":   {"cost_of_sales", "operating_expense"},
				} {
					for _, sub := range subs {
						a := ldgNewAccount(t, f.env, f.tn.Key, typ, sub)
						require.Equal(t, sub, a.SubType)
						require.Equal(t, typ, a.Type)
					}
				}
				return apptest.Request{Path: ldgAccounts, Key: f.tn.Key}
			},
			status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var list []ldgAccount
				res.Decode(t, &list)
				require.Len(t, list, 13)
			},
		},
		{
			name: "child account under a parent of the same type",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				f.vars["parent"] = ldgNewAccount(t, f.env, f.tn.Key, "asset", "current_asset").ID
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key,
					Body: map[string]any{"code": "1100", "name": "Petty cash", "type": "asset", "sub_type": "bank", "parent_id": f.vars["parent"]}}
			},
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var a ldgAccount
				res.Decode(t, &a)
				require.NotNil(t, a.ParentID)
				require.Equal(t, f.vars["parent"], *a.ParentID)
			},
		},
		{
			name: "parent of another type",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				parent := ldgNewAccount(t, f.env, f.tn.Key, "liability", "").ID
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key,
					Body: map[string]any{"code": "1100", "name": "x", "type": "asset", "parent_id": parent}}
			},
			status: 400, code: "VALIDATION_FAILED", fields: []string{"parent_id"},
		},
		{
			name: "parent of another tenant",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				other := f.env.NewTenant(t)
				parent := ldgNewAccount(t, f.env, other.Key, "asset", "").ID
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key,
					Body: map[string]any{"code": "1100", "name": "x", "type": "asset", "parent_id": parent}}
			},
			status: 400, code: "VALIDATION_FAILED", fields: []string{"parent_id"},
		},
		{
			name:   "unknown parent",
			req:    create(map[string]any{"code": "1100", "name": "x", "type": "asset", "parent_id": "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"parent_id"},
		},
		{
			name:   "unknown currency",
			req:    create(map[string]any{"code": "1100", "name": "x", "type": "asset", "currency": "XYZ"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"currency"},
		},
		{
			name: "code taken",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				res := ldgDo(t, f.env, f.tn.Key, "POST", ldgAccounts, map[string]any{"code": "1000", "name": "a", "type": "asset"})
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key,
					Body: map[string]any{"code": "1000", "name": "b", "type": "expense"}}
			},
			status: 409, code: "CONFLICT",
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var list []ldgAccount
				ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts, nil).Decode(t, &list)
				require.Len(t, list, 1, "the refused account is not created")
				require.Equal(t, "a", list[0].Name)
			},
		},
		{
			name: "the same code in another tenant is fine",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				other := f.env.NewTenant(t)
				res := ldgDo(t, f.env, other.Key, "POST", ldgAccounts, map[string]any{"code": "1000", "name": "a", "type": "asset"})
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: f.tn.Key,
					Body: map[string]any{"code": "1000", "name": "a", "type": "asset"}}
			},
			status: 201,
		},
		{
			name:   "unknown sub_type",
			req:    create(map[string]any{"code": "1000", "name": "x", "type": "asset", "sub_type": "piggy_bank"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"sub_type"},
		},
		{
			name:   "sub_type that does not fit the type",
			req:    create(map[string]any{"code": "1000", "name": "x", "type": "expense", "sub_type": "bank"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"sub_type"},
		},
		{
			name:   "sales sub_type on an asset",
			req:    create(map[string]any{"code": "1000", "name": "x", "type": "asset", "sub_type": "sales"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"sub_type"},
		},
		{
			name:   "unknown type",
			req:    create(map[string]any{"code": "1000", "name": "x", "type": "cash"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"type"},
		},
		{
			name:   "missing code, name and type",
			req:    create(map[string]any{}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"code", "name", "type"},
		},
		{
			name:   "code with spaces",
			req:    create(map[string]any{"code": "10 00", "name": "x", "type": "asset"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"code"},
		},
		{
			name:   "code too long",
			req:    create(map[string]any{"code": strings.Repeat("1", 33), "name": "x", "type": "asset"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"code"},
		},
		{
			name:   "NUL byte in the name",
			req:    create(`{"code":"1000","name":"Ca\u0000sh","type":"asset"}`),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"name"},
		},
		{
			name:   "wrong type for code",
			req:    create(`{"code":1000,"name":"x","type":"asset"}`),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"code"},
		},
		{
			name:   "malformed JSON",
			req:    create(`{"code":"1000",`),
			status: 400, code: "BAD_REQUEST",
		},
		{
			name: "read-only key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: scopedKey(t, f.env, f.tn.Key, "read"),
					Body: map[string]any{"code": "1000", "name": "x", "type": "asset"}}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"},
		},
		{
			name: "write key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: ldgAccounts, Key: scopedKey(t, f.env, f.tn.Key, "write"),
					Body: map[string]any{"code": "1000", "name": "x", "type": "asset"}}
			},
			status: 201,
		},
		{
			name: "no credential",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: ldgAccounts, Body: map[string]any{"code": "1000", "name": "x", "type": "asset"}}
			},
			status: 401, code: "UNAUTHORIZED",
		},
	})
}

func TestAccountingAccountsList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// chart creates three accounts: 1000 asset, 2000 liability (inactive), 4000 income.
	chart := func(t *testing.T, f *caseFixture) {
		for _, a := range []map[string]any{
			{"code": "4000", "name": "Sales", "type": "income", "sub_type": "sales"},
			{"code": "1000", "name": "Bank", "type": "asset", "sub_type": "bank"},
			{"code": "2000", "name": "Payables", "type": "liability", "sub_type": "accounts_payable"},
		} {
			res := ldgDo(t, f.env, f.tn.Key, "POST", ldgAccounts, a)
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		}
		res := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/2000", map[string]any{"is_active": false})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	}
	codes := func(t *testing.T, res *apptest.Response) []string {
		require.True(t, strings.HasPrefix(strings.TrimSpace(string(res.Data)), "["), "a bare array: %s", res.Data)
		var list []ldgAccount
		res.Decode(t, &list)
		out := []string{}
		for _, a := range list {
			out = append(out, a.Code)
		}
		return out
	}
	list := func(query string, key func(t *testing.T, f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			chart(t, f)
			k := f.tn.Key
			if key != nil {
				k = key(t, f)
			}
			return apptest.Request{Path: ldgAccounts + query, Key: k}
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "a new tenant has an empty chart",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: ldgAccounts, Key: f.tn.Key}
			},
			status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{}, codes(t, res))
			},
		},
		{
			name: "every account by code", req: list("", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"1000", "2000", "4000"}, codes(t, res))
			},
		},
		{
			name: "filter by type", req: list("?type=asset", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"1000"}, codes(t, res))
			},
		},
		{
			name: "filter by the revenue alias", req: list("?type=revenue", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"4000"}, codes(t, res))
			},
		},
		{
			name: "active only", req: list("?active=true", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"1000", "4000"}, codes(t, res))
			},
		},
		{
			name: "inactive only", req: list("?active=false", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{"2000"}, codes(t, res))
			},
		},
		{
			name: "both filters", req: list("?type=liability&active=true", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{}, codes(t, res))
			},
		},
		{
			name: "unknown query parameters are ignored", req: list("?colour=blue", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Len(t, codes(t, res), 3)
			},
		},
		{
			name: "read key lists", status: 200,
			req: list("", func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key, "read") }),
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Len(t, codes(t, res), 3)
			},
		},
		{
			name: "another tenant sees none of them", status: 200,
			req: list("", func(t *testing.T, f *caseFixture) string { return f.env.NewTenant(t).Key }),
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, []string{}, codes(t, res))
			},
		},
		{
			name: "unknown type", req: list("?type=cash", nil),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"type"},
		},
		{
			name: "active is not a boolean", req: list("?active=maybe", nil),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"active"},
		},
		{
			name: "publishable key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "read"},
			req: list("", func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key) }),
		},
		{
			name: "no credential", status: 401, code: "UNAUTHORIZED",
			req: func(t *testing.T, f *caseFixture) apptest.Request { return apptest.Request{Path: ldgAccounts} },
		},
	})
}

func TestAccountingAccountsGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	get := func(ref func(f *caseFixture) string, key func(t *testing.T, f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			a := ldgNewAccount(t, f.env, f.tn.Key, "asset", "bank")
			f.vars["id"], f.vars["code"] = a.ID, a.Code
			k := f.tn.Key
			if key != nil {
				k = key(t, f)
			}
			return apptest.Request{Path: ldgAccounts + "/" + url.PathEscape(ref(f)), Key: k}
		}
	}
	byID := func(f *caseFixture) string { return f.vars["id"] }
	requireIt := func(t *testing.T, f *caseFixture, res *apptest.Response) {
		var a ldgAccount
		res.Decode(t, &a)
		require.Equal(t, f.vars["id"], a.ID)
		require.Equal(t, f.vars["code"], a.Code)
		require.Equal(t, "asset", a.Type)
		require.Equal(t, "bank", a.SubType)
	}
	runEndpointCases(t, env, []endpointCase{
		{name: "by id", req: get(byID, nil), status: 200, check: requireIt},
		{name: "by code", req: get(func(f *caseFixture) string { return f.vars["code"] }, nil), status: 200, check: requireIt},
		{name: "with a read key", req: get(byID, func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key, "read") }),
			status: 200, check: requireIt},
		{name: "unknown id", req: get(func(*caseFixture) string { return "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, nil), status: 404, code: "NOT_FOUND"},
		{name: "unknown code", req: get(func(*caseFixture) string { return "9999" }, nil), status: 404, code: "NOT_FOUND"},
		{name: "another tenant's account by id", status: 404, code: "NOT_FOUND",
			req: get(byID, func(t *testing.T, f *caseFixture) string { return f.env.NewTenant(t).Key })},
		{name: "another tenant's account by code", status: 404, code: "NOT_FOUND",
			req: get(func(f *caseFixture) string { return f.vars["code"] }, func(t *testing.T, f *caseFixture) string { return f.env.NewTenant(t).Key })},
		{
			name: "an id wins over another account's code that spells it",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				a := ldgNewAccount(t, f.env, f.tn.Key, "asset", "bank")
				f.vars["id"], f.vars["code"] = a.ID, a.Code
				// A second account whose code is the first one's id.
				res := ldgDo(t, f.env, f.tn.Key, "POST", ldgAccounts, map[string]any{"code": a.ID, "name": "Confusing", "type": "expense"})
				if res.Status == http.StatusCreated {
					var b ldgAccount
					res.Decode(t, &b)
					f.vars["other"] = b.ID
				} else {
					requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "code")
				}
				return apptest.Request{Path: ldgAccounts + "/" + a.ID, Key: f.tn.Key}
			},
			status: 200, check: requireIt,
		},
	})
}

func TestAccountingAccountsUpdate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// patch creates an asset/bank account "id" and patches it with body.
	patch := func(body any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			a := ldgNewAccount(t, f.env, f.tn.Key, "asset", "bank")
			f.vars["id"], f.vars["code"] = a.ID, a.Code
			return apptest.Request{Method: "PATCH", Path: ldgAccounts + "/" + a.ID, Key: f.tn.Key, Body: body}
		}
	}
	decoded := func(t *testing.T, res *apptest.Response) ldgAccount {
		var a ldgAccount
		res.Decode(t, &a)
		return a
	}
	unchanged := func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		var a ldgAccount
		ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+f.vars["id"], nil).Decode(t, &a)
		require.Equal(t, f.vars["code"], a.Code)
		require.Equal(t, "Account asset", a.Name)
		require.Equal(t, "bank", a.SubType)
		require.True(t, a.IsActive)
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "rename and describe", req: patch(map[string]any{"name": "Checking", "description": "Day to day"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				a := decoded(t, res)
				require.Equal(t, "Checking", a.Name)
				require.Equal(t, "Day to day", a.Description)
				require.Equal(t, f.vars["code"], a.Code, "absent members keep their value")
				require.Equal(t, "bank", a.SubType)
				var got ldgAccount
				ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+f.vars["id"], nil).Decode(t, &got)
				require.Equal(t, a, got)
			},
		},
		{
			name: "by code", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				a := ldgNewAccount(t, f.env, f.tn.Key, "asset", "bank")
				f.vars["id"] = a.ID
				return apptest.Request{Method: "PATCH", Path: ldgAccounts + "/" + a.Code, Key: f.tn.Key, Body: map[string]any{"name": "By code"}}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, f.vars["id"], decoded(t, res).ID)
			},
		},
		{
			name: "PUT is an alias", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch(map[string]any{"name": "Put"})(t, f)
				r.Method = "PUT"
				return r
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "Put", decoded(t, res).Name)
			},
		},
		{
			name: "new sub_type of the same type", req: patch(map[string]any{"sub_type": "current_asset"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "current_asset", decoded(t, res).SubType)
			},
		},
		{
			name: "re-code", req: patch(map[string]any{"code": "1999"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "1999", decoded(t, res).Code)
				require.Equal(t, http.StatusOK, ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/1999", nil).Status)
			},
		},
		{
			name: "the type never changes", req: patch(map[string]any{"type": "expense", "name": "Still an asset"}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "asset", decoded(t, res).Type)
			},
		},
		{
			name: "deactivate and reactivate", req: patch(map[string]any{"is_active": false}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.False(t, decoded(t, res).IsActive)
				again := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+f.vars["id"], map[string]any{"is_active": true})
				require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
				require.True(t, decoded(t, again).IsActive)
			},
		},
		{
			name: "a deactivated account takes no new lines", req: patch(map[string]any{"is_active": false}), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				other := ldgNewAccount(t, f.env, f.tn.Key, "income", "sales").ID
				for _, post := range []bool{true, false} {
					e := ldgDo(t, f.env, f.tn.Key, "POST", ldgEntries, ldgTwoLines("2026-01-10", f.vars["id"], other, 10, post))
					requireAPIError(t, e, http.StatusBadRequest, "VALIDATION_FAILED", "lines[0].account_id")
				}
			},
		},
		{
			name: "re-parent, then un-parent with null", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				parent := ldgNewAccount(t, f.env, f.tn.Key, "asset", "current_asset")
				f.vars["parent"] = parent.ID
				return patch(map[string]any{"parent_id": parent.ID})(t, f)
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				a := decoded(t, res)
				require.NotNil(t, a.ParentID)
				require.Equal(t, f.vars["parent"], *a.ParentID)
				res = ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+f.vars["id"], `{"parent_id":null}`)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				require.Nil(t, decoded(t, res).ParentID)
			},
		},
		{
			name: "a parent cycle", status: 400, code: "VALIDATION_FAILED", fields: []string{"parent_id"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				parent := ldgNewAccount(t, f.env, f.tn.Key, "asset", "")
				child := ldgDo(t, f.env, f.tn.Key, "POST", ldgAccounts,
					map[string]any{"code": ldgCode("C"), "name": "child", "type": "asset", "parent_id": parent.ID})
				require.Equal(t, http.StatusCreated, child.Status, "%s", child.Body)
				return apptest.Request{Method: "PATCH", Path: ldgAccounts + "/" + parent.ID, Key: f.tn.Key,
					Body: map[string]any{"parent_id": decoded(t, child).ID}}
			},
		},
		{
			name: "its own parent", status: 400, code: "VALIDATION_FAILED", fields: []string{"parent_id"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				a := ldgNewAccount(t, f.env, f.tn.Key, "asset", "")
				return apptest.Request{Method: "PATCH", Path: ldgAccounts + "/" + a.ID, Key: f.tn.Key, Body: map[string]any{"parent_id": a.ID}}
			},
		},
		{
			name: "unknown sub_type", req: patch(map[string]any{"sub_type": "piggy_bank"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"sub_type"}, check: unchanged,
		},
		{
			name: "sub_type of another type", req: patch(map[string]any{"sub_type": "accounts_payable"}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"sub_type"}, check: unchanged,
		},
		{
			name: "empty name", req: patch(map[string]any{"name": ""}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"name"}, check: unchanged,
		},
		{
			name: "code taken", status: 409, code: "CONFLICT", check: unchanged,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				taken := ldgNewAccount(t, f.env, f.tn.Key, "expense", "").Code
				return patch(map[string]any{"code": taken})(t, f)
			},
		},
		{
			name: "wrong type for is_active", req: patch(`{"is_active":"no"}`),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"is_active"}, check: unchanged,
		},
		{
			name: "unknown account", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: ldgAccounts + "/acc_01ARZ3NDEKTSV4RRFFQ69G5FAV", Key: f.tn.Key, Body: map[string]any{"name": "x"}}
			},
		},
		{
			name: "another tenant's account", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch(map[string]any{"name": "Hijacked"})(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
			check: unchanged,
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch(map[string]any{"name": "x"})(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
			check: unchanged,
		},
	})
}

func TestAccountingAccountsDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	del := func(query string, setup func(t *testing.T, f *caseFixture)) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgBooks(t, f)
			f.vars["id"] = f.vars["bank"]
			if setup != nil {
				setup(t, f)
			}
			return apptest.Request{Method: "DELETE", Path: ldgAccounts + "/" + f.vars["id"] + query, Key: f.tn.Key}
		}
	}
	stillThere := func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		require.Equal(t, http.StatusOK, ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+f.vars["id"], nil).Status)
	}
	posted := func(t *testing.T, f *caseFixture) {
		ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-01-05", f.vars["bank"], f.vars["sales"], "25.00", true))
	}
	depsOf := func(want ...string) func(t *testing.T, f *caseFixture, res *apptest.Response) {
		return func(t *testing.T, f *caseFixture, res *apptest.Response) {
			deps := ldgDeps(t, res)
			for _, w := range want {
				require.Positive(t, deps[w], "dependency %s: %s", w, res.Body)
			}
			stillThere(t, f, res)
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "an unused account is deleted", req: del("", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var d struct {
					ID      string `json:"id"`
					Deleted bool   `json:"deleted"`
				}
				res.Decode(t, &d)
				require.Equal(t, f.vars["id"], d.ID)
				require.True(t, d.Deleted)
				requireAPIError(t, ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+f.vars["id"], nil), 404, "NOT_FOUND")
				requireAPIError(t, ldgDo(t, f.env, f.tn.Key, "DELETE", ldgAccounts+"/"+f.vars["id"], nil), 404, "NOT_FOUND")
			},
		},
		{
			name: "by code", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				a := ldgNewAccount(t, f.env, f.tn.Key, "expense", "")
				f.vars["id"] = a.ID
				return apptest.Request{Method: "DELETE", Path: ldgAccounts + "/" + a.Code, Key: f.tn.Key}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				requireAPIError(t, ldgDo(t, f.env, f.tn.Key, "GET", ldgAccounts+"/"+f.vars["id"], nil), 404, "NOT_FOUND")
			},
		},
		{
			name: "an account with posted lines is never deleted", req: del("", posted),
			status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("journal_lines"),
		},
		{
			name: "not even with force", req: del("?force=true", posted),
			status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("journal_lines"),
		},
		{
			name: "nor with force and a made-up confirm token", req: del("?force=true&confirm_token=abc", posted),
			status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("journal_lines"),
		},
		{
			name: "an account with draft lines", status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("journal_lines"),
			req: del("", func(t *testing.T, f *caseFixture) {
				ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-01-05", f.vars["bank"], f.vars["sales"], "25.00", false))
			}),
		},
		{
			name: "a deactivated account with lines is kept", status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("journal_lines"),
			req: del("?force=true", func(t *testing.T, f *caseFixture) {
				posted(t, f)
				res := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+f.vars["bank"], map[string]any{"is_active": false})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "an account with children", status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("accounts"),
			req: del("?force=true", func(t *testing.T, f *caseFixture) {
				res := ldgDo(t, f.env, f.tn.Key, "POST", ldgAccounts,
					map[string]any{"code": ldgCode("C"), "name": "child", "type": "asset", "parent_id": f.vars["id"]})
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "an account a tax code posts to", status: 409, code: "DEPENDENCY_EXISTS", check: depsOf("tax_codes"),
			req: del("?force=true", func(t *testing.T, f *caseFixture) {
				tax := ldgNewAccount(t, f.env, f.tn.Key, "liability", "tax")
				f.vars["id"] = tax.ID
				res := ldgDo(t, f.env, f.tn.Key, "POST", "/v1/accounting/tax-codes",
					map[string]any{"code": "GST", "name": "GST", "rate": 10, "type": "exclusive", "account_id": tax.ID})
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "once its only draft is deleted, the account can go", status: 200,
			req: del("", func(t *testing.T, f *caseFixture) {
				e := ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-01-05", f.vars["bank"], f.vars["sales"], "25.00", false))
				res := ldgDo(t, f.env, f.tn.Key, "DELETE", ldgEntries+"/"+e.ID, nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "unknown account", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: ldgAccounts + "/acc_01ARZ3NDEKTSV4RRFFQ69G5FAV", Key: f.tn.Key}
			},
		},
		{
			name: "another tenant's account", status: 404, code: "NOT_FOUND", check: stillThere,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := del("", nil)(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: stillThere,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := del("", nil)(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
		},
	})
}

// ldgBadIDs are account or entry references that name nothing: each is 404.
var ldgBadIDs = []string{
	"acc_' OR 1=1--",
	"je_' OR '1'='1",
	"acc_\x00",
	"1000\x00",
	"je_\x00",
	"acc_" + strings.Repeat("a", 5000),
	"../../etc/passwd",
	"acc_01ARZ3NDEKTSV4RRFFQ69G5FAV",
	"je_01ARZ3NDEKTSV4RRFFQ69G5FAV",
	"\U0001F4A9",
	"%",
	"\xff\xfe",
}

func TestAccountingAccountsBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)

	// Malformed references: 404, never 5xx.
	for _, id := range ldgBadIDs {
		esc := url.PathEscape(id)
		for _, m := range []string{"GET", "PATCH", "PUT", "DELETE"} {
			t.Run(fmt.Sprintf("%s %q", m, truncateName(id)), func(t *testing.T) {
				t.Parallel()
				tn := env.NewTenant(t)
				ldgNewAccount(t, env, tn.Key, "asset", "bank")
				res := env.Do(t, apptest.Request{Method: m, Path: ldgAccounts + "/" + esc, Key: tn.Key, Body: map[string]any{"name": "x"}})
				require.Less(t, res.Status, 500, "body: %s", res.Body)
				requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
			})
		}
	}

	// Bad bodies: 400, never 5xx, and nothing created or changed.
	bodies := []struct {
		name     string
		body     string
		code     string // BAD_REQUEST or VALIDATION_FAILED; "" either; "ANY" may also succeed
		postOnly bool   // members PATCH does not read (type, currency)
	}{
		{"malformed", `{"code":`, "BAD_REQUEST", false},
		{"trailing garbage", `{"code":"1"} x`, "BAD_REQUEST", false},
		{"array", `[]`, "BAD_REQUEST", false},
		{"string", `"account"`, "BAD_REQUEST", false},
		{"null", `null`, "VALIDATION_FAILED", false},
		{"number as code", `{"code":1,"name":"x","type":"asset"}`, "VALIDATION_FAILED", false},
		{"array as type", `{"code":"1","name":"x","type":["asset"]}`, "VALIDATION_FAILED", true},
		{"object as name", `{"code":"1","name":{},"type":"asset"}`, "VALIDATION_FAILED", false},
		{"number as parent", `{"code":"1","name":"x","type":"asset","parent_id":7}`, "VALIDATION_FAILED", false},
		{"string as is_active", `{"is_active":"yes","name":"x"}`, "VALIDATION_FAILED", false},
		{"nul in name", `{"code":"1","name":"a\u0000b","type":"asset"}`, "", false},
		{"nul in code", `{"code":"1\u0000","name":"x","type":"asset"}`, "", false},
		{"nul in type", `{"code":"1","name":"x","type":"asset\u0000"}`, "", true},
		{"nul in sub_type", `{"code":"1","name":"x","type":"asset","sub_type":"bank\u0000"}`, "", false},
		{"nul in description", `{"code":"1","name":"x","type":"asset","description":"\u0000"}`, "", false},
		{"nul in parent", `{"code":"1","name":"x","type":"asset","parent_id":"acc_\u0000"}`, "", false},
		{"nul in currency", `{"code":"1","name":"x","type":"asset","currency":"US\u0000"}`, "", true},
		// encoding/json reads invalid UTF-8 as U+FFFD: storing that is fine.
		{"invalid utf-8", "{\"code\":\"1\",\"name\":\"\xff\xfe\",\"type\":\"asset\"}", "ANY", false},
		{"long name", `{"code":"1","name":"` + strings.Repeat("x", 100_000) + `","type":"asset"}`, "VALIDATION_FAILED", false},
		{"deep nesting", `{"name":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "", false},
		{"sql in strings", `{"code":"1'; DROP TABLE acct_accounts;--","name":"x","type":"asset' OR '1'='1"}`, "VALIDATION_FAILED", false},
	}
	for _, b := range bodies {
		for _, m := range []string{"POST", "PATCH"} {
			if m == "PATCH" && b.postOnly {
				continue
			}
			t.Run(m+" "+b.name, func(t *testing.T) {
				t.Parallel()
				tn := env.NewTenant(t)
				a := ldgNewAccount(t, env, tn.Key, "asset", "bank")
				path := ldgAccounts
				if m == "PATCH" {
					path += "/" + a.ID
				}
				res := env.Do(t, apptest.Request{Method: m, Path: path, Key: tn.Key, Body: b.body})
				require.Less(t, res.Status, 500, "body: %s", res.Body)
				requireEnvelope(t, res)
				switch {
				case b.code == "ANY":
					if res.Status < 300 {
						return
					}
					require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
				case m == "PATCH" && b.name == "null":
					// An empty patch changes nothing and is fine.
					require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
				default:
					require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
					if b.code != "" {
						require.Equal(t, b.code, res.Error.Code, "body: %s", res.Body)
					}
				}
				var list []ldgAccount
				ldgDo(t, env, tn.Key, "GET", ldgAccounts, nil).Decode(t, &list)
				require.Equal(t, []ldgAccount{a}, list, "nothing created or changed")
			})
		}
	}
}

// truncateName shortens a test name made of hostile input.
func truncateName(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
