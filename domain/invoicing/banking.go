package invoicing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Bank accounts and their statement lines.
//
// A bank account is tied to one ledger account (gl_account_id): an active
// asset account of sub-type bank or cash, not tied to another bank account.
// Payments post to it; imported statement lines are matched to the journal
// entries or payments that moved it, then reconciled.

// ID prefixes of banking records.
const (
	bankAccountPrefix = "ba_"
	bankTxnPrefix     = "btx_"
)

// Statement line types (the bank's view) and statuses.
const (
	BankCredit = "credit" // money in
	BankDebit  = "debit"  // money out

	BankUnmatched  = "unmatched"
	BankMatched    = "matched"
	BankReconciled = "reconciled"
)

// maxReconcile caps the lines of one reconcile request.
const maxReconcile = 1000

// BankAccount is a bank account tied to a ledger account.
type BankAccount struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	AccountNumber string    `json:"account_number"`
	BankName      string    `json:"bank_name"`
	Currency      string    `json:"currency"`
	GLAccountID   string    `json:"gl_account_id" doc:"The ledger account (asset, sub-type bank or cash) payments post to."`
	IsActive      bool      `json:"is_active"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func bankAccountFromRow(r *db.AcctBankAccount) BankAccount {
	return BankAccount{ID: r.ID, Name: r.Name, AccountNumber: r.AccountNumber, BankName: r.BankName, Currency: r.Currency,
		GLAccountID: r.GLAccountID, IsActive: r.IsActive, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ListBankAccountsInput filters the bank accounts.
type ListBankAccountsInput struct {
	Active string `query:"active" doc:"true or false: only active or inactive accounts."`
}

// CreateBankAccountInput is the body of POST /v1/accounting/bank-accounts.
type CreateBankAccountInput struct {
	Name          string `json:"name" required:"true"`
	AccountNumber string `json:"account_number"`
	BankName      string `json:"bank_name"`
	Currency      string `json:"currency" doc:"One of the tenant's currencies; default the base currency."`
	GLAccountID   string `json:"gl_account_id" required:"true" doc:"Id or code of an active asset account of sub-type bank or cash, not tied to another bank account."`
}

// BankAccountRef names a bank account.
type BankAccountRef struct {
	BankAccountID string `path:"bank_account_id" json:"-"`
}

// UpdateBankAccountInput is the body of PATCH .../bank-accounts/:bank_account_id.
// The currency and the ledger account never change.
type UpdateBankAccountInput struct {
	BankAccountID string  `path:"bank_account_id" json:"-"`
	Name          *string `json:"name"`
	AccountNumber *string `json:"account_number"`
	BankName      *string `json:"bank_name"`
	IsActive      *bool   `json:"is_active"`
}

// DeleteBankAccountInput names the bank account to delete. One with
// payments is never deleted; one with statement lines only is deleted with
// them after the confirm-token flow.
type DeleteBankAccountInput struct {
	BankAccountID string `path:"bank_account_id" json:"-"`
	Force         bool   `query:"force" json:"-"`
	ConfirmToken  string `query:"confirm_token" json:"-"`
}

// ListBankAccounts returns the bank accounts by name (a bare array).
// Errors: VALIDATION_FAILED, UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListBankAccounts(ctx context.Context, in ListBankAccountsInput) ([]BankAccount, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var active *bool
	switch in.Active {
	case "":
	case "true", "false":
		v := in.Active == "true"
		active = &v
	default:
		return nil, domain.Invalid("active", "must be true or false")
	}
	rows, err := db.AcctBankAccountList(ctx, s.core.DB, p.TenantID, active)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]BankAccount, len(rows))
	for i := range rows {
		out[i] = bankAccountFromRow(&rows[i])
	}
	return out, nil
}

// GetBankAccount loads a bank account. Errors: NOT_FOUND.
func (s *Service) GetBankAccount(ctx context.Context, in BankAccountRef) (BankAccount, error) {
	p, err := reader(ctx)
	if err != nil {
		return BankAccount{}, err
	}
	row, err := s.bankAccount(ctx, s.core.DB, p.TenantID, in.BankAccountID, "")
	if err != nil {
		return BankAccount{}, err
	}
	return bankAccountFromRow(row), nil
}

// CreateBankAccount adds a bank account. Errors: VALIDATION_FAILED (name,
// currency, gl_account_id: not an active asset account of sub-type bank or
// cash, or one restricted to another currency), CONFLICT (the ledger
// account is tied to another bank account), UNAUTHORIZED,
// INSUFFICIENT_SCOPE.
func (s *Service) CreateBankAccount(ctx context.Context, in CreateBankAccountInput) (BankAccount, error) {
	p, err := writer(ctx)
	if err != nil {
		return BankAccount{}, err
	}
	var v domain.Validation
	name, number, bank := strings.TrimSpace(in.Name), strings.TrimSpace(in.AccountNumber), strings.TrimSpace(in.BankName)
	domain.CheckText(&v, "name", name, 200, true)
	domain.CheckText(&v, "account_number", number, 100, false)
	domain.CheckText(&v, "bank_name", bank, 200, false)
	v.Check(strings.TrimSpace(in.GLAccountID) == "", "gl_account_id", "is required")
	if err := v.Err(); err != nil {
		return BankAccount{}, err
	}
	var out BankAccount
	err = s.core.Write(ctx, func(w *domain.Write) error {
		base, _, err := s.books.BaseCurrency(ctx, w.Tx, p.TenantID)
		if err != nil {
			return err
		}
		currency := strings.ToUpper(strings.TrimSpace(in.Currency))
		if currency == "" {
			currency = base
		}
		if _, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, currency, "currency"); err != nil {
			return err
		}
		gl, err := s.bankLedgerAccount(ctx, w.Tx, p.TenantID, strings.TrimSpace(in.GLAccountID), currency)
		if err != nil {
			return err
		}
		now := s.core.Clock.Now()
		row := &db.AcctBankAccount{TenantID: p.TenantID, ID: domain.NewID(bankAccountPrefix), Name: name,
			AccountNumber: number, BankName: bank, Currency: currency, GLAccountID: gl.ID, IsActive: true,
			CreatedAt: now, UpdatedAt: now}
		if err := db.AcctBankAccountInsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = bankAccountFromRow(row)
		return recordBankAccount(w, p.TenantID, "bank_account.create", "bank_account.created", nil, &out)
	})
	return out, err
}

// bankLedgerAccount checks the ledger account a bank account is tied to.
func (s *Service) bankLedgerAccount(ctx context.Context, w bun.IDB, tenantID, ref, currency string) (accounting.Account, error) {
	const field = "gl_account_id"
	gl, err := s.books.LookupAccount(ctx, w, tenantID, ref)
	if err != nil && domain.ErrorCode(err) == domain.CodeNotFound {
		return gl, domain.Invalid(field, "is not an account of this tenant")
	}
	if err != nil {
		return gl, err
	}
	switch {
	case gl.Type != accounting.TypeAsset || (gl.SubType != "bank" && gl.SubType != "cash"):
		return gl, domain.Invalid(field, "must be an asset account of sub-type bank or cash (account "+gl.Code+" is "+
			gl.Type+bankDescribeSubType(gl.SubType)+")")
	case !gl.IsActive:
		return gl, domain.Invalid(field, "account "+gl.Code+" is inactive")
	case gl.Currency != nil && *gl.Currency != currency:
		return gl, domain.Invalid(field, "account "+gl.Code+" only takes "+*gl.Currency+"; the bank account is in "+currency)
	}
	other, err := db.AcctBankAccountByGL(ctx, w, tenantID, gl.ID)
	if err != nil {
		return gl, domain.Internal(err)
	}
	if other != nil {
		return gl, domain.Errorf(domain.CodeConflict, "Account %s is the ledger account of bank account %s already.", gl.Code, other.ID).
			With("bank_account_id", other.ID)
	}
	return gl, nil
}

func bankDescribeSubType(st string) string {
	if st == "" {
		return " with no sub-type"
	}
	return ", sub-type " + st
}

// UpdateBankAccount renames or (de)activates a bank account. Errors:
// NOT_FOUND, VALIDATION_FAILED.
func (s *Service) UpdateBankAccount(ctx context.Context, in UpdateBankAccountInput) (BankAccount, error) {
	p, err := writer(ctx)
	if err != nil {
		return BankAccount{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		domain.CheckText(&v, "name", strings.TrimSpace(*in.Name), 200, true)
	}
	if in.AccountNumber != nil {
		domain.CheckText(&v, "account_number", strings.TrimSpace(*in.AccountNumber), 100, false)
	}
	if in.BankName != nil {
		domain.CheckText(&v, "bank_name", strings.TrimSpace(*in.BankName), 200, false)
	}
	if err := v.Err(); err != nil {
		return BankAccount{}, err
	}
	var out BankAccount
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.bankAccount(ctx, w.Tx, p.TenantID, in.BankAccountID, "UPDATE")
		if err != nil {
			return err
		}
		before := bankAccountFromRow(row)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		if in.AccountNumber != nil {
			row.AccountNumber = strings.TrimSpace(*in.AccountNumber)
		}
		if in.BankName != nil {
			row.BankName = strings.TrimSpace(*in.BankName)
		}
		if in.IsActive != nil {
			row.IsActive = *in.IsActive
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctBankAccountUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = bankAccountFromRow(row)
		return recordBankAccount(w, p.TenantID, "bank_account.update", "bank_account.updated", &before, &out)
	})
	return out, err
}

// DeleteBankAccount removes a bank account. Payments are books records: a
// bank account with payments is never deleted (409 DEPENDENCY_EXISTS
// without a confirm token; deactivate it instead). One with statement lines
// only answers 409 DEPENDENCY_EXISTS with a confirm_token, and
// ?force=true&confirm_token=... deletes it with its lines. Errors:
// NOT_FOUND, DEPENDENCY_EXISTS, INVALID_CONFIRM_TOKEN.
func (s *Service) DeleteBankAccount(ctx context.Context, in DeleteBankAccountInput) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.bankAccount(ctx, w.Tx, p.TenantID, in.BankAccountID, "UPDATE")
		if err != nil {
			return err
		}
		payments, lines, err := db.AcctBankAccountDependents(ctx, w.Tx, p.TenantID, row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		var deps []domain.Dependency
		for _, d := range []domain.Dependency{{Type: "payments", Count: payments, Label: "Payments"},
			{Type: "bank_transactions", Count: lines, Label: "Bank statement lines"}} {
			if d.Count > 0 {
				deps = append(deps, d)
			}
		}
		resource := "bank_account:" + row.ID
		switch {
		case payments > 0:
			return s.core.DependencyError(ctx, p.TenantID, resource, deps, false)
		case lines > 0 && (!in.Force || in.ConfirmToken == ""):
			return s.core.DependencyError(ctx, p.TenantID, resource, deps, true)
		case lines > 0:
			if err := s.core.ConsumeConfirmToken(ctx, p.TenantID, resource, in.ConfirmToken); err != nil {
				return err
			}
		}
		if err := db.AcctBankAccountDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := bankAccountFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		if err := w.Audit(p.TenantID, "bank_account.delete", "bank_account", row.ID,
			map[string]any{"before": before, "bank_transactions_deleted": lines}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "bank_account.deleted", before)
	})
	return out, err
}

func recordBankAccount(w *domain.Write, tenantID, action, event string, before, after *BankAccount) error {
	if err := w.Audit(tenantID, action, "bank_account", after.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, accounting.Topic, event, after)
}

// bankAccount loads a bank account; lock is "", "UPDATE" or "SHARE".
// Errors: NOT_FOUND.
func (s *Service) bankAccount(ctx context.Context, idb bun.IDB, tenantID, id, lock string) (*db.AcctBankAccount, error) {
	if !domain.ValidID(bankAccountPrefix, id) {
		return nil, domain.NotFound("Bank account")
	}
	row, err := db.AcctBankAccountGet(ctx, idb, tenantID, id, lock)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Bank account")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// BankTransaction is one imported statement line. amount is always
// positive: credit is money in, debit money out (the bank's view).
type BankTransaction struct {
	ID               string     `json:"id"`
	BankAccountID    string     `json:"bank_account_id"`
	Date             Date       `json:"date"`
	Description      string     `json:"description"`
	Amount           Amount     `json:"amount"`
	Currency         string     `json:"currency"`
	Type             string     `json:"type" doc:"credit (money in) or debit (money out)."`
	Reference        string     `json:"reference"`
	Status           string     `json:"status" doc:"unmatched, matched or reconciled."`
	MatchedEntryID   *string    `json:"matched_entry_id"`
	MatchedPaymentID *string    `json:"matched_payment_id"`
	ReconciledAt     *time.Time `json:"reconciled_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func bankTxnFromRow(r *db.AcctBankTransaction, currency string, places int32) BankTransaction {
	return BankTransaction{ID: r.ID, BankAccountID: r.BankAccountID, Date: dateOf(r.Date), Description: r.Description,
		Amount: accounting.NewAmount(r.Amount, places), Currency: currency, Type: r.Type, Reference: r.Reference,
		Status: r.Status, MatchedEntryID: r.MatchedEntryID, MatchedPaymentID: r.MatchedPaymentID,
		ReconciledAt: r.ReconciledAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ListBankTransactionsInput filters and pages a bank account's statement
// lines (offset list).
type ListBankTransactionsInput struct {
	BankAccountID string `path:"bank_account_id" json:"-"`
	Status        string `query:"status" doc:"unmatched, matched or reconciled."`
	From          string `query:"from" doc:"First date (YYYY-MM-DD), inclusive."`
	To            string `query:"to" doc:"Last date (YYYY-MM-DD), inclusive."`
	Limit         int    `query:"limit"`
	Offset        int    `query:"offset"`
}

// BankTransactionList is the answer of GET .../bank-accounts/:id/transactions.
type BankTransactionList struct {
	Transactions []BankTransaction `json:"transactions"`
	Total        int               `json:"total"`
	Limit        int               `json:"limit"`
	Offset       int               `json:"offset"`
}

// BankTransactionRef names a statement line.
type BankTransactionRef struct {
	TransactionID string `path:"transaction_id" json:"-"`
}

// MatchBankTransactionInput is the body of POST
// .../bank-transactions/:transaction_id/match: exactly one of entry_id and
// payment_id.
type MatchBankTransactionInput struct {
	TransactionID string `path:"transaction_id" json:"-"`
	EntryID       string `json:"entry_id" doc:"A posted journal entry moving the bank account's ledger account by the line's amount."`
	PaymentID     string `json:"payment_id" doc:"A posted payment (money out) or receipt (money in) of the line's bank account and amount."`
}

// ReconcileInput is the body of POST .../bank-accounts/:id/reconcile.
type ReconcileInput struct {
	BankAccountID  string   `path:"bank_account_id" json:"-"`
	TransactionIDs []string `json:"transaction_ids" required:"true" doc:"Matched statement lines of this bank account."`
}

// ReconcileResult is the answer of a reconcile.
type ReconcileResult struct {
	Reconciled   int               `json:"reconciled"`
	Transactions []BankTransaction `json:"transactions"`
}

// ListBankTransactions pages a bank account's statement lines, newest date
// first. Errors: NOT_FOUND, VALIDATION_FAILED.
func (s *Service) ListBankTransactions(ctx context.Context, in ListBankTransactionsInput) (BankTransactionList, error) {
	p, err := reader(ctx)
	if err != nil {
		return BankTransactionList{}, err
	}
	var v domain.Validation
	v.Check(in.Status != "" && in.Status != BankUnmatched && in.Status != BankMatched && in.Status != BankReconciled,
		"status", "must be unmatched, matched or reconciled")
	params := &db.AcctBankTxnListParams{Status: in.Status, Limit: domain.ClampLimit(in.Limit), Offset: in.Offset}
	params.From = optionalDate(&v, "from", in.From)
	params.To = optionalDate(&v, "to", in.To)
	v.Check(in.Offset < 0, "offset", "must not be negative")
	if err := v.Err(); err != nil {
		return BankTransactionList{}, err
	}
	bank, err := s.bankAccount(ctx, s.core.DB, p.TenantID, in.BankAccountID, "")
	if err != nil {
		return BankTransactionList{}, err
	}
	places, err := s.books.CurrencyPlaces(ctx, s.core.DB, p.TenantID, bank.Currency, "currency")
	if err != nil {
		return BankTransactionList{}, err
	}
	rows, total, err := db.AcctBankTxnList(ctx, s.core.DB, p.TenantID, bank.ID, params)
	if err != nil {
		return BankTransactionList{}, domain.Internal(err)
	}
	out := BankTransactionList{Transactions: make([]BankTransaction, len(rows)), Total: total, Limit: params.Limit, Offset: in.Offset}
	for i := range rows {
		out.Transactions[i] = bankTxnFromRow(&rows[i], bank.Currency, places)
	}
	return out, nil
}

// GetBankTransaction loads a statement line. Errors: NOT_FOUND.
func (s *Service) GetBankTransaction(ctx context.Context, in BankTransactionRef) (BankTransaction, error) {
	p, err := reader(ctx)
	if err != nil {
		return BankTransaction{}, err
	}
	row, err := s.bankTxn(ctx, s.core.DB, p.TenantID, in.TransactionID, false)
	if err != nil {
		return BankTransaction{}, err
	}
	return s.bankTxnOut(ctx, s.core.DB, p.TenantID, row)
}

func (s *Service) bankTxnOut(ctx context.Context, idb bun.IDB, tenantID string, row *db.AcctBankTransaction) (BankTransaction, error) {
	bank, err := s.bankAccount(ctx, idb, tenantID, row.BankAccountID, "")
	if err != nil {
		return BankTransaction{}, err
	}
	places, err := s.books.CurrencyPlaces(ctx, idb, tenantID, bank.Currency, "currency")
	if err != nil {
		return BankTransaction{}, err
	}
	return bankTxnFromRow(row, bank.Currency, places), nil
}

// MatchBankTransaction matches a statement line to the journal entry or
// the payment that explains it. The entry must be posted and move the bank
// account's ledger account, net, by the line's amount in the bank's
// currency (in the entry's currency when it is the bank's, else in base
// when the bank account is in base), a debit to the ledger account for a
// credit line (money in) and a credit for a debit line. A payment must be
// posted, of this bank account, a receipt for a credit line or a payment
// for a debit line, of the line's amount; its entry is recorded too. A
// matched line may be matched again (the new match replaces the old); an
// entry or payment explains one line at most.
// Errors: NOT_FOUND, VALIDATION_FAILED (entry_id, payment_id: missing,
// unknown, wrong account, direction or amount), INVALID_STATE (a reconciled
// line; a draft or reversed entry; a void payment), CONFLICT (matched to
// another line already).
func (s *Service) MatchBankTransaction(ctx context.Context, in MatchBankTransactionInput) (BankTransaction, error) {
	p, err := writer(ctx)
	if err != nil {
		return BankTransaction{}, err
	}
	entryID, paymentID := strings.TrimSpace(in.EntryID), strings.TrimSpace(in.PaymentID)
	switch {
	case entryID == "" && paymentID == "":
		return BankTransaction{}, domain.Invalid("entry_id", "entry_id or payment_id is required")
	case entryID != "" && paymentID != "":
		return BankTransaction{}, domain.Invalid("payment_id", "send entry_id or payment_id, not both")
	}
	var out BankTransaction
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.bankTxn(ctx, w.Tx, p.TenantID, in.TransactionID, true)
		if err != nil {
			return err
		}
		if row.Status == BankReconciled {
			return domain.Errorf(domain.CodeInvalidState, "The statement line is reconciled and cannot be matched again.")
		}
		bank, err := s.bankAccount(ctx, w.Tx, p.TenantID, row.BankAccountID, "SHARE")
		if err != nil {
			return err
		}
		places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, bank.Currency, "currency")
		if err != nil {
			return err
		}
		var matchEntry, matchPayment *string
		if paymentID != "" {
			pay, err := s.matchPayment(ctx, w.Tx, p.TenantID, paymentID, row, bank, places)
			if err != nil {
				return err
			}
			matchEntry, matchPayment = pay.JournalEntryID, &pay.ID
		} else {
			entry, err := s.matchEntry(ctx, w.Tx, p.TenantID, entryID, row, bank, places)
			if err != nil {
				return err
			}
			matchEntry = &entry.ID
			if entry.SourceType == "payment" && entry.SourceID != "" {
				src := entry.SourceID
				matchPayment = &src
			}
		}
		others, err := db.AcctBankTxnMatchedTo(ctx, w.Tx, p.TenantID, bankStr(matchEntry), bankStr(matchPayment), row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if len(others) > 0 {
			what := "entry " + bankStr(matchEntry)
			if paymentID != "" {
				what = "payment " + paymentID
			}
			return domain.Errorf(domain.CodeConflict, "The %s is matched to statement line %s already.", what, others[0].ID).
				With("transaction_id", others[0].ID)
		}
		row.Status, row.MatchedEntryID, row.MatchedPaymentID = BankMatched, matchEntry, matchPayment
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctBankTxnUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = bankTxnFromRow(row, bank.Currency, places)
		if err := w.Audit(p.TenantID, "bank_transaction.match", "bank_transaction", row.ID,
			map[string]any{"entry_id": matchEntry, "payment_id": matchPayment}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "bank_transaction.matched", out)
	})
	return out, err
}

