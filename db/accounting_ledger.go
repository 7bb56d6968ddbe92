package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// AcctAccountInsert creates an account.
func AcctAccountInsert(ctx context.Context, idb bun.IDB, row *AcctAccount) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctAccountGet loads an account by id or by code.
func AcctAccountGet(ctx context.Context, idb bun.IDB, tenantID, idOrCode string) (*AcctAccount, error) {
	row := new(AcctAccount)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND (id = ? OR code = ?)", tenantID, idOrCode, idOrCode).
		OrderExpr("(id = ?) DESC", idOrCode).Limit(1).Scan(ctx) // an id wins over a code that spells it
	return row, err
}

// AcctAccountListParams filters the chart of accounts.
type AcctAccountListParams struct {
	Type   string
	Active *bool
	Limit  int
}

// AcctAccountList returns a tenant's accounts by code.
func AcctAccountList(ctx context.Context, idb bun.IDB, tenantID string, p *AcctAccountListParams) ([]AcctAccount, error) {
	rows := []AcctAccount{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("code").Limit(int64(p.Limit))
	if p.Type != "" {
		q = q.Where("type = ?", p.Type)
	}
	if p.Active != nil {
		q = q.Where("is_active = ?", *p.Active)
	}
	return rows, q.Scan(ctx)
}

// AcctAccountsByIDs loads the accounts with the given ids.
func AcctAccountsByIDs(ctx context.Context, idb bun.IDB, tenantID string, ids []string) ([]AcctAccount, error) {
	rows := []AcctAccount{}
	if len(ids) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND id IN (?)", tenantID, bun.In(ids)).Scan(ctx)
	return rows, err
}

// AcctAccountUpdate writes the mutable columns of row.
func AcctAccountUpdate(ctx context.Context, idb bun.IDB, row *AcctAccount) error {
	_, err := idb.NewUpdate().Model(row).Column("code", "name", "sub_type", "parent_id", "description", "is_active", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// AcctAccountDelete removes an account.
func AcctAccountDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctAccount)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AccountDependents counts what refers to an account.
type AccountDependents struct {
	JournalLines, Children, TaxCodes, InvoiceLines, BankAccounts int
}

// AcctAccountDependents counts what refers to an account: journal lines,
// child accounts, tax codes, invoice lines and bank accounts.
func AcctAccountDependents(ctx context.Context, idb bun.IDB, tenantID, id string) (AccountDependents, error) {
	var d AccountDependents
	err := idb.NewRaw(`SELECT
		(SELECT count(*) FROM acct_journal_lines WHERE tenant_id = ? AND account_id = ?),
		(SELECT count(*) FROM acct_accounts WHERE tenant_id = ? AND parent_id = ?),
		(SELECT count(*) FROM acct_tax_codes WHERE tenant_id = ? AND account_id = ?),
		(SELECT count(*) FROM acct_invoice_lines WHERE tenant_id = ? AND account_id = ?),
		(SELECT count(*) FROM acct_bank_accounts WHERE tenant_id = ? AND gl_account_id = ?)`,
		tenantID, id, tenantID, id, tenantID, id, tenantID, id, tenantID, id).
		Scan(ctx, &d.JournalLines, &d.Children, &d.TaxCodes, &d.InvoiceLines, &d.BankAccounts)
	return d, err
}

// AcctAccountIsAncestor reports whether ancestorID is id or one of its parents.
func AcctAccountIsAncestor(ctx context.Context, idb bun.IDB, tenantID, id, ancestorID string) (bool, error) {
	var found bool
	err := idb.NewRaw(`WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM acct_accounts WHERE tenant_id = ? AND id = ?
			UNION ALL
			SELECT a.id, a.parent_id, up.depth + 1 FROM acct_accounts a JOIN up ON a.id = up.parent_id
			WHERE a.tenant_id = ? AND up.depth < 100)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)`, tenantID, id, tenantID, ancestorID).Scan(ctx, &found)
	return found, err
}

// AcctEntryInsert creates an entry (lines separately).
func AcctEntryInsert(ctx context.Context, idb bun.IDB, row *AcctJournalEntry) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctEntryGet loads an entry; forUpdate row-locks it.
func AcctEntryGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctJournalEntry, error) {
	row := new(AcctJournalEntry)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctEntryUpdate writes the mutable columns of row.
func AcctEntryUpdate(ctx context.Context, idb bun.IDB, row *AcctJournalEntry) error {
	_, err := idb.NewUpdate().Model(row).Column("date", "description", "reference", "currency", "exchange_rate",
		"status", "reversal_of", "reversed_by", "posted_at", "posted_by", "updated_at").WherePK().Exec(ctx)
	return err
}

// AcctEntryDelete removes an entry and its lines.
func AcctEntryDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctJournalEntry)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctEntryListParams filters and pages journal entries.
type AcctEntryListParams struct {
	Status    string
	From, To  *time.Time
	AccountID string
	Limit     int
	Offset    int
}

// AcctEntryList returns a page of entries (newest date first) and the total.
func AcctEntryList(ctx context.Context, idb bun.IDB, tenantID string, p *AcctEntryListParams) ([]AcctJournalEntry, int, error) {
	rows := []AcctJournalEntry{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID)
	if p.Status != "" {
		q = q.Where("status = ?", p.Status)
	}
	if p.From != nil {
		q = q.Where("date >= ?", *p.From)
	}
	if p.To != nil {
		q = q.Where("date <= ?", *p.To)
	}
	if p.AccountID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM acct_journal_lines l WHERE l.tenant_id = acct_journal_entry.tenant_id AND l.entry_id = acct_journal_entry.id AND l.account_id = ?)", p.AccountID)
	}
	n, err := q.OrderExpr("date DESC, id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	return rows, int(n), err
}

