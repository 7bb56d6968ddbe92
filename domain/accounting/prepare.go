package accounting

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// maxAmount bounds every amount and rate: far beyond any real ledger, and
// small enough for every client to read back as a JSON number.
var maxAmount = decimal.New(1, 15)

// entryDraft is an entry as a client describes it, before validation.
type entryDraft struct {
	date, description, reference, currency string
	rate                                   *Amount
	lines                                  []LineInput
}

// prepare validates a draft against the books and fills row and its lines:
// amounts rounded half-even to the entry currency, debits equal to credits,
// each line on an active account of the tenant (in the account's currency
// when it has one), and base amounts at the entry's exchange rate with any
// rounding residual on the largest line so the base side balances too.
func (s *Service) prepare(ctx context.Context, idb bun.IDB, books *db.AcctBooks, row *db.AcctJournalEntry, d entryDraft) ([]db.AcctJournalLine, currencyPlaces, error) {
	var v domain.Validation
	date, _ := RequiredDate(&v, "date", d.date)
	domain.CheckText(&v, "description", d.description, 1000, false)
	domain.CheckText(&v, "reference", d.reference, 200, false)
	currency := strings.ToUpper(strings.TrimSpace(d.currency))
	if currency == "" {
		currency = books.BaseCurrency
	}
	v.Check(len(d.lines) < 2, "lines", "needs at least two lines")
	v.Check(len(d.lines) > maxLines, "lines", fmt.Sprintf("must have at most %d lines", maxLines))
	if d.rate != nil && (!d.rate.IsPositive() || d.rate.GreaterThanOrEqual(maxAmount)) {
		v.Add("exchange_rate", "must be positive and below 10^15")
	}
	if err := v.Err(); err != nil {
		return nil, currencyPlaces{}, err
	}
	places, err := s.places(ctx, idb, row.TenantID, currency, "currency")
	if err != nil {
		return nil, currencyPlaces{}, err
	}
	basePlaces, err := s.places(ctx, idb, row.TenantID, books.BaseCurrency, "currency")
	if err != nil {
		return nil, currencyPlaces{}, err
	}
	rate := decimal.NewFromInt(1)
	if currency != books.BaseCurrency {
		if d.rate != nil {
			rate = d.rate.Decimal
		} else if rate, err = s.rateOn(ctx, idb, row.TenantID, currency, books.BaseCurrency, date, "exchange_rate"); err != nil {
			return nil, currencyPlaces{}, err
		}
	}
	lines, err := s.prepareLines(ctx, idb, row, d.lines, currency, places)
	if err != nil {
		return nil, currencyPlaces{}, err
	}
	if explicit, err := explicitBase(lines, d.lines, basePlaces); err != nil {
		return nil, currencyPlaces{}, err
	} else if !explicit {
		toBase(lines, rate, basePlaces)
	}
	for i := range lines {
		lines[i].Date = date
	}
	row.Date, row.Description, row.Reference = date, d.description, d.reference
	row.Currency, row.ExchangeRate = currency, rate
	return lines, currencyPlaces{entry: places, base: basePlaces}, nil
}

