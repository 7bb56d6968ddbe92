package accounting

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// This file is the ledger's API for documents that post to it (invoices,
// payments, bank lines, recurring entries in domain/invoicing): they run
// inside the caller's unit of work and never bypass the ledger's rules.

// BaseCurrency returns the tenant's base currency and its decimal places,
// creating the books on first use.
func (s *Service) BaseCurrency(ctx context.Context, idb bun.IDB, tenantID string) (string, int32, error) {
	b, err := s.books(ctx, idb, tenantID)
	if err != nil {
		return "", 0, err
	}
	places, err := s.places(ctx, idb, tenantID, b.BaseCurrency, "currency")
	return b.BaseCurrency, places, err
}

// CurrencyPlaces returns the decimal places of one of the tenant's
// currencies. Errors: VALIDATION_FAILED on field for an unknown currency.
func (s *Service) CurrencyPlaces(ctx context.Context, idb bun.IDB, tenantID, code, field string) (int32, error) {
	return s.places(ctx, idb, tenantID, code, field)
}

// RateOn returns units of `to` per one `from` effective on date.
// Errors: VALIDATION_FAILED on field when no rate exists.
func (s *Service) RateOn(ctx context.Context, idb bun.IDB, tenantID, from, to string, date time.Time, field string) (decimal.Decimal, error) {
	return s.rateOn(ctx, idb, tenantID, from, to, date, field)
}

// LookupAccount loads an account by id or code. Errors: NOT_FOUND.
func (s *Service) LookupAccount(ctx context.Context, idb bun.IDB, tenantID, idOrCode string) (Account, error) {
	row, err := s.account(ctx, idb, tenantID, idOrCode)
	if err != nil {
		return Account{}, err
	}
	return accountFromRow(row), nil
}

// SystemAccount returns the first active account of sub-type (and type),
// creating it with code and name when there is none (the contract's rule
// for receivable, payable, tax and FX gain/loss accounts).
func (s *Service) SystemAccount(ctx context.Context, w *domain.Write, tenantID, accountType, subType, code, name string) (Account, error) {
	found, err := s.firstAccountOf(ctx, w, tenantID, accountType, subType)
	if err != nil || found != nil {
		return deref(found), err
	}
	// Creating: serialize with other transactions creating system accounts
	// of this tenant, then look again (one may have just created it).
	if err := db.AcctLockSystemAccounts(ctx, w.Tx, tenantID); err != nil {
		return Account{}, domain.Internal(err)
	}
	if found, err = s.firstAccountOf(ctx, w, tenantID, accountType, subType); err != nil || found != nil {
		return deref(found), err
	}
	// Find a free code first: a unique violation would abort the caller's
	// transaction, so there is no retrying an insert.
	for i := 0; i < 10; i++ {
		c := code
		if i > 0 {
			c = fmt.Sprintf("%s-%d", code, i)
		}
		taken, err := w.Tx.NewSelect().Model((*db.AcctAccount)(nil)).Where("tenant_id = ? AND code = ?", tenantID, c).Exists(ctx)
		if err != nil {
			return Account{}, domain.Internal(err)
		}
		if taken {
			continue
		}
		row, err := s.insertAccount(ctx, w, tenantID, CreateAccountInput{Code: c, Name: name, Type: accountType, SubType: subType})
		if err != nil {
			return Account{}, err
		}
		return accountFromRow(row), nil
	}
	return Account{}, domain.Errorf(domain.CodeConflict, "Could not create the %s account: codes %s-* are taken.", subType, code)
}

func (s *Service) firstAccountOf(ctx context.Context, w *domain.Write, tenantID, accountType, subType string) (*Account, error) {
	var rows []db.AcctAccount
	err := w.Tx.NewSelect().Model(&rows).
		Where("tenant_id = ? AND type = ? AND sub_type = ? AND is_active", tenantID, accountType, subType).
		OrderExpr("code").Limit(1).Scan(ctx)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	a := accountFromRow(&rows[0])
	return &a, nil
}

// TaxCodeTerms is what a document needs of a tax code.
type TaxCodeTerms struct {
	ID        string
	Code      string
	Rate      decimal.Decimal // percent
	Inclusive bool
	AccountID *string
	IsActive  bool
}

// LookupTaxCode loads a tax code's terms. Errors: NOT_FOUND.
func (s *Service) LookupTaxCode(ctx context.Context, idb bun.IDB, tenantID, id string) (TaxCodeTerms, error) {
	row := new(db.AcctTaxCode)
	err := idb.NewSelect().Model(row).Where("tenant_id = ? AND (id = ? OR code = ?)", tenantID, id, id).Limit(1).Scan(ctx)
	if db.IsNoRows(err) {
		return TaxCodeTerms{}, domain.NotFound("Tax code")
	}
	if err != nil {
		return TaxCodeTerms{}, domain.Internal(err)
	}
	return TaxCodeTerms{ID: row.ID, Code: row.Code, Rate: row.Rate, Inclusive: row.Type == "inclusive",
		AccountID: row.AccountID, IsActive: row.IsActive}, nil
}

// ReverseEntryTx posts the reversal of a posted entry inside the caller's
// unit of work (voiding an invoice or a payment), dated date.
func (s *Service) ReverseEntryTx(ctx context.Context, w *domain.Write, p *domain.Principal, entryID string, date time.Time, description string) (Entry, error) {
	d := date.Format(DateLayout)
	return s.reverse(ctx, w, p, ReverseInput{EntryID: entryID, Date: &d, Description: &description})
}
