package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// Tests of bank accounts, statement import (JSON, CSV, multipart), matching
// and reconciliation, and the cash flow statement, over HTTP.

type bkTxn struct {
	ID               string      `json:"id"`
	BankAccountID    string      `json:"bank_account_id"`
	Date             string      `json:"date"`
	Description      string      `json:"description"`
	Amount           json.Number `json:"amount"`
	Currency         string      `json:"currency"`
	Type             string      `json:"type"`
	Reference        string      `json:"reference"`
	Status           string      `json:"status"`
	MatchedEntryID   *string     `json:"matched_entry_id"`
	MatchedPaymentID *string     `json:"matched_payment_id"`
	ReconciledAt     *string     `json:"reconciled_at"`
}

type bkRowError struct {
	Row    int                 `json:"row"`
	Errors map[string][]string `json:"errors"`
}

type bkImport struct {
	Imported     int          `json:"imported"`
	Skipped      int          `json:"skipped"`
	Failed       int          `json:"failed"`
	Errors       []bkRowError `json:"errors"`
	Transactions []bkTxn      `json:"transactions"`
}

type bkTxnList struct {
	Transactions []bkTxn `json:"transactions"`
	Total        int     `json:"total"`
	Limit        int     `json:"limit"`
	Offset       int     `json:"offset"`
}

func bkLine(date, desc, amount, typ, ref string) map[string]any {
	l := map[string]any{"date": date, "description": desc, "amount": amount, "type": typ}
	if ref != "" {
		l["reference"] = ref
	}
	return l
}

// importJSON imports lines and answers the result.
func (b *pmBooks) importJSON(t *testing.T, bankID string, lines ...map[string]any) bkImport {
	t.Helper()
	var out bkImport
	b.okInto(t, "POST", "/v1/accounting/bank-accounts/"+bankID+"/import", map[string]any{"transactions": lines}, http.StatusOK, &out)
	return out
}

// upload sends a raw body with a content type.
func (b *pmBooks) upload(t *testing.T, key, bankID, contentType string, body []byte) *apptest.Response {
	t.Helper()
	return b.env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/bank-accounts/" + bankID + "/import", Key: key,
		Body: body, Header: map[string]string{"Content-Type": contentType}})
}

func (b *pmBooks) importRaw(t *testing.T, bankID, contentType string, body []byte) bkImport {
	t.Helper()
	res := b.upload(t, b.key, bankID, contentType, body)
	require.Equal(t, http.StatusOK, res.Status, "import: %s", res.Body)
	var out bkImport
	res.Decode(t, &out)
	return out
}

func multipartBody(t *testing.T, field, fileName, contentType string, data []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("note", "statement"))
	h := map[string][]string{"Content-Disposition": {fmt.Sprintf(`form-data; name=%q; filename=%q`, field, fileName)}}
	if contentType != "" {
		h["Content-Type"] = []string{contentType}
	}
	part, err := mw.CreatePart(h)
	require.NoError(t, err)
	_, err = part.Write(data)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), buf.Bytes()
}

func (b *pmBooks) txns(t *testing.T, bankID, query string) bkTxnList {
	t.Helper()
	var out bkTxnList
	b.okInto(t, "GET", "/v1/accounting/bank-accounts/"+bankID+"/transactions"+query, nil, http.StatusOK, &out)
	return out
}

func (b *pmBooks) txn(t *testing.T, id string) bkTxn {
	t.Helper()
	var out bkTxn
	b.okInto(t, "GET", "/v1/accounting/bank-transactions/"+id, nil, http.StatusOK, &out)
	return out
}

// post posts a two-line entry of amount: debit one account, credit another.
func (b *pmBooks) post(t *testing.T, date, debit, credit, amount string) string {
	t.Helper()
	return b.ok(t, "POST", "/v1/accounting/journal-entries", map[string]any{"date": date, "description": "test", "post": true,
		"lines": []any{map[string]any{"account_id": debit, "debit": amount}, map[string]any{"account_id": credit, "credit": amount}}},
		http.StatusCreated).str(t, "id")
}

