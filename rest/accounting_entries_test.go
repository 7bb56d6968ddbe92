package rest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of journal entries: create, list, get, update, delete, post
// and reverse, with periods, foreign currencies, scopes, tenants, hostile
// input and concurrent postings. Helpers (ldg*) are in
// accounting_accounts_test.go.

// ldgCreate returns a scenario request creating an entry from body(f), after
// ldgBooks gave the scenario a bank and a sales account.
func ldgCreate(body func(f *caseFixture) any) func(t *testing.T, f *caseFixture) apptest.Request {
	return func(t *testing.T, f *caseFixture) apptest.Request {
		ldgBooks(t, f)
		return apptest.Request{Method: "POST", Path: ldgEntries, Key: f.tn.Key, Body: body(f)}
	}
}

// ldgNothingPosted checks that the scenario's tenant has no entries and an
// empty trial balance.
func ldgNothingPosted(t *testing.T, f *caseFixture, _ *apptest.Response) {
	t.Helper()
	var list ldgEntryList
	ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries, nil).Decode(t, &list)
	require.Equal(t, 0, list.Total, "a refused entry leaves nothing behind")
	tb := ldgTB(t, f.env, f.tn, f.tn.Key, "2100-01-01")
	require.Empty(t, tb.Rows)
}

// ldgEntryOf decodes an answer's entry.
func ldgEntryOf(t *testing.T, res *apptest.Response) ldgEntry {
	t.Helper()
	var e ldgEntry
	res.Decode(t, &e)
	return e
}

// ldgRaw is a journal entry body as raw JSON, with {A} and {B} standing for
// the scenario's bank and sales accounts.
func ldgRaw(tmpl string) func(f *caseFixture) any {
	return func(f *caseFixture) any {
		return strings.NewReplacer("{A}", f.vars["bank"], "{B}", f.vars["sales"]).Replace(tmpl)
	}
}

// ldgManyLines is a balanced body of n lines (n even): n/2 debits of 1.00
// on a, n/2 credits of 1.00 on b.
func ldgManyLines(a, b string, n int) map[string]any {
	lines := make([]any, 0, n)
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			lines = append(lines, map[string]any{"account_id": a, "debit": "1.00"})
		} else {
			lines = append(lines, map[string]any{"account_id": b, "credit": "1.00"})
		}
	}
	return map[string]any{"date": "2026-01-15", "post": true, "lines": lines}
}

func TestAccountingEntriesCreate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	runEndpointCases(t, env, []endpointCase{
		{
			name: "a draft by default",
			req: ldgCreate(func(f *caseFixture) any {
				return map[string]any{"date": "2026-01-15", "description": "Cash sale", "reference": "INV-1", "lines": []any{
					map[string]any{"account_id": f.vars["bank"], "debit": "100.00", "description": "till"},
					map[string]any{"account_id": f.vars["sales"], "credit": "100.00"},
				}}
			}),
			status: 201,
			contains: []string{`"debit":100.00`, `"credit":0.00`, `"total_debit":100.00`, `"total_credit":100.00`,
				`"exchange_rate":1`, `"posted_at":null`},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.True(t, strings.HasPrefix(e.ID, "je_"), e.ID)
				require.Equal(t, "draft", e.Status)
				require.Equal(t, "2026-01-15", e.Date)
				require.Equal(t, "Cash sale", e.Description)
				require.Equal(t, "INV-1", e.Reference)
				require.Equal(t, "USD", e.Currency, "entries default to the base currency")
				requireDec(t, "1", e.ExchangeRate)
				require.Nil(t, e.ReversalOf)
				require.Nil(t, e.ReversedBy)
				require.Nil(t, e.PostedAt)
				require.True(t, strings.HasPrefix(e.CreatedBy, "key_"), e.CreatedBy)
				require.Len(t, e.Lines, 2)
				l0, l1 := e.Lines[0], e.Lines[1]
				require.Equal(t, 1, l0.LineNo)
				require.Equal(t, 2, l1.LineNo)
				require.Equal(t, f.vars["bank"], l0.AccountID)
				require.Equal(t, f.vars["sales"], l1.AccountID)
				require.Equal(t, "till", l0.Description)
				requireDec(t, "100", l0.Debit)
				requireDec(t, "0", l0.Credit)
				requireDec(t, "100", l0.BaseDebit, "base amounts equal the amounts in the base currency")
				requireDec(t, "100", l1.Credit)
				requireDec(t, "100", l1.BaseCredit)
				requireDec(t, "100", e.TotalDebit)
				requireDec(t, "100", e.TotalCredit)
				require.Equal(t, e, ldgGetEntry(t, f.env, f.tn.Key, e.ID))
				require.Empty(t, ldgTB(t, f.env, f.tn, f.tn.Key, "2026-12-31").Rows, "a draft does not count")
			},
		},
		{
			name: "post: true posts at once",
			req: ldgCreate(func(f *caseFixture) any {
				return ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], "100.00", true)
			}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Equal(t, "posted", e.Status)
				require.NotNil(t, e.PostedAt)
				require.NotNil(t, e.PostedBy)
				require.Equal(t, e.CreatedBy, *e.PostedBy)
				tb := ldgTB(t, f.env, f.tn, f.tn.Key, "2026-01-15")
				d, c := tb.balance(t, f.vars["bank"])
				require.Equal(t, "100", d.String())
				require.True(t, c.IsZero())
				d, c = tb.balance(t, f.vars["sales"])
				require.True(t, d.IsZero())
				require.Equal(t, "100", c.String())
				requireDec(t, "100", tb.Totals.Debit)
				requireDec(t, "100", tb.Totals.Credit)
				require.Empty(t, ldgTB(t, f.env, f.tn, f.tn.Key, "2026-01-14").Rows, "the posting counts from its date")
			},
		},
		{
			name: "post: false is a draft",
			req: ldgCreate(func(f *caseFixture) any {
				return ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], "100.00", false)
			}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "draft", ldgEntryOf(t, res).Status)
			},
		},
		{
			name:     "amounts as JSON numbers and as decimal strings",
			req:      ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":12.5},{"account_id":"{B}","credit":"12.50"}]}`)),
			status:   201,
			contains: []string{`"debit":12.50`, `"credit":12.50`},
		},
		{
			name:     "an explicit zero on the other side is fine",
			req:      ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":7,"credit":0},{"account_id":"{B}","debit":"0","credit":7}]}`)),
			status:   201,
			contains: []string{`"total_debit":7.00`},
		},
		{
			name:     "half-even rounding: 0.125 is 0.12",
			req:      ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":0.125},{"account_id":"{B}","credit":"0.125"}]}`)),
			status:   201,
			contains: []string{`"debit":0.12,`, `"credit":0.12,`, `"total_debit":0.12,`},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				d, _ := ldgTB(t, f.env, f.tn, f.tn.Key, "2026-12-31").balance(t, f.vars["bank"])
				require.Equal(t, "0.12", d.StringFixed(2))
			},
		},
		{
			name:     "half-even rounding: 0.135 is 0.14",
			req:      ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":"0.135"},{"account_id":"{B}","credit":0.135}]}`)),
			status:   201,
			contains: []string{`"debit":0.14,`, `"credit":0.14,`, `"total_credit":0.14,`},
		},
		{
			name: "300.30 is written as 300.30",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":100.10},` +
				`{"account_id":"{A}","debit":200.20},{"account_id":"{B}","credit":300.30}]}`)),
			status:   201,
			contains: []string{`"debit":100.10,`, `"debit":200.20,`, `"credit":300.30,`, `"total_debit":300.30,`, `"total_credit":300.30,`},
			absent:   []string{"300.2999", "300.3000", "e+", "E+"},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				g := ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries+"/"+ldgEntryOf(t, res).ID, nil)
				require.Contains(t, string(g.Body), `"total_debit":300.30,`)
				l := ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries, nil)
				require.Contains(t, string(l.Body), `"total_debit":300.30,`)
				require.NotContains(t, string(l.Body), "300.2999")
			},
		},
		{
			name: "500 lines are fine",
			req: ldgCreate(func(f *caseFixture) any {
				return ldgManyLines(f.vars["bank"], f.vars["sales"], 500)
			}),
			status: 201,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Len(t, e.Lines, 500)
				requireDec(t, "250", e.TotalDebit)
				require.Equal(t, 500, e.Lines[499].LineNo)
			},
		},
		{
			name: "501 lines are too many",
			req: ldgCreate(func(f *caseFixture) any {
				b := ldgManyLines(f.vars["bank"], f.vars["sales"], 502)
				b["lines"] = b["lines"].([]any)[:501]
				return b
			}),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name: "unbalanced",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":100},` +
				`{"account_id":"{B}","credit":90}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name: "unbalanced by a cent",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":"100.00"},` +
				`{"account_id":"{B}","credit":"50.00"},{"account_id":"{B}","credit":"50.01"}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name: "unbalanced draft",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":100},` +
				`{"account_id":"{B}","credit":99.99}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name:   "one line",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":100}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name:   "no lines",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true,"lines":[]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name:   "lines missing",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","post":true}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: ldgNothingPosted,
		},
		{
			name: "a line with both debit and credit",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10,"credit":10},` +
				`{"account_id":"{B}","credit":0.01},{"account_id":"{B}","debit":0.01}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0]"}, check: ldgNothingPosted,
		},
		{
			name: "a line with neither",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10},` +
				`{"account_id":"{B}"},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[1]"}, check: ldgNothingPosted,
		},
		{
			name: "a negative amount",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":-10},` +
				`{"account_id":"{B}","credit":-10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0]", "lines[1]"}, check: ldgNothingPosted,
		},
		{
			name: "a negative debit balanced by a positive one",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":-10},` +
				`{"account_id":"{A}","debit":20},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0]"}, check: ldgNothingPosted,
		},
		{
			name: "zero amounts",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":0},` +
				`{"account_id":"{B}","credit":"0.00"}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0]", "lines[1]"}, check: ldgNothingPosted,
		},
		{
			name: "amounts that round to zero",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":0.004},` +
				`{"account_id":"{B}","credit":"0.004"}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0]", "lines[1]"}, check: ldgNothingPosted,
		},
		{
			name: "an unknown account",
			req: ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"acc_01ARZ3NDEKTSV4RRFFQ69G5FAV","debit":10},` +
				`{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0].account_id"}, check: ldgNothingPosted,
		},
		{
			name:   "a line without an account",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10},{"credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[1].account_id"}, check: ldgNothingPosted,
		},
		{
			name: "another tenant's account",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgBooks(t, f)
				foreign := ldgNewAccount(t, f.env, f.env.NewTenant(t).Key, "income", "sales").ID
				return apptest.Request{Method: "POST", Path: ldgEntries, Key: f.tn.Key,
					Body: ldgTwoLines("2026-01-15", f.vars["bank"], foreign, 10, true)}
			},
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[1].account_id"}, check: ldgNothingPosted,
		},
		{
			name: "a deactivated account",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgBooks(t, f)
				res := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+f.vars["bank"], map[string]any{"is_active": false})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				return apptest.Request{Method: "POST", Path: ldgEntries, Key: f.tn.Key,
					Body: ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], 10, false)}
			},
			status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[0].account_id"}, check: ldgNothingPosted,
		},
		{
			name:   "no date",
			req:    ldgCreate(ldgRaw(`{"lines":[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"date"}, check: ldgNothingPosted,
		},
		{
			name:   "a date that does not exist",
			req:    ldgCreate(ldgRaw(`{"date":"2026-02-30","lines":[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"date"}, check: ldgNothingPosted,
		},
		{
			name:   "an unknown currency",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","currency":"XYZ","lines":[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"currency"}, check: ldgNothingPosted,
		},
		{
			name:   "a currency the tenant has not added",
			req:    ldgCreate(ldgRaw(`{"date":"2026-01-15","currency":"JPY","lines":[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":10}]}`)),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"currency"}, check: ldgNothingPosted,
		},
		{
			name: "read-only key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgBooks(t, f)
				return apptest.Request{Method: "POST", Path: ldgEntries, Key: scopedKey(t, f.env, f.tn.Key, "read"),
					Body: ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], 10, true)}
			},
			status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: ldgNothingPosted,
		},
		{
			name: "write key",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgBooks(t, f)
				return apptest.Request{Method: "POST", Path: ldgEntries, Key: scopedKey(t, f.env, f.tn.Key, "write"),
					Body: ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], 10, true)}
			},
			status: 201,
		},
		{
			name: "no credential",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgBooks(t, f)
				return apptest.Request{Method: "POST", Path: ldgEntries, Body: ldgTwoLines("2026-01-15", f.vars["bank"], f.vars["sales"], 10, true)}
			},
			status: 401, code: "UNAUTHORIZED", check: ldgNothingPosted,
		},
	})
}