// AcctLinesInsert inserts an entry's lines.
func AcctLinesInsert(ctx context.Context, idb bun.IDB, lines []AcctJournalLine) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&lines).Exec(ctx)
	return err
}

// AcctLinesByEntries loads the lines of entries, in entry and line order.
func AcctLinesByEntries(ctx context.Context, idb bun.IDB, tenantID string, entryIDs []string) ([]AcctJournalLine, error) {
	rows := []AcctJournalLine{}
	if len(entryIDs) == 0 {
		return rows, nil
	}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND entry_id IN (?)", tenantID, bun.In(entryIDs)).
		OrderExpr("entry_id, line_no").Scan(ctx)
	return rows, err
}

// AcctLinesDeleteByEntry removes an entry's lines (drafts are rewritten whole).
func AcctLinesDeleteByEntry(ctx context.Context, idb bun.IDB, tenantID, entryID string) error {
	_, err := idb.NewDelete().Model((*AcctJournalLine)(nil)).Where("tenant_id = ? AND entry_id = ?", tenantID, entryID).Exec(ctx)
	return err
}

// AcctLinesMarkPosted flags an entry's lines as posted.
func AcctLinesMarkPosted(ctx context.Context, idb bun.IDB, tenantID, entryID string) error {
	_, err := idb.NewUpdate().Model((*AcctJournalLine)(nil)).Set("posted = true").
		Where("tenant_id = ? AND entry_id = ?", tenantID, entryID).Exec(ctx)
	return err
}

// AcctDailyBalancesAdd adds posted base amounts into the per-day roll-up.
// accounts must be sorted: rows are locked in that order, so concurrent
// postings on the same accounts queue instead of deadlocking.
func AcctDailyBalancesAdd(ctx context.Context, idb bun.IDB, tenantID string, date time.Time, accounts, debits, credits []string) error {
	_, err := idb.NewRaw(`INSERT INTO acct_daily_balances (tenant_id, account_id, date, debit, credit)
		SELECT ?, v.a, ?, v.d, v.c FROM unnest(?::text[], ?::numeric[], ?::numeric[]) AS v(a, d, c) ORDER BY v.a
		ON CONFLICT (tenant_id, account_id, date) DO UPDATE
		SET debit = acct_daily_balances.debit + EXCLUDED.debit, credit = acct_daily_balances.credit + EXCLUDED.credit`,
		tenantID, date, pgdialect.Array(accounts), pgdialect.Array(debits), pgdialect.Array(credits)).Exec(ctx)
	return err
}