func TestBankAccounts(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	const base = "/v1/accounting/bank-accounts"
	gl := b.account(t, "asset", "bank")

	created := b.ok(t, "POST", base, map[string]any{"name": " Operating ", "account_number": "12-3456", "bank_name": "First Bank",
		"gl_account_id": gl}, http.StatusCreated)
	id := created.str(t, "id")
	require.True(t, strings.HasPrefix(id, "ba_"), id)
	require.Equal(t, "Operating", created.str(t, "name"))
	require.Equal(t, "12-3456", created.str(t, "account_number"))
	require.Equal(t, "First Bank", created.str(t, "bank_name"))
	require.Equal(t, "USD", created.str(t, "currency"), "the base currency by default")
	require.Equal(t, gl, created.str(t, "gl_account_id"))
	require.True(t, created.boolean(t, "is_active"))
	require.NotEmpty(t, created.str(t, "created_at"))
	require.NotEmpty(t, created.str(t, "updated_at"))

	t.Run("create refusals", func(t *testing.T) {
		b.invalid(t, "POST", base, map[string]any{}, "name", "gl_account_id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": "acc_nope"}, "gl_account_id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": b.account(t, "income", "sales")}, "gl_account_id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": b.account(t, "asset", "current_asset")}, "gl_account_id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": b.account(t, "asset", "")}, "gl_account_id")
		inactive := b.account(t, "asset", "bank")
		b.ok(t, "PATCH", "/v1/accounting/accounts/"+inactive, map[string]any{"is_active": false}, http.StatusOK)
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": inactive}, "gl_account_id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": b.account(t, "asset", "bank"), "currency": "GBP"}, "currency")
		b.invalid(t, "POST", base, map[string]any{"name": strings.Repeat("n", 201), "gl_account_id": gl}, "name")
		// One ledger account per bank account.
		res := b.fail(t, "POST", base, map[string]any{"name": "Again", "gl_account_id": gl}, http.StatusConflict, "CONFLICT")
		require.Equal(t, id, res.Error.Extra["bank_account_id"])
		// A ledger account restricted to another currency.
		b.currency(t, "EUR")
		eurOnly := b.ok(t, "POST", "/v1/accounting/accounts", map[string]any{"code": "EURBANK", "name": "EUR bank",
			"type": "asset", "sub_type": "bank", "currency": "EUR"}, http.StatusCreated).str(t, "id")
		b.invalid(t, "POST", base, map[string]any{"name": "x", "gl_account_id": eurOnly}, "gl_account_id")
		eur := b.ok(t, "POST", base, map[string]any{"name": "Euro account", "gl_account_id": "EURBANK", "currency": "eur"}, http.StatusCreated)
		require.Equal(t, "EUR", eur.str(t, "currency"))
		require.Equal(t, eurOnly, eur.str(t, "gl_account_id"), "a code names the ledger account too")
		// A cash account will do.
		b.ok(t, "POST", base, map[string]any{"name": "Petty cash", "gl_account_id": b.account(t, "asset", "cash")}, http.StatusCreated)
	})

	t.Run("list, get", func(t *testing.T) {
		list := rdList(t, env, b.key, base)
		require.Len(t, list, 3)
		var names []string
		for _, a := range list {
			names = append(names, a.str(t, "name"))
		}
		require.Equal(t, []string{"Euro account", "Operating", "Petty cash"}, names, "by name")
		got := b.ok(t, "GET", base+"/"+id, nil, http.StatusOK)
		for _, k := range []string{"id", "name", "account_number", "bank_name", "currency", "gl_account_id"} {
			require.Equal(t, created.str(t, k), got.str(t, k), k)
		}
		require.True(t, got.boolean(t, "is_active"))
		for _, bad := range []string{"ba_nope", domain.NewID("ba_"), gl} {
			b.fail(t, "GET", base+"/"+bad, nil, http.StatusNotFound, "NOT_FOUND")
		}
		b.invalid(t, "GET", base+"?active=maybe", nil, "active")
	})

	t.Run("update", func(t *testing.T) {
		got := b.ok(t, "PATCH", base+"/"+id, map[string]any{"name": "Main", "bank_name": "Second Bank"}, http.StatusOK)
		require.Equal(t, "Main", got.str(t, "name"))
		require.Equal(t, "Second Bank", got.str(t, "bank_name"))
		require.Equal(t, "12-3456", got.str(t, "account_number"), "absent members keep their value")
		got = b.ok(t, "PUT", base+"/"+id, map[string]any{"is_active": false, "account_number": ""}, http.StatusOK)
		require.False(t, got.boolean(t, "is_active"))
		require.Equal(t, "", got.str(t, "account_number"))
		require.Equal(t, "Main", got.str(t, "name"))
		require.Len(t, rdList(t, env, b.key, base+"?active=false"), 1)
		require.Len(t, rdList(t, env, b.key, base+"?active=true"), 2)
		b.ok(t, "PATCH", base+"/"+id, map[string]any{"is_active": true, "currency": "EUR", "gl_account_id": "x"}, http.StatusOK)
		require.Equal(t, "USD", b.ok(t, "GET", base+"/"+id, nil, http.StatusOK).str(t, "currency"), "the currency never changes")
		b.invalid(t, "PATCH", base+"/"+id, map[string]any{"name": ""}, "name")
		b.fail(t, "PATCH", base+"/ba_nope", map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
	})

	t.Run("delete", func(t *testing.T) {
		// Unused: deleted at once.
		spare, _ := b.bank(t, "")
		got := b.ok(t, "DELETE", base+"/"+spare, nil, http.StatusOK)
		require.Equal(t, spare, got.str(t, "id"))
		require.True(t, got.boolean(t, "deleted"))
		b.fail(t, "GET", base+"/"+spare, nil, http.StatusNotFound, "NOT_FOUND")
		b.fail(t, "DELETE", base+"/"+spare, nil, http.StatusNotFound, "NOT_FOUND")

		// Statement lines only: the confirm-token flow deletes them too.
		lined, _ := b.bank(t, "")
		imp := b.importJSON(t, lined, bkLine("2025-01-02", "Fee", "3", "debit", ""), bkLine("2025-01-03", "In", "9", "credit", ""))
		require.Equal(t, 2, imp.Imported)
		res := b.fail(t, "DELETE", base+"/"+lined, nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token := rdDeps(t, res)
		require.Equal(t, map[string]int{"bank_transactions": 2}, deps)
		require.NotEmpty(t, token)
		b.fail(t, "DELETE", base+"/"+lined+"?force=true&confirm_token=wrong", nil, http.StatusBadRequest, "INVALID_CONFIRM_TOKEN")
		_, token = rdDeps(t, b.fail(t, "DELETE", base+"/"+lined, nil, http.StatusConflict, "DEPENDENCY_EXISTS"))
		b.ok(t, "DELETE", base+"/"+lined+"?force=true&confirm_token="+token, nil, http.StatusOK)
		b.fail(t, "GET", "/v1/accounting/bank-transactions/"+imp.Transactions[0].ID, nil, http.StatusNotFound, "NOT_FOUND")
		b.fail(t, "DELETE", base+"/"+lined+"?force=true&confirm_token="+token, nil, http.StatusNotFound, "NOT_FOUND")

		// Payments are books records: never deleted, no token.
		paid, _ := b.bank(t, "")
		b.pay(t, map[string]any{"type": "receipt", "amount": "10", "date": "2025-01-05", "bank_account_id": paid})
		b.importJSON(t, paid, bkLine("2025-01-05", "In", "10", "credit", "R1"))
		res = b.fail(t, "DELETE", base+"/"+paid, nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		deps, token = rdDeps(t, res)
		require.Equal(t, map[string]int{"payments": 1, "bank_transactions": 1}, deps)
		require.Empty(t, token)
		b.fail(t, "DELETE", base+"/"+paid+"?force=true&confirm_token=x", nil, http.StatusConflict, "DEPENDENCY_EXISTS")
		b.ok(t, "GET", base+"/"+paid, nil, http.StatusOK)
	})

	t.Run("other tenants and scopes", func(t *testing.T) {
		o := newPmBooks(t, env)
		require.Empty(t, rdList(t, env, o.key, base))
		rdErr(t, env, o.key, "GET", base+"/"+id, nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, o.key, "PATCH", base+"/"+id, map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, o.key, "DELETE", base+"/"+id, nil, http.StatusNotFound, "NOT_FOUND")
		rdInvalid(t, env, o.key, "POST", base, map[string]any{"name": "x", "gl_account_id": gl}, "gl_account_id")

		rdOK(t, env, b.read, "GET", base+"/"+id, nil, http.StatusOK)
		rdList(t, env, b.read, base)
		rdErr(t, env, b.read, "POST", base, map[string]any{"name": "x", "gl_account_id": b.account(t, "asset", "bank")}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		rdErr(t, env, b.read, "PATCH", base+"/"+id, map[string]any{"name": "x"}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		rdErr(t, env, b.read, "DELETE", base+"/"+id, nil, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		require.Equal(t, http.StatusUnauthorized, rdDo(t, env, "", "GET", base, nil).Status)
	})
}

func TestBankImport(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, _ := b.bank(t, "")
	path := "/v1/accounting/bank-accounts/" + bankID + "/import"

	// Two identical lines without reference are both kept; references dedup.
	lines := []map[string]any{
		bkLine("2025-02-01", "Coffee", "4.50", "debit", ""),
		bkLine("2025-02-01", "Coffee", "4.5", "debit", ""),
		bkLine("2025-02-02", "Customer", "120", "credit", "TX-1"),
	}
	first := b.importJSON(t, bankID, lines...)
	require.Equal(t, 3, first.Imported)
	require.Zero(t, first.Skipped)
	require.Zero(t, first.Failed)
	require.Empty(t, first.Errors)
	require.Len(t, first.Transactions, 3)
	tx := first.Transactions[2]
	require.True(t, strings.HasPrefix(tx.ID, "btx_"), tx.ID)
	require.Equal(t, bankID, tx.BankAccountID)
	require.Equal(t, "2025-02-02", tx.Date)
	require.Equal(t, "Customer", tx.Description)
	require.Equal(t, "120.00", string(tx.Amount))
	require.Equal(t, "USD", tx.Currency)
	require.Equal(t, "credit", tx.Type)
	require.Equal(t, "TX-1", tx.Reference)
	require.Equal(t, "unmatched", tx.Status)
	require.Nil(t, tx.MatchedEntryID)
	require.Nil(t, tx.ReconciledAt)

	t.Run("re-import is idempotent", func(t *testing.T) {
		again := b.importJSON(t, bankID, lines...)
		require.Zero(t, again.Imported)
		require.Equal(t, 3, again.Skipped)
		require.Empty(t, again.Transactions)
		// A third identical line is new; a known reference is not, whatever its details.
		more := b.importJSON(t, bankID, append(lines, bkLine("2025-02-01", "Coffee", "4.50", "debit", ""),
			bkLine("2025-03-09", "Other", "1", "debit", "TX-1"))...)
		require.Equal(t, 1, more.Imported)
		require.Equal(t, 4, more.Skipped)
		require.Equal(t, 4, b.txns(t, bankID, "").Total)
	})

	t.Run("per-row errors", func(t *testing.T) {
		out := b.importJSON(t, bankID,
			bkLine("2025-02-03", "Fine", "10", "debit", "E-1"),
			bkLine("2025-02-30", "Bad date", "10", "debit", "E-2"),
			bkLine("2025-02-03", "Negative", "-10", "debit", "E-3"),
			bkLine("2025-02-03", "No type", "10", "", "E-4"),
			map[string]any{"description": "Nothing", "type": "sideways"},
			bkLine("2025-02-03", "Too precise", "1.005", "credit", "E-6"),
			bkLine("2025-02-04", "Fine too", "11", "CREDIT", "E-7"),
			bkLine("2025-02-04", "Huge", "1e15", "credit", "E-8"),
			bkLine("2025-02-04", "Nul\x00", "1", "credit", "E-9"),
		)
		require.Equal(t, 2, out.Imported)
		require.Equal(t, 7, out.Failed)
		require.Len(t, out.Errors, 7)
		rows := map[int]map[string][]string{}
		for _, e := range out.Errors {
			rows[e.Row] = e.Errors
		}
		require.Contains(t, rows[2], "date")
		require.Contains(t, rows[3], "amount")
		require.Contains(t, rows[4], "type")
		require.Contains(t, rows[5], "date")
		require.Contains(t, rows[5], "amount")
		require.Contains(t, rows[5], "type")
		require.Contains(t, rows[6], "amount")
		require.Contains(t, rows[8], "amount")
		require.Contains(t, rows[9], "description")
		require.Equal(t, "credit", out.Transactions[1].Type)
	})

	t.Run("CSV with signed amounts", func(t *testing.T) {
		csv := "\ufeffDate,Description,Amount,Type,Reference\n" +
			"2025-02-10,Rent,-1500.00,,C-1\n" +
			"2025-02-11,\"Sale, big\",\"2,500.00\",,C-2\n" +
			"2025-02-12,Refund,25,debit,C-3\n" +
			"\n" +
			"2025-02-13,Bad,abc,,C-4\n" +
			"2025-02-14,Wrong sign,-5,credit,C-5\n" +
			"2025-02-15,No ref,(7.25),,\n"
		out := b.importRaw(t, bankID, "text/csv", []byte(csv))
		require.Equal(t, 4, out.Imported, "%+v", out)
		require.Equal(t, 2, out.Failed)
		require.Equal(t, 4, out.Errors[0].Row, "blank lines are not counted")
		require.Contains(t, out.Errors[0].Errors, "amount")
		require.Equal(t, 5, out.Errors[1].Row)
		byRef := map[string]bkTxn{}
		for _, tx := range out.Transactions {
			byRef[tx.Reference] = tx
		}
		require.Equal(t, "debit", byRef["C-1"].Type)
		require.Equal(t, "1500.00", string(byRef["C-1"].Amount))
		require.Equal(t, "credit", byRef["C-2"].Type)
		require.Equal(t, "2500.00", string(byRef["C-2"].Amount))
		require.Equal(t, "Sale, big", byRef["C-2"].Description)
		require.Equal(t, "debit", byRef["C-3"].Type)
		require.Equal(t, "debit", byRef[""].Type)
		require.Equal(t, "7.25", string(byRef[""].Amount))

		again := b.importRaw(t, bankID, "text/csv; charset=utf-8", []byte(csv))
		require.Zero(t, again.Imported)
		require.Equal(t, 4, again.Skipped)
	})

	t.Run("CSV with debit and credit columns, semicolons", func(t *testing.T) {
		csv := "date;memo;debit;credit;ref\n2025-02-20;ATM;40.00;;D-1\n2025-02-21;Deposit;;300;D-2\n2025-02-22;Both;1;2;D-3\n"
		out := b.importRaw(t, bankID, "text/csv", []byte(csv))
		require.Equal(t, 2, out.Imported)
		require.Equal(t, 1, out.Failed)
		require.Equal(t, "debit", out.Transactions[0].Type)
		require.Equal(t, "ATM", out.Transactions[0].Description)
		require.Equal(t, "credit", out.Transactions[1].Type)
	})

	t.Run("multipart upload", func(t *testing.T) {
		ct, body := multipartBody(t, "file", "statement.csv", "text/csv",
			[]byte("date,description,amount,type,reference\n2025-02-25,Upload,12.34,credit,M-1\n"))
		out := b.importRaw(t, bankID, ct, body)
		require.Equal(t, 1, out.Imported)
		require.Equal(t, "Upload", out.Transactions[0].Description)
		out = b.importRaw(t, bankID, ct, body)
		require.Zero(t, out.Imported)
		require.Equal(t, 1, out.Skipped)

		ct, body = multipartBody(t, "file", "statement.json", "application/json",
			[]byte(`{"transactions": [{"date": "2025-02-26", "description": "JSON file", "amount": 8, "type": "debit", "reference": "M-2"}]}`))
		out = b.importRaw(t, bankID, ct, body)
		require.Equal(t, 1, out.Imported)
		ct, body = multipartBody(t, "file", "lines.json", "",
			[]byte(`[{"date": "2025-02-27", "description": "Bare array", "amount": "9.10", "type": "credit"}]`))
		out = b.importRaw(t, bankID, ct, body)
		require.Equal(t, 1, out.Imported)
		require.Equal(t, "9.10", string(out.Transactions[0].Amount))

		ct, body = multipartBody(t, "statement", "s.csv", "text/csv", []byte("date,amount\n2025-01-01,1\n"))
		rdInvalid(t, env, b.key, "POST", path, nil) // no body at all: transactions is required
		res := b.upload(t, b.key, bankID, ct, body)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, res.Error.Fields, "file")
	})

	t.Run("whole-request refusals", func(t *testing.T) {
		b.invalid(t, "POST", path, map[string]any{}, "transactions")
		b.invalid(t, "POST", path, map[string]any{"transactions": []any{}}, "transactions")
		tooMany := make([]map[string]any, 10_001)
		for i := range tooMany {
			tooMany[i] = bkLine("2025-01-01", "x", "1", "debit", "")
		}
		b.invalid(t, "POST", path, map[string]any{"transactions": tooMany}, "transactions")
		for _, csv := range []string{"", "description,amount\nx,1\n", "date,description,amount\n", "date,amount\n" + strings.Repeat("2025-01-01,1\n", 10_001)} {
			res := b.upload(t, b.key, bankID, "text/csv", []byte(csv))
			if csv == "" {
				require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
				continue
			}
			require.Equal(t, http.StatusBadRequest, res.Status, "%q: %s", csv[:min(len(csv), 40)], res.Body)
			require.Contains(t, res.Error.Fields, "file", "%s", res.Body)
		}
		res := b.upload(t, b.key, bankID, "text/plain", []byte("date,amount\n"))
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "BAD_REQUEST", res.Error.Code)
		res = b.upload(t, b.key, bankID, "text/csv", bytes.Repeat([]byte("x"), 10<<20+1))
		require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "%s", res.Body)
		res = b.upload(t, b.key, bankID, "application/json", []byte(`{"transactions": [`))
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "BAD_REQUEST", res.Error.Code)
		b.fail(t, "POST", "/v1/accounting/bank-accounts/ba_nope/import", map[string]any{"transactions": []any{bkLine("2025-01-01", "x", "1", "debit", "")}},
			http.StatusNotFound, "NOT_FOUND")
		res = b.upload(t, b.read, bankID, "text/csv", []byte("date,amount\n2025-01-01,1\n"))
		require.Equal(t, http.StatusForbidden, res.Status)
		require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
		o := newPmBooks(t, env)
		res = b.upload(t, o.key, bankID, "text/csv", []byte("date,amount\n2025-01-01,1\n"))
		require.Equal(t, http.StatusNotFound, res.Status)
	})

	t.Run("10,000 lines in one upload", func(t *testing.T) {
		big, _ := b.bank(t, "")
		var sb strings.Builder
		sb.WriteString("date,description,amount,reference\n")
		for i := range 10_000 {
			fmt.Fprintf(&sb, "2025-01-%02d,Line %d,%d.%02d,\n", i%28+1, i%500, i%90-45, i%100)
		}
		start := time.Now()
		out := b.importRaw(t, big, "text/csv", []byte(sb.String()))
		t.Logf("10,000 lines imported in %s", time.Since(start))
		require.Equal(t, 10_000, out.Imported+out.Failed)
		require.Equal(t, out.Imported, b.txns(t, big, "").Total)
		again := b.importRaw(t, big, "text/csv", []byte(sb.String()))
		require.Zero(t, again.Imported)
		require.Equal(t, out.Imported, again.Skipped)
	})

	t.Run("Idempotency-Key replays the first answer", func(t *testing.T) {
		body := []byte("date,amount,reference\n2025-03-01,77,IK-1\n")
		send := func() *apptest.Response {
			return env.Do(t, apptest.Request{Method: "POST", Path: path, Key: b.key, Body: body,
				Header: map[string]string{"Content-Type": "text/csv", "Idempotency-Key": "import-1"}})
		}
		r1, r2 := send(), send()
		require.Equal(t, http.StatusOK, r1.Status, "%s", r1.Body)
		require.JSONEq(t, string(r1.Data), string(r2.Data))
		var out bkImport
		r2.Decode(t, &out)
		require.Equal(t, 1, out.Imported)
	})

	t.Run("list and get", func(t *testing.T) {
		all := b.txns(t, bankID, "?limit=100")
		require.Equal(t, all.Total, len(all.Transactions))
		require.Equal(t, 100, all.Limit)
		for i := 1; i < len(all.Transactions); i++ {
			require.GreaterOrEqual(t, all.Transactions[i-1].Date, all.Transactions[i].Date, "newest first")
		}
		feb := b.txns(t, bankID, "?from=2025-02-10&to=2025-02-12")
		require.Equal(t, 3, feb.Total)
		page := b.txns(t, bankID, "?limit=2&offset=1")
		require.Len(t, page.Transactions, 2)
		require.Equal(t, all.Transactions[1].ID, page.Transactions[0].ID)
		require.Equal(t, all.Total, b.txns(t, bankID, "?status=unmatched").Total)
		require.Zero(t, b.txns(t, bankID, "?status=reconciled").Total)
		b.invalid(t, "GET", "/v1/accounting/bank-accounts/"+bankID+"/transactions?status=odd&from=x", nil, "status", "from")
		b.fail(t, "GET", "/v1/accounting/bank-accounts/ba_nope/transactions", nil, http.StatusNotFound, "NOT_FOUND")

		got := b.txn(t, tx.ID)
		require.Equal(t, tx.ID, got.ID)
		require.Equal(t, "120.00", string(got.Amount))
		b.fail(t, "GET", "/v1/accounting/bank-transactions/btx_nope", nil, http.StatusNotFound, "NOT_FOUND")
		b.fail(t, "GET", "/v1/accounting/bank-transactions/"+domain.NewID("btx_"), nil, http.StatusNotFound, "NOT_FOUND")
		o := newPmBooks(t, env)
		rdErr(t, env, o.key, "GET", "/v1/accounting/bank-transactions/"+tx.ID, nil, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, o.key, "GET", "/v1/accounting/bank-accounts/"+bankID+"/transactions", nil, http.StatusNotFound, "NOT_FOUND")
		rdOK(t, env, b.read, "GET", "/v1/accounting/bank-transactions/"+tx.ID, nil, http.StatusOK)
	})
}

func TestBankMatchAndReconcile(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	bankID, bankGL := b.bank(t, "")
	otherBank, _ := b.bank(t, "")
	expense := b.account(t, "expense", "operating_expense")
	income := b.account(t, "income", "sales")

	receipt := b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-02", "amount": "250", "bank_account_id": bankID})
	rent := b.post(t, "2025-04-03", expense, bankGL, "40")
	sale := b.post(t, "2025-04-04", bankGL, income, "99")
	imp := b.importJSON(t, bankID,
		bkLine("2025-04-02", "Customer", "250", "credit", "R1"),
		bkLine("2025-04-03", "Rent", "40", "debit", "R2"),
		bkLine("2025-04-04", "Sale", "99", "credit", "R3"),
		bkLine("2025-04-05", "Mystery", "100", "credit", "R4"),
	)
	require.Equal(t, 4, imp.Imported)
	r1, r2, r3, r4 := imp.Transactions[0].ID, imp.Transactions[1].ID, imp.Transactions[2].ID, imp.Transactions[3].ID
	match := func(id string) string { return "/v1/accounting/bank-transactions/" + id + "/match" }
	reconcile := "/v1/accounting/bank-accounts/" + bankID + "/reconcile"

	t.Run("match a payment", func(t *testing.T) {
		var got bkTxn
		b.okInto(t, "POST", match(r1), map[string]any{"payment_id": receipt.ID}, http.StatusOK, &got)
		require.Equal(t, "matched", got.Status)
		require.Equal(t, receipt.ID, *got.MatchedPaymentID)
		require.Equal(t, *receipt.JournalEntryID, *got.MatchedEntryID)
		require.Equal(t, "matched", b.txn(t, r1).Status)
	})

	t.Run("match journal entries", func(t *testing.T) {
		var got bkTxn
		b.okInto(t, "POST", match(r2), map[string]any{"entry_id": rent}, http.StatusOK, &got)
		require.Equal(t, "matched", got.Status)
		require.Equal(t, rent, *got.MatchedEntryID)
		require.Nil(t, got.MatchedPaymentID)
		b.okInto(t, "POST", match(r3), map[string]any{"entry_id": sale}, http.StatusOK, &got)
		require.Equal(t, sale, *got.MatchedEntryID)
	})

	t.Run("match refusals", func(t *testing.T) {
		b.invalid(t, "POST", match(r4), map[string]any{}, "entry_id")
		b.invalid(t, "POST", match(r4), map[string]any{"entry_id": sale, "payment_id": receipt.ID}, "payment_id")
		b.invalid(t, "POST", match(r4), map[string]any{"entry_id": "je_nope"}, "entry_id")
		b.invalid(t, "POST", match(r4), map[string]any{"payment_id": domain.NewID("pay_")}, "payment_id")
		b.fail(t, "POST", match("btx_nope"), map[string]any{"entry_id": sale}, http.StatusNotFound, "NOT_FOUND")
		// Wrong amount, wrong direction, not the bank's ledger account.
		b.invalid(t, "POST", match(r4), map[string]any{"entry_id": sale}, "entry_id")
		b.invalid(t, "POST", match(r4), map[string]any{"entry_id": b.post(t, "2025-04-05", expense, bankGL, "100")}, "entry_id")
		b.invalid(t, "POST", match(r4), map[string]any{"entry_id": b.post(t, "2025-04-05", expense, income, "100")}, "entry_id")
		b.invalid(t, "POST", match(r4), map[string]any{"payment_id": receipt.ID}, "payment_id")
		// A draft entry is not in the books yet.
		draft := b.ok(t, "POST", "/v1/accounting/journal-entries", map[string]any{"date": "2025-04-05", "lines": []any{
			map[string]any{"account_id": bankGL, "debit": "100"}, map[string]any{"account_id": income, "credit": "100"}}}, http.StatusCreated).str(t, "id")
		b.fail(t, "POST", match(r4), map[string]any{"entry_id": draft}, http.StatusConflict, "INVALID_STATE")
		// A payment of another bank account, or money out for money in.
		elsewhere := b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-05", "amount": "100", "bank_account_id": otherBank})
		b.invalid(t, "POST", match(r4), map[string]any{"payment_id": elsewhere.ID}, "payment_id")
		out := b.pay(t, map[string]any{"type": "payment", "date": "2025-04-05", "amount": "100", "bank_account_id": bankID})
		b.invalid(t, "POST", match(r4), map[string]any{"payment_id": out.ID}, "payment_id")
		// One entry or payment explains one line.
		dup := b.importJSON(t, bankID, bkLine("2025-04-02", "Customer again", "250", "credit", "R1b")).Transactions[0].ID
		b.fail(t, "POST", match(dup), map[string]any{"payment_id": receipt.ID}, http.StatusConflict, "CONFLICT")
		b.fail(t, "POST", match(dup), map[string]any{"entry_id": *receipt.JournalEntryID}, http.StatusConflict, "CONFLICT")
		// A void payment cannot be matched.
		v := b.pay(t, map[string]any{"type": "receipt", "date": "2025-04-05", "amount": "100", "bank_account_id": bankID})
		b.ok(t, "POST", "/v1/accounting/payments/"+v.ID+"/void", nil, http.StatusOK)
		b.fail(t, "POST", match(r4), map[string]any{"payment_id": v.ID}, http.StatusConflict, "INVALID_STATE")
		// A reversed entry neither.
		rev := b.post(t, "2025-04-05", bankGL, income, "100")
		b.ok(t, "POST", "/v1/accounting/journal-entries/"+rev+"/reverse", nil, http.StatusCreated)
		b.fail(t, "POST", match(r4), map[string]any{"entry_id": rev}, http.StatusConflict, "INVALID_STATE")
		require.Equal(t, "unmatched", b.txn(t, r4).Status)

		o := newPmBooks(t, env)
		rdErr(t, env, o.key, "POST", match(r4), map[string]any{"entry_id": sale}, http.StatusNotFound, "NOT_FOUND")
		rdErr(t, env, b.read, "POST", match(r4), map[string]any{"entry_id": sale}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
	})

	t.Run("a matched line may be matched again", func(t *testing.T) {
		other := b.post(t, "2025-04-06", bankGL, income, "99")
		var got bkTxn
		b.okInto(t, "POST", match(r3), map[string]any{"entry_id": other}, http.StatusOK, &got)
		require.Equal(t, other, *got.MatchedEntryID)
		b.okInto(t, "POST", match(r3), map[string]any{"entry_id": sale}, http.StatusOK, &got)
		require.Equal(t, sale, *got.MatchedEntryID)
	})

	t.Run("reconcile", func(t *testing.T) {
		b.invalid(t, "POST", reconcile, map[string]any{}, "transaction_ids")
		b.invalid(t, "POST", reconcile, map[string]any{"transaction_ids": []string{}}, "transaction_ids")
		// An unmatched line, an unknown id: nothing is reconciled.
		res := b.fail(t, "POST", reconcile, map[string]any{"transaction_ids": []string{r1, r4, "btx_nope"}}, http.StatusConflict, "INVALID_STATE")
		require.ElementsMatch(t, []any{r4, "btx_nope"}, res.Error.Extra["transaction_ids"])
		require.Equal(t, "matched", b.txn(t, r1).Status)
		// Lines of another bank account.
		res = b.fail(t, "POST", "/v1/accounting/bank-accounts/"+otherBank+"/reconcile", map[string]any{"transaction_ids": []string{r1}},
			http.StatusConflict, "INVALID_STATE")
		require.Equal(t, []any{r1}, res.Error.Extra["transaction_ids"])
		rdErr(t, env, b.read, "POST", reconcile, map[string]any{"transaction_ids": []string{r1}}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		b.fail(t, "POST", "/v1/accounting/bank-accounts/ba_nope/reconcile", map[string]any{"transaction_ids": []string{r1}}, http.StatusNotFound, "NOT_FOUND")

		var out struct {
			Reconciled   int     `json:"reconciled"`
			Transactions []bkTxn `json:"transactions"`
		}
		b.okInto(t, "POST", reconcile, map[string]any{"transaction_ids": []string{r1, r2, r1}}, http.StatusOK, &out)
		require.Equal(t, 2, out.Reconciled)
		require.Len(t, out.Transactions, 2)
		for _, tx := range out.Transactions {
			require.Equal(t, "reconciled", tx.Status)
			require.NotNil(t, tx.ReconciledAt)
		}
		require.Equal(t, "reconciled", b.txn(t, r2).Status)
		require.Equal(t, 2, b.txns(t, bankID, "?status=reconciled").Total)

		// Reconciled lines are final.
		b.fail(t, "POST", reconcile, map[string]any{"transaction_ids": []string{r1}}, http.StatusConflict, "INVALID_STATE")
		b.fail(t, "POST", match(r1), map[string]any{"payment_id": receipt.ID}, http.StatusConflict, "INVALID_STATE")
		b.fail(t, "POST", "/v1/accounting/payments/"+receipt.ID+"/void", nil, http.StatusConflict, "INVALID_STATE")
		require.Equal(t, "posted", b.payment(t, receipt.ID).Status)
	})

	t.Run("voiding a payment unmatches its line", func(t *testing.T) {
		p := b.pay(t, map[string]any{"type": "payment", "date": "2025-04-07", "amount": "15", "bank_account_id": bankID})
		line := b.importJSON(t, bankID, bkLine("2025-04-07", "Supplier", "15", "debit", "R5")).Transactions[0].ID
		b.ok(t, "POST", match(line), map[string]any{"payment_id": p.ID}, http.StatusOK)
		b.ok(t, "POST", "/v1/accounting/payments/"+p.ID+"/void", nil, http.StatusOK)
		got := b.txn(t, line)
		require.Equal(t, "unmatched", got.Status)
		require.Nil(t, got.MatchedPaymentID)
		require.Nil(t, got.MatchedEntryID)
	})

	t.Run("a line whose entry was reversed since cannot be reconciled", func(t *testing.T) {
		e := b.post(t, "2025-04-08", bankGL, income, "33")
		line := b.importJSON(t, bankID, bkLine("2025-04-08", "Cash sale", "33", "credit", "R6")).Transactions[0].ID
		b.ok(t, "POST", match(line), map[string]any{"entry_id": e}, http.StatusOK)
		b.ok(t, "POST", "/v1/accounting/journal-entries/"+e+"/reverse", nil, http.StatusCreated)
		b.fail(t, "POST", reconcile, map[string]any{"transaction_ids": []string{line}}, http.StatusConflict, "INVALID_STATE")
	})

	t.Run("foreign currency entries match in the bank's currency", func(t *testing.T) {
		b.currency(t, "EUR")
		eurBank, eurGL := b.bank(t, "EUR")
		e := b.ok(t, "POST", "/v1/accounting/journal-entries", map[string]any{"date": "2025-04-09", "currency": "EUR", "exchange_rate": "1.2",
			"post": true, "lines": []any{map[string]any{"account_id": eurGL, "debit": "10"}, map[string]any{"account_id": income, "credit": "10"}}},
			http.StatusCreated).str(t, "id")
		lines := b.importJSON(t, eurBank, bkLine("2025-04-09", "EUR in", "10", "credit", "E1"), bkLine("2025-04-09", "Base", "12", "credit", "E2"))
		require.Equal(t, "EUR", lines.Transactions[0].Currency)
		b.ok(t, "POST", match(lines.Transactions[0].ID), map[string]any{"entry_id": e}, http.StatusOK)
		// A USD entry on the EUR bank's ledger account cannot be compared.
		usd := b.post(t, "2025-04-09", eurGL, income, "12")
		b.invalid(t, "POST", match(lines.Transactions[1].ID), map[string]any{"entry_id": usd}, "entry_id")
	})
}

// bkFlow is the cash flow answer with numbers kept as written.
type bkFlow struct {
	From        string      `json:"from"`
	To          string      `json:"to"`
	Currency    string      `json:"currency"`
	OpeningCash json.Number `json:"opening_cash"`
	NetChange   json.Number `json:"net_change"`
	ClosingCash json.Number `json:"closing_cash"`
	Sections    map[string]struct {
		Rows []struct {
			SubType string      `json:"sub_type"`
			Inflow  json.Number `json:"inflow"`
			Outflow json.Number `json:"outflow"`
			Net     json.Number `json:"net"`
		} `json:"rows"`
		Inflow  json.Number `json:"inflow"`
		Outflow json.Number `json:"outflow"`
		Net     json.Number `json:"net"`
	} `json:"sections"`
	CashAccounts []struct {
		AccountID      string      `json:"account_id"`
		OpeningBalance json.Number `json:"opening_balance"`
		ClosingBalance json.Number `json:"closing_balance"`
	} `json:"cash_accounts"`
}

// rows renders a section as "sub_type in/out" strings.
func (f bkFlow) rows(section string) []string {
	var out []string
	for _, r := range f.Sections[section].Rows {
		out = append(out, fmt.Sprintf("%s +%s -%s =%s", r.SubType, r.Inflow, r.Outflow, r.Net))
	}
	return out
}

func bkDec(t *testing.T, n json.Number) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(string(n))
	require.NoError(t, err, "%q", n)
	return d
}

func TestCashFlow(t *testing.T) {
	env := apptest.New(t)
	b := newPmBooks(t, env)
	require.Equal(t, http.StatusOK, rdDo(t, env, b.key, "POST", "/v1/accounting/accounts/seed", nil).Status)
	acct := func(code string) string {
		return b.ok(t, "GET", "/v1/accounting/accounts/"+code, nil, http.StatusOK).str(t, "id")
	}
	bankGL, cash, equity, loans, equipment := acct("1010"), acct("1000"), acct("3000"), acct("2500"), acct("1500")
	sales, rent, fees, drawings := acct("4000"), acct("6000"), acct("6900"), acct("3200")
	bankID := b.ok(t, "POST", "/v1/accounting/bank-accounts", map[string]any{"name": "Main", "gl_account_id": "1010"}, http.StatusCreated).str(t, "id")

	// Before the range: the owner puts in 1,000.
	b.post(t, "2025-02-15", bankGL, equity, "1000")
	// In March.
	inv := b.invoice(t, "sales", "", "", "500", "2025-03-01", "approved")
	b.pay(t, map[string]any{"type": "receipt", "date": "2025-03-05", "amount": "500", "bank_account_id": bankID,
		"allocations": []any{alloc(inv, "500")}})
	b.post(t, "2025-03-06", bankGL, sales, "200")     // cash sale
	b.post(t, "2025-03-07", equipment, bankGL, "300") // equipment bought
	b.post(t, "2025-03-08", bankGL, loans, "1000")    // loan received
	b.post(t, "2025-03-09", rent, bankGL, "120")      // rent paid
	b.post(t, "2025-03-10", drawings, cash, "20")     // owner takes petty cash
	b.post(t, "2025-03-11", cash, bankGL, "50")       // transfer: no cash flow
	b.ok(t, "POST", "/v1/accounting/journal-entries", map[string]any{"date": "2025-03-12", "post": true, "lines": []any{
		map[string]any{"account_id": bankGL, "debit": "90"}, map[string]any{"account_id": fees, "debit": "10"},
		map[string]any{"account_id": sales, "credit": "100"}}}, http.StatusCreated) // card sale net of a fee
	b.ok(t, "POST", "/v1/accounting/journal-entries", map[string]any{"date": "2025-03-13", "lines": []any{
		map[string]any{"account_id": bankGL, "debit": "999"}, map[string]any{"account_id": sales, "credit": "999"}}}, http.StatusCreated) // a draft: no cash
	// After the range.
	b.post(t, "2025-04-02", rent, bankGL, "120")

	var f bkFlow
	b.okInto(t, "GET", "/v1/accounting/reports/cash-flow?from=2025-03-01&to=2025-03-31", nil, http.StatusOK, &f)
	require.Equal(t, "2025-03-01", f.From)
	require.Equal(t, "2025-03-31", f.To)
	require.Equal(t, "USD", f.Currency)
	require.Equal(t, "1000.00", string(f.OpeningCash))
	require.Equal(t, []string{
		"accounts_receivable +500.00 -0.00 =500.00",
		"operating_expense +0.00 -120.00 =-120.00",
		"other_expense +0.00 -10.00 =-10.00",
		"sales +300.00 -0.00 =300.00",
	}, f.rows("operating"))
	require.Equal(t, "670.00", string(f.Sections["operating"].Net))
	require.Equal(t, "800.00", string(f.Sections["operating"].Inflow))
	require.Equal(t, "130.00", string(f.Sections["operating"].Outflow))
	require.Equal(t, []string{"fixed_asset +0.00 -300.00 =-300.00"}, f.rows("investing"))
	require.Equal(t, "-300.00", string(f.Sections["investing"].Net))
	require.Equal(t, []string{"drawings +0.00 -20.00 =-20.00", "long_term_liability +1000.00 -0.00 =1000.00"}, f.rows("financing"))
	require.Equal(t, "980.00", string(f.Sections["financing"].Net))
	require.Equal(t, "1350.00", string(f.NetChange))
	require.Equal(t, "2350.00", string(f.ClosingCash))

	// closing − opening = net change = the cash accounts' movement in the
	// general ledger.
	require.True(t, bkDec(t, f.ClosingCash).Sub(bkDec(t, f.OpeningCash)).Equal(bkDec(t, f.NetChange)))
	var glChange decimal.Decimal
	for _, id := range []string{bankGL, cash} {
		var gl struct {
			Accounts []struct {
				OpeningBalance json.Number `json:"opening_balance"`
				ClosingBalance json.Number `json:"closing_balance"`
			} `json:"accounts"`
		}
		b.okInto(t, "GET", "/v1/accounting/reports/general-ledger?from=2025-03-01&to=2025-03-31&account_id="+id, nil, http.StatusOK, &gl)
		require.Len(t, gl.Accounts, 1)
		glChange = glChange.Add(bkDec(t, gl.Accounts[0].ClosingBalance)).Sub(bkDec(t, gl.Accounts[0].OpeningBalance))
	}
	require.True(t, glChange.Equal(bkDec(t, f.NetChange)), "general ledger change %s, cash flow %s", glChange, f.NetChange)
	var perAccount decimal.Decimal
	for _, a := range f.CashAccounts {
		perAccount = perAccount.Add(bkDec(t, a.ClosingBalance)).Sub(bkDec(t, a.OpeningBalance))
	}
	require.True(t, perAccount.Equal(glChange))

	t.Run("voids and FX reconcile too", func(t *testing.T) {
		b.currency(t, "EUR")
		eurBank, _ := b.bank(t, "EUR")
		eurInv := b.invoice(t, "sales", "EUR", "1.10", "100", "2025-05-01", "approved")
		p := b.pay(t, map[string]any{"type": "receipt", "date": "2025-05-10", "amount": "100", "exchange_rate": "1.15",
			"bank_account_id": eurBank, "allocations": []any{alloc(eurInv, "100")}})
		b.pay(t, map[string]any{"type": "payment", "date": "2025-05-11", "amount": "40", "bank_account_id": bankID})
		var may bkFlow
		b.okInto(t, "GET", "/v1/accounting/reports/cash-flow?from=2025-05-01&to=2025-05-31", nil, http.StatusOK, &may)
		require.Equal(t, []string{
			"accounts_payable +0.00 -40.00 =-40.00",
			"accounts_receivable +110.00 -0.00 =110.00",
			"fx_gain_loss +5.00 -0.00 =5.00",
		}, may.rows("operating"))
		require.Equal(t, "75.00", string(may.NetChange))
		require.True(t, bkDec(t, may.ClosingCash).Sub(bkDec(t, may.OpeningCash)).Equal(bkDec(t, may.NetChange)))

		b.ok(t, "POST", "/v1/accounting/payments/"+p.ID+"/void", map[string]any{"date": "2025-05-20"}, http.StatusOK)
		b.okInto(t, "GET", "/v1/accounting/reports/cash-flow?from=2025-05-01&to=2025-05-31", nil, http.StatusOK, &may)
		require.Equal(t, "-40.00", string(may.NetChange), "the void takes the receipt back out")
		require.True(t, bkDec(t, may.ClosingCash).Sub(bkDec(t, may.OpeningCash)).Equal(bkDec(t, may.NetChange)))
	})

	t.Run("defaults and refusals", func(t *testing.T) {
		var cur bkFlow
		b.okInto(t, "GET", "/v1/accounting/reports/cash-flow", nil, http.StatusOK, &cur)
		today := time.Now().UTC()
		require.Equal(t, today.Format("2006-01-02"), cur.To)
		require.Equal(t, today.Format("2006-01")+"-01", cur.From)
		b.okInto(t, "GET", "/v1/accounting/reports/cash-flow?to=2025-03-20", nil, http.StatusOK, &cur)
		require.Equal(t, "2025-03-01", cur.From)
		require.Equal(t, "1000.00", string(cur.OpeningCash))
		b.invalid(t, "GET", "/v1/accounting/reports/cash-flow?from=2025-03-31&to=2025-03-01", nil, "to")
		b.invalid(t, "GET", "/v1/accounting/reports/cash-flow?from=March", nil, "from")
		rdOK(t, env, b.read, "GET", "/v1/accounting/reports/cash-flow", nil, http.StatusOK)
		require.Equal(t, http.StatusUnauthorized, rdDo(t, env, "", "GET", "/v1/accounting/reports/cash-flow", nil).Status)

		o := newPmBooks(t, env)
		var empty bkFlow
		res := rdDo(t, env, o.key, "GET", "/v1/accounting/reports/cash-flow?from=2025-03-01&to=2025-03-31", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.Decode(t, &empty)
		require.Equal(t, "0.00", string(empty.NetChange))
		require.Empty(t, empty.Sections["operating"].Rows)
		require.Empty(t, empty.CashAccounts)
	})
}
