package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
)

// Tests of the books' reference data over HTTP: currencies, exchange rates,
// tax codes and periods.

// rdObj is an answer's data with every member kept raw, so numbers can be
// compared digit for digit.
type rdObj map[string]json.RawMessage

func (o rdObj) str(t *testing.T, key string) string {
	t.Helper()
	raw, ok := o[key]
	require.True(t, ok, "member %q missing in %v", key, o)
	if string(raw) == "null" {
		return ""
	}
	var s string
	require.NoError(t, json.Unmarshal(raw, &s), "member %q: %s", key, raw)
	return s
}

// num is a member's JSON text (a number as written by the server).
func (o rdObj) num(t *testing.T, key string) string {
	t.Helper()
	raw, ok := o[key]
	require.True(t, ok, "member %q missing in %v", key, o)
	return string(raw)
}

func (o rdObj) boolean(t *testing.T, key string) bool {
	t.Helper()
	var b bool
	require.NoError(t, json.Unmarshal(o[key], &b), "member %q: %s", key, o[key])
	return b
}

func rdDo(t *testing.T, env *apptest.Env, key, method, path string, body any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: method, Path: path, Key: key, Body: body})
}

// rdOK sends a request, requires status and returns the data object.
func rdOK(t *testing.T, env *apptest.Env, key, method, path string, body any, status int) rdObj {
	t.Helper()
	res := rdDo(t, env, key, method, path, body)
	require.Equal(t, status, res.Status, "%s %s: %s", method, path, res.Body)
	var o rdObj
	res.Decode(t, &o)
	return o
}

