package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Reference data of the books: currencies, exchange rates, tax codes and
// periods. Every query is scoped by tenant.

// acctRefdataLimit caps the bare-array lists (contract: at most 1,000 items).
const acctRefdataLimit = 1000

// AcctCurrencyList returns a tenant's currencies by code.
func AcctCurrencyList(ctx context.Context, idb bun.IDB, tenantID string) ([]AcctCurrency, error) {
	rows := []AcctCurrency{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("code").Limit(acctRefdataLimit).Scan(ctx)
	return rows, err
}

// AcctCurrencyGet loads a tenant's currency by id or (upper-case) code;
// forUpdate row-locks it.
func AcctCurrencyGet(ctx context.Context, idb bun.IDB, tenantID, idOrCode string, forUpdate bool) (*AcctCurrency, error) {
	row := new(AcctCurrency)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND (id = ? OR code = ?)", tenantID, idOrCode, idOrCode).Limit(1)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctCurrencyInsert creates a currency (a duplicate code is a unique violation).
func AcctCurrencyInsert(ctx context.Context, idb bun.IDB, row *AcctCurrency) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctCurrencyUpdate writes the mutable columns of row.
func AcctCurrencyUpdate(ctx context.Context, idb bun.IDB, row *AcctCurrency) error {
	_, err := idb.NewUpdate().Model(row).Column("name", "symbol", "decimal_places", "updated_at").WherePK().Exec(ctx)
	return err
}

// AcctCurrencyDelete removes a currency and every exchange rate naming it.
func AcctCurrencyDelete(ctx context.Context, idb bun.IDB, tenantID, id, code string) error {
	if _, err := idb.NewDelete().Model((*AcctExchangeRate)(nil)).
		Where("tenant_id = ? AND (from_currency = ? OR to_currency = ?)", tenantID, code, code).Exec(ctx); err != nil {
		return err
	}
	_, err := idb.NewDelete().Model((*AcctCurrency)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctCurrencyUsage counts what refers to a currency code: journal entries
// in it, accounts restricted to it and exchange rates naming it.
func AcctCurrencyUsage(ctx context.Context, idb bun.IDB, tenantID, code string) (entries, accounts, rates int, err error) {
	err = idb.NewRaw(`SELECT
		(SELECT count(*) FROM acct_journal_entries WHERE tenant_id = ? AND currency = ?),
		(SELECT count(*) FROM acct_accounts WHERE tenant_id = ? AND currency = ?),
		(SELECT count(*) FROM acct_exchange_rates WHERE tenant_id = ? AND (from_currency = ? OR to_currency = ?))`,
		tenantID, code, tenantID, code, tenantID, code, code).Scan(ctx, &entries, &accounts, &rates)
	return
}

// AcctCurrencyHasLines reports whether a journal line carries amounts in the
// currency: lines of entries in it, or any line at all when it is the base
// currency (every line has base amounts).
func AcctCurrencyHasLines(ctx context.Context, idb bun.IDB, tenantID, code string, isBase bool) (bool, error) {
	var found bool
	var err error
	if isBase {
		err = idb.NewRaw(`SELECT EXISTS (SELECT 1 FROM acct_journal_lines WHERE tenant_id = ?)`, tenantID).Scan(ctx, &found)
	} else {
		err = idb.NewRaw(`SELECT EXISTS (SELECT 1 FROM acct_journal_lines l JOIN acct_journal_entries e
			ON e.tenant_id = l.tenant_id AND e.id = l.entry_id WHERE e.tenant_id = ? AND e.currency = ?)`,
			tenantID, code).Scan(ctx, &found)
	}
	return found, err
}

// AcctRateListParams filters exchange rates.
type AcctRateListParams struct {
	From, To string
}

// AcctRateList returns a tenant's exchange rates, newest effective date first.
func AcctRateList(ctx context.Context, idb bun.IDB, tenantID string, p AcctRateListParams) ([]AcctExchangeRate, error) {
	rows := []AcctExchangeRate{}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID)
	if p.From != "" {
		q = q.Where("from_currency = ?", p.From)
	}
	if p.To != "" {
		q = q.Where("to_currency = ?", p.To)
	}
	err := q.OrderExpr("effective_date DESC, from_currency, to_currency, id DESC").Limit(acctRefdataLimit).Scan(ctx)
	return rows, err
}

// AcctRateGet loads an exchange rate.
func AcctRateGet(ctx context.Context, idb bun.IDB, tenantID, id string) (*AcctExchangeRate, error) {
	row := new(AcctExchangeRate)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	return row, err
}

// AcctRateInsert creates an exchange rate (the same pair and date twice is a
// unique violation).
func AcctRateInsert(ctx context.Context, idb bun.IDB, row *AcctExchangeRate) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctRateDelete removes an exchange rate.
func AcctRateDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctExchangeRate)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctTaxCodeList returns a tenant's tax codes by code.
func AcctTaxCodeList(ctx context.Context, idb bun.IDB, tenantID string) ([]AcctTaxCode, error) {
	rows := []AcctTaxCode{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("code").Limit(acctRefdataLimit).Scan(ctx)
	return rows, err
}

// AcctTaxCodeGet loads a tax code by id or code; forUpdate row-locks it.
func AcctTaxCodeGet(ctx context.Context, idb bun.IDB, tenantID, idOrCode string, forUpdate bool) (*AcctTaxCode, error) {
	row := new(AcctTaxCode)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND (id = ? OR code = ?)", tenantID, idOrCode, idOrCode).Limit(1)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctTaxCodeInsert creates a tax code (a duplicate code is a unique violation).
func AcctTaxCodeInsert(ctx context.Context, idb bun.IDB, row *AcctTaxCode) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctTaxCodeUpdate writes the mutable columns of row.
func AcctTaxCodeUpdate(ctx context.Context, idb bun.IDB, row *AcctTaxCode) error {
	_, err := idb.NewUpdate().Model(row).
		Column("name", "rate", "type", "category", "account_id", "is_active", "updated_at").WherePK().Exec(ctx)
	return err
}

// AcctTaxCodeDelete removes a tax code.
func AcctTaxCodeDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctTaxCode)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctTaxCodeUsage counts the journal and invoice lines that use a tax code.
func AcctTaxCodeUsage(ctx context.Context, idb bun.IDB, tenantID, id string) (journalLines, invoiceLines int, err error) {
	err = idb.NewRaw(`SELECT
		(SELECT count(*) FROM acct_journal_lines WHERE tenant_id = ? AND tax_code_id = ?),
		(SELECT count(*) FROM acct_invoice_lines WHERE tenant_id = ? AND tax_code_id = ?)`,
		tenantID, id, tenantID, id).Scan(ctx, &journalLines, &invoiceLines)
	return
}

// AcctAccountExists reports whether id is an account of the tenant.
func AcctAccountExists(ctx context.Context, idb bun.IDB, tenantID, id string) (bool, error) {
	return idb.NewSelect().Model((*AcctAccount)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exists(ctx)
}

// AcctPeriodList returns a tenant's periods by start date.
func AcctPeriodList(ctx context.Context, idb bun.IDB, tenantID string) ([]AcctPeriod, error) {
	rows := []AcctPeriod{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("start_date, id").Limit(acctRefdataLimit).Scan(ctx)
	return rows, err
}

// AcctPeriodGet loads a period; forUpdate row-locks it.
func AcctPeriodGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctPeriod, error) {
	row := new(AcctPeriod)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctPeriodOverlapping returns the first period of the tenant (other than
// exceptID) sharing a day with [start, end], or nil.
func AcctPeriodOverlapping(ctx context.Context, idb bun.IDB, tenantID string, start, end time.Time, exceptID string) (*AcctPeriod, error) {
	var rows []AcctPeriod
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND start_date <= ? AND end_date >= ? AND id <> ?", tenantID, end, start, exceptID).
		OrderExpr("start_date, id").Limit(1).Scan(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// AcctPeriodInsert creates a period.
func AcctPeriodInsert(ctx context.Context, idb bun.IDB, row *AcctPeriod) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctPeriodUpdate writes the mutable columns of row.
func AcctPeriodUpdate(ctx context.Context, idb bun.IDB, row *AcctPeriod) error {
	_, err := idb.NewUpdate().Model(row).
		Column("name", "start_date", "end_date", "status", "closed_at", "closed_by", "updated_at").WherePK().Exec(ctx)
	return err
}

// AcctPeriodDelete removes a period.
func AcctPeriodDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctPeriod)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctPostedEntryCount counts posted (or reversed) journal entries dated
// within [start, end].
func AcctPostedEntryCount(ctx context.Context, idb bun.IDB, tenantID string, start, end time.Time) (int, error) {
	n, err := idb.NewSelect().Model((*AcctJournalEntry)(nil)).
		Where("tenant_id = ? AND status IN ('posted', 'reversed') AND date >= ? AND date <= ?", tenantID, start, end).Count(ctx)
	return int(n), err
}