func (s *Service) prepareLines(ctx context.Context, idb bun.IDB, row *db.AcctJournalEntry, in []LineInput, currency string, places int32) ([]db.AcctJournalLine, error) {
	var v domain.Validation
	ids := make([]string, 0, len(in))
	for _, l := range in {
		if domain.ValidID("acc_", l.AccountID) {
			ids = append(ids, l.AccountID)
		}
	}
	accounts, err := db.AcctAccountsByIDs(ctx, idb, row.TenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	byID := map[string]*db.AcctAccount{}
	for i := range accounts {
		byID[accounts[i].ID] = &accounts[i]
	}
	lines := make([]db.AcctJournalLine, 0, len(in))
	var debits, credits decimal.Decimal
	for i, l := range in {
		field := fmt.Sprintf("lines[%d]", i)
		acct := byID[l.AccountID]
		switch {
		case l.AccountID == "":
			v.Add(field+".account_id", "is required")
		case acct == nil:
			v.Add(field+".account_id", "is not an account of this tenant")
		case !acct.IsActive:
			v.Add(field+".account_id", "account "+acct.Code+" is inactive")
		case acct.Currency != nil && *acct.Currency != currency:
			v.Add(field+".account_id", "account "+acct.Code+" only takes "+*acct.Currency)
		}
		domain.CheckText(&v, field+".description", l.Description, 1000, false)
		debit, credit := rounded(l.Debit, places), rounded(l.Credit, places)
		if debit.Abs().GreaterThanOrEqual(maxAmount) || credit.Abs().GreaterThanOrEqual(maxAmount) {
			v.Add(field, "amounts must be below 10^15")
			continue
		}
		baseOnly := l.Base != nil && debit.IsZero() && credit.IsZero() // a realized FX line
		if !baseOnly && (debit.IsNegative() || credit.IsNegative() || debit.IsPositive() == credit.IsPositive()) {
			v.Add(field, "needs exactly one of debit or credit, positive")
		}
		line := db.AcctJournalLine{TenantID: row.TenantID, ID: domain.NewID("jl_"), EntryID: row.ID, LineNo: i + 1,
			AccountID: l.AccountID, Description: l.Description, Debit: debit, Credit: credit}
		if l.TaxCodeID != nil && *l.TaxCodeID != "" {
			tc := *l.TaxCodeID
			line.TaxCodeID = &tc
		}
		debits, credits = debits.Add(debit), credits.Add(credit)
		lines = append(lines, line)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !debits.Equal(credits) {
		return nil, domain.Invalid("lines", fmt.Sprintf("debits (%s) must equal credits (%s)",
			debits.StringFixedBank(places), credits.StringFixedBank(places)))
	}
	if err := s.checkTaxCodes(ctx, idb, row.TenantID, lines); err != nil {
		return nil, err
	}
	return lines, nil
}

// checkTaxCodes makes sure every tax_code_id names a tax code of the tenant.
func (s *Service) checkTaxCodes(ctx context.Context, idb bun.IDB, tenantID string, lines []db.AcctJournalLine) error {
	for i, l := range lines {
		if l.TaxCodeID == nil {
			continue
		}
		if !domain.ValidID("tax_", *l.TaxCodeID) {
			return domain.Invalid(fmt.Sprintf("lines[%d].tax_code_id", i), "is not a tax code of this tenant")
		}
		n, err := idb.NewSelect().Table("acct_tax_codes").Where("tenant_id = ? AND id = ?", tenantID, *l.TaxCodeID).Count(ctx)
		if err != nil {
			return domain.Internal(err)
		}
		if n == 0 {
			return domain.Invalid(fmt.Sprintf("lines[%d].tax_code_id", i), "is not a tax code of this tenant")
		}
	}
	return nil
}

func rounded(a *Amount, places int32) decimal.Decimal {
	if a == nil {
		return decimal.Zero
	}
	return a.Decimal.RoundBank(places)
}

// toBase fills base amounts: each line converted and rounded half-even, then
// the residual that rounding leaves between base debits and base credits is
// put on the largest line, so the entry balances in the base currency too.
func toBase(lines []db.AcctJournalLine, rate decimal.Decimal, places int32) {
	var debits, credits decimal.Decimal
	largest := 0
	for i := range lines {
		lines[i].BaseDebit = lines[i].Debit.Mul(rate).RoundBank(places)
		lines[i].BaseCredit = lines[i].Credit.Mul(rate).RoundBank(places)
		debits, credits = debits.Add(lines[i].BaseDebit), credits.Add(lines[i].BaseCredit)
		if lineSize(lines[i]).GreaterThan(lineSize(lines[largest])) {
			largest = i
		}
	}
	residual := debits.Sub(credits) // > 0: too much debit
	if residual.IsZero() {
		return
	}
	l := &lines[largest]
	if l.BaseDebit.IsPositive() {
		l.BaseDebit = l.BaseDebit.Sub(residual)
	} else {
		l.BaseCredit = l.BaseCredit.Add(residual)
	}
}

func lineSize(l db.AcctJournalLine) decimal.Decimal { return l.BaseDebit.Add(l.BaseCredit) }

// explicitBase applies base amounts fixed by the caller (see LineInput.Base):
// all lines or none carry them, and they must balance exactly.
func explicitBase(lines []db.AcctJournalLine, in []LineInput, places int32) (bool, error) {
	n := 0
	var debits, credits decimal.Decimal
	for i, l := range in {
		if l.Base == nil {
			continue
		}
		n++
		lines[i].BaseDebit, lines[i].BaseCredit = l.Base.Debit.RoundBank(places), l.Base.Credit.RoundBank(places)
		debits, credits = debits.Add(lines[i].BaseDebit), credits.Add(lines[i].BaseCredit)
	}
	switch {
	case n == 0:
		return false, nil
	case n != len(in):
		return false, domain.Internal(fmt.Errorf("explicit base amounts on %d of %d lines", n, len(in)))
	case !debits.Equal(credits):
		return false, domain.Internal(fmt.Errorf("explicit base amounts do not balance: %s != %s", debits, credits))
	}
	return true, nil
}
