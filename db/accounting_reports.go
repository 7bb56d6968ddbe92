package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Ledger report queries. Balances are read from acct_daily_balances (one row
// per account and day with postings), so a report costs O(accounts × days),
// never a scan of journal lines; only the general ledger reads lines, through
// the partial index acct_journal_lines_account, one account range at a time.
// Every sum is a SQL numeric scanned into decimal.Decimal: exact.

const reportDate = "2006-01-02"

// AcctSnapshot runs fn in a read-only REPEATABLE READ transaction, so a
// report built from several queries sees one consistent state of the books
// even while postings commit.
func AcctSnapshot(ctx context.Context, bdb *bun.DB, fn func(tx bun.Tx) error) error {
	return bdb.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		func(ctx context.Context, tx bun.Tx) error { return fn(tx) })
}

// AcctAccountBalance is one account's posted base amounts summed over a date
// range.
type AcctAccountBalance struct {
	AccountID string          `bun:"account_id"`
	Code      string          `bun:"code"`
	Name      string          `bun:"name"`
	Type      string          `bun:"type"`
	SubType   string          `bun:"sub_type"`
	Debit     decimal.Decimal `bun:"debit,type:numeric"`
	Credit    decimal.Decimal `bun:"credit,type:numeric"`
}

// AcctBalanceParams selects the daily balances summed by AcctAccountBalances.
// Nil bounds are open.
type AcctBalanceParams struct {
	From      *time.Time // date >= From
	Before    *time.Time // date < Before
	To        *time.Time // date <= To
	Types     []string   // account types; all when empty
	AccountID string     // one account; all when empty
}

// AcctAccountBalances sums the daily balances of each account over the
// range and answers the accounts whose debits and credits differ, by code.
func AcctAccountBalances(ctx context.Context, idb bun.IDB, tenantID string, p AcctBalanceParams) ([]AcctAccountBalance, error) {
	rows := []AcctAccountBalance{}
	q := idb.NewSelect().
		TableExpr("acct_daily_balances AS b").
		ColumnExpr("b.account_id").
		ColumnExpr("sum(b.debit) AS debit").
		ColumnExpr("sum(b.credit) AS credit").
		Where("b.tenant_id = ?", tenantID).
		GroupExpr("b.account_id").
		Having("sum(b.debit) <> sum(b.credit)")
	if p.From != nil {
		q = q.Where("b.date >= ?::date", p.From.Format(reportDate))
	}
	if p.Before != nil {
		q = q.Where("b.date < ?::date", p.Before.Format(reportDate))
	}
	if p.To != nil {
		q = q.Where("b.date <= ?::date", p.To.Format(reportDate))
	}
	if p.AccountID != "" {
		q = q.Where("b.account_id = ?", p.AccountID)
	}
	outer := idb.NewSelect().
		TableExpr("(?) AS s", q).
		Join("JOIN acct_accounts AS a ON a.tenant_id = ? AND a.id = s.account_id", tenantID).
		ColumnExpr("s.account_id, a.code, a.name, a.type, a.sub_type, s.debit, s.credit").
		OrderExpr("a.code")
	if len(p.Types) > 0 {
		outer = outer.Where("a.type IN (?)", bun.In(p.Types))
	}
	err := outer.Scan(ctx, &rows)
	return rows, err
}

// AcctLedgerParams selects an account's (or every account's) postings.
type AcctLedgerParams struct {
	From, To  time.Time // inclusive
	AccountID string    // all accounts when empty
	Limit     int
}

// AcctLedgerCount counts posted lines in the range, stopping at p.Limit:
// the answer is min(count, p.Limit). Each account is an index range scan.
func AcctLedgerCount(ctx context.Context, idb bun.IDB, tenantID string, p AcctLedgerParams) (int, error) {
	var n int
	err := idb.NewRaw(`SELECT count(*) FROM (
			SELECT 1 FROM acct_accounts a
			CROSS JOIN LATERAL (
				SELECT 1 FROM acct_journal_lines l
				WHERE l.tenant_id = a.tenant_id AND l.account_id = a.id AND l.posted
				  AND l.date >= ?::date AND l.date <= ?::date) x
			WHERE a.tenant_id = ? AND (? = '' OR a.id = ?)
			LIMIT ?) t`,
		p.From.Format(reportDate), p.To.Format(reportDate), tenantID, p.AccountID, p.AccountID, p.Limit).Scan(ctx, &n)
	return n, err
}

// AcctLedgerPosting is one posted line with its account and entry.
type AcctLedgerPosting struct {
	AccountID   string          `bun:"account_id"`
	Code        string          `bun:"code"`
	Name        string          `bun:"name"`
	Type        string          `bun:"type"`
	LineID      string          `bun:"line_id"`
	EntryID     string          `bun:"entry_id"`
	LineNo      int             `bun:"line_no"`
	Date        time.Time       `bun:"date,type:date"`
	Description string          `bun:"description"`
	Reference   string          `bun:"reference"`
	Debit       decimal.Decimal `bun:"debit,type:numeric"`
	Credit      decimal.Decimal `bun:"credit,type:numeric"`
}

// AcctLedgerPostings lists posted lines in the range (base amounts; the
// line's description, else the entry's) by account code, date, entry and
// line number, at most p.Limit of them.
func AcctLedgerPostings(ctx context.Context, idb bun.IDB, tenantID string, p AcctLedgerParams) ([]AcctLedgerPosting, error) {
	rows := []AcctLedgerPosting{}
	err := idb.NewRaw(`SELECT a.id AS account_id, a.code, a.name, a.type,
			x.id AS line_id, x.entry_id, x.line_no, x.date, x.description, x.reference,
			x.base_debit AS debit, x.base_credit AS credit
		FROM acct_accounts a
		CROSS JOIN LATERAL (
			SELECT l.id, l.entry_id, l.line_no, l.date, l.base_debit, l.base_credit,
				COALESCE(NULLIF(l.description, ''), e.description) AS description, e.reference
			FROM acct_journal_lines l
			JOIN acct_journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id
			WHERE l.tenant_id = a.tenant_id AND l.account_id = a.id AND l.posted
			  AND l.date >= ?::date AND l.date <= ?::date) x
		WHERE a.tenant_id = ? AND (? = '' OR a.id = ?)
		ORDER BY a.code, x.date, x.entry_id, x.line_no
		LIMIT ?`,
		p.From.Format(reportDate), p.To.Format(reportDate), tenantID, p.AccountID, p.AccountID, p.Limit).Scan(ctx, &rows)
	return rows, err
}

// AcctReportPeriod loads a period's dates for a report. Errors: sql.ErrNoRows.
func AcctReportPeriod(ctx context.Context, idb bun.IDB, tenantID, id string) (start, end time.Time, err error) {
	var row struct {
		StartDate time.Time `bun:"start_date,type:date"`
		EndDate   time.Time `bun:"end_date,type:date"`
	}
	err = idb.NewRaw(`SELECT start_date, end_date FROM acct_periods WHERE tenant_id = ? AND id = ?`, tenantID, id).
		Scan(ctx, &row)
	return row.StartDate, row.EndDate, err
}
