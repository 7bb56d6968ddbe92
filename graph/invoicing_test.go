package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

const (
	invLineFields  = `id lineNo description quantity unitPrice accountId account { id code } taxCodeId netAmount taxAmount grossAmount`
	invAllocFields = `paymentId amount date payment { id type amount status }`
	invoiceFields  = `id number type contactName date dueDate currency exchangeRate status subtotal taxTotal total
		amountPaid amountDue notes journalEntryId voidEntryId recurringId approvedAt voidedAt createdBy createdAt updatedAt
		lines { ` + invLineFields + ` } allocations { ` + invAllocFields + ` } payments { id amount status }`
	paymentFields = `id type contactName date amount currency exchangeRate method bankAccountId reference status
		allocatedAmount unallocatedAmount journalEntryId voidEntryId voidedAt createdBy createdAt updatedAt
		allocations { id invoiceId invoiceNumber amount invoice { id number status amountPaid amountDue } }`
	bankFields  = `id name accountNumber bankName currency glAccountId glAccount { code } isActive createdAt updatedAt`
	btxFields   = `id bankAccountId date description amount currency type reference status matchedEntryId matchedPaymentId reconciledAt`
	recurFields = `id name type template frequency nextRun endDate isActive lastRunAt occurrences createdAt updatedAt`
)

type gInvLine struct {
	ID          string
	LineNo      int
	Description string
	Quantity    json.Number
	UnitPrice   json.Number
	AccountID   string
	Account     struct{ ID, Code string }
	TaxCodeID   *string
	NetAmount   json.Number
	TaxAmount   json.Number
	GrossAmount json.Number
}

type gPaymentRef struct {
	ID     string
	Type   string
	Amount json.Number
	Status string
}

type gInvoice struct {
	ID             string
	Number         string
	Type           string
	ContactName    string
	Date           string
	DueDate        string
	Currency       string
	ExchangeRate   json.Number
	Status         string
	Subtotal       json.Number
	TaxTotal       json.Number
	Total          json.Number
	AmountPaid     json.Number
	AmountDue      json.Number
	Notes          string
	JournalEntryID *string
	VoidEntryID    *string
	Lines          []gInvLine
	Allocations    []struct {
		PaymentID string
		Amount    json.Number
		Date      string
		Payment   gPaymentRef
	}
	Payments []gPaymentRef
}

type gPayment struct {
	ID                string
	Type              string
	ContactName       string
	Date              string
	Amount            json.Number
	Currency          string
	BankAccountID     string
	Status            string
	AllocatedAmount   json.Number
	UnallocatedAmount json.Number
	JournalEntryID    *string
	VoidEntryID       *string
	Allocations       []struct {
		ID            string
		InvoiceID     string
		InvoiceNumber string
		Amount        json.Number
		Invoice       struct {
			ID, Number, Status    string
			AmountPaid, AmountDue json.Number
		}
	}
}

type gBank struct {
	ID          string
	Name        string
	Currency    string
	GLAccountID string                `json:"glAccountId"`
	GLAccount   struct{ Code string } `json:"glAccount"`
	IsActive    bool
}

type gBankTxn struct {
	ID               string
	BankAccountID    string
	Date             string
	Amount           json.Number
	Type             string
	Reference        string
	Status           string
	MatchedEntryID   *string
	MatchedPaymentID *string
}

type gImport struct {
	Imported, Skipped, Failed int
	Errors                    []struct {
		Row    int
		Errors map[string][]string
	}
	Transactions []gBankTxn
}

type gRecurring struct {
	ID          string
	Name        string
	Type        string
	Template    map[string]any
	Frequency   string
	NextRun     string
	EndDate     *string
	IsActive    bool
	Occurrences int
}

// invFixture is a tenant with the standard chart, a 10% exclusive tax code
// and a bank account on 1010.
type invFixture struct {
	t    *testing.T
	env  *apptest.Env
	key  string
	ids  map[string]string // account code → id
	gst  string
	bank gBank
}