// ldgListFixture creates four entries: e1 (2026-01-10, reversed), r1 (its
// reversal, 2026-01-10, posted), e2 (2026-02-10, draft) and e3
// (2026-03-10, posted, rent against bank). f.vars holds their ids and the
// accounts bank, sales and rent.
func ldgListFixture(t *testing.T, f *caseFixture) {
	t.Helper()
	ldgBooks(t, f)
	f.vars["rent"] = ldgNewAccount(t, f.env, f.tn.Key, "expense", "operating_expense").ID
	f.vars["e1"] = ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-01-10", f.vars["bank"], f.vars["sales"], 10, true)).ID
	res := ldgDo(t, f.env, f.tn.Key, "POST", ldgEntries+"/"+f.vars["e1"]+"/reverse", nil)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	f.vars["r1"] = ldgEntryOf(t, res).ID
	f.vars["e2"] = ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-02-10", f.vars["bank"], f.vars["sales"], 20, false)).ID
	f.vars["e3"] = ldgNewEntry(t, f.env, f.tn.Key, ldgTwoLines("2026-03-10", f.vars["rent"], f.vars["bank"], 30, true)).ID
}

func TestAccountingEntriesList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	list := func(query func(f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			return apptest.Request{Path: ldgEntries + query(f), Key: f.tn.Key}
		}
	}
	q := func(s string) func(*caseFixture) string { return func(*caseFixture) string { return s } }
	// want checks the page's entries (by fixture name), total, limit and offset.
	want := func(total, limit, offset int, names ...string) func(t *testing.T, f *caseFixture, res *apptest.Response) {
		return func(t *testing.T, f *caseFixture, res *apptest.Response) {
			var l ldgEntryList
			res.Decode(t, &l)
			ids := []string{}
			for _, e := range l.Entries {
				ids = append(ids, e.ID)
				require.NotEmpty(t, e.Lines, "entries are listed with their lines")
			}
			wantIDs := []string{}
			for _, n := range names {
				wantIDs = append(wantIDs, f.vars[n])
			}
			require.Equal(t, wantIDs, ids)
			require.Equal(t, total, l.Total)
			require.Equal(t, limit, l.Limit)
			require.Equal(t, offset, l.Offset)
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "an empty list", status: 200, contains: []string{`"entries":[]`},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: ldgEntries, Key: f.tn.Key}
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var l ldgEntryList
				res.Decode(t, &l)
				require.Equal(t, 0, l.Total)
				require.Equal(t, 20, l.Limit)
			},
		},
		{name: "newest date first", req: list(q("")), status: 200, check: want(4, 20, 0, "e3", "e2", "r1", "e1")},
		{name: "drafts", req: list(q("?status=draft")), status: 200, check: want(1, 20, 0, "e2")},
		{name: "posted", req: list(q("?status=posted")), status: 200, check: want(2, 20, 0, "e3", "r1")},
		{name: "reversed", req: list(q("?status=reversed")), status: 200, check: want(1, 20, 0, "e1")},
		{name: "from", req: list(q("?from=2026-02-10")), status: 200, check: want(2, 20, 0, "e3", "e2")},
		{name: "to", req: list(q("?to=2026-02-09")), status: 200, check: want(2, 20, 0, "r1", "e1")},
		{name: "from and to", req: list(q("?from=2026-02-01&to=2026-02-28")), status: 200, check: want(1, 20, 0, "e2")},
		{name: "an account's entries", req: list(func(f *caseFixture) string { return "?account_id=" + f.vars["rent"] }),
			status: 200, check: want(1, 20, 0, "e3")},
		{name: "an account and a status", req: list(func(f *caseFixture) string { return "?status=posted&account_id=" + f.vars["sales"] }),
			status: 200, check: want(1, 20, 0, "r1")},
		{name: "an unknown account has no entries", req: list(q("?account_id=acc_01ARZ3NDEKTSV4RRFFQ69G5FAV")), status: 200, check: want(0, 20, 0)},
		{name: "limit and offset", req: list(q("?limit=2&offset=1")), status: 200, check: want(4, 2, 1, "e2", "r1")},
		{name: "offset past the end", req: list(q("?offset=10")), status: 200, check: want(4, 20, 10)},
		{name: "limit is clamped to 100", req: list(q("?limit=1000")), status: 200, check: want(4, 100, 0, "e3", "e2", "r1", "e1")},
		{name: "read key lists", status: 200, check: want(4, 20, 0, "e3", "e2", "r1", "e1"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgListFixture(t, f)
				return apptest.Request{Path: ldgEntries, Key: scopedKey(t, f.env, f.tn.Key, "read")}
			}},
		{name: "another tenant sees none", status: 200, check: want(0, 20, 0),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgListFixture(t, f)
				return apptest.Request{Path: ldgEntries, Key: f.env.NewTenant(t).Key}
			}},
		{name: "another tenant filtering on our account", status: 200, check: want(0, 20, 0),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgListFixture(t, f)
				return apptest.Request{Path: ldgEntries + "?account_id=" + f.vars["bank"], Key: f.env.NewTenant(t).Key}
			}},
		{name: "unknown status", req: list(q("?status=void")), status: 400, code: "VALIDATION_FAILED", fields: []string{"status"}},
		{name: "bad from", req: list(q("?from=yesterday")), status: 400, code: "VALIDATION_FAILED", fields: []string{"from"}},
		{name: "bad to", req: list(q("?to=2026-13-01")), status: 400, code: "VALIDATION_FAILED", fields: []string{"to"}},
		{name: "negative offset", req: list(q("?offset=-1")), status: 400, code: "VALIDATION_FAILED", fields: []string{"offset"}},
		{name: "limit not a number", req: list(q("?limit=ten")), status: 400, code: "VALIDATION_FAILED", fields: []string{"limit"}},
		{name: "publishable key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "read"},
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Path: ldgEntries, Key: scopedKey(t, f.env, f.tn.Key)}
			}},
	})
}

func TestAccountingEntriesGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	get := func(name string, key func(t *testing.T, f *caseFixture) string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			k := f.tn.Key
			if key != nil {
				k = key(t, f)
			}
			id := f.vars[name]
			if id == "" {
				id = name
			}
			return apptest.Request{Path: ldgEntries + "/" + url.PathEscape(id), Key: k}
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "a posted entry with its lines", req: get("e3", nil), status: 200,
			contains: []string{`"total_debit":30.00`},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Equal(t, f.vars["e3"], e.ID)
				require.Equal(t, "posted", e.Status)
				require.Equal(t, "2026-03-10", e.Date)
				require.Len(t, e.Lines, 2)
				require.Equal(t, f.vars["rent"], e.Lines[0].AccountID)
				requireDec(t, "30", e.Lines[0].Debit)
				require.Equal(t, f.vars["bank"], e.Lines[1].AccountID)
				requireDec(t, "30", e.Lines[1].Credit)
			},
		},
		{
			name: "a reversed entry names its reversal", req: get("e1", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Equal(t, "reversed", e.Status)
				require.NotNil(t, e.ReversedBy)
				require.Equal(t, f.vars["r1"], *e.ReversedBy)
			},
		},
		{
			name: "a reversal names the original", req: get("r1", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.NotNil(t, e.ReversalOf)
				require.Equal(t, f.vars["e1"], *e.ReversalOf)
			},
		},
		{name: "a draft", req: get("e2", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "draft", ldgEntryOf(t, res).Status)
			}},
		{name: "with a read key", req: get("e3", func(t *testing.T, f *caseFixture) string { return scopedKey(t, f.env, f.tn.Key, "read") }), status: 200},
		{name: "unknown", req: get("je_01ARZ3NDEKTSV4RRFFQ69G5FAV", nil), status: 404, code: "NOT_FOUND"},
		{name: "an account id is not an entry", req: get("bank", nil), status: 404, code: "NOT_FOUND"},
		{name: "another tenant's entry", req: get("e3", func(t *testing.T, f *caseFixture) string { return f.env.NewTenant(t).Key }),
			status: 404, code: "NOT_FOUND"},
		{name: "another tenant's draft", req: get("e2", func(t *testing.T, f *caseFixture) string { return f.env.NewTenant(t).Key }),
			status: 404, code: "NOT_FOUND"},
	})
}

func TestAccountingEntriesUpdate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// patch sends body to the fixture entry name (see ldgListFixture).
	patch := func(name string, body func(f *caseFixture) any) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			return apptest.Request{Method: "PATCH", Path: ldgEntries + "/" + f.vars[name], Key: f.tn.Key, Body: body(f)}
		}
	}
	fixed := func(v any) func(*caseFixture) any { return func(*caseFixture) any { return v } }
	// unchanged checks that entry name still reads as the fixture made it.
	unchanged := func(name, status, total string) func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		return func(t *testing.T, f *caseFixture, _ *apptest.Response) {
			e := ldgGetEntry(t, f.env, f.tn.Key, f.vars[name])
			require.Equal(t, status, e.Status)
			require.Equal(t, "two lines", e.Description)
			require.Len(t, e.Lines, 2)
			requireDec(t, total, e.TotalDebit)
		}
	}
	draftUnchanged := unchanged("e2", "draft", "20")
	runEndpointCases(t, env, []endpointCase{
		{
			name: "describe a draft", req: patch("e2", fixed(map[string]any{"description": "Edited", "reference": "R-9"})), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Equal(t, "draft", e.Status)
				require.Equal(t, "Edited", e.Description)
				require.Equal(t, "R-9", e.Reference)
				require.Equal(t, "2026-02-10", e.Date)
				require.Len(t, e.Lines, 2, "absent lines are kept")
				requireDec(t, "20", e.TotalDebit)
				require.Equal(t, e, ldgGetEntry(t, f.env, f.tn.Key, e.ID))
			},
		},
		{
			name: "replace a draft's lines", status: 200,
			req: patch("e2", func(f *caseFixture) any {
				return map[string]any{"lines": []any{
					map[string]any{"account_id": f.vars["rent"], "debit": "5.55"},
					map[string]any{"account_id": f.vars["rent"], "debit": "4.45"},
					map[string]any{"account_id": f.vars["bank"], "credit": 10},
				}}
			}),
			contains: []string{`"total_debit":10.00`},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Len(t, e.Lines, 3)
				require.Equal(t, f.vars["rent"], e.Lines[0].AccountID)
				requireDec(t, "5.55", e.Lines[0].Debit)
				require.Equal(t, 3, e.Lines[2].LineNo)
				require.Equal(t, e, ldgGetEntry(t, f.env, f.tn.Key, e.ID))
			},
		},
		{
			name: "move a draft's date", req: patch("e2", fixed(map[string]any{"date": "2026-04-01"})), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "2026-04-01", ldgEntryOf(t, res).Date)
				var l ldgEntryList
				ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries+"?from=2026-04-01", nil).Decode(t, &l)
				require.Equal(t, 1, l.Total)
			},
		},
		{
			name: "PUT is an alias", status: 200,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch("e2", fixed(map[string]any{"description": "Put"}))(t, f)
				r.Method = "PUT"
				return r
			},
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				require.Equal(t, "Put", ldgEntryOf(t, res).Description)
			},
		},
		{
			name: "unbalanced lines", status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: draftUnchanged,
			req: patch("e2", ldgRaw(`{"lines":[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":9}]}`)),
		},
		{
			name: "one line", status: 400, code: "VALIDATION_FAILED", fields: []string{"lines"}, check: draftUnchanged,
			req: patch("e2", ldgRaw(`{"lines":[{"account_id":"{A}","debit":10}]}`)),
		},
		{
			name: "a bad date", status: 400, code: "VALIDATION_FAILED", fields: []string{"date"}, check: draftUnchanged,
			req: patch("e2", fixed(map[string]any{"date": "someday"})),
		},
		{
			name: "lines on a deactivated account", status: 400, code: "VALIDATION_FAILED", fields: []string{"lines[1].account_id"}, check: draftUnchanged,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				ldgListFixture(t, f)
				old := ldgNewAccount(t, f.env, f.tn.Key, "income", "other_income").ID
				res := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+old, map[string]any{"is_active": false})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				return apptest.Request{Method: "PATCH", Path: ldgEntries + "/" + f.vars["e2"], Key: f.tn.Key,
					Body: ldgTwoLines("2026-02-10", f.vars["bank"], old, 1, false)}
			},
		},
		{
			name: "a posted entry is immutable", status: 409, code: "INVALID_STATE", check: unchanged("e3", "posted", "30"),
			req: patch("e3", fixed(map[string]any{"description": "Rewritten history"})),
		},
		{
			name: "nor can its lines change", status: 409, code: "INVALID_STATE", check: unchanged("e3", "posted", "30"),
			req: patch("e3", ldgRaw(`{"lines":[{"account_id":"{A}","debit":1},{"account_id":"{B}","credit":1}]}`)),
		},
		{
			name: "a reversed entry", status: 409, code: "INVALID_STATE", check: unchanged("e1", "reversed", "10"),
			req: patch("e1", fixed(map[string]any{"description": "x"})),
		},
		{
			name: "a reversal", status: 409, code: "INVALID_STATE",
			req: patch("r1", fixed(map[string]any{"description": "x"})),
		},
		{
			name: "unknown", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "PATCH", Path: ldgEntries + "/je_01ARZ3NDEKTSV4RRFFQ69G5FAV", Key: f.tn.Key, Body: map[string]any{"description": "x"}}
			},
		},
		{
			name: "another tenant's draft", status: 404, code: "NOT_FOUND", check: draftUnchanged,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch("e2", fixed(map[string]any{"description": "Hijacked"}))(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: draftUnchanged,
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := patch("e2", fixed(map[string]any{"description": "x"}))(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
		},
	})
}

func TestAccountingEntriesDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	del := func(name, query string) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			return apptest.Request{Method: "DELETE", Path: ldgEntries + "/" + f.vars[name] + query, Key: f.tn.Key}
		}
	}
	kept := func(name, status string) func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		return func(t *testing.T, f *caseFixture, _ *apptest.Response) {
			require.Equal(t, status, ldgGetEntry(t, f.env, f.tn.Key, f.vars[name]).Status)
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "a draft is deleted", req: del("e2", ""), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				var d struct {
					ID      string `json:"id"`
					Deleted bool   `json:"deleted"`
				}
				res.Decode(t, &d)
				require.Equal(t, f.vars["e2"], d.ID)
				require.True(t, d.Deleted)
				requireAPIError(t, ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries+"/"+f.vars["e2"], nil), 404, "NOT_FOUND")
				requireAPIError(t, ldgDo(t, f.env, f.tn.Key, "DELETE", ldgEntries+"/"+f.vars["e2"], nil), 404, "NOT_FOUND")
				var l ldgEntryList
				ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries, nil).Decode(t, &l)
				require.Equal(t, 3, l.Total)
			},
		},
		{name: "a posted entry is never deleted", req: del("e3", ""), status: 409, code: "INVALID_STATE", check: kept("e3", "posted")},
		{name: "not even with force", req: del("e3", "?force=true"), status: 409, code: "INVALID_STATE", check: kept("e3", "posted"),
			absent: []string{"confirm_token"}},
		{name: "a reversed entry", req: del("e1", "?force=true"), status: 409, code: "INVALID_STATE", check: kept("e1", "reversed")},
		{name: "a reversal", req: del("r1", ""), status: 409, code: "INVALID_STATE", check: kept("r1", "posted")},
		{
			name: "unknown", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "DELETE", Path: ldgEntries + "/je_01ARZ3NDEKTSV4RRFFQ69G5FAV", Key: f.tn.Key}
			},
		},
		{
			name: "another tenant's draft", status: 404, code: "NOT_FOUND", check: kept("e2", "draft"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := del("e2", "")(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: kept("e2", "draft"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := del("e2", "")(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
		},
	})
}

func TestAccountingEntriesPost(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	post := func(name string, setup func(t *testing.T, f *caseFixture)) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			if setup != nil {
				setup(t, f)
			}
			return apptest.Request{Method: "POST", Path: ldgEntries + "/" + f.vars[name] + "/post", Key: f.tn.Key}
		}
	}
	still := func(name, status string) func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		return func(t *testing.T, f *caseFixture, _ *apptest.Response) {
			require.Equal(t, status, ldgGetEntry(t, f.env, f.tn.Key, f.vars[name]).Status)
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{
			name: "a draft is posted", req: post("e2", nil), status: 200,
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				e := ldgEntryOf(t, res)
				require.Equal(t, f.vars["e2"], e.ID)
				require.Equal(t, "posted", e.Status)
				require.NotNil(t, e.PostedAt)
				require.Equal(t, e, ldgGetEntry(t, f.env, f.tn.Key, e.ID))
				// Sales: e1 and r1 cancel out, e2 adds 20.
				_, c := ldgTB(t, f.env, f.tn, f.tn.Key, "2026-12-31").balance(t, f.vars["sales"])
				require.Equal(t, "20", c.String())
			},
		},
		{name: "posting twice", req: post("e3", nil), status: 409, code: "INVALID_STATE", check: still("e3", "posted")},
		{name: "posting a reversed entry", req: post("e1", nil), status: 409, code: "INVALID_STATE", check: still("e1", "reversed")},
		{
			name: "into a closed period", status: 409, code: "PERIOD_CLOSED", check: still("e2", "draft"),
			req: post("e2", func(t *testing.T, f *caseFixture) {
				ldgPeriod(t, f.env, f.tn.Key, "2026-02-01", "2026-02-28", true)
			}),
		},
		{
			name: "into a period closed and reopened", status: 200, check: still("e2", "posted"),
			req: post("e2", func(t *testing.T, f *caseFixture) {
				id := ldgPeriod(t, f.env, f.tn.Key, "2026-02-01", "2026-02-28", true)
				res := ldgDo(t, f.env, f.tn.Key, "POST", "/v1/accounting/periods/"+id+"/reopen", nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "into an open period", status: 200, check: still("e2", "posted"),
			req: post("e2", func(t *testing.T, f *caseFixture) {
				ldgPeriod(t, f.env, f.tn.Key, "2026-02-01", "2026-02-28", false)
				ldgPeriod(t, f.env, f.tn.Key, "2026-01-01", "2026-01-31", true)
			}),
		},
		{
			name: "an account deactivated since the draft", status: 400, code: "VALIDATION_FAILED", check: still("e2", "draft"),
			req: post("e2", func(t *testing.T, f *caseFixture) {
				res := ldgDo(t, f.env, f.tn.Key, "PATCH", ldgAccounts+"/"+f.vars["sales"], map[string]any{"is_active": false})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			}),
		},
		{
			name: "unknown", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: ldgEntries + "/je_01ARZ3NDEKTSV4RRFFQ69G5FAV/post", Key: f.tn.Key}
			},
		},
		{
			name: "another tenant's draft", status: 404, code: "NOT_FOUND", check: still("e2", "draft"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := post("e2", nil)(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: still("e2", "draft"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := post("e2", nil)(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
		},
	})
}

func TestAccountingEntriesReverse(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	reverse := func(name string, body any, setup func(t *testing.T, f *caseFixture)) func(t *testing.T, f *caseFixture) apptest.Request {
		return func(t *testing.T, f *caseFixture) apptest.Request {
			ldgListFixture(t, f)
			if setup != nil {
				setup(t, f)
			}
			return apptest.Request{Method: "POST", Path: ldgEntries + "/" + f.vars[name] + "/reverse", Key: f.tn.Key, Body: body}
		}
	}
	still := func(name, status string) func(t *testing.T, f *caseFixture, _ *apptest.Response) {
		return func(t *testing.T, f *caseFixture, _ *apptest.Response) {
			require.Equal(t, status, ldgGetEntry(t, f.env, f.tn.Key, f.vars[name]).Status)
			var l ldgEntryList
			ldgDo(t, f.env, f.tn.Key, "GET", ldgEntries, nil).Decode(t, &l)
			require.Equal(t, 4, l.Total, "no reversal was recorded")
		}
	}
	// reversed checks a reversal of e3 dated date.
	reversed := func(date string) func(t *testing.T, f *caseFixture, res *apptest.Response) {
		return func(t *testing.T, f *caseFixture, res *apptest.Response) {
			rev := ldgEntryOf(t, res)
			require.NotEqual(t, f.vars["e3"], rev.ID)
			require.Equal(t, "posted", rev.Status)
			require.NotNil(t, rev.ReversalOf)
			require.Equal(t, f.vars["e3"], *rev.ReversalOf)
			require.Equal(t, date, rev.Date)
			require.NotNil(t, rev.PostedAt)
			require.Len(t, rev.Lines, 2)
			// The mirror image: rent credited, bank debited, 30 each.
			require.Equal(t, f.vars["rent"], rev.Lines[0].AccountID)
			requireDec(t, "0", rev.Lines[0].Debit)
			requireDec(t, "30", rev.Lines[0].Credit)
			requireDec(t, "30", rev.Lines[0].BaseCredit)
			require.Equal(t, f.vars["bank"], rev.Lines[1].AccountID)
			requireDec(t, "30", rev.Lines[1].Debit)
			requireDec(t, "30", rev.Lines[1].BaseDebit)
			orig := ldgGetEntry(t, f.env, f.tn.Key, f.vars["e3"])
			require.Equal(t, "reversed", orig.Status)
			require.NotNil(t, orig.ReversedBy)
			require.Equal(t, rev.ID, *orig.ReversedBy)
			require.Equal(t, rev, ldgGetEntry(t, f.env, f.tn.Key, rev.ID))
			// Every posting is undone: the books are empty again.
			tb := ldgTB(t, f.env, f.tn, f.tn.Key, "2026-12-31")
			require.Empty(t, tb.Rows, "the reversal nets every account to zero")
		}
	}
	runEndpointCases(t, env, []endpointCase{
		{name: "dated like the original", req: reverse("e3", nil, nil), status: 201, check: reversed("2026-03-10")},
		{name: "with an empty body", req: reverse("e3", map[string]any{}, nil), status: 201, check: reversed("2026-03-10")},
		{
			name: "with a date and a description", status: 201,
			req: reverse("e3", map[string]any{"date": "2026-04-02", "description": "Wrong supplier"}, nil),
			check: func(t *testing.T, f *caseFixture, res *apptest.Response) {
				reversed("2026-04-02")(t, f, res)
				require.Equal(t, "Wrong supplier", ldgEntryOf(t, res).Description)
				// Between the two dates the original still counts.
				d, _ := ldgTB(t, f.env, f.tn, f.tn.Key, "2026-04-01").balance(t, f.vars["rent"])
				require.Equal(t, "30", d.String())
			},
		},
		{name: "a draft cannot be reversed", req: reverse("e2", nil, nil), status: 409, code: "INVALID_STATE", check: still("e2", "draft")},
		{name: "reversing twice", req: reverse("e1", nil, nil), status: 409, code: "INVALID_STATE", check: still("e1", "reversed")},
		{
			name: "into a closed period", status: 409, code: "PERIOD_CLOSED", check: still("e3", "posted"),
			req: reverse("e3", map[string]any{"date": "2026-05-15"}, func(t *testing.T, f *caseFixture) {
				ldgPeriod(t, f.env, f.tn.Key, "2026-05-01", "2026-05-31", true)
			}),
		},
		{
			name: "the original's period closed since", status: 409, code: "PERIOD_CLOSED", check: still("e3", "posted"),
			req: reverse("e3", nil, func(t *testing.T, f *caseFixture) {
				ldgPeriod(t, f.env, f.tn.Key, "2026-03-01", "2026-03-31", true)
			}),
		},
		{
			name: "the original's period closed, reversed in the next one", status: 201, check: reversed("2026-04-01"),
			req: reverse("e3", map[string]any{"date": "2026-04-01"}, func(t *testing.T, f *caseFixture) {
				ldgPeriod(t, f.env, f.tn.Key, "2026-03-01", "2026-03-31", true)
				ldgPeriod(t, f.env, f.tn.Key, "2026-04-01", "2026-04-30", false)
			}),
		},
		{name: "a bad date", req: reverse("e3", map[string]any{"date": "2026-02-30"}, nil),
			status: 400, code: "VALIDATION_FAILED", fields: []string{"date"}, check: still("e3", "posted")},
		{
			name: "unknown", status: 404, code: "NOT_FOUND",
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				return apptest.Request{Method: "POST", Path: ldgEntries + "/je_01ARZ3NDEKTSV4RRFFQ69G5FAV/reverse", Key: f.tn.Key}
			},
		},
		{
			name: "another tenant's entry", status: 404, code: "NOT_FOUND", check: still("e3", "posted"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := reverse("e3", nil, nil)(t, f)
				r.Key = f.env.NewTenant(t).Key
				return r
			},
		},
		{
			name: "read-only key", status: 403, code: "INSUFFICIENT_SCOPE", errorHas: map[string]any{"required_scope": "write"}, check: still("e3", "posted"),
			req: func(t *testing.T, f *caseFixture) apptest.Request {
				r := reverse("e3", nil, nil)(t, f)
				r.Key = scopedKey(t, f.env, f.tn.Key, "read")
				return r
			},
		},
	})
}

func TestAccountingEntriesPeriods(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := ldgKey(t, env, tn)
	bank := ldgNewAccount(t, env, key, "asset", "bank").ID
	sales := ldgNewAccount(t, env, key, "income", "sales").ID
	count := func() int {
		var l ldgEntryList
		ldgDo(t, env, key, "GET", ldgEntries, nil).Decode(t, &l)
		return l.Total
	}

	// Without periods any date posts.
	for _, d := range []string{"1999-12-31", "2026-06-15", "2099-01-01"} {
		e := ldgNewEntry(t, env, key, ldgTwoLines(d, bank, sales, 1, true))
		require.Equal(t, "posted", e.Status, d)
	}

	closed := ldgPeriod(t, env, key, "2026-03-01", "2026-03-31", true)
	ldgPeriod(t, env, key, "2026-04-01", "2026-04-30", false)
	n := count()
	for _, d := range []string{"2026-03-01", "2026-03-15", "2026-03-31"} {
		res := ldgDo(t, env, key, "POST", ldgEntries, ldgTwoLines(d, bank, sales, 1, true))
		requireAPIError(t, res, http.StatusConflict, "PERIOD_CLOSED")
		require.Equal(t, n, count(), "a refused posting records nothing, not even a draft")
	}
	// Around the closed period, inside an open one, and outside every period.
	for _, d := range []string{"2026-02-28", "2026-04-01", "2026-04-30", "2026-05-01", "2020-01-01"} {
		require.Equal(t, "posted", ldgNewEntry(t, env, key, ldgTwoLines(d, bank, sales, 1, true)).Status, d)
	}
	// A draft may carry a date in a closed period; posting it is refused.
	draft := ldgNewEntry(t, env, key, ldgTwoLines("2026-03-10", bank, sales, 1, false))
	require.Equal(t, "draft", draft.Status)
	requireAPIError(t, ldgDo(t, env, key, "POST", ldgEntries+"/"+draft.ID+"/post", nil), http.StatusConflict, "PERIOD_CLOSED")
	// Moved out of the period, it posts.
	res := ldgDo(t, env, key, "PATCH", ldgEntries+"/"+draft.ID, map[string]any{"date": "2026-04-10"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = ldgDo(t, env, key, "POST", ldgEntries+"/"+draft.ID+"/post", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	// The trial balance at the end of the closed period is what it was.
	before := ldgTB(t, env, tn, key, "2026-03-31")
	// Reopened, the period takes postings again; closed again, it refuses.
	res = ldgDo(t, env, key, "POST", "/v1/accounting/periods/"+closed+"/reopen", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "posted", ldgNewEntry(t, env, key, ldgTwoLines("2026-03-20", bank, sales, "0.50", true)).Status)
	ldgClosePeriod(t, env, key, closed)
	requireAPIError(t, ldgDo(t, env, key, "POST", ldgEntries, ldgTwoLines("2026-03-20", bank, sales, 1, true)), http.StatusConflict, "PERIOD_CLOSED")
	after := ldgTB(t, env, tn, key, "2026-03-31")
	bd, _ := before.balance(t, bank)
	ad, _ := after.balance(t, bank)
	require.Equal(t, bd.Add(decimal.RequireFromString("0.50")).String(), ad.String())
}

func TestAccountingEntriesForeignCurrency(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := ldgKey(t, env, tn)
	bank := ldgNewAccount(t, env, key, "asset", "bank").ID
	sales := ldgNewAccount(t, env, key, "income", "sales").ID
	fees := ldgNewAccount(t, env, key, "expense", "operating_expense").ID

	res := ldgDo(t, env, key, "POST", "/v1/accounting/currencies", map[string]any{"code": "EUR"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	for _, r := range []struct{ rate, date string }{{"1.0837", "2026-01-01"}, {"1.1000", "2026-02-01"}} {
		res = ldgDo(t, env, key, "POST", "/v1/accounting/exchange-rates",
			map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": r.rate, "effective_date": r.date})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	}
	eur := func(date string, lines ...any) map[string]any {
		return map[string]any{"date": date, "currency": "EUR", "post": true, "lines": lines}
	}
	dr := func(acct, amount string) any { return map[string]any{"account_id": acct, "debit": amount} }
	cr := func(acct, amount string) any { return map[string]any{"account_id": acct, "credit": amount} }
	// base checks each line's base amounts (debit or credit side as the line).
	base := func(t *testing.T, e ldgEntry, want ...string) {
		t.Helper()
		require.Len(t, e.Lines, len(want))
		var d, c decimal.Decimal
		for i, l := range e.Lines {
			if ldgDec(t, l.Debit).IsPositive() {
				requireDec(t, want[i], l.BaseDebit, "line %d", i)
				requireDec(t, "0", l.BaseCredit, "line %d", i)
			} else {
				requireDec(t, want[i], l.BaseCredit, "line %d", i)
				requireDec(t, "0", l.BaseDebit, "line %d", i)
			}
			d, c = d.Add(ldgDec(t, l.BaseDebit)), c.Add(ldgDec(t, l.BaseCredit))
		}
		require.True(t, d.Equal(c), "base debits %s = base credits %s", d, c)
	}
	var postedBase decimal.Decimal // base debits posted to bank

	t.Run("the rate effective on the entry date", func(t *testing.T) {
		res := ldgDo(t, env, key, "POST", ldgEntries, eur("2026-01-15", dr(bank, "100.00"), cr(sales, "100.00")))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"exchange_rate":1.0837`)
		require.Contains(t, string(res.Body), `"base_debit":108.37`)
		e := ldgEntryOf(t, res)
		require.Equal(t, "EUR", e.Currency)
		requireDec(t, "1.0837", e.ExchangeRate)
		requireDec(t, "100", e.Lines[0].Debit, "amounts stay in the entry currency")
		base(t, e, "108.37", "108.37")
		postedBase = postedBase.Add(decimal.RequireFromString("108.37"))
	})
	t.Run("a rate effective on the day itself", func(t *testing.T) {
		e := ldgNewEntry(t, env, key, eur("2026-02-01", dr(bank, "100.00"), cr(sales, "100.00")))
		requireDec(t, "1.1", e.ExchangeRate)
		base(t, e, "110.00", "110.00")
		postedBase = postedBase.Add(decimal.RequireFromString("110"))
	})
	t.Run("the latest rate before the date", func(t *testing.T) {
		e := ldgNewEntry(t, env, key, eur("2026-07-04", dr(bank, "10.00"), cr(sales, "10.00")))
		requireDec(t, "1.1", e.ExchangeRate)
		base(t, e, "11.00", "11.00")
		postedBase = postedBase.Add(decimal.RequireFromString("11"))
	})
	t.Run("no rate on or before the date", func(t *testing.T) {
		res := ldgDo(t, env, key, "POST", ldgEntries, eur("2025-12-31", dr(bank, "10.00"), cr(sales, "10.00")))
		requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "exchange_rate")
	})
	t.Run("an explicit exchange_rate wins", func(t *testing.T) {
		body := eur("2026-01-15", dr(bank, "100.00"), cr(sales, "100.00"))
		body["exchange_rate"] = "1.25"
		e := ldgNewEntry(t, env, key, body)
		requireDec(t, "1.25", e.ExchangeRate)
		base(t, e, "125.00", "125.00")
		postedBase = postedBase.Add(decimal.RequireFromString("125"))
		// Even on a date without a stored rate.
		body = eur("2025-06-30", dr(bank, "2.00"), cr(sales, "2.00"))
		body["exchange_rate"] = 2
		e = ldgNewEntry(t, env, key, body)
		base(t, e, "4.00", "4.00")
		postedBase = postedBase.Add(decimal.RequireFromString("4"))
	})
	t.Run("a non-positive exchange_rate", func(t *testing.T) {
		for _, r := range []any{0, "-1.1"} {
			body := eur("2026-01-15", dr(bank, "1.00"), cr(sales, "1.00"))
			body["exchange_rate"] = r
			requireAPIError(t, ldgDo(t, env, key, "POST", ldgEntries, body), http.StatusBadRequest, "VALIDATION_FAILED", "exchange_rate")
		}
	})
	t.Run("the rounding residual goes to the largest line (a credit)", func(t *testing.T) {
		// 100.05 × 1.0837 = 108.424185 → 108.42 (twice: 216.84);
		// 200.10 × 1.0837 = 216.848370 → 216.85, one cent too many.
		e := ldgNewEntry(t, env, key, eur("2026-01-20", dr(bank, "100.05"), dr(fees, "100.05"), cr(sales, "200.10")))
		base(t, e, "108.42", "108.42", "216.84")
		postedBase = postedBase.Add(decimal.RequireFromString("108.42"))
		require.Equal(t, e, ldgGetEntry(t, env, key, e.ID))
	})
	t.Run("the rounding residual goes to the largest line (a debit)", func(t *testing.T) {
		e := ldgNewEntry(t, env, key, eur("2026-01-20", dr(bank, "200.10"), cr(sales, "100.05"), cr(sales, "100.05")))
		base(t, e, "216.84", "108.42", "108.42")
		postedBase = postedBase.Add(decimal.RequireFromString("216.84"))
	})
	t.Run("a draft's rate follows its date", func(t *testing.T) {
		body := eur("2026-01-15", dr(bank, "100.00"), cr(sales, "100.00"))
		body["post"] = false
		e := ldgNewEntry(t, env, key, body)
		requireDec(t, "1.0837", e.ExchangeRate)
		res := ldgDo(t, env, key, "PATCH", ldgEntries+"/"+e.ID, map[string]any{"date": "2026-02-15"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		e = ldgEntryOf(t, res)
		requireDec(t, "1.1", e.ExchangeRate)
		base(t, e, "110.00", "110.00")
		res = ldgDo(t, env, key, "DELETE", ldgEntries+"/"+e.ID, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})
	t.Run("a reversal mirrors the original's base amounts", func(t *testing.T) {
		e := ldgNewEntry(t, env, key, eur("2026-01-16", dr(bank, "100.00"), cr(sales, "100.00")))
		res := ldgDo(t, env, key, "POST", ldgEntries+"/"+e.ID+"/reverse", map[string]any{"date": "2026-03-01"})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		rev := ldgEntryOf(t, res)
		requireDec(t, "1.0837", rev.ExchangeRate, "the original's rate, not the one on the reversal's date")
		base(t, rev, "108.37", "108.37")
		requireDec(t, "108.37", rev.Lines[0].BaseCredit)
	})
	t.Run("the trial balance is in the base currency and balances", func(t *testing.T) {
		tb := ldgTB(t, env, tn, key, "2026-12-31")
		requireDec(t, tb.Totals.Debit.String(), tb.Totals.Credit)
		d, _ := tb.balance(t, bank)
		require.Equal(t, postedBase.StringFixed(2), d.StringFixed(2))
	})
}

// TestAccountingEntriesScopes runs every accounts and journal-entries
// endpoint with a read-only key: reads answer, writes are 403 and change
// nothing.
func TestAccountingEntriesScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	f := &caseFixture{env: env, tn: tn, vars: map[string]string{}}
	ldgListFixture(t, f)
	read := scopedKey(t, env, tn.Key, "read")
	none := scopedKey(t, env, tn.Key)
	acct, e2, e3 := f.vars["bank"], f.vars["e2"], f.vars["e3"]

	for _, r := range []struct{ method, path string }{
		{"GET", ldgAccounts}, {"GET", ldgAccounts + "/" + acct}, {"GET", ldgEntries}, {"GET", ldgEntries + "/" + e3},
	} {
		res := ldgDo(t, env, read, r.method, r.path, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s %s: %s", r.method, r.path, res.Body)
		res = ldgDo(t, env, none, r.method, r.path, nil)
		requireAPIError(t, res, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		require.Equal(t, "read", res.Error.Extra["required_scope"])
	}
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"POST", ldgAccounts, map[string]any{"code": "9000", "name": "x", "type": "asset"}},
		{"PATCH", ldgAccounts + "/" + acct, map[string]any{"name": "x"}},
		{"PUT", ldgAccounts + "/" + acct, map[string]any{"name": "x"}},
		{"DELETE", ldgAccounts + "/" + acct, nil},
		{"POST", ldgEntries, ldgTwoLines("2026-01-01", acct, f.vars["sales"], 1, true)},
		{"PATCH", ldgEntries + "/" + e2, map[string]any{"description": "x"}},
		{"DELETE", ldgEntries + "/" + e2, nil},
		{"POST", ldgEntries + "/" + e2 + "/post", nil},
		{"POST", ldgEntries + "/" + e3 + "/reverse", nil},
	} {
		for _, k := range []string{read, none} {
			res := ldgDo(t, env, k, r.method, r.path, r.body)
			requireAPIError(t, res, http.StatusForbidden, "INSUFFICIENT_SCOPE")
			require.Equal(t, "write", res.Error.Extra["required_scope"], "%s %s", r.method, r.path)
		}
	}
	// Nothing changed.
	require.Equal(t, "draft", ldgGetEntry(t, env, tn.Key, e2).Status)
	require.Equal(t, "posted", ldgGetEntry(t, env, tn.Key, e3).Status)
	var l ldgEntryList
	ldgDo(t, env, tn.Key, "GET", ldgEntries, nil).Decode(t, &l)
	require.Equal(t, 4, l.Total)
	var a ldgAccount
	ldgDo(t, env, tn.Key, "GET", ldgAccounts+"/"+acct, nil).Decode(t, &a)
	require.Equal(t, "Account asset", a.Name)
}

// TestAccountingEntriesTenantIsolation: tenant B can neither see nor touch
// tenant A's accounts and entries, nor post to A's accounts.
func TestAccountingEntriesTenantIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := &caseFixture{env: env, tn: env.NewTenant(t, "A"), vars: map[string]string{}}
	ldgListFixture(t, a)
	b := env.NewTenant(t, "B")
	bBank := ldgNewAccount(t, env, b.Key, "asset", "bank").ID
	aBefore := ldgTB(t, env, a.tn, a.tn.Key, "2026-12-31")

	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", ldgAccounts + "/" + a.vars["bank"], nil},
		{"PATCH", ldgAccounts + "/" + a.vars["bank"], map[string]any{"name": "Mine now"}},
		{"DELETE", ldgAccounts + "/" + a.vars["rent"], nil},
		{"GET", ldgEntries + "/" + a.vars["e3"], nil},
		{"GET", ldgEntries + "/" + a.vars["e2"], nil},
		{"PATCH", ldgEntries + "/" + a.vars["e2"], map[string]any{"description": "Mine now"}},
		{"DELETE", ldgEntries + "/" + a.vars["e2"], nil},
		{"POST", ldgEntries + "/" + a.vars["e2"] + "/post", nil},
		{"POST", ldgEntries + "/" + a.vars["e3"] + "/reverse", nil},
	} {
		res := ldgDo(t, env, b.Key, r.method, r.path, r.body)
		requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
	}
	// B cannot post lines to A's accounts, alone or beside its own.
	res := ldgDo(t, env, b.Key, "POST", ldgEntries, ldgTwoLines("2026-01-01", a.vars["bank"], a.vars["sales"], 5, true))
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "lines[0].account_id", "lines[1].account_id")
	res = ldgDo(t, env, b.Key, "POST", ldgEntries, ldgTwoLines("2026-01-01", bBank, a.vars["sales"], 5, true))
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "lines[1].account_id")
	require.NotContains(t, res.Error.Fields, "lines[0].account_id")
	// Nor move A's draft onto them, nor re-parent onto A's account.
	bDraft := ldgNewEntry(t, env, b.Key, ldgTwoLines("2026-01-01", bBank, ldgNewAccount(t, env, b.Key, "income", "").ID, 5, false))
	res = ldgDo(t, env, b.Key, "PATCH", ldgEntries+"/"+bDraft.ID, ldgTwoLines("2026-01-01", bBank, a.vars["sales"], 5, false))
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "lines[1].account_id")
	res = ldgDo(t, env, b.Key, "PATCH", ldgAccounts+"/"+bBank, map[string]any{"parent_id": a.vars["bank"]})
	requireAPIError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "parent_id")

	// B's lists show only B's books; A's are untouched.
	var l ldgEntryList
	ldgDo(t, env, b.Key, "GET", ldgEntries, nil).Decode(t, &l)
	require.Equal(t, 1, l.Total)
	var accounts []ldgAccount
	ldgDo(t, env, b.Key, "GET", ldgAccounts, nil).Decode(t, &accounts)
	require.Len(t, accounts, 2)
	require.Empty(t, ldgTB(t, env, b, b.Key, "2026-12-31").Rows)
	require.Equal(t, aBefore, ldgTB(t, env, a.tn, a.tn.Key, "2026-12-31"))
	require.Equal(t, "draft", ldgGetEntry(t, env, a.tn.Key, a.vars["e2"]).Status)
	var acct ldgAccount
	ldgDo(t, env, a.tn.Key, "GET", ldgAccounts+"/"+a.vars["bank"], nil).Decode(t, &acct)
	require.Equal(t, "Account asset", acct.Name)
}

func TestAccountingEntriesBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)

	// Malformed references on every entry route: 404, never 5xx.
	for _, id := range ldgBadIDs {
		esc := url.PathEscape(id)
		for _, r := range []struct{ method, suffix string }{
			{"GET", ""}, {"PATCH", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/post"}, {"POST", "/reverse"},
		} {
			t.Run(fmt.Sprintf("%s%s %q", r.method, r.suffix, truncateName(id)), func(t *testing.T) {
				t.Parallel()
				tn := env.NewTenant(t)
				res := env.Do(t, apptest.Request{Method: r.method, Path: ldgEntries + "/" + esc + r.suffix, Key: tn.Key,
					Body: map[string]any{"description": "x"}})
				require.Less(t, res.Status, 500, "body: %s", res.Body)
				requireAPIError(t, res, http.StatusNotFound, "NOT_FOUND")
			})
		}
	}
	// Hostile list filters: never 5xx.
	for _, q := range []string{"account_id=acc_%00", "account_id=%FF%FE", "account_id=" + strings.Repeat("a", 5000),
		"status=%00", "from=0000-01-01", "to=99999-01-01", "from=2026-01-01%00", "limit=99999999999999999999",
		"offset=99999999999999999999", "offset=9223372036854775807", "limit=-5"} {
		t.Run("GET ?"+truncateName(q), func(t *testing.T) {
			t.Parallel()
			tn := env.NewTenant(t)
			res := env.Do(t, apptest.Request{Path: ldgEntries + "?" + q, Key: tn.Key})
			require.Less(t, res.Status, 500, "body: %s", res.Body)
			requireEnvelope(t, res)
			if res.Status != http.StatusOK {
				require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
			}
		})
	}

	// Bad bodies: 400, never 5xx, nothing recorded. {A} and {B} are the
	// tenant's accounts.
	const ok2 = `[{"account_id":"{A}","debit":10},{"account_id":"{B}","credit":10}]`
	amounts := func(debit, credit string) string {
		return `{"date":"2026-01-15","post":true,"lines":[{"account_id":"{A}","debit":` + debit + `},{"account_id":"{B}","credit":` + credit + `}]}`
	}
	var many strings.Builder
	many.WriteString(`{"date":"2026-01-15","post":true,"lines":[`)
	for i := 0; i < 501; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		if i < 250 {
			many.WriteString(`{"account_id":"{A}","debit":1}`)
		} else {
			many.WriteString(`{"account_id":"{B}","credit":1}`)
		}
	}
	many.WriteString(`]}`)
	bodies := []struct {
		name     string
		body     string
		code     string   // "" when either 400 code is fine
		fields   []string // fields error.fields must name
		postOnly bool     // members PATCH does not read
	}{
		{"malformed", `{"date":`, "BAD_REQUEST", nil, false},
		{"trailing garbage", `{"date":"2026-01-15"} x`, "BAD_REQUEST", nil, false},
		{"array", `[]`, "BAD_REQUEST", nil, false},
		{"string", `"entry"`, "BAD_REQUEST", nil, false},
		{"boolean debit", amounts(`true`, `true`), "VALIDATION_FAILED", nil, false},
		{"text debit", amounts(`"abc"`, `"abc"`), "VALIDATION_FAILED", nil, false},
		// 1e400 is no amount: answered back as a 401-digit JSON number it
		// overflows every float64 JSON parser (JSON.parse gives Infinity).
		{"huge number", amounts(`1e400`, `1e400`), "VALIDATION_FAILED", nil, false},
		{"huge number as a string", amounts(`"1e400"`, `"1e400"`), "VALIDATION_FAILED", nil, false},
		{"huge exponent", amounts(`1e999999999`, `1e999999999`), "VALIDATION_FAILED", nil, false},
		{"tiny number", amounts(`1e-400`, `1e-400`), "VALIDATION_FAILED", nil, false},
		{"NaN", amounts(`"NaN"`, `"NaN"`), "VALIDATION_FAILED", nil, false},
		{"Infinity", amounts(`"Infinity"`, `"Infinity"`), "VALIDATION_FAILED", nil, false},
		{"empty string amount", amounts(`""`, `""`), "VALIDATION_FAILED", nil, false},
		{"object amount", amounts(`{}`, `{}`), "VALIDATION_FAILED", nil, false},
		{"array amount", amounts(`[1]`, `[1]`), "VALIDATION_FAILED", nil, false},
		{"hex amount", amounts(`"0x10"`, `"0x10"`), "VALIDATION_FAILED", nil, false},
		{"amount with a thousands separator", amounts(`"1,000.00"`, `"1,000.00"`), "VALIDATION_FAILED", nil, false},
		{"lines as a string", `{"date":"2026-01-15","lines":"x"}`, "VALIDATION_FAILED", []string{"lines"}, false},
		{"lines as numbers", `{"date":"2026-01-15","lines":[1,2]}`, "VALIDATION_FAILED", []string{"lines"}, false},
		{"lines as an object", `{"date":"2026-01-15","lines":{}}`, "VALIDATION_FAILED", []string{"lines"}, false},
		{"lines null", `{"date":"2026-01-15","lines":null}`, "VALIDATION_FAILED", []string{"lines"}, true},
		{"501 lines", many.String(), "VALIDATION_FAILED", []string{"lines"}, false},
		{"numeric date", `{"date":20260115,"lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"date"}, false},
		{"month 13", `{"date":"2026-13-01","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"date"}, false},
		{"year 99999", `{"date":"99999-01-01","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"date"}, false},
		{"year zero", `{"date":"0000-01-01","post":true,"lines":` + ok2 + `}`, "", nil, false},
		{"nul in date", `{"date":"2026-01-15\u0000","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"date"}, false},
		{"nul in description", `{"date":"2026-01-15","description":"a\u0000b","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"description"}, false},
		{"nul in reference", `{"date":"2026-01-15","reference":"\u0000","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"reference"}, false},
		{"nul in a line description", `{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10,"description":"\u0000"},{"account_id":"{B}","credit":10}]}`,
			"VALIDATION_FAILED", []string{"lines[0].description"}, false},
		{"nul in an account id", `{"date":"2026-01-15","lines":[{"account_id":"{A}\u0000","debit":10},{"account_id":"{B}","credit":10}]}`, "", nil, false},
		{"an account code instead of an id", `{"date":"2026-01-15","lines":[{"account_id":"1000","debit":10},{"account_id":"{B}","credit":10}]}`,
			"VALIDATION_FAILED", []string{"lines[0].account_id"}, false},
		{"numeric account id", `{"date":"2026-01-15","lines":[{"account_id":5,"debit":10},{"account_id":"{B}","credit":10}]}`, "VALIDATION_FAILED", nil, false},
		{"nul in a tax code id", `{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10,"tax_code_id":"tc_\u0000"},{"account_id":"{B}","credit":10}]}`, "", nil, false},
		{"unknown tax code", `{"date":"2026-01-15","lines":[{"account_id":"{A}","debit":10,"tax_code_id":"tc_01ARZ3NDEKTSV4RRFFQ69G5FAV"},{"account_id":"{B}","credit":10}]}`,
			"VALIDATION_FAILED", []string{"lines[0].tax_code_id"}, false},
		{"nul in currency", `{"date":"2026-01-15","currency":"US\u0000","lines":` + ok2 + `}`, "", nil, false},
		{"numeric currency", `{"date":"2026-01-15","currency":840,"lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"currency"}, false},
		{"sql in currency", `{"date":"2026-01-15","currency":"USD' OR '1'='1","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"currency"}, false},
		{"text exchange_rate", `{"date":"2026-01-15","exchange_rate":"abc","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"exchange_rate"}, false},
		{"negative exchange_rate", `{"date":"2026-01-15","exchange_rate":-1,"lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"exchange_rate"}, false},
		{"zero exchange_rate", `{"date":"2026-01-15","exchange_rate":0,"lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"exchange_rate"}, false},
		{"post as a string", `{"date":"2026-01-15","post":"yes","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"post"}, true},
		{"long description", `{"date":"2026-01-15","description":"` + strings.Repeat("x", 100_000) + `","lines":` + ok2 + `}`,
			"VALIDATION_FAILED", []string{"description"}, false},
		{"deep nesting", `{"description":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "", nil, false},
		{"sql in strings", `{"date":"2026-01-15'; DROP TABLE acct_journal_entries;--","lines":` + ok2 + `}`, "VALIDATION_FAILED", []string{"date"}, false},
	}
	for _, b := range bodies {
		for _, m := range []string{"POST", "PATCH"} {
			if m == "PATCH" && b.postOnly {
				continue
			}
			t.Run(m+" "+b.name, func(t *testing.T) {
				t.Parallel()
				tn := env.NewTenant(t)
				f := &caseFixture{env: env, tn: tn, vars: map[string]string{}}
				ldgBooks(t, f)
				draft := ldgNewEntry(t, env, tn.Key, ldgTwoLines("2026-01-10", f.vars["bank"], f.vars["sales"], "1.00", false))
				path := ldgEntries
				if m == "PATCH" {
					path += "/" + draft.ID
				}
				res := env.Do(t, apptest.Request{Method: m, Path: path, Key: tn.Key, Body: ldgRaw(b.body)(f)})
				require.Less(t, res.Status, 500, "body: %s", res.Body)
				if b.code != "" {
					requireAPIError(t, res, http.StatusBadRequest, b.code, b.fields...)
				} else {
					require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
					requireEnvelope(t, res)
				}
				require.Equal(t, draft, ldgGetEntry(t, env, tn.Key, draft.ID), "the draft is unchanged")
				var l ldgEntryList
				ldgDo(t, env, tn.Key, "GET", ldgEntries, nil).Decode(t, &l)
				require.Equal(t, 1, l.Total, "nothing recorded")
				require.Empty(t, ldgTB(t, env, tn, tn.Key, "2100-01-01").Rows)
			})
		}
	}

	// Bad reverse bodies: 400, the entry stays posted.
	for _, b := range []struct{ name, body, field string }{
		{"malformed", `{"date":`, ""},
		{"numeric date", `{"date":20260115}`, "date"},
		{"bad date", `{"date":"2026-02-30"}`, "date"},
		{"year zero", `{"date":"0000-01-01"}`, ""},
		{"nul in date", `{"date":"\u0000"}`, "date"},
		{"nul in description", `{"description":"a\u0000b"}`, "description"},
		{"long description", `{"description":"` + strings.Repeat("x", 100_000) + `"}`, "description"},
		{"array", `[]`, ""},
	} {
		t.Run("reverse "+b.name, func(t *testing.T) {
			t.Parallel()
			tn := env.NewTenant(t)
			f := &caseFixture{env: env, tn: tn, vars: map[string]string{}}
			ldgBooks(t, f)
			e := ldgNewEntry(t, env, tn.Key, ldgTwoLines("2026-01-10", f.vars["bank"], f.vars["sales"], "1.00", true))
			res := env.Do(t, apptest.Request{Method: "POST", Path: ldgEntries + "/" + e.ID + "/reverse", Key: tn.Key, Body: b.body})
			require.Less(t, res.Status, 500, "body: %s", res.Body)
			require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
			requireEnvelope(t, res)
			if b.field != "" {
				require.Contains(t, res.Error.Fields, b.field, "body: %s", res.Body)
			}
			require.Equal(t, "posted", ldgGetEntry(t, env, tn.Key, e.ID).Status)
		})
	}
}

// TestAccountingEntriesConcurrentPostings posts from many goroutines at
// once on the same accounts: every posting counts exactly once.
func TestAccountingEntriesConcurrentPostings(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := ldgKey(t, env, tn)
	bank := ldgNewAccount(t, env, key, "asset", "bank").ID
	sales := ldgNewAccount(t, env, key, "income", "sales").ID
	fees := ldgNewAccount(t, env, key, "expense", "operating_expense").ID
	const n = 20
	amount := decimal.RequireFromString("12.34")

	run := func(body func(i int) map[string]any) []*apptest.Response {
		results := make([]*apptest.Response, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = env.Do(t, apptest.Request{Method: "POST", Path: ldgEntries, Key: key, Body: body(i)})
			}()
		}
		close(start)
		wg.Wait()
		return results
	}

	// Phase 1: 20 two-line entries on the same two accounts.
	for i, res := range run(func(int) map[string]any { return ldgTwoLines("2026-05-05", bank, sales, "12.34", true) }) {
		require.Equal(t, http.StatusCreated, res.Status, "posting %d: %s", i, res.Body)
		require.Equal(t, "posted", ldgEntryOf(t, res).Status)
	}
	want := amount.Mul(decimal.NewFromInt(n))
	tb := ldgTB(t, env, tn, key, "2026-12-31")
	d, c := tb.balance(t, bank)
	require.Equal(t, want.StringFixed(2), d.StringFixed(2), "bank: 20 × 12.34, nothing lost or doubled")
	require.True(t, c.IsZero())
	_, c = tb.balance(t, sales)
	require.Equal(t, want.StringFixed(2), c.StringFixed(2), "sales: 20 × 12.34")
	requireDec(t, tb.Totals.Debit.String(), tb.Totals.Credit)

	// The entries agree with the trial balance.
	var l ldgEntryList
	ldgDo(t, env, key, "GET", ldgEntries+"?status=posted&limit=100", nil).Decode(t, &l)
	require.Equal(t, n, l.Total)
	var sum decimal.Decimal
	for _, e := range l.Entries {
		for _, line := range e.Lines {
			if line.AccountID == bank {
				sum = sum.Add(ldgDec(t, line.BaseDebit)).Sub(ldgDec(t, line.BaseCredit))
			}
		}
	}
	require.Equal(t, want.StringFixed(2), sum.StringFixed(2))

	// Phase 2: three-line entries over three accounts in rotating order and
	// both directions, on several dates: no deadlock, nothing lost.
	accts := []string{bank, sales, fees}
	for i, res := range run(func(i int) map[string]any {
		a, b, c := accts[i%3], accts[(i+1)%3], accts[(i+2)%3]
		return map[string]any{"date": fmt.Sprintf("2026-06-%02d", 1+i%3), "post": true, "lines": []any{
			map[string]any{"account_id": a, "debit": "3.00"},
			map[string]any{"account_id": b, "credit": "1.00"},
			map[string]any{"account_id": c, "credit": "2.00"},
		}}
	}) {
		require.Equal(t, http.StatusCreated, res.Status, "posting %d: %s", i, res.Body)
	}
	// Per account: debited 3.00 in 7 (or 6) postings, credited 1.00 and 2.00 in others.
	net := map[string]decimal.Decimal{}
	for i := range n {
		a, b, c := accts[i%3], accts[(i+1)%3], accts[(i+2)%3]
		net[a] = net[a].Add(decimal.NewFromInt(3))
		net[b] = net[b].Sub(decimal.NewFromInt(1))
		net[c] = net[c].Sub(decimal.NewFromInt(2))
	}
	net[bank] = net[bank].Add(want)
	net[sales] = net[sales].Sub(want)
	tb = ldgTB(t, env, tn, key, "2026-12-31")
	for _, a := range accts {
		d, c := tb.balance(t, a)
		require.Equal(t, net[a].StringFixed(2), d.Sub(c).StringFixed(2), "account %s", a)
	}
	requireDec(t, tb.Totals.Debit.String(), tb.Totals.Credit)
}

// TestAccountingEntriesCloseWhilePosting closes a period while postings
// into it are in flight: each posting either lands before the close or is
// refused with PERIOD_CLOSED, and none lands after it.
func TestAccountingEntriesCloseWhilePosting(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := ldgKey(t, env, tn)
	bank := ldgNewAccount(t, env, key, "asset", "bank").ID
	sales := ldgNewAccount(t, env, key, "income", "sales").ID
	period := ldgPeriod(t, env, key, "2026-03-01", "2026-03-31", false)
	const n = 20
	drafts := make([]string, n)
	for i := range drafts {
		drafts[i] = ldgNewEntry(t, env, key, ldgTwoLines("2026-03-16", bank, sales, "1.00", false)).ID
	}

	creates := make([]*apptest.Response, n)
	posts := make([]*apptest.Response, n)
	var closeRes *apptest.Response
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			time.Sleep(time.Duration(i) * time.Millisecond)
			creates[i] = env.Do(t, apptest.Request{Method: "POST", Path: ldgEntries, Key: key,
				Body: ldgTwoLines("2026-03-15", bank, sales, "1.00", true)})
		}()
		go func() {
			defer wg.Done()
			<-start
			time.Sleep(time.Duration(i) * time.Millisecond)
			posts[i] = env.Do(t, apptest.Request{Method: "POST", Path: ldgEntries + "/" + drafts[i] + "/post", Key: key})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		time.Sleep(8 * time.Millisecond)
		closeRes = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/periods/" + period + "/close", Key: key})
	}()
	close(start)
	wg.Wait()
	require.Equal(t, http.StatusOK, closeRes.Status, "close: %s", closeRes.Body)

	posted := 0
	for _, res := range append(append([]*apptest.Response{}, creates...), posts...) {
		switch res.Status {
		case http.StatusCreated, http.StatusOK:
			require.Equal(t, "posted", ldgEntryOf(t, res).Status)
			posted++
		default:
			requireAPIError(t, res, http.StatusConflict, "PERIOD_CLOSED")
		}
	}
	t.Logf("%d of %d postings landed before the close", posted, 2*n)

	var p struct {
		Status   string    `json:"status"`
		ClosedAt time.Time `json:"closed_at"`
	}
	ldgDo(t, env, key, "GET", "/v1/accounting/periods/"+period, nil).Decode(t, &p)
	require.Equal(t, "closed", p.Status)

	// Every posted entry in the period was posted before the close.
	var l ldgEntryList
	ldgDo(t, env, key, "GET", ldgEntries+"?status=posted&from=2026-03-01&to=2026-03-31&limit=100", nil).Decode(t, &l)
	require.Equal(t, posted, l.Total, "every posting answered 2xx is there, and only those")
	for _, e := range l.Entries {
		require.NotNil(t, e.PostedAt)
		at, err := time.Parse(time.RFC3339Nano, *e.PostedAt)
		require.NoError(t, err)
		require.False(t, at.After(p.ClosedAt), "entry %s posted at %s, after the close at %s", e.ID, at, p.ClosedAt)
	}
	// Refused drafts are still drafts; the trial balance holds exactly the postings.
	var dl ldgEntryList
	ldgDo(t, env, key, "GET", ldgEntries+"?status=draft&limit=100", nil).Decode(t, &dl)
	postedDrafts := 0
	for _, res := range posts {
		if res.Status == http.StatusOK {
			postedDrafts++
		}
	}
	require.Equal(t, n-postedDrafts, dl.Total)
	d, _ := ldgTB(t, env, tn, key, "2026-03-31").balance(t, bank)
	require.Equal(t, decimal.NewFromInt(int64(posted)).StringFixed(2), d.StringFixed(2))
	// And the closed period refuses what comes next.
	requireAPIError(t, ldgDo(t, env, key, "POST", ldgEntries, ldgTwoLines("2026-03-15", bank, sales, 1, true)), http.StatusConflict, "PERIOD_CLOSED")
	if len(dl.Entries) > 0 {
		requireAPIError(t, ldgDo(t, env, key, "POST", ldgEntries+"/"+dl.Entries[0].ID+"/post", nil), http.StatusConflict, "PERIOD_CLOSED")
	}
}
