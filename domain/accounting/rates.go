package accounting

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Bounds of an exchange rate: positive, below 10^12, at most 16 decimals.
var maxRate = decimal.New(1, 12)

const maxRateDecimals = 16

// ExchangeRate is how many units of to_currency one from_currency buys from
// effective_date on (until a later rate of the same pair).
type ExchangeRate struct {
	ID            string    `json:"id"`
	FromCurrency  string    `json:"from_currency"`
	ToCurrency    string    `json:"to_currency"`
	Rate          Amount    `json:"rate"`
	EffectiveDate Date      `json:"effective_date"`
	CreatedAt     time.Time `json:"created_at"`
}

func rateFromRow(r *db.AcctExchangeRate) ExchangeRate {
	// Places 0 writes the rate's shortest exact form.
	return ExchangeRate{ID: r.ID, FromCurrency: r.FromCurrency, ToCurrency: r.ToCurrency,
		Rate: Amount{Decimal: r.Rate}, EffectiveDate: DateOf(r.EffectiveDate), CreatedAt: r.CreatedAt}
}

// ListExchangeRatesInput filters exchange rates by currency pair.
type ListExchangeRatesInput struct {
	FromCurrency string `query:"from_currency" json:"-"`
	ToCurrency   string `query:"to_currency" json:"-"`
}

// CreateExchangeRateInput is the body of POST /v1/accounting/exchange-rates.
type CreateExchangeRateInput struct {
	FromCurrency  string  `json:"from_currency" required:"true"`
	ToCurrency    string  `json:"to_currency" required:"true"`
	Rate          *Amount `json:"rate" required:"true" doc:"Units of to_currency per one from_currency (exact decimal, > 0)."`
	EffectiveDate *Date   `json:"effective_date" required:"true"`
}

// ExchangeRateRef names an exchange rate.
type ExchangeRateRef struct {
	RateID string `path:"rate_id" json:"-"`
}

// ListExchangeRates returns the tenant's rates, newest effective date first
// (filters: from_currency, to_currency). Errors: UNAUTHORIZED,
// INSUFFICIENT_SCOPE.
func (s *Service) ListExchangeRates(ctx context.Context, in ListExchangeRatesInput) ([]ExchangeRate, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.AcctRateList(ctx, s.core.DB, p.TenantID, db.AcctRateListParams{
		From: strings.ToUpper(strings.TrimSpace(in.FromCurrency)), To: strings.ToUpper(strings.TrimSpace(in.ToCurrency))})
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]ExchangeRate, len(rows))
	for i := range rows {
		out[i] = rateFromRow(&rows[i])
	}
	return out, nil
}

// GetExchangeRate loads an exchange rate. Errors: NOT_FOUND.
func (s *Service) GetExchangeRate(ctx context.Context, in ExchangeRateRef) (ExchangeRate, error) {
	p, err := reader(ctx)
	if err != nil {
		return ExchangeRate{}, err
	}
	row, err := s.loadRate(ctx, s.core.DB, p.TenantID, in.RateID)
	if err != nil {
		return ExchangeRate{}, err
	}
	return rateFromRow(row), nil
}

// CreateExchangeRate records a rate between two currencies of the tenant.
// Errors: VALIDATION_FAILED, CONFLICT (a rate of the pair on that date
// exists already), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateExchangeRate(ctx context.Context, in CreateExchangeRateInput) (ExchangeRate, error) {
	p, err := writer(ctx)
	if err != nil {
		return ExchangeRate{}, err
	}
	var v domain.Validation
	from := strings.ToUpper(strings.TrimSpace(in.FromCurrency))
	to := strings.ToUpper(strings.TrimSpace(in.ToCurrency))
	v.Check(from == "", "from_currency", "is required")
	v.Check(to == "", "to_currency", "is required")
	v.Check(from != "" && from == to, "to_currency", "must differ from from_currency")
	switch {
	case in.Rate == nil:
		v.Add("rate", "is required")
	case !in.Rate.IsPositive():
		v.Add("rate", "must be greater than 0")
	case in.Rate.Cmp(maxRate) >= 0:
		v.Add("rate", "must be less than 1000000000000")
	case !in.Rate.Equal(in.Rate.Truncate(maxRateDecimals)):
		v.Add("rate", "must have at most 16 decimal places")
	}
	checkRefDate(&v, "effective_date", in.EffectiveDate, true)
	if err := v.Err(); err != nil {
		return ExchangeRate{}, err
	}
	var out ExchangeRate
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if _, err := s.books(ctx, w.Tx, p.TenantID); err != nil {
			return err
		}
		for _, c := range []struct{ field, code string }{{"from_currency", from}, {"to_currency", to}} {
			if _, err := db.AcctCurrencyGetByCode(ctx, w.Tx, p.TenantID, c.code); db.IsNoRows(err) {
				v.Add(c.field, "unknown currency "+quote(c.code)+"; create it first")
			} else if err != nil {
				return domain.Internal(err)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		row := &db.AcctExchangeRate{TenantID: p.TenantID, ID: domain.NewID("fx_"), FromCurrency: from, ToCurrency: to,
			Rate: in.Rate.Decimal, EffectiveDate: in.EffectiveDate.Time, CreatedAt: s.core.Clock.Now()}
		if err := db.AcctRateInsert(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "A %s to %s rate effective on %s exists already.",
					from, to, in.EffectiveDate.Format(DateLayout))
			}
			return domain.Internal(err)
		}
		out = rateFromRow(row)
		return recordRefdata(w, p.TenantID, "exchange_rate", "exchange_rate.create", "exchange_rate.created", out.ID, nil, &out, out)
	})
	return out, err
}

// DeleteExchangeRate removes a rate. Entries keep the rate they were
// recorded at, so nothing depends on it. Errors: NOT_FOUND.
func (s *Service) DeleteExchangeRate(ctx context.Context, in ExchangeRateRef) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadRate(ctx, w.Tx, p.TenantID, in.RateID)
		if err != nil {
			return err
		}
		if err := db.AcctRateDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := rateFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return recordRefdata(w, p.TenantID, "exchange_rate", "exchange_rate.delete", "exchange_rate.deleted", row.ID, &before, nil, before)
	})
	return out, err
}

// loadRate finds an exchange rate of the tenant. Errors: NOT_FOUND.
func (s *Service) loadRate(ctx context.Context, idb bun.IDB, tenantID, id string) (*db.AcctExchangeRate, error) {
	if !domain.ValidID("fx_", id) {
		return nil, domain.NotFound("Exchange rate")
	}
	row, err := db.AcctRateGet(ctx, idb, tenantID, id)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Exchange rate")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// checkRefDate validates a date field: present when required, and a year
// Postgres stores (1 to 9999).
func checkRefDate(v *domain.Validation, field string, d *Date, required bool) {
	switch {
	case d == nil:
		v.Check(required, field, "is required")
	case d.Year() < 1:
		v.Add(field, "must be a date (YYYY-MM-DD) from year 1")
	}
}