func (s *Service) matchPayment(ctx context.Context, idb bun.IDB, tenantID, id string, line *db.AcctBankTransaction,
	bank *db.AcctBankAccount, places int32) (*db.AcctPayment, error) {
	const field = "payment_id"
	if !domain.ValidID(paymentPrefix, id) {
		return nil, domain.Invalid(field, "is not a payment of this tenant")
	}
	pay, err := db.AcctPaymentGet(ctx, idb, tenantID, id, false)
	if db.IsNoRows(err) {
		return nil, domain.Invalid(field, "is not a payment of this tenant")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if pay.Status != PaymentPosted {
		return nil, domain.Errorf(domain.CodeInvalidState, "Payment %s is %s and cannot be matched.", pay.ID, pay.Status)
	}
	if pay.BankAccountID != bank.ID {
		return nil, domain.Invalid(field, "went through another bank account ("+pay.BankAccountID+")")
	}
	want := BankCredit
	if pay.Type == PaymentTypePayment {
		want = BankDebit
	}
	if want != line.Type {
		return nil, domain.Invalid(field, fmt.Sprintf("is a %s (money %s) but the statement line is a %s (money %s)",
			pay.Type, bankMoneyWay(want), line.Type, bankMoneyWay(line.Type)))
	}
	if !pay.Amount.Equal(line.Amount) {
		return nil, domain.Invalid(field, fmt.Sprintf("amount %s does not agree with the statement line's %s",
			pay.Amount.StringFixedBank(places), line.Amount.StringFixedBank(places)))
	}
	return pay, nil
}

func (s *Service) matchEntry(ctx context.Context, idb bun.IDB, tenantID, id string, line *db.AcctBankTransaction,
	bank *db.AcctBankAccount, places int32) (*db.AcctJournalEntry, error) {
	const field = "entry_id"
	if !domain.ValidID("je_", id) {
		return nil, domain.Invalid(field, "is not a journal entry of this tenant")
	}
	entry, err := db.AcctEntryGet(ctx, idb, tenantID, id, false)
	if db.IsNoRows(err) {
		return nil, domain.Invalid(field, "is not a journal entry of this tenant")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if entry.Status != accounting.StatusPosted {
		return nil, domain.Errorf(domain.CodeInvalidState, "Journal entry %s is %s; only posted entries can be matched.", entry.ID, entry.Status)
	}
	lines, err := db.AcctLinesByEntries(ctx, idb, tenantID, []string{entry.ID})
	if err != nil {
		return nil, domain.Internal(err)
	}
	base, _, err := s.books.BaseCurrency(ctx, idb, tenantID)
	if err != nil {
		return nil, err
	}
	useBase := false
	switch {
	case entry.Currency == bank.Currency:
	case bank.Currency == base:
		useBase = true
	default:
		return nil, domain.Invalid(field, "is in "+entry.Currency+"; the bank account is in "+bank.Currency)
	}
	var net decimal.Decimal
	touched := false
	for _, l := range lines {
		if l.AccountID != bank.GLAccountID {
			continue
		}
		touched = true
		if useBase {
			net = net.Add(l.BaseDebit).Sub(l.BaseCredit)
		} else {
			net = net.Add(l.Debit).Sub(l.Credit)
		}
	}
	if !touched || net.IsZero() {
		return nil, domain.Invalid(field, "does not move the bank account's ledger account")
	}
	way := BankCredit
	if net.IsNegative() {
		way = BankDebit
	}
	if way != line.Type {
		return nil, domain.Invalid(field, fmt.Sprintf("moves money %s but the statement line is a %s (money %s)",
			bankMoneyWay(way), line.Type, bankMoneyWay(line.Type)))
	}
	if !net.Abs().Equal(line.Amount) {
		return nil, domain.Invalid(field, fmt.Sprintf("amount %s does not agree with the statement line's %s",
			net.Abs().StringFixedBank(places), line.Amount.StringFixedBank(places)))
	}
	return entry, nil
}

func bankMoneyWay(lineType string) string {
	if lineType == BankCredit {
		return "in"
	}
	return "out"
}

// ReconcileBankTransactions marks matched statement lines of a bank account
// reconciled. Every line named must be a matched line of this bank account
// whose entry is still posted; otherwise nothing changes and the answer is
// 409 INVALID_STATE listing the offending ids in transaction_ids.
// Errors: NOT_FOUND, VALIDATION_FAILED, INVALID_STATE.
func (s *Service) ReconcileBankTransactions(ctx context.Context, in ReconcileInput) (ReconcileResult, error) {
	p, err := writer(ctx)
	if err != nil {
		return ReconcileResult{}, err
	}
	var ids []string
	for _, id := range in.TransactionIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return ReconcileResult{}, domain.Invalid("transaction_ids", "must name at least one transaction")
	case len(ids) > maxReconcile:
		return ReconcileResult{}, domain.Invalid("transaction_ids", fmt.Sprintf("must name at most %d transactions", maxReconcile))
	}
	var out ReconcileResult
	err = s.core.Write(ctx, func(w *domain.Write) error {
		bank, err := s.bankAccount(ctx, w.Tx, p.TenantID, in.BankAccountID, "SHARE")
		if err != nil {
			return err
		}
		places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, bank.Currency, "currency")
		if err != nil {
			return err
		}
		rows, err := db.AcctBankTxnsByIDs(ctx, w.Tx, p.TenantID, bank.ID, ids)
		if err != nil {
			return domain.Internal(err)
		}
		byID := map[string]*db.AcctBankTransaction{}
		var entryIDs []string
		for i := range rows {
			byID[rows[i].ID] = &rows[i]
			if rows[i].MatchedEntryID != nil {
				entryIDs = append(entryIDs, *rows[i].MatchedEntryID)
			}
		}
		statuses, err := db.AcctBankEntryStatuses(ctx, w.Tx, p.TenantID, entryIDs)
		if err != nil {
			return domain.Internal(err)
		}
		var bad []string
		for _, id := range ids {
			r := byID[id]
			if r == nil || r.Status != BankMatched || r.MatchedEntryID == nil || statuses[*r.MatchedEntryID] != accounting.StatusPosted {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			return domain.Errorf(domain.CodeInvalidState,
				"Only matched statement lines of this bank account (whose entries are still posted) can be reconciled: %s.",
				strings.Join(bad, ", ")).With("transaction_ids", bad)
		}
		now := s.core.Clock.Now()
		out.Transactions = make([]BankTransaction, 0, len(ids))
		for _, id := range ids {
			r := byID[id]
			r.Status, r.ReconciledAt, r.UpdatedAt = BankReconciled, &now, now
			if err := db.AcctBankTxnUpdate(ctx, w.Tx, r); err != nil {
				return domain.Internal(err)
			}
			out.Transactions = append(out.Transactions, bankTxnFromRow(r, bank.Currency, places))
		}
		out.Reconciled = len(ids)
		if err := w.Audit(p.TenantID, "bank_account.reconcile", "bank_account", bank.ID,
			map[string]any{"transaction_ids": ids}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "bank_transactions.reconciled",
			map[string]any{"bank_account_id": bank.ID, "transaction_ids": ids})
	})
	return out, err
}

// bankTxn loads a statement line. Errors: NOT_FOUND.
func (s *Service) bankTxn(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctBankTransaction, error) {
	if !domain.ValidID(bankTxnPrefix, id) {
		return nil, domain.NotFound("Bank transaction")
	}
	row, err := db.AcctBankTxnGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Bank transaction")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func bankStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