func newInvFixture(t *testing.T, env *apptest.Env, key string) *invFixture {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/accounting/accounts/seed", Key: key})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	f := &invFixture{t: t, env: env, key: key, ids: map[string]string{}}
	var chart struct{ Accounts []struct{ ID, Code string } }
	f.run(`{ accounts { id code } }`, nil, &chart)
	for _, a := range chart.Accounts {
		f.ids[a.Code] = a.ID
	}
	require.NotEmpty(t, f.ids["1010"])
	var tc struct{ CreateTaxCode struct{ ID string } }
	f.run(`mutation($in: CreateTaxCodeInput!) { createTaxCode(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"code": "GST", "name": "GST", "rate": "10", "type": "exclusive", "accountId": f.ids["2100"]}}, &tc)
	f.gst = tc.CreateTaxCode.ID
	var ba struct{ CreateBankAccount gBank }
	f.run(`mutation($in: CreateBankAccountInput!) { createBankAccount(input: $in) { `+bankFields+` } }`,
		map[string]any{"in": map[string]any{"name": "Main", "bankName": "First Bank", "glAccountId": "1010"}}, &ba)
	f.bank = ba.CreateBankAccount
	return f
}

func (f *invFixture) run(query string, vars map[string]any, out any) {
	f.t.Helper()
	gql(f.t, f.env, f.key, query, vars).decode(f.t, out)
}

// invoice creates a sales invoice (draft) of qty × price on 4000 with GST.
func (f *invFixture) invoice(contact string, qty, price any) gInvoice {
	f.t.Helper()
	var got struct{ CreateInvoice gInvoice }
	f.run(`mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { `+invoiceFields+` } }`,
		map[string]any{"in": map[string]any{"type": "sales", "contactName": contact, "date": "2024-03-10", "dueDate": "2024-04-09",
			"lines": []any{map[string]any{"description": "Widgets", "quantity": qty, "unitPrice": price,
				"accountId": f.ids["4000"], "taxCodeId": f.gst}}}}, &got)
	return got.CreateInvoice
}

func (f *invFixture) approve(id string) gInvoice {
	f.t.Helper()
	var got struct{ ApproveInvoice gInvoice }
	f.run(`mutation($id: ID!) { approveInvoice(id: $id) { `+invoiceFields+` } }`, map[string]any{"id": id}, &got)
	return got.ApproveInvoice
}

func (f *invFixture) get(id string) gInvoice {
	f.t.Helper()
	var got struct{ Invoice gInvoice }
	f.run(`query($id: ID!) { invoice(id: $id) { `+invoiceFields+` } }`, map[string]any{"id": id}, &got)
	return got.Invoice
}

const createPaymentQ = `mutation($in: CreatePaymentInput!) { createPayment(input: $in) { ` + paymentFields + ` } }`

func (f *invFixture) receipt(date, amount string, allocs ...map[string]any) gPayment {
	f.t.Helper()
	var got struct{ CreatePayment gPayment }
	f.run(createPaymentQ, map[string]any{"in": map[string]any{"type": "receipt", "date": date, "amount": amount,
		"bankAccountId": f.bank.ID, "method": "bank_transfer", "allocations": allocs}}, &got)
	return got.CreatePayment
}

func dec(t *testing.T, n json.Number) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(n.String())
	require.NoError(t, err)
	return d
}

// amountDueIsTotalMinusAllocations checks the invariant on an invoice.
func amountDueIsTotalMinusAllocations(t *testing.T, inv gInvoice) {
	t.Helper()
	sum := decimal.Zero
	for _, a := range inv.Allocations {
		sum = sum.Add(dec(t, a.Amount))
	}
	require.True(t, dec(t, inv.Total).Sub(sum).Equal(dec(t, inv.AmountDue)), "total %s − allocations %s ≠ amountDue %s", inv.Total, sum, inv.AmountDue)
	require.True(t, sum.Equal(dec(t, inv.AmountPaid)))
}

func TestInvoicingGraphQL(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true}) // the recurring scheduler would run the past-due rent itself
	tn := env.NewTenant(t)
	f := newInvFixture(t, env, tn.Key)
	require.Equal(t, "1010", f.bank.GLAccount.Code)
	require.Equal(t, f.ids["1010"], f.bank.GLAccountID)

	// Invoices: create, update, approve, list.
	inv := f.invoice("Acme Ltd", "3", "33.33")
	require.Equal(t, "draft", inv.Status)
	require.Equal(t, "2024-03-10", inv.Date)
	require.Equal(t, "99.99", inv.Subtotal.String())
	require.Equal(t, "10.00", inv.TaxTotal.String(), "9.999 rounds half-even to 10.00")
	require.Equal(t, "109.99", inv.Total.String())
	require.Equal(t, "0.00", inv.AmountPaid.String())
	require.Equal(t, "109.99", inv.AmountDue.String())
	require.Len(t, inv.Lines, 1)
	require.Equal(t, "4000", inv.Lines[0].Account.Code)
	require.Equal(t, "33.33", inv.Lines[0].UnitPrice.String())
	require.Empty(t, inv.Allocations)
	require.Empty(t, inv.Payments)

	var upd struct{ UpdateInvoice gInvoice }
	f.run(`mutation($id: ID!, $in: UpdateInvoiceInput!) { updateInvoice(id: $id, input: $in) { `+invoiceFields+` } }`,
		map[string]any{"id": inv.ID, "in": map[string]any{"contactName": "Acme Corp", "notes": "Net 30"}}, &upd)
	require.Equal(t, "Acme Corp", upd.UpdateInvoice.ContactName)
	require.Equal(t, "Net 30", upd.UpdateInvoice.Notes)
	require.Equal(t, "109.99", upd.UpdateInvoice.Total.String(), "absent lines are kept")

	inv = f.approve(inv.ID)
	require.Equal(t, "approved", inv.Status)
	require.NotNil(t, inv.JournalEntryID)

	// A partial receipt: amountDue = total − Σ allocations, payments come
	// from the allocations.
	pay := f.receipt("2024-03-20", "50.00", map[string]any{"invoiceId": inv.ID, "amount": "40.01"})
	require.Equal(t, "posted", pay.Status)
	require.Equal(t, "40.01", pay.AllocatedAmount.String())
	require.Equal(t, "9.99", pay.UnallocatedAmount.String())
	require.Len(t, pay.Allocations, 1)
	require.Equal(t, inv.Number, pay.Allocations[0].InvoiceNumber)
	require.Equal(t, inv.ID, pay.Allocations[0].Invoice.ID)
	require.Equal(t, "partially_paid", pay.Allocations[0].Invoice.Status)
	require.Equal(t, "69.98", pay.Allocations[0].Invoice.AmountDue.String())

	got := f.get(inv.ID)
	require.Equal(t, "partially_paid", got.Status)
	require.Equal(t, "40.01", got.AmountPaid.String())
	require.Equal(t, "69.98", got.AmountDue.String())
	require.Len(t, got.Allocations, 1)
	require.Equal(t, pay.ID, got.Allocations[0].Payment.ID)
	require.Equal(t, "2024-03-20", got.Allocations[0].Date)
	require.Len(t, got.Payments, 1)
	require.Equal(t, pay.ID, got.Payments[0].ID)
	require.Equal(t, "50.00", got.Payments[0].Amount.String())
	amountDueIsTotalMinusAllocations(t, got)

	// A second receipt on the same invoice, then voided: the invoice reopens.
	pay2 := f.receipt("2024-03-21", "0.01", map[string]any{"invoiceId": inv.ID, "amount": 0.01})
	got = f.get(inv.ID)
	require.Equal(t, "69.97", got.AmountDue.String())
	require.Len(t, got.Payments, 2)
	amountDueIsTotalMinusAllocations(t, got)
	var voided struct{ VoidPayment gPayment }
	f.run(`mutation($id: ID!) { voidPayment(id: $id, date: "2024-03-22") { `+paymentFields+` } }`, map[string]any{"id": pay2.ID}, &voided)
	require.Equal(t, "void", voided.VoidPayment.Status)
	require.NotNil(t, voided.VoidPayment.VoidEntryID)
	got = f.get(inv.ID)
	require.Equal(t, "69.98", got.AmountDue.String())
	amountDueIsTotalMinusAllocations(t, got)

	var lists struct {
		Invoices struct {
			Invoices []struct{ ID, Status string }
			Total    int
			Limit    int
			Offset   int
		}
		Payments struct {
			Payments []gPayment
			Total    int
		}
		Payment gPayment
	}
	f.run(`query($pay: ID!) {
		invoices(type: "sales", status: "partially_paid", limit: 10, offset: 0) { invoices { id status } total limit offset }
		payments(type: "receipt", limit: 10, offset: 0) { payments { `+paymentFields+` } total }
		payment(id: $pay) { `+paymentFields+` } }`, map[string]any{"pay": pay.ID}, &lists)
	require.Equal(t, 1, lists.Invoices.Total)
	require.Equal(t, inv.ID, lists.Invoices.Invoices[0].ID)
	require.Equal(t, 2, lists.Payments.Total)
	require.Equal(t, pay.ID, lists.Payment.ID)
	require.Equal(t, inv.Number, lists.Payment.Allocations[0].Invoice.Number)
	require.Equal(t, "69.98", lists.Payment.Allocations[0].Invoice.AmountDue.String())

	// Void and delete.
	other := f.approve(f.invoice("Beta", 1, "10").ID)
	var vi struct{ VoidInvoice gInvoice }
	f.run(`mutation($id: ID!) { voidInvoice(id: $id) { `+invoiceFields+` } }`, map[string]any{"id": other.ID}, &vi)
	require.Equal(t, "void", vi.VoidInvoice.Status)
	require.NotNil(t, vi.VoidInvoice.VoidEntryID)
	draft := f.invoice("Gamma", 1, "1")
	var del struct {
		DeleteInvoice struct {
			ID      string
			Deleted bool
		}
	}
	f.run(`mutation($id: ID!) { deleteInvoice(id: $id) { id deleted } }`, map[string]any{"id": draft.ID}, &del)
	require.True(t, del.DeleteInvoice.Deleted)

	// Banking: import (idempotent), CSV import, list, match, reconcile.
	const importQ = `mutation($id: ID!, $lines: [StatementLineInput!]!) { importBankTransactions(id: $id, transactions: $lines) {
		imported skipped failed errors { row errors } transactions { ` + btxFields + ` } } }`
	lines := []any{
		map[string]any{"date": "2024-03-20", "description": "Acme", "amount": "50.00", "type": "credit", "reference": "R1"},
		map[string]any{"date": "2024-03-25", "description": "Fee", "amount": 2.5, "type": "debit", "reference": "R2"},
		map[string]any{"date": "2024-03-26", "description": "Bad", "amount": "-1", "type": "debit"},
	}
	var imp struct{ ImportBankTransactions gImport }
	f.run(importQ, map[string]any{"id": f.bank.ID, "lines": lines}, &imp)
	require.Equal(t, 2, imp.ImportBankTransactions.Imported)
	require.Equal(t, 1, imp.ImportBankTransactions.Failed)
	require.Equal(t, 3, imp.ImportBankTransactions.Errors[0].Row)
	require.Contains(t, imp.ImportBankTransactions.Errors[0].Errors, "amount")
	require.Equal(t, "2.50", imp.ImportBankTransactions.Transactions[1].Amount.String())
	r1 := imp.ImportBankTransactions.Transactions[0].ID
	f.run(importQ, map[string]any{"id": f.bank.ID, "lines": lines[:2]}, &imp)
	require.Equal(t, 0, imp.ImportBankTransactions.Imported)
	require.Equal(t, 2, imp.ImportBankTransactions.Skipped)
	var csv struct{ ImportBankStatementCsv gImport }
	f.run(`mutation($id: ID!, $csv: String!) { importBankStatementCsv(id: $id, csv: $csv) { imported skipped failed } }`,
		map[string]any{"id": f.bank.ID, "csv": "date,description,amount,type,reference\n2024-03-27,Interest,0.12,credit,R3\n"}, &csv)
	require.Equal(t, 1, csv.ImportBankStatementCsv.Imported)

	var ba struct {
		BankAccount struct {
			gBank
			Transactions struct {
				Transactions []gBankTxn
				Total        int
			}
		}
		BankAccounts    []gBank
		BankTransaction gBankTxn
	}
	f.run(`query($id: ID!, $tx: ID!) {
		bankAccount(id: $id) { `+bankFields+` transactions(status: "unmatched", from: "2024-03-01", to: "2024-03-31", limit: 10, offset: 0) {
			transactions { `+btxFields+` } total } }
		bankAccounts(active: true) { `+bankFields+` }
		bankTransaction(id: $tx) { `+btxFields+` } }`, map[string]any{"id": f.bank.ID, "tx": r1}, &ba)
	require.Equal(t, 3, ba.BankAccount.Transactions.Total)
	require.Len(t, ba.BankAccounts, 1)
	require.Equal(t, "50.00", ba.BankTransaction.Amount.String())

	var m struct{ MatchBankTransaction gBankTxn }
	f.run(`mutation($id: ID!, $pay: ID!) { matchBankTransaction(id: $id, input: {paymentId: $pay}) { `+btxFields+` } }`,
		map[string]any{"id": r1, "pay": pay.ID}, &m)
	require.Equal(t, "matched", m.MatchBankTransaction.Status)
	require.Equal(t, pay.ID, *m.MatchBankTransaction.MatchedPaymentID)
	var rec struct {
		ReconcileBankAccount struct {
			Reconciled   int
			Transactions []gBankTxn
		}
	}
	f.run(`mutation($id: ID!, $tx: ID!) { reconcileBankAccount(id: $id, transactionIds: [$tx]) { reconciled transactions { `+btxFields+` } } }`,
		map[string]any{"id": f.bank.ID, "tx": r1}, &rec)
	require.Equal(t, 1, rec.ReconcileBankAccount.Reconciled)
	require.Equal(t, "reconciled", rec.ReconcileBankAccount.Transactions[0].Status)

	var ub struct{ UpdateBankAccount gBank }
	f.run(`mutation($id: ID!) { updateBankAccount(id: $id, input: {name: "Operating", accountNumber: "123"}) { `+bankFields+` } }`,
		map[string]any{"id": f.bank.ID}, &ub)
	require.Equal(t, "Operating", ub.UpdateBankAccount.Name)
	var cb struct{ CreateBankAccount gBank }
	f.run(`mutation { createBankAccount(input: {name: "Petty cash", glAccountId: "1000"}) { `+bankFields+` } }`, nil, &cb)
	var db struct {
		DeleteBankAccount struct {
			ID      string
			Deleted bool
		}
	}
	f.run(`mutation($id: ID!) { deleteBankAccount(id: $id) { id deleted } }`, map[string]any{"id": cb.CreateBankAccount.ID}, &db)
	require.True(t, db.DeleteBankAccount.Deleted)

	// Recurring entries: the template is JSON, the answer of execute a
	// typed document.
	template := map[string]any{"description": "Rent", "lines": []any{
		map[string]any{"account_id": f.ids["6000"], "debit": "1200.00"},
		map[string]any{"account_id": f.ids["1010"], "credit": "1200.00"}}}
	var cr struct{ CreateRecurringEntry gRecurring }
	f.run(`mutation($in: CreateRecurringEntryInput!) { createRecurringEntry(input: $in) { `+recurFields+` } }`,
		map[string]any{"in": map[string]any{"name": "Rent", "type": "journal_entry", "template": template,
			"frequency": "monthly", "nextRun": "2024-01-31", "endDate": "2024-12-31"}}, &cr)
	r := cr.CreateRecurringEntry
	require.Equal(t, "2024-01-31", r.NextRun)
	require.Equal(t, "2024-12-31", *r.EndDate)
	require.Equal(t, "Rent", r.Template["description"])
	const updRec = `mutation($id: ID!, $in: UpdateRecurringEntryInput!) { updateRecurringEntry(id: $id, input: $in) { ` + recurFields + ` } }`
	var ur struct{ UpdateRecurringEntry gRecurring }
	f.run(updRec, map[string]any{"id": r.ID, "in": map[string]any{"name": "Office rent"}}, &ur)
	require.Equal(t, "Office rent", ur.UpdateRecurringEntry.Name)
	require.NotNil(t, ur.UpdateRecurringEntry.EndDate, "absent endDate keeps it")
	f.run(updRec, map[string]any{"id": r.ID, "in": map[string]any{"endDate": nil}}, &ur)
	require.Nil(t, ur.UpdateRecurringEntry.EndDate, "null removes the end")
	var ex struct {
		ExecuteRecurringEntry struct {
			Type         string
			JournalEntry *gEntry
			Invoice      *gInvoice
		}
	}
	f.run(`mutation($id: ID!) { executeRecurringEntry(id: $id) { type journalEntry { `+entryFields+` } invoice { id } } }`,
		map[string]any{"id": r.ID}, &ex)
	require.Equal(t, "journal_entry", ex.ExecuteRecurringEntry.Type)
	require.Nil(t, ex.ExecuteRecurringEntry.Invoice)
	require.Equal(t, "2024-01-31", ex.ExecuteRecurringEntry.JournalEntry.Date)
	require.Equal(t, "posted", ex.ExecuteRecurringEntry.JournalEntry.Status)
	require.Equal(t, "1200.00", ex.ExecuteRecurringEntry.JournalEntry.TotalDebit.String())
	require.Equal(t, "6000", ex.ExecuteRecurringEntry.JournalEntry.Lines[0].Account.Code)

	invTemplate := map[string]any{"type": "sales", "contact_name": "Subscriber", "lines": []any{
		map[string]any{"description": "Plan", "unit_price": "15.50", "account_id": f.ids["4000"]}}}
	f.run(`mutation($in: CreateRecurringEntryInput!) { createRecurringEntry(input: $in) { `+recurFields+` } }`,
		map[string]any{"in": map[string]any{"name": "Plan", "type": "invoice", "template": invTemplate,
			"frequency": "monthly", "nextRun": "2024-02-01"}}, &cr)
	f.run(`mutation($id: ID!) { executeRecurringEntry(id: $id) { type journalEntry { id } invoice { `+invoiceFields+` } } }`,
		map[string]any{"id": cr.CreateRecurringEntry.ID}, &ex)
	require.Equal(t, "invoice", ex.ExecuteRecurringEntry.Type)
	require.Nil(t, ex.ExecuteRecurringEntry.JournalEntry)
	require.Equal(t, "15.50", ex.ExecuteRecurringEntry.Invoice.Total.String())
	require.Equal(t, "2024-02-01", ex.ExecuteRecurringEntry.Invoice.Date)

	var rl struct {
		RecurringEntries []gRecurring
		RecurringEntry   gRecurring
	}
	f.run(`query($id: ID!) { recurringEntries { `+recurFields+` } recurringEntry(id: $id) { `+recurFields+` } }`, map[string]any{"id": r.ID}, &rl)
	require.Len(t, rl.RecurringEntries, 2)
	require.Equal(t, "2024-02-29", rl.RecurringEntry.NextRun)
	require.Equal(t, 1, rl.RecurringEntry.Occurrences)
	var dr struct {
		DeleteRecurringEntry struct {
			ID      string
			Deleted bool
		}
	}
	f.run(`mutation($id: ID!) { deleteRecurringEntry(id: $id) { id deleted } }`, map[string]any{"id": r.ID}, &dr)
	require.True(t, dr.DeleteRecurringEntry.Deleted)

	// Reports: each answers what REST answers (aged buckets are renamed:
	// REST's 1_30 is days1To30).
	var aged struct {
		AgedReceivables struct {
			AsOf, Type, Currency string
			Contacts             []struct {
				ContactName string
				Days1To30   json.Number
				Total       json.Number
				Invoices    []struct {
					InvoiceID, Bucket string
					DaysOverdue       int
					AmountDue         json.Number
				}
			}
			Totals struct{ Current, Days1To30, Days31To60, Days61To90, Over90, Total json.Number }
		}
		AgedPayables struct {
			Type   string
			Totals struct{ Total json.Number }
		}
	}
	f.run(`{ agedReceivables(asOf: "2024-05-01") { asOf type currency contacts { contactName days1To30 total
			invoices { invoiceId bucket daysOverdue amountDue } } totals { current days1To30 days31To60 days61To90 over90 total } }
		agedPayables(asOf: "2024-05-01") { type totals { total } } }`, nil, &aged)
	ar := aged.AgedReceivables
	require.Equal(t, "receivables", ar.Type)
	require.Equal(t, "2024-05-01", ar.AsOf)
	res := env.Do(t, apptest.Request{Path: "/v1/accounting/reports/aged-receivables?as_of=2024-05-01", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var restAged struct {
		Totals map[string]json.Number `json:"totals"`
	}
	require.NoError(t, json.Unmarshal(res.Data, &restAged))
	require.Equal(t, restAged.Totals["1_30"], ar.Totals.Days1To30)
	require.Equal(t, restAged.Totals["total"], ar.Totals.Total)
	require.Equal(t, "80.98", ar.Totals.Days1To30.String(), "69.98 partly paid + 11.00 voided only after as_of, both 22 days overdue")
	require.Equal(t, "payables", aged.AgedPayables.Type)
	require.Equal(t, "0.00", aged.AgedPayables.Totals.Total.String())

	cases := []struct{ rest, query, field string }{
		{"/v1/accounting/reports/tax?from=2024-03-01&to=2024-03-31",
			`{ taxReport(from: "2024-03-01", to: "2024-03-31") { from to currency rows { taxCodeId code collected paid net } totals { collected paid net } } }`,
			"taxReport"},
		{"/v1/accounting/reports/cash-flow?from=2024-01-01&to=2024-03-31",
			`{ cashFlow(from: "2024-01-01", to: "2024-03-31") { from to currency openingCash netChange closingCash
				sections { operating { rows { subType inflow outflow net } inflow outflow net }
					investing { rows { subType inflow outflow net } inflow outflow net }
					financing { rows { subType inflow outflow net } inflow outflow net } }
				cashAccounts { accountId code name subType openingBalance closingBalance } } }`,
			"cashFlow"},
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
	var tax struct {
		TaxReport struct {
			Totals struct{ Collected json.Number }
		}
		CashFlow struct{ NetChange json.Number }
	}
	f.run(`{ taxReport(from: "2024-03-01", to: "2024-03-31") { totals { collected } } cashFlow(from: "2024-01-01", to: "2024-03-31") { netChange } }`, nil, &tax)
	require.Equal(t, "11.00", tax.TaxReport.Totals.Collected.String(), "10.00 + 1.00; the void's reversal counts on its own (later) date")
	require.Equal(t, "-1150.00", tax.CashFlow.NetChange.String(), "+50.00 receipt, +0.01 − 0.01 voided, −1200.00 rent")
}

func TestInvoicingGraphQLErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	f := newInvFixture(t, env, tn.Key)
	inv := f.approve(f.invoice("Acme", 1, "100").ID)

	// Over-allocation: VALIDATION_FAILED, as REST.
	over := map[string]any{"type": "receipt", "date": "2024-03-20", "amount": "500", "bankAccountId": f.bank.ID,
		"allocations": []any{map[string]any{"invoiceId": inv.ID, "amount": "110.01"}}}
	e := gql(t, env, tn.Key, createPaymentQ, map[string]any{"in": over}).requireCode(t, "VALIDATION_FAILED")
	require.Contains(t, fieldsOf(e), "allocations[0].amount")
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/accounting/payments", Key: tn.Key, Body: map[string]any{
		"type": "receipt", "date": "2024-03-20", "amount": "500", "bank_account_id": f.bank.ID,
		"allocations": []any{map[string]any{"invoice_id": inv.ID, "amount": "110.01"}}}})
	require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
	over["allocations"] = []any{map[string]any{"invoiceId": inv.ID, "amount": "50"}}
	over["amount"] = "40"
	gql(t, env, tn.Key, createPaymentQ, map[string]any{"in": over}).requireCode(t, "VALIDATION_FAILED")

	// Voiding twice: INVALID_STATE.
	pay := f.receipt("2024-03-20", "10", map[string]any{"invoiceId": inv.ID, "amount": "10"})
	const voidPay = `mutation($id: ID!) { voidPayment(id: $id) { id status } }`
	gql(t, env, tn.Key, voidPay, map[string]any{"id": pay.ID}).decode(t, &struct{}{})
	gql(t, env, tn.Key, voidPay, map[string]any{"id": pay.ID}).requireCode(t, "INVALID_STATE")
	const voidInv = `mutation($id: ID!) { voidInvoice(id: $id) { id status } }`
	gql(t, env, tn.Key, voidInv, map[string]any{"id": inv.ID}).decode(t, &struct{}{})
	gql(t, env, tn.Key, voidInv, map[string]any{"id": inv.ID}).requireCode(t, "INVALID_STATE")
	res = env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/accounting/invoices/" + inv.ID + "/void", Key: tn.Key})
	require.Equal(t, "INVALID_STATE", res.Error.Code)

	// Unknown and foreign ids: NOT_FOUND.
	other := env.NewTenant(t, "Other tenant")
	for _, c := range []struct{ query, id string }{
		{`query($id: ID!) { invoice(id: $id) { id } }`, inv.ID},
		{`query($id: ID!) { payment(id: $id) { id } }`, pay.ID},
		{`query($id: ID!) { bankAccount(id: $id) { id } }`, f.bank.ID},
		{`mutation($id: ID!) { approveInvoice(id: $id) { id } }`, inv.ID},
		{`mutation($id: ID!) { voidPayment(id: $id) { id } }`, pay.ID},
	} {
		gql(t, env, other.Key, c.query, map[string]any{"id": c.id}).requireCode(t, "NOT_FOUND")
	}
	gql(t, env, tn.Key, `{ invoice(id: "inv_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")
	gql(t, env, tn.Key, `{ bankTransaction(id: "btx_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")
	gql(t, env, tn.Key, `{ recurringEntry(id: "rec_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")
	gql(t, env, tn.Key, `mutation { executeRecurringEntry(id: "rec_nope") { type } }`, nil).requireCode(t, "NOT_FOUND")
	res = env.Do(t, apptest.Request{Path: "/v1/accounting/invoices/" + inv.ID, Key: other.Key})
	require.Equal(t, "NOT_FOUND", res.Error.Code)

	// A read key reads but does not write: INSUFFICIENT_SCOPE, as REST.
	_, readKey := restKey(t, env, tn.Key, map[string]any{"label": "reader", "scopes": []string{"read"}})
	gql(t, env, readKey, `query($id: ID!) { invoice(id: $id) { id } }`, map[string]any{"id": inv.ID}).decode(t, &struct{}{})
	e = gql(t, env, readKey, `mutation { createBankAccount(input: {name: "X", glAccountId: "1000"}) { id } }`, nil).
		requireCode(t, "INSUFFICIENT_SCOPE")
	require.Equal(t, "write", e.Extensions["required_scope"])
	res = env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/accounting/bank-accounts", Key: readKey,
		Body: map[string]any{"name": "X", "gl_account_id": "1000"}})
	require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
}

// Listing payments with their allocations' invoices (and those invoices'
// payments) costs the same number of SQL statements for one payment as for
// ten: the loaders read each kind in one batch.
func TestInvoicingLoadersBatched(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	log := &queryLog{}
	env.App.Core.DB.AddQueryHook(log)
	tn := env.NewTenant(t)
	f := newInvFixture(t, env, tn.Key)
	for i := range 10 {
		inv := f.approve(f.invoice(fmt.Sprintf("Customer %d", i), "1", "10.00").ID)
		f.receipt("2024-03-20", "5.00", map[string]any{"invoiceId": inv.ID, "amount": "5.00"})
	}
	const q = `query($limit: Int) { payments(limit: $limit) { payments { id allocations { invoice { id amountDue payments { id } } } } } }`
	run := func(limit int) int {
		log.take()
		var got struct {
			Payments struct {
				Payments []struct {
					Allocations []struct {
						Invoice struct {
							ID       string
							Payments []struct{ ID string }
						}
					}
				}
			}
		}
		f.run(q, map[string]any{"limit": limit}, &got)
		require.Len(t, got.Payments.Payments, limit)
		for _, p := range got.Payments.Payments {
			require.Len(t, p.Allocations, 1)
			require.Len(t, p.Allocations[0].Invoice.Payments, 1)
		}
		return len(log.take())
	}
	run(10) // warm
	one, ten := run(1), run(10)
	t.Logf("SQL per operation: %d for 1 payment, %d for 10", one, ten)
	require.Equal(t, one, ten)
}
