package db

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// AcctBooks is a tenant's ledger settings (row of acct_books).
type AcctBooks struct {
	bun.BaseModel   `bun:"table:acct_books"`
	TenantID        string     `bun:"tenant_id,pk"`
	BaseCurrency    string     `bun:"base_currency"`
	FiscalYearStart int        `bun:"fiscal_year_start"`
	FirstPostedAt   *time.Time `bun:"first_posted_at"`
	CreatedAt       time.Time  `bun:"created_at"`
}

// AcctCurrency is a row of acct_currencies.
type AcctCurrency struct {
	bun.BaseModel `bun:"table:acct_currencies"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Code          string    `bun:"code"`
	Name          string    `bun:"name"`
	Symbol        string    `bun:"symbol"`
	DecimalPlaces int       `bun:"decimal_places"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// AcctExchangeRate is a row of acct_exchange_rates.
type AcctExchangeRate struct {
	bun.BaseModel `bun:"table:acct_exchange_rates"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	FromCurrency  string          `bun:"from_currency"`
	ToCurrency    string          `bun:"to_currency"`
	Rate          decimal.Decimal `bun:"rate,type:numeric"`
	EffectiveDate time.Time       `bun:"effective_date,type:date"`
	CreatedAt     time.Time       `bun:"created_at"`
}

// AcctAccount is a row of acct_accounts.
type AcctAccount struct {
	bun.BaseModel `bun:"table:acct_accounts"`
	TenantID      string    `bun:"tenant_id,pk"`
	ID            string    `bun:"id,pk"`
	Code          string    `bun:"code"`
	Name          string    `bun:"name"`
	Type          string    `bun:"type"`
	SubType       string    `bun:"sub_type"`
	ParentID      *string   `bun:"parent_id"`
	Description   string    `bun:"description"`
	Currency      *string   `bun:"currency"`
	IsActive      bool      `bun:"is_active"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// AcctPeriod is a row of acct_periods.
type AcctPeriod struct {
	bun.BaseModel `bun:"table:acct_periods"`
	TenantID      string     `bun:"tenant_id,pk"`
	ID            string     `bun:"id,pk"`
	Name          string     `bun:"name"`
	StartDate     time.Time  `bun:"start_date,type:date"`
	EndDate       time.Time  `bun:"end_date,type:date"`
	Status        string     `bun:"status"`
	ClosedAt      *time.Time `bun:"closed_at"`
	ClosedBy      *string    `bun:"closed_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

// AcctTaxCode is a row of acct_tax_codes.
type AcctTaxCode struct {
	bun.BaseModel `bun:"table:acct_tax_codes"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	Code          string          `bun:"code"`
	Name          string          `bun:"name"`
	Rate          decimal.Decimal `bun:"rate,type:numeric"`
	Type          string          `bun:"type"`
	Category      string          `bun:"category"`
	AccountID     *string         `bun:"account_id"`
	IsActive      bool            `bun:"is_active"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// AcctJournalEntry is a row of acct_journal_entries.
type AcctJournalEntry struct {
	bun.BaseModel `bun:"table:acct_journal_entries"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	Date          time.Time       `bun:"date,type:date"`
	Description   string          `bun:"description"`
	Reference     string          `bun:"reference"`
	Currency      string          `bun:"currency"`
	ExchangeRate  decimal.Decimal `bun:"exchange_rate,type:numeric"`
	Status        string          `bun:"status"`
	ReversalOf    *string         `bun:"reversal_of"`
	ReversedBy    *string         `bun:"reversed_by"`
	SourceType    string          `bun:"source_type"`
	SourceID      string          `bun:"source_id"`
	PostedAt      *time.Time      `bun:"posted_at"`
	PostedBy      *string         `bun:"posted_by"`
	CreatedBy     string          `bun:"created_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// AcctJournalLine is a row of acct_journal_lines.
type AcctJournalLine struct {
	bun.BaseModel `bun:"table:acct_journal_lines"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	EntryID       string          `bun:"entry_id"`
	LineNo        int             `bun:"line_no"`
	AccountID     string          `bun:"account_id"`
	Description   string          `bun:"description"`
	Debit         decimal.Decimal `bun:"debit,type:numeric"`
	Credit        decimal.Decimal `bun:"credit,type:numeric"`
	BaseDebit     decimal.Decimal `bun:"base_debit,type:numeric"`
	BaseCredit    decimal.Decimal `bun:"base_credit,type:numeric"`
	TaxCodeID     *string         `bun:"tax_code_id"`
	Date          time.Time       `bun:"date,type:date"`
	Posted        bool            `bun:"posted"`
}

// AcctBooksEnsure creates the tenant's books row if absent (with base) and
// returns it.
func AcctBooksEnsure(ctx context.Context, idb bun.IDB, tenantID, base string) (*AcctBooks, error) {
	_, err := idb.NewRaw(`INSERT INTO acct_books (tenant_id, base_currency) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO NOTHING`, tenantID, base).Exec(ctx)
	if err != nil {
		return nil, err
	}
	row := new(AcctBooks)
	err = idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Scan(ctx)
	return row, err
}

// AcctBooksGet loads a tenant's books row.
func AcctBooksGet(ctx context.Context, idb bun.IDB, tenantID string) (*AcctBooks, error) {
	row := new(AcctBooks)
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Scan(ctx)
	return row, err
}

// AcctBooksMarkPosted records the first posting (which freezes the base currency).
func AcctBooksMarkPosted(ctx context.Context, idb bun.IDB, tenantID string, at time.Time) error {
	_, err := idb.NewRaw(`UPDATE acct_books SET first_posted_at = ? WHERE tenant_id = ? AND first_posted_at IS NULL`,
		at, tenantID).Exec(ctx)
	return err
}

// AcctLockTenantBooks takes a transaction-scoped advisory lock on a tenant's
// books: shared for postings, exclusive for period changes, so a period can
// never close under a posting that is checking it.
func AcctLockTenantBooks(ctx context.Context, idb bun.IDB, tenantID string, exclusive bool) error {
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	_, err := idb.NewRaw("SELECT "+fn+"(hashtextextended(?, 0))", "acct_books:"+tenantID).Exec(ctx)
	return err
}

// AcctLockSystemAccounts serializes the creation of a tenant's system
// accounts (receivable, payable, tax, FX gain/loss) for this transaction.
func AcctLockSystemAccounts(ctx context.Context, idb bun.IDB, tenantID string) error {
	_, err := idb.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "acct_system_accounts:"+tenantID).Exec(ctx)
	return err
}

// AcctCurrencyGetByCode loads a tenant's currency by ISO code.
func AcctCurrencyGetByCode(ctx context.Context, idb bun.IDB, tenantID, code string) (*AcctCurrency, error) {
	row := new(AcctCurrency)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND code = ?", tenantID, code).Scan(ctx)
	return row, err
}

// AcctCurrencyInsertIfAbsent inserts row unless the code exists already.
func AcctCurrencyInsertIfAbsent(ctx context.Context, idb bun.IDB, row *AcctCurrency) error {
	_, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, code) DO NOTHING").Exec(ctx)
	return err
}

// AcctRateOn returns the latest from→to rate effective on or before date, or nil.
func AcctRateOn(ctx context.Context, idb bun.IDB, tenantID, from, to string, date time.Time) (*AcctExchangeRate, error) {
	var rows []AcctExchangeRate
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND from_currency = ? AND to_currency = ? AND effective_date <= ?", tenantID, from, to, date).
		OrderExpr("effective_date DESC").Limit(1).Scan(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// AcctPeriodClosedOn returns the closed period containing date, or nil.
func AcctPeriodClosedOn(ctx context.Context, idb bun.IDB, tenantID string, date time.Time) (*AcctPeriod, error) {
	var rows []AcctPeriod
	err := idb.NewSelect().Model(&rows).
		Where("tenant_id = ? AND status = 'closed' AND start_date <= ? AND end_date >= ?", tenantID, date, date).
		Limit(1).Scan(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}
