package db

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Bank accounts, statement lines and the cash flow report's queries.

const acctBankDateLayout = "2006-01-02"

// AcctBankAccountList returns a tenant's bank accounts by name (at most
// 1,000); active filters on is_active when set.
func AcctBankAccountList(ctx context.Context, idb bun.IDB, tenantID string, active *bool) ([]AcctBankAccount, error) {
	rows := []AcctBankAccount{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("name, id").Limit(1000)
	if active != nil {
		q = q.Where("is_active = ?", *active)
	}
	return rows, q.Scan(ctx)
}

// AcctBankAccountGet loads a bank account; lock is "", "UPDATE" or "SHARE".
func AcctBankAccountGet(ctx context.Context, idb bun.IDB, tenantID, id, lock string) (*AcctBankAccount, error) {
	row := new(AcctBankAccount)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if lock != "" {
		q = q.For(lock)
	}
	return row, q.Scan(ctx)
}

// AcctBankAccountByGL returns the bank account tied to a ledger account, or
// nil.
func AcctBankAccountByGL(ctx context.Context, idb bun.IDB, tenantID, glAccountID string) (*AcctBankAccount, error) {
	var rows []AcctBankAccount
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND gl_account_id = ?", tenantID, glAccountID).
		OrderExpr("id").Limit(1).Scan(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// AcctBankAccountInsert creates a bank account.
func AcctBankAccountInsert(ctx context.Context, idb bun.IDB, row *AcctBankAccount) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctBankAccountUpdate writes the mutable columns of row.
func AcctBankAccountUpdate(ctx context.Context, idb bun.IDB, row *AcctBankAccount) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "account_number", "bank_name", "is_active", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// AcctBankAccountDelete removes a bank account; its statement lines go with
// it (ON DELETE CASCADE).
func AcctBankAccountDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctBankAccount)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctBankAccountDependents counts the payments and statement lines of a
// bank account.
func AcctBankAccountDependents(ctx context.Context, idb bun.IDB, tenantID, id string) (payments, transactions int, err error) {
	err = idb.NewRaw(`SELECT
		(SELECT count(*) FROM acct_payments WHERE tenant_id = ? AND bank_account_id = ?),
		(SELECT count(*) FROM acct_bank_transactions WHERE tenant_id = ? AND bank_account_id = ?)`,
		tenantID, id, tenantID, id).Scan(ctx, &payments, &transactions)
	return
}

// AcctBankTxnExistingKeys returns which of keys a bank account has
// imported already.
func AcctBankTxnExistingKeys(ctx context.Context, idb bun.IDB, tenantID, bankAccountID string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	var found []string
	err := idb.NewRaw(`SELECT dedup_key FROM acct_bank_transactions
		WHERE tenant_id = ? AND bank_account_id = ? AND dedup_key = ANY(?::text[])`,
		tenantID, bankAccountID, pgdialect.Array(keys)).Scan(ctx, &found)
	for _, k := range found {
		out[k] = true
	}
	return out, err
}

// AcctBankTxnInsert inserts statement lines, 1,000 per statement.
func AcctBankTxnInsert(ctx context.Context, idb bun.IDB, rows []AcctBankTransaction) error {
	for start := 0; start < len(rows); start += 1000 {
		chunk := rows[start:min(start+1000, len(rows))]
		if _, err := idb.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// AcctBankTxnGet loads a statement line; forUpdate row-locks it.
func AcctBankTxnGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctBankTransaction, error) {
	row := new(AcctBankTransaction)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctBankTxnsByIDs loads (and row-locks) the statement lines of a bank
// account with the given ids, in id order.
func AcctBankTxnsByIDs(ctx context.Context, idb bun.IDB, tenantID, bankAccountID string, ids []string) ([]AcctBankTransaction, error) {
	rows := []AcctBankTransaction{}
	if len(ids) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND bank_account_id = ? AND id IN (?)", tenantID, bankAccountID, bun.In(ids)).
		OrderExpr("id").For("UPDATE").Scan(ctx)
	return rows, err
}

// AcctBankTxnUpdate writes the status and matching columns of row.
func AcctBankTxnUpdate(ctx context.Context, idb bun.IDB, row *AcctBankTransaction) error {
	_, err := idb.NewUpdate().Model(row).
		Column("status", "matched_entry_id", "matched_payment_id", "reconciled_at", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// AcctBankTxnListParams filters and pages a bank account's statement lines.
type AcctBankTxnListParams struct {
	Status   string
	From, To *time.Time
	Limit    int
	Offset   int
}

// AcctBankTxnList returns a page of statement lines (newest date first) and
// the total.
func AcctBankTxnList(ctx context.Context, idb bun.IDB, tenantID, bankAccountID string, p *AcctBankTxnListParams) ([]AcctBankTransaction, int, error) {
	rows := []AcctBankTransaction{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND bank_account_id = ?", tenantID, bankAccountID)
	if p.Status != "" {
		q = q.Where("status = ?", p.Status)
	}
	if p.From != nil {
		q = q.Where("date >= ?", *p.From)
	}
	if p.To != nil {
		q = q.Where("date <= ?", *p.To)
	}
	n, err := q.OrderExpr("date DESC, id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	return rows, int(n), err
}

// AcctBankTxnMatchedTo returns the statement lines (other than exceptID)
// matched to an entry or a payment (either may be empty), locked.
func AcctBankTxnMatchedTo(ctx context.Context, idb bun.IDB, tenantID, entryID, paymentID, exceptID string) ([]AcctBankTransaction, error) {
	rows := []AcctBankTransaction{}
	if entryID == "" && paymentID == "" {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND id <> ?", tenantID, exceptID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("(? <> '' AND matched_entry_id = ?)", entryID, entryID).
				WhereOr("(? <> '' AND matched_payment_id = ?)", paymentID, paymentID)
		}).
		OrderExpr("id").For("UPDATE").Scan(ctx)
	return rows, err
}

// AcctBankEntryStatuses returns the status of each of the given entries.
func AcctBankEntryStatuses(ctx context.Context, idb bun.IDB, tenantID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     string `bun:"id"`
		Status string `bun:"status"`
	}
	err := idb.NewRaw(`SELECT id, status FROM acct_journal_entries WHERE tenant_id = ? AND id = ANY(?::text[])`,
		tenantID, pgdialect.Array(ids)).Scan(ctx, &rows)
	for _, r := range rows {
		out[r.ID] = r.Status
	}
	return out, err
}

// cashAccounts selects the ids of a tenant's cash accounts: sub-type bank
// or cash, or the ledger account of a bank account. It takes the tenant id
// twice.
const cashAccounts = `SELECT id FROM acct_accounts WHERE tenant_id = ? AND (sub_type IN ('bank', 'cash')
	OR id IN (SELECT gl_account_id FROM acct_bank_accounts WHERE tenant_id = ?))`

// AcctCashAccountBalance is a cash account's balance (debits − credits, in
// base) before a range and at its end.
type AcctCashAccountBalance struct {
	AccountID string          `bun:"account_id"`
	Code      string          `bun:"code"`
	Name      string          `bun:"name"`
	SubType   string          `bun:"sub_type"`
	Opening   decimal.Decimal `bun:"opening,type:numeric"`
	Closing   decimal.Decimal `bun:"closing,type:numeric"`
}

// AcctCashAccountBalances returns every cash account's balance before from
// and at the end of to, by code, from the daily roll-up.
func AcctCashAccountBalances(ctx context.Context, idb bun.IDB, tenantID string, from, to time.Time) ([]AcctCashAccountBalance, error) {
	rows := []AcctCashAccountBalance{}
	err := idb.NewRaw(`SELECT a.id AS account_id, a.code, a.name, a.sub_type,
			COALESCE((SELECT sum(b.debit - b.credit) FROM acct_daily_balances b
				WHERE b.tenant_id = a.tenant_id AND b.account_id = a.id AND b.date < ?::date), 0) AS opening,
			COALESCE((SELECT sum(b.debit - b.credit) FROM acct_daily_balances b
				WHERE b.tenant_id = a.tenant_id AND b.account_id = a.id AND b.date <= ?::date), 0) AS closing
		FROM acct_accounts a
		WHERE a.tenant_id = ? AND a.id IN (`+cashAccounts+`)
		ORDER BY a.code`,
		from.Format(acctBankDateLayout), to.Format(acctBankDateLayout), tenantID, tenantID, tenantID).Scan(ctx, &rows)
	return rows, err
}

// AcctCashFlowRow is the cash a kind of counter-account brought in and
// took out over a range (base amounts, both ≥ 0).
type AcctCashFlowRow struct {
	Type    string          `bun:"type"`
	SubType string          `bun:"sub_type"`
	Inflow  decimal.Decimal `bun:"inflow,type:numeric"`
	Outflow decimal.Decimal `bun:"outflow,type:numeric"`
}

// AcctCashFlowRows attributes the cash moved by each posted entry touching a
// cash account in [from, to] to the entry's other lines (direct method):
// each counter-line contributes its own credit − debit (base), so the
// contributions of one entry sum exactly to its net cash movement. They are
// netted per entry and counter-account type and sub-type, then summed into
// inflows (positive) and outflows (negative). Entries moving cash between
// cash accounts only contribute nothing.
func AcctCashFlowRows(ctx context.Context, idb bun.IDB, tenantID string, from, to time.Time) ([]AcctCashFlowRow, error) {
	rows := []AcctCashFlowRow{}
	err := idb.NewRaw(`WITH cash AS (`+cashAccounts+`),
		moved AS (
			SELECT DISTINCT l.entry_id FROM acct_journal_lines l
			WHERE l.tenant_id = ? AND l.posted AND l.date >= ?::date AND l.date <= ?::date
			  AND l.account_id IN (SELECT id FROM cash)),
		per AS (
			SELECT a.type, a.sub_type, l.entry_id, sum(l.base_credit - l.base_debit) AS net
			FROM moved m
			JOIN acct_journal_lines l ON l.tenant_id = ? AND l.entry_id = m.entry_id
			JOIN acct_accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id
			WHERE l.posted AND l.account_id NOT IN (SELECT id FROM cash)
			GROUP BY a.type, a.sub_type, l.entry_id)
		SELECT type, sub_type,
			COALESCE(sum(net) FILTER (WHERE net > 0), 0) AS inflow,
			COALESCE(-sum(net) FILTER (WHERE net < 0), 0) AS outflow
		FROM per GROUP BY type, sub_type ORDER BY sub_type, type`,
		tenantID, tenantID, tenantID, from.Format(acctBankDateLayout), to.Format(acctBankDateLayout), tenantID).Scan(ctx, &rows)
	return rows, err
}