// rdList GETs a bare-array list.
func rdList(t *testing.T, env *apptest.Env, key, path string) []rdObj {
	t.Helper()
	res := rdDo(t, env, key, "GET", path, nil)
	require.Equal(t, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
	var out []rdObj
	res.Decode(t, &out)
	return out
}

// rdErr sends a request and requires an error with status and code.
func rdErr(t *testing.T, env *apptest.Env, key, method, path string, body any, status int, code string) *apptest.Response {
	t.Helper()
	res := rdDo(t, env, key, method, path, body)
	require.Equal(t, status, res.Status, "%s %s: %s", method, path, res.Body)
	require.Equal(t, code, res.Error.Code, "%s %s: %s", method, path, res.Body)
	return res
}

// rdInvalid requires 400 VALIDATION_FAILED naming every field in fields.
func rdInvalid(t *testing.T, env *apptest.Env, key, method, path string, body any, fields ...string) {
	t.Helper()
	res := rdErr(t, env, key, method, path, body, http.StatusBadRequest, "VALIDATION_FAILED")
	for _, f := range fields {
		require.Contains(t, res.Error.Fields, f, "%s %s: %s", method, path, res.Body)
	}
}

// rdDeps returns the dependencies and confirm token of a DEPENDENCY_EXISTS error.
func rdDeps(t *testing.T, res *apptest.Response) (map[string]int, string) {
	t.Helper()
	require.Equal(t, "DEPENDENCY_EXISTS", res.Error.Code, "%s", res.Body)
	deps := map[string]int{}
	list, ok := res.Error.Extra["dependencies"].([]any)
	require.True(t, ok, "dependencies missing: %s", res.Body)
	for _, d := range list {
		m := d.(map[string]any)
		require.NotEmpty(t, m["label"], "%s", res.Body)
		deps[m["type"].(string)] = int(m["count"].(float64))
	}
	token, _ := res.Error.Extra["confirm_token"].(string)
	return deps, token
}

var rdSeq atomic.Int64

// rdKey issues a "*" key of tn whose rate limit these long tests never reach.
func rdKey(t *testing.T, env *apptest.Env, tn apptest.Tenant) string {
	t.Helper()
	return issueKey(t, env, tn.Key, map[string]any{"label": "books", "scopes": []string{"*"},
		"rate_limit": map[string]any{"per_minute": 100000, "per_hour": 1000000}}).Token
}

// rdAccount creates an account and returns its id.
func rdAccount(t *testing.T, env *apptest.Env, key, typ string, extra map[string]any) string {
	t.Helper()
	n := rdSeq.Add(1)
	body := map[string]any{"code": fmt.Sprintf("RD%d", n), "name": fmt.Sprintf("Refdata %d", n), "type": typ}
	for k, v := range extra {
		body[k] = v
	}
	return rdOK(t, env, key, "POST", "/v1/accounting/accounts", body, http.StatusCreated).str(t, "id")
}

// rdPost posts a balanced two-line entry of 100 on date in currency (the
// base currency when empty) and returns its id; taxCodeID, when set, goes
// on the debit line.
func rdPost(t *testing.T, env *apptest.Env, key, date, currency, taxCodeID string) string {
	t.Helper()
	debit := rdAccount(t, env, key, "asset", nil)
	credit := rdAccount(t, env, key, "income", nil)
	line := map[string]any{"account_id": debit, "debit": "100.00"}
	if taxCodeID != "" {
		line["tax_code_id"] = taxCodeID
	}
	body := map[string]any{"date": date, "description": "refdata", "post": true,
		"lines": []any{line, map[string]any{"account_id": credit, "credit": "100.00"}}}
	if currency != "" {
		body["currency"] = currency
		body["exchange_rate"] = "1.1"
	}
	e := rdOK(t, env, key, "POST", "/v1/accounting/journal-entries", body, http.StatusCreated)
	require.Equal(t, "posted", e.str(t, "status"))
	return e.str(t, "id")
}

func TestRefdataCurrencies(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := rdKey(t, env, tn)
	const base = "/v1/accounting/currencies"

	// The base currency is there from the start.
	list := rdList(t, env, key, base)
	require.Len(t, list, 1)
	require.Equal(t, "USD", list[0].str(t, "code"))
	require.True(t, list[0].boolean(t, "is_base"))
	require.Equal(t, "2", list[0].num(t, "decimal_places"))
	usdID := list[0].str(t, "id")
	require.True(t, strings.HasPrefix(usdID, "cur_"))

	// ISO defaults; the code is stored upper-case.
	eur := rdOK(t, env, key, "POST", base, map[string]any{"code": "eur"}, http.StatusCreated)
	require.True(t, strings.HasPrefix(eur.str(t, "id"), "cur_"))
	require.Equal(t, "EUR", eur.str(t, "code"))
	require.Equal(t, "EUR", eur.str(t, "name"))
	require.Equal(t, "€", eur.str(t, "symbol"))
	require.Equal(t, "2", eur.num(t, "decimal_places"))
	require.False(t, eur.boolean(t, "is_base"))
	for _, k := range []string{"created_at", "updated_at"} {
		require.NotEmpty(t, eur.str(t, k))
	}
	jpy := rdOK(t, env, key, "POST", base, map[string]any{"code": "JPY", "name": "Japanese yen"}, http.StatusCreated)
	require.Equal(t, "0", jpy.num(t, "decimal_places"))
	require.Equal(t, "¥", jpy.str(t, "symbol"))
	require.Equal(t, "Japanese yen", jpy.str(t, "name"))
	kwd := rdOK(t, env, key, "POST", base, map[string]any{"code": "KWD", "symbol": "KD", "decimal_places": 3}, http.StatusCreated)
	require.Equal(t, "3", kwd.num(t, "decimal_places"))
	require.Equal(t, "KD", kwd.str(t, "symbol"))

	t.Run("create refusals", func(t *testing.T) {
		rdErr(t, env, key, "POST", base, map[string]any{"code": "EUR"}, http.StatusConflict, "CONFLICT")
		rdErr(t, env, key, "POST", base, map[string]any{"code": "usd"}, http.StatusConflict, "CONFLICT")
		rdInvalid(t, env, key, "POST", base, map[string]any{}, "code")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "XYZ"}, "code")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "ZZZ", "decimal_places": 7}, "code", "decimal_places")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "GBP", "decimal_places": -1}, "decimal_places")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "GBP", "decimal_places": "two"}, "decimal_places")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "GBP", "name": strings.Repeat("n", 101)}, "name")
	})

	t.Run("list by code", func(t *testing.T) {
		var codes []string
		for _, c := range rdList(t, env, key, base) {
			codes = append(codes, c.str(t, "code"))
		}
		require.Equal(t, []string{"EUR", "JPY", "KWD", "USD"}, codes)
	})

	t.Run("get by id or code", func(t *testing.T) {
		for _, ref := range []string{eur.str(t, "id"), "EUR", "eur"} {
			got := rdOK(t, env, key, "GET", base+"/"+ref, nil, http.StatusOK)
			require.Equal(t, eur.str(t, "id"), got.str(t, "id"))
		}
		require.True(t, rdOK(t, env, key, "GET", base+"/USD", nil, http.StatusOK).boolean(t, "is_base"))
		rdErr(t, env, key, "GET", base+"/GBP", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "GET", base+"/cur_nope", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "GET", base+"/cur_01hzzzzzzzzzzzzzzzzzzzzzzz", nil, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("update", func(t *testing.T) {
		got := rdOK(t, env, key, "PATCH", base+"/EUR", map[string]any{"name": "Euro"}, http.StatusOK)
		require.Equal(t, "Euro", got.str(t, "name"))
		require.Equal(t, "€", got.str(t, "symbol"), "absent members keep their value")
		got = rdOK(t, env, key, "PATCH", base+"/"+eur.str(t, "id"), map[string]any{"symbol": "EUR", "decimal_places": 3}, http.StatusOK)
		require.Equal(t, "EUR", got.str(t, "symbol"))
		require.Equal(t, "3", got.num(t, "decimal_places"))
		require.Equal(t, "Euro", got.str(t, "name"))
		got = rdOK(t, env, key, "PUT", base+"/EUR", map[string]any{"decimal_places": 2, "symbol": "€"}, http.StatusOK)
		require.Equal(t, "2", got.num(t, "decimal_places"))
		rdInvalid(t, env, key, "PATCH", base+"/EUR", map[string]any{"name": "", "decimal_places": 9}, "name", "decimal_places")
		rdErr(t, env, key, "PATCH", base+"/GBP", map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
		require.Equal(t, "Euro", rdOK(t, env, key, "GET", base+"/EUR", nil, http.StatusOK).str(t, "name"))
	})

	t.Run("delete an unused currency", func(t *testing.T) {
		got := rdOK(t, env, key, "DELETE", base+"/"+jpy.str(t, "id"), nil, http.StatusOK)
		require.Equal(t, jpy.str(t, "id"), got.str(t, "id"))
		require.True(t, got.boolean(t, "deleted"))
		rdErr(t, env, key, "GET", base+"/JPY", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "DELETE", base+"/JPY", nil, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("the base currency is never deleted", func(t *testing.T) {
		rdErr(t, env, key, "DELETE", base+"/USD", nil, http.StatusConflict, "INVALID_STATE")
		rdErr(t, env, key, "DELETE", base+"/"+usdID+"?force=true", nil, http.StatusConflict, "INVALID_STATE")
	})

	t.Run("a currency with only exchange rates: confirm flow", func(t *testing.T) {
		rdOK(t, env, key, "POST", base, map[string]any{"code": "GBP"}, http.StatusCreated)
		rate := rdOK(t, env, key, "POST", "/v1/accounting/exchange-rates",
			map[string]any{"from_currency": "GBP", "to_currency": "USD", "rate": "1.27", "effective_date": "2024-01-02"}, http.StatusCreated)
		rdOK(t, env, key, "POST", "/v1/accounting/exchange-rates",
			map[string]any{"from_currency": "USD", "to_currency": "GBP", "rate": "0.79", "effective_date": "2024-01-02"}, http.StatusCreated)

		res := rdErr(t, env, key, "DELETE", base+"/GBP", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token := rdDeps(t, res)
		require.Equal(t, map[string]int{"exchange_rates": 2}, deps)
		require.NotEmpty(t, token)

		// force without a token asks again; a wrong or foreign token is 400.
		_, again := rdDeps(t, rdErr(t, env, key, "DELETE", base+"/GBP?force=true", nil, http.StatusConflict, "DEPENDENCY_EXISTS"))
		require.NotEmpty(t, again)
		rdErr(t, env, key, "DELETE", base+"/GBP?force=true&confirm_token=bogus", nil, http.StatusBadRequest, "INVALID_CONFIRM_TOKEN")
		rdOK(t, env, key, "POST", base, map[string]any{"code": "CHF"}, http.StatusCreated)
		rdOK(t, env, key, "POST", "/v1/accounting/exchange-rates",
			map[string]any{"from_currency": "CHF", "to_currency": "USD", "rate": 1.13, "effective_date": "2024-01-02"}, http.StatusCreated)
		_, chfToken := rdDeps(t, rdErr(t, env, key, "DELETE", base+"/CHF", nil, http.StatusConflict, "DEPENDENCY_EXISTS"))
		rdErr(t, env, key, "DELETE", base+"/GBP?force=true&confirm_token="+chfToken, nil, http.StatusBadRequest, "INVALID_CONFIRM_TOKEN")

		got := rdOK(t, env, key, "DELETE", base+"/GBP?force=true&confirm_token="+token, nil, http.StatusOK)
		require.True(t, got.boolean(t, "deleted"))
		rdErr(t, env, key, "GET", base+"/GBP", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "GET", "/v1/accounting/exchange-rates/"+rate.str(t, "id"), nil, http.StatusNotFound, "NOT_FOUND")
		require.Empty(t, rdList(t, env, key, "/v1/accounting/exchange-rates?from_currency=GBP"))
		require.Empty(t, rdList(t, env, key, "/v1/accounting/exchange-rates?to_currency=GBP"))

		// A token is single use.
		rdOK(t, env, key, "POST", base, map[string]any{"code": "GBP"}, http.StatusCreated)
		rdOK(t, env, key, "POST", "/v1/accounting/exchange-rates",
			map[string]any{"from_currency": "GBP", "to_currency": "USD", "rate": "1.27", "effective_date": "2024-01-02"}, http.StatusCreated)
		rdErr(t, env, key, "DELETE", base+"/GBP?force=true&confirm_token="+token, nil, http.StatusBadRequest, "INVALID_CONFIRM_TOKEN")
	})

	t.Run("a currency the books use is never deleted", func(t *testing.T) {
		rdPost(t, env, key, "2024-03-05", "EUR", "")
		res := rdErr(t, env, key, "DELETE", base+"/EUR", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token := rdDeps(t, res)
		require.Equal(t, 1, deps["journal_entries"])
		require.Empty(t, token, "no confirm token for records the books depend on")
		rdErr(t, env, key, "DELETE", base+"/EUR?force=true&confirm_token=whatever", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		require.Equal(t, "EUR", rdOK(t, env, key, "GET", base+"/EUR", nil, http.StatusOK).str(t, "code"))

		// An account restricted to a currency holds it too.
		rdAccount(t, env, key, "asset", map[string]any{"currency": "KWD"})
		deps, token = rdDeps(t, rdErr(t, env, key, "DELETE", base+"/KWD?force=true", nil, http.StatusConflict, "DEPENDENCY_EXISTS"))
		require.Equal(t, map[string]int{"accounts": 1}, deps)
		require.Empty(t, token)
	})

	t.Run("decimal places freeze once lines exist", func(t *testing.T) {
		rdErr(t, env, key, "PATCH", base+"/EUR", map[string]any{"decimal_places": 3}, http.StatusConflict, "INVALID_STATE")
		// Every line carries base amounts: the base currency is frozen too.
		rdErr(t, env, key, "PATCH", base+"/USD", map[string]any{"decimal_places": 3}, http.StatusConflict, "INVALID_STATE")
		// The same value, a name or a symbol still change.
		got := rdOK(t, env, key, "PATCH", base+"/EUR", map[string]any{"decimal_places": 2, "name": "Euro (EU)"}, http.StatusOK)
		require.Equal(t, "Euro (EU)", got.str(t, "name"))
		require.Equal(t, "2", rdOK(t, env, key, "GET", base+"/EUR", nil, http.StatusOK).num(t, "decimal_places"))
	})
}

func TestRefdataExchangeRates(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := rdKey(t, env, tn)
	const base = "/v1/accounting/exchange-rates"
	rdOK(t, env, key, "POST", "/v1/accounting/currencies", map[string]any{"code": "EUR"}, http.StatusCreated)
	rdOK(t, env, key, "POST", "/v1/accounting/currencies", map[string]any{"code": "JPY"}, http.StatusCreated)

	// A JSON number keeps its exact digits, as does a decimal string.
	jan := rdOK(t, env, key, "POST", base,
		`{"from_currency": "eur", "to_currency": "USD", "rate": 1.0837, "effective_date": "2024-01-15"}`, http.StatusCreated)
	require.True(t, strings.HasPrefix(jan.str(t, "id"), "fx_"))
	require.Equal(t, "1.0837", jan.num(t, "rate"))
	require.Equal(t, "EUR", jan.str(t, "from_currency"))
	require.Equal(t, "USD", jan.str(t, "to_currency"))
	require.Equal(t, "2024-01-15", jan.str(t, "effective_date"))
	require.NotEmpty(t, jan.str(t, "created_at"))
	feb := rdOK(t, env, key, "POST", base,
		map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "1.09000", "effective_date": "2024-02-01"}, http.StatusCreated)
	require.Equal(t, "1.09", feb.num(t, "rate"))
	tiny := rdOK(t, env, key, "POST", base,
		`{"from_currency": "JPY", "to_currency": "USD", "rate": "0.0066812345678901", "effective_date": "2024-01-20"}`, http.StatusCreated)
	require.Equal(t, "0.0066812345678901", tiny.num(t, "rate"))

	t.Run("get", func(t *testing.T) {
		got := rdOK(t, env, key, "GET", base+"/"+jan.str(t, "id"), nil, http.StatusOK)
		require.Equal(t, "1.0837", got.num(t, "rate"))
		require.Equal(t, "2024-01-15", got.str(t, "effective_date"))
		rdErr(t, env, key, "GET", base+"/fx_nope", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "GET", base+"/fx_01hzzzzzzzzzzzzzzzzzzzzzzz", nil, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("list newest first, filtered", func(t *testing.T) {
		var ids []string
		for _, r := range rdList(t, env, key, base) {
			ids = append(ids, r.str(t, "id"))
		}
		require.Equal(t, []string{feb.str(t, "id"), tiny.str(t, "id"), jan.str(t, "id")}, ids)
		eur := rdList(t, env, key, base+"?from_currency=eur")
		require.Len(t, eur, 2)
		require.Equal(t, feb.str(t, "id"), eur[0].str(t, "id"))
		require.Len(t, rdList(t, env, key, base+"?from_currency=JPY&to_currency=USD"), 1)
		require.Empty(t, rdList(t, env, key, base+"?to_currency=EUR"))
	})

	t.Run("refusals", func(t *testing.T) {
		rdErr(t, env, key, "POST", base,
			map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "1.2", "effective_date": "2024-01-15"},
			http.StatusConflict, "CONFLICT")
		rdInvalid(t, env, key, "POST", base, map[string]any{}, "from_currency", "to_currency", "rate", "effective_date")
		rdInvalid(t, env, key, "POST", base,
			map[string]any{"from_currency": "EUR", "to_currency": "eur", "rate": 0, "effective_date": "2024-01-01"}, "to_currency", "rate")
		rdInvalid(t, env, key, "POST", base,
			map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "-1.5", "effective_date": "2024-01-01"}, "rate")
		rdInvalid(t, env, key, "POST", base,
			map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "abc", "effective_date": "2024-01-01"}, "rate")
		rdInvalid(t, env, key, "POST", base,
			map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "1.5", "effective_date": "2024-13-01"}, "effective_date")
		rdInvalid(t, env, key, "POST", base,
			map[string]any{"from_currency": "GBP", "to_currency": "XYZ", "rate": "1.5", "effective_date": "2024-01-01"}, "from_currency", "to_currency")
	})

	t.Run("delete; entries keep their rate", func(t *testing.T) {
		entryID := rdPost(t, env, key, "2024-02-10", "EUR", "")
		got := rdOK(t, env, key, "DELETE", base+"/"+feb.str(t, "id"), nil, http.StatusOK)
		require.Equal(t, feb.str(t, "id"), got.str(t, "id"))
		require.True(t, got.boolean(t, "deleted"))
		rdErr(t, env, key, "GET", base+"/"+feb.str(t, "id"), nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "DELETE", base+"/"+feb.str(t, "id"), nil, http.StatusNotFound, "NOT_FOUND")
		entry := rdOK(t, env, key, "GET", "/v1/accounting/journal-entries/"+entryID, nil, http.StatusOK)
		require.Equal(t, "posted", entry.str(t, "status"))
		require.Contains(t, []string{"1.1", "1.10"}, entry.num(t, "exchange_rate"))
	})
}

func TestRefdataTaxCodes(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := rdKey(t, env, tn)
	const base = "/v1/accounting/tax-codes"
	taxAccount := rdAccount(t, env, key, "liability", map[string]any{"sub_type": "tax"})

	vat := rdOK(t, env, key, "POST", base, `{"code": "VAT125", "name": "VAT 12.5%", "rate": 12.5, "type": "exclusive",
		"category": "sales", "account_id": "`+taxAccount+`"}`, http.StatusCreated)
	require.True(t, strings.HasPrefix(vat.str(t, "id"), "tax_"))
	require.Equal(t, "12.5", vat.num(t, "rate"))
	require.Equal(t, "exclusive", vat.str(t, "type"))
	require.Equal(t, "sales", vat.str(t, "category"))
	require.Equal(t, taxAccount, vat.str(t, "account_id"))
	require.True(t, vat.boolean(t, "is_active"))
	require.NotEmpty(t, vat.str(t, "created_at"))
	require.NotEmpty(t, vat.str(t, "updated_at"))
	nyc := rdOK(t, env, key, "POST", base,
		map[string]any{"code": "NYC", "name": "New York City", "rate": "8.875", "type": "inclusive"}, http.StatusCreated)
	require.Equal(t, "8.875", nyc.num(t, "rate"))
	require.Equal(t, "inclusive", nyc.str(t, "type"))
	require.Equal(t, "null", nyc.num(t, "account_id"))
	exempt := rdOK(t, env, key, "POST", base, map[string]any{"code": "EXEMPT", "name": "Exempt", "rate": 0}, http.StatusCreated)
	require.Equal(t, "0", exempt.num(t, "rate"))
	require.Equal(t, "exclusive", exempt.str(t, "type"), "type defaults to exclusive")

	t.Run("refusals", func(t *testing.T) {
		rdErr(t, env, key, "POST", base, map[string]any{"code": "NYC", "name": "Again", "rate": 1}, http.StatusConflict, "CONFLICT")
		rdInvalid(t, env, key, "POST", base, map[string]any{}, "code", "name", "rate")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "X", "name": "X", "rate": "100.5", "type": "other"}, "rate", "type")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "X", "name": "X", "rate": -1}, "rate")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "bad code", "name": "X", "rate": 1}, "code")
		rdInvalid(t, env, key, "POST", base, map[string]any{"code": "X", "name": "X", "rate": 1, "account_id": "acc_nope"}, "account_id")
	})

	t.Run("get by id or code, list by code", func(t *testing.T) {
		for _, ref := range []string{vat.str(t, "id"), "VAT125"} {
			got := rdOK(t, env, key, "GET", base+"/"+ref, nil, http.StatusOK)
			require.Equal(t, vat.str(t, "id"), got.str(t, "id"))
			require.Equal(t, "12.5", got.num(t, "rate"))
		}
		rdErr(t, env, key, "GET", base+"/tax_01hzzzzzzzzzzzzzzzzzzzzzzz", nil, http.StatusNotFound, "NOT_FOUND")
		var codes []string
		for _, c := range rdList(t, env, key, base) {
			codes = append(codes, c.str(t, "code"))
		}
		require.Equal(t, []string{"EXEMPT", "NYC", "VAT125"}, codes)
	})

	t.Run("update", func(t *testing.T) {
		got := rdOK(t, env, key, "PATCH", base+"/"+nyc.str(t, "id"),
			map[string]any{"rate": "4.5", "name": "NYC reduced", "is_active": false, "account_id": taxAccount, "category": "purchases"}, http.StatusOK)
		require.Equal(t, "4.5", got.num(t, "rate"))
		require.Equal(t, "NYC reduced", got.str(t, "name"))
		require.False(t, got.boolean(t, "is_active"))
		require.Equal(t, taxAccount, got.str(t, "account_id"))
		require.Equal(t, "purchases", got.str(t, "category"))
		require.Equal(t, "inclusive", got.str(t, "type"), "absent members keep their value")
		got = rdOK(t, env, key, "PATCH", base+"/NYC", `{"account_id": null, "type": "exclusive"}`, http.StatusOK)
		require.Equal(t, "null", got.num(t, "account_id"))
		require.Equal(t, "exclusive", got.str(t, "type"))
		require.Equal(t, "4.5", got.num(t, "rate"))
		rdInvalid(t, env, key, "PATCH", base+"/NYC", map[string]any{"rate": 120, "type": "both", "name": ""}, "rate", "type", "name")
		rdInvalid(t, env, key, "PATCH", base+"/NYC", map[string]any{"account_id": "acc_01hzzzzzzzzzzzzzzzzzzzzzzz"}, "account_id")
		rdErr(t, env, key, "PATCH", base+"/NOPE", map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("delete", func(t *testing.T) {
		got := rdOK(t, env, key, "DELETE", base+"/"+exempt.str(t, "id"), nil, http.StatusOK)
		require.True(t, got.boolean(t, "deleted"))
		require.Equal(t, exempt.str(t, "id"), got.str(t, "id"))
		rdErr(t, env, key, "GET", base+"/EXEMPT", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "DELETE", base+"/"+exempt.str(t, "id"), nil, http.StatusNotFound, "NOT_FOUND")

		// A tax code on journal lines is never deleted.
		rdPost(t, env, key, "2024-04-01", "", vat.str(t, "id"))
		res := rdErr(t, env, key, "DELETE", base+"/"+vat.str(t, "id"), nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token := rdDeps(t, res)
		require.Equal(t, map[string]int{"journal_lines": 1}, deps)
		require.Empty(t, token)
		rdErr(t, env, key, "DELETE", base+"/"+vat.str(t, "id")+"?force=true&confirm_token=x", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		require.Equal(t, "12.5", rdOK(t, env, key, "GET", base+"/VAT125", nil, http.StatusOK).num(t, "rate"))
	})
}

func TestRefdataPeriods(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	key := rdKey(t, env, tn)
	const base = "/v1/accounting/periods"

	mar := rdOK(t, env, key, "POST", base, map[string]any{"name": "March 2024", "start_date": "2024-03-01", "end_date": "2024-03-31"}, http.StatusCreated)
	jan := rdOK(t, env, key, "POST", base, map[string]any{"name": "January 2024", "start_date": "2024-01-01", "end_date": "2024-01-31"}, http.StatusCreated)
	require.True(t, strings.HasPrefix(jan.str(t, "id"), "per_"))
	require.Equal(t, "open", jan.str(t, "status"))
	require.Equal(t, "2024-01-01", jan.str(t, "start_date"))
	require.Equal(t, "2024-01-31", jan.str(t, "end_date"))
	require.Equal(t, "null", jan.num(t, "closed_at"))
	require.Equal(t, "null", jan.num(t, "closed_by"))
	feb := rdOK(t, env, key, "POST", base, map[string]any{"name": "February 2024", "start_date": "2024-02-01", "end_date": "2024-02-29"}, http.StatusCreated)
	janID, febID := jan.str(t, "id"), feb.str(t, "id")

	t.Run("list by start date; get", func(t *testing.T) {
		var ids []string
		for _, p := range rdList(t, env, key, base) {
			ids = append(ids, p.str(t, "id"))
		}
		require.Equal(t, []string{janID, febID, mar.str(t, "id")}, ids)
		require.Equal(t, "February 2024", rdOK(t, env, key, "GET", base+"/"+febID, nil, http.StatusOK).str(t, "name"))
		rdErr(t, env, key, "GET", base+"/per_nope", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "GET", base+"/per_01hzzzzzzzzzzzzzzzzzzzzzzz", nil, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("create refusals", func(t *testing.T) {
		res := rdErr(t, env, key, "POST", base, map[string]any{"name": "Overlap", "start_date": "2024-01-15", "end_date": "2024-02-15"},
			http.StatusConflict, "CONFLICT")
		require.Equal(t, janID, res.Error.Extra["period_id"])
		res = rdErr(t, env, key, "POST", base, map[string]any{"name": "Day", "start_date": "2024-02-29", "end_date": "2024-02-29"},
			http.StatusConflict, "CONFLICT")
		require.Equal(t, febID, res.Error.Extra["period_id"])
		rdInvalid(t, env, key, "POST", base, map[string]any{}, "name", "start_date", "end_date")
		rdInvalid(t, env, key, "POST", base, map[string]any{"name": "Back", "start_date": "2024-05-31", "end_date": "2024-05-01"}, "end_date")
		rdInvalid(t, env, key, "POST", base, map[string]any{"name": "Bad", "start_date": "2024-02-30", "end_date": "2024-03-01"}, "start_date")
	})

	t.Run("update", func(t *testing.T) {
		got := rdOK(t, env, key, "PATCH", base+"/"+febID, map[string]any{"name": "Feb"}, http.StatusOK)
		require.Equal(t, "Feb", got.str(t, "name"))
		require.Equal(t, "2024-02-29", got.str(t, "end_date"))
		got = rdOK(t, env, key, "PATCH", base+"/"+febID, map[string]any{"end_date": "2024-02-28"}, http.StatusOK)
		require.Equal(t, "2024-02-28", got.str(t, "end_date"))
		res := rdErr(t, env, key, "PATCH", base+"/"+febID, map[string]any{"start_date": "2024-01-31"}, http.StatusConflict, "CONFLICT")
		require.Equal(t, janID, res.Error.Extra["period_id"])
		rdInvalid(t, env, key, "PATCH", base+"/"+febID, map[string]any{"start_date": "2024-03-01"}, "end_date")
		rdInvalid(t, env, key, "PATCH", base+"/"+febID, map[string]any{"name": "", "end_date": "nope"}, "end_date")
		rdInvalid(t, env, key, "PATCH", base+"/"+febID, map[string]any{"name": ""}, "name")
		rdErr(t, env, key, "PATCH", base+"/per_01hzzzzzzzzzzzzzzzzzzzzzzz", map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("close and reopen", func(t *testing.T) {
		closed := rdOK(t, env, key, "POST", base+"/"+janID+"/close", nil, http.StatusOK)
		require.Equal(t, "closed", closed.str(t, "status"))
		require.NotEmpty(t, closed.str(t, "closed_at"))
		require.True(t, strings.HasPrefix(closed.str(t, "closed_by"), "key_"), closed.str(t, "closed_by"))
		rdErr(t, env, key, "POST", base+"/"+janID+"/close", nil, http.StatusConflict, "INVALID_STATE")

		// Posting into it is refused; a closed period's dates are frozen.
		res := rdErr(t, env, key, "POST", "/v1/accounting/journal-entries", map[string]any{"date": "2024-01-10", "post": true,
			"lines": []any{map[string]any{"account_id": rdAccount(t, env, key, "asset", nil), "debit": 5},
				map[string]any{"account_id": rdAccount(t, env, key, "income", nil), "credit": 5}}},
			http.StatusConflict, "PERIOD_CLOSED")
		require.Equal(t, janID, res.Error.Extra["period_id"])
		rdErr(t, env, key, "PATCH", base+"/"+janID, map[string]any{"end_date": "2024-01-30"}, http.StatusConflict, "INVALID_STATE")
		got := rdOK(t, env, key, "PATCH", base+"/"+janID, map[string]any{"name": "Jan 2024", "end_date": "2024-01-31"}, http.StatusOK)
		require.Equal(t, "Jan 2024", got.str(t, "name"))
		require.Equal(t, "closed", got.str(t, "status"))
		rdErr(t, env, key, "DELETE", base+"/"+janID, nil, http.StatusConflict, "INVALID_STATE")

		opened := rdOK(t, env, key, "POST", base+"/"+janID+"/reopen", nil, http.StatusOK)
		require.Equal(t, "open", opened.str(t, "status"))
		require.Equal(t, "null", opened.num(t, "closed_at"))
		rdErr(t, env, key, "POST", base+"/"+janID+"/reopen", nil, http.StatusConflict, "INVALID_STATE")
		rdErr(t, env, key, "POST", base+"/per_01hzzzzzzzzzzzzzzzzzzzzzzz/close", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "POST", base+"/per_01hzzzzzzzzzzzzzzzzzzzzzzz/reopen", nil, http.StatusNotFound, "NOT_FOUND")

		rows, err := db.AuditListByTenant(context.Background(), env.App.Core.DB, tn.ID, 200)
		require.NoError(t, err)
		actions := map[string]bool{}
		for _, r := range rows {
			if r.ResourceID == janID {
				actions[r.Action] = true
			}
		}
		require.True(t, actions["period.close"], "%v", actions)
		require.True(t, actions["period.reopen"], "%v", actions)
	})

	t.Run("concurrent overlapping creates: exactly one wins", func(t *testing.T) {
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Overlapping ranges, each shifted by a day.
				start := fmt.Sprintf("2025-01-%02d", i+1)
				res := rdDo(t, env, key, "POST", base, map[string]any{"name": "Race " + start, "start_date": start, "end_date": "2025-01-31"})
				statuses <- res.Status
			}(i)
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for st := range statuses {
			count[st]++
		}
		require.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, count)
		for _, p := range rdList(t, env, key, base) {
			if strings.HasPrefix(p.str(t, "name"), "Race ") {
				rdOK(t, env, key, "DELETE", base+"/"+p.str(t, "id"), nil, http.StatusOK)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		// A period holding posted entries is never deleted.
		rdPost(t, env, key, "2024-01-20", "", "")
		res := rdErr(t, env, key, "DELETE", base+"/"+janID+"?force=true", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token := rdDeps(t, res)
		require.Equal(t, map[string]int{"journal_entries": 1}, deps)
		require.Empty(t, token)

		got := rdOK(t, env, key, "DELETE", base+"/"+febID, nil, http.StatusOK)
		require.Equal(t, febID, got.str(t, "id"))
		require.True(t, got.boolean(t, "deleted"))
		rdErr(t, env, key, "GET", base+"/"+febID, nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, key, "DELETE", base+"/"+febID, nil, http.StatusNotFound, "NOT_FOUND")
		require.Len(t, rdList(t, env, key, base), 2)
	})
}

func TestRefdataScopesAndTenants(t *testing.T) {
	env := apptest.New(t)
	a := env.NewTenant(t, "Books A")
	b := env.NewTenant(t, "Books B")
	a.Key, b.Key = rdKey(t, env, a), rdKey(t, env, b)
	cur := rdOK(t, env, a.Key, "POST", "/v1/accounting/currencies", map[string]any{"code": "EUR"}, http.StatusCreated)
	fx := rdOK(t, env, a.Key, "POST", "/v1/accounting/exchange-rates",
		map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": "1.0837", "effective_date": "2024-01-15"}, http.StatusCreated)
	tax := rdOK(t, env, a.Key, "POST", "/v1/accounting/tax-codes", map[string]any{"code": "GST", "name": "GST", "rate": "10"}, http.StatusCreated)
	per := rdOK(t, env, a.Key, "POST", "/v1/accounting/periods",
		map[string]any{"name": "Q1", "start_date": "2024-01-01", "end_date": "2024-03-31"}, http.StatusCreated)
	curPath := "/v1/accounting/currencies/" + cur.str(t, "id")
	fxPath := "/v1/accounting/exchange-rates/" + fx.str(t, "id")
	taxPath := "/v1/accounting/tax-codes/" + tax.str(t, "id")
	perPath := "/v1/accounting/periods/" + per.str(t, "id")

	t.Run("a read key reads but never writes", func(t *testing.T) {
		read := scopedKey(t, env, a.Key, "read")
		for _, p := range []string{"/v1/accounting/currencies", "/v1/accounting/exchange-rates", "/v1/accounting/tax-codes",
			"/v1/accounting/periods", curPath, fxPath, taxPath, perPath, "/v1/accounting/currencies/EUR"} {
			require.Equal(t, http.StatusOK, rdDo(t, env, read, "GET", p, nil).Status, p)
		}
		writes := []struct {
			method, path string
			body         any
		}{
			{"POST", "/v1/accounting/currencies", map[string]any{"code": "GBP"}},
			{"PATCH", curPath, map[string]any{"name": "x"}},
			{"DELETE", curPath, nil},
			{"POST", "/v1/accounting/exchange-rates", map[string]any{"from_currency": "EUR", "to_currency": "USD", "rate": 1, "effective_date": "2024-05-01"}},
			{"DELETE", fxPath, nil},
			{"POST", "/v1/accounting/tax-codes", map[string]any{"code": "T", "name": "T", "rate": 1}},
			{"PATCH", taxPath, map[string]any{"name": "x"}},
			{"DELETE", taxPath, nil},
			{"POST", "/v1/accounting/periods", map[string]any{"name": "Q2", "start_date": "2024-04-01", "end_date": "2024-06-30"}},
			{"PATCH", perPath, map[string]any{"name": "x"}},
			{"DELETE", perPath, nil},
			{"POST", perPath + "/close", nil},
			{"POST", perPath + "/reopen", nil},
		}
		for _, w := range writes {
			res := rdErr(t, env, read, w.method, w.path, w.body, http.StatusForbidden, "INSUFFICIENT_SCOPE")
			require.Equal(t, "write", res.Error.Extra["required_scope"], "%s %s", w.method, w.path)
		}
		// Nothing changed.
		require.Equal(t, "EUR", rdOK(t, env, a.Key, "GET", curPath, nil, http.StatusOK).str(t, "name"))
		require.Equal(t, "open", rdOK(t, env, a.Key, "GET", perPath, nil, http.StatusOK).str(t, "status"))
	})

	t.Run("another tenant sees none of it", func(t *testing.T) {
		for _, p := range []string{curPath, fxPath, taxPath, perPath, "/v1/accounting/currencies/EUR", "/v1/accounting/tax-codes/GST"} {
			rdErr(t, env, b.Key, "GET", p, nil, http.StatusNotFound, "NOT_FOUND")
			rdErr(t, env, b.Key, "DELETE", p, nil, http.StatusNotFound, "NOT_FOUND")
		}
		rdErr(t, env, b.Key, "PATCH", curPath, map[string]any{"name": "mine"}, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, b.Key, "PATCH", taxPath, map[string]any{"name": "mine"}, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, b.Key, "PATCH", perPath, map[string]any{"name": "mine"}, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, b.Key, "POST", perPath+"/close", nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, b.Key, "POST", perPath+"/reopen", nil, http.StatusNotFound, "NOT_FOUND")
		require.Len(t, rdList(t, env, b.Key, "/v1/accounting/currencies"), 1)
		require.Empty(t, rdList(t, env, b.Key, "/v1/accounting/exchange-rates"))
		require.Empty(t, rdList(t, env, b.Key, "/v1/accounting/tax-codes"))
		require.Empty(t, rdList(t, env, b.Key, "/v1/accounting/periods"))
		// B's own period may cover A's dates, and B's tax code may reuse A's code.
		rdOK(t, env, b.Key, "POST", "/v1/accounting/periods",
			map[string]any{"name": "Q1", "start_date": "2024-01-01", "end_date": "2024-03-31"}, http.StatusCreated)
		rdOK(t, env, b.Key, "POST", "/v1/accounting/tax-codes", map[string]any{"code": "GST", "name": "GST", "rate": "10"}, http.StatusCreated)
		// A's account is not B's.
		accA := rdAccount(t, env, a.Key, "liability", nil)
		rdInvalid(t, env, b.Key, "POST", "/v1/accounting/tax-codes", map[string]any{"code": "X", "name": "X", "rate": 1, "account_id": accA}, "account_id")
		// A still has its own.
		require.Equal(t, "1.0837", rdOK(t, env, a.Key, "GET", fxPath, nil, http.StatusOK).num(t, "rate"))
		require.Equal(t, "10", rdOK(t, env, a.Key, "GET", taxPath, nil, http.StatusOK).num(t, "rate"))
	})

	t.Run("audit and events for every write", func(t *testing.T) {
		rows, err := db.AuditListByTenant(context.Background(), env.App.Core.DB, a.ID, 200)
		require.NoError(t, err)
		actions := map[string]bool{}
		for _, r := range rows {
			actions[r.Action] = true
		}
		for _, want := range []string{"currency.create", "exchange_rate.create", "tax_code.create", "period.create"} {
			require.True(t, actions[want], "audit action %s missing: %v", want, actions)
		}
		var n int
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FROM outbox_events WHERE tenant_id = ? AND topic = 'accounting'
			AND type IN ('currency.created', 'exchange_rate.created', 'tax_code.created', 'period.created')`, a.ID).Scan(context.Background(), &n))
		require.Equal(t, 4, n)
	})
}
