package accounting

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Currency is a currency the tenant keeps books in (ISO 4217).
type Currency struct {
	ID            string    `json:"id"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	Symbol        string    `json:"symbol"`
	DecimalPlaces int       `json:"decimal_places"`
	IsBase        bool      `json:"is_base"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func currencyFromRow(r *db.AcctCurrency, base string) Currency {
	return Currency{ID: r.ID, Code: r.Code, Name: r.Name, Symbol: r.Symbol, DecimalPlaces: r.DecimalPlaces,
		IsBase: r.Code == base, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateCurrencyInput is the body of POST /v1/accounting/currencies.
type CreateCurrencyInput struct {
	Code          string  `json:"code" required:"true" doc:"ISO 4217 code (stored upper-case)."`
	Name          string  `json:"name" doc:"Display name; defaults to the code."`
	Symbol        *string `json:"symbol" doc:"Defaults to the ISO narrow symbol."`
	DecimalPlaces *int    `json:"decimal_places" doc:"0 to 6; defaults to ISO 4217's minor units."`
}

// CurrencyRef names a currency by id (cur_...) or ISO code.
type CurrencyRef struct {
	CurrencyID string `path:"currency_id" json:"-"`
}

// UpdateCurrencyInput is the body of PATCH /v1/accounting/currencies/:currency_id.
type UpdateCurrencyInput struct {
	CurrencyID    string  `path:"currency_id" json:"-"`
	Name          *string `json:"name"`
	Symbol        *string `json:"symbol"`
	DecimalPlaces *int    `json:"decimal_places" doc:"Frozen once a journal line carries amounts in the currency."`
}

// DeleteCurrencyInput names the currency to delete; force and confirm_token
// confirm a delete that also removes the currency's exchange rates.
type DeleteCurrencyInput struct {
	CurrencyID   string `path:"currency_id" json:"-"`
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// ListCurrencies returns the tenant's currencies by code (the base currency
// is always among them). Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListCurrencies(ctx context.Context) ([]Currency, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	books, err := s.books(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, err
	}
	rows, err := db.AcctCurrencyList(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Currency, len(rows))
	for i := range rows {
		out[i] = currencyFromRow(&rows[i], books.BaseCurrency)
	}
	return out, nil
}

// GetCurrency loads a currency by id or ISO code. Errors: NOT_FOUND.
func (s *Service) GetCurrency(ctx context.Context, in CurrencyRef) (Currency, error) {
	p, err := reader(ctx)
	if err != nil {
		return Currency{}, err
	}
	books, err := s.books(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return Currency{}, err
	}
	row, err := s.loadCurrency(ctx, s.core.DB, p.TenantID, in.CurrencyID, false)
	if err != nil {
		return Currency{}, err
	}
	return currencyFromRow(row, books.BaseCurrency), nil
}

// CreateCurrency adds an ISO 4217 currency. Errors: VALIDATION_FAILED,
// CONFLICT (the code exists already), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateCurrency(ctx context.Context, in CreateCurrencyInput) (Currency, error) {
	p, err := writer(ctx)
	if err != nil {
		return Currency{}, err
	}
	var v domain.Validation
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	iso, ok := ISOCurrency(code)
	switch {
	case code == "":
		v.Add("code", "is required")
	case !ok:
		v.Add("code", "must be an ISO 4217 currency code")
	}
	name := strings.TrimSpace(in.Name)
	domain.CheckText(&v, "name", name, 100, false)
	if name == "" {
		name = iso.Code
	}
	symbol := iso.Symbol
	if in.Symbol != nil {
		symbol = strings.TrimSpace(*in.Symbol)
		domain.CheckText(&v, "symbol", symbol, 10, false)
	}
	places := iso.Places
	if in.DecimalPlaces != nil {
		places = *in.DecimalPlaces
		checkDecimalPlaces(&v, places)
	}
	if err := v.Err(); err != nil {
		return Currency{}, err
	}
	var out Currency
	err = s.core.Write(ctx, func(w *domain.Write) error {
		books, err := s.books(ctx, w.Tx, p.TenantID)
		if err != nil {
			return err
		}
		now := s.core.Clock.Now()
		row := &db.AcctCurrency{TenantID: p.TenantID, ID: domain.NewID("cur_"), Code: iso.Code, Name: name,
			Symbol: symbol, DecimalPlaces: places, CreatedAt: now, UpdatedAt: now}
		if err := db.AcctCurrencyInsert(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "The currency %s exists already.", iso.Code)
			}
			return domain.Internal(err)
		}
		out = currencyFromRow(row, books.BaseCurrency)
		return recordRefdata(w, p.TenantID, "currency", "currency.create", "currency.created", out.ID, nil, &out, out)
	})
	return out, err
}

// UpdateCurrency changes a currency's name, symbol or decimal places; the
// code never changes. Decimal places are frozen once a journal line carries
// amounts in the currency. Errors: NOT_FOUND, VALIDATION_FAILED,
// INVALID_STATE.
func (s *Service) UpdateCurrency(ctx context.Context, in UpdateCurrencyInput) (Currency, error) {
	p, err := writer(ctx)
	if err != nil {
		return Currency{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		domain.CheckText(&v, "name", strings.TrimSpace(*in.Name), 100, true)
	}
	if in.Symbol != nil {
		domain.CheckText(&v, "symbol", strings.TrimSpace(*in.Symbol), 10, false)
	}
	if in.DecimalPlaces != nil {
		checkDecimalPlaces(&v, *in.DecimalPlaces)
	}
	if err := v.Err(); err != nil {
		return Currency{}, err
	}
	var out Currency
	err = s.core.Write(ctx, func(w *domain.Write) error {
		books, err := s.books(ctx, w.Tx, p.TenantID)
		if err != nil {
			return err
		}
		row, err := s.loadCurrency(ctx, w.Tx, p.TenantID, in.CurrencyID, true)
		if err != nil {
			return err
		}
		before := currencyFromRow(row, books.BaseCurrency)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		if in.Symbol != nil {
			row.Symbol = strings.TrimSpace(*in.Symbol)
		}
		if in.DecimalPlaces != nil && *in.DecimalPlaces != row.DecimalPlaces {
			// Exclusive books lock: no posting interleaves with the check.
			if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
				return domain.Internal(err)
			}
			used, err := db.AcctCurrencyHasLines(ctx, w.Tx, p.TenantID, row.Code, row.Code == books.BaseCurrency)
			if err != nil {
				return domain.Internal(err)
			}
			if used {
				return domain.Errorf(domain.CodeInvalidState,
					"The decimal places of %s cannot change: journal lines carry amounts in it.", row.Code)
			}
			row.DecimalPlaces = *in.DecimalPlaces
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctCurrencyUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = currencyFromRow(row, books.BaseCurrency)
		return recordRefdata(w, p.TenantID, "currency", "currency.update", "currency.updated", out.ID, &before, &out, out)
	})
	return out, err
}

// DeleteCurrency removes a currency. The base currency is never deleted
// (INVALID_STATE), nor a currency that journal entries or accounts use
// (DEPENDENCY_EXISTS without a confirm token); a currency named only by
// exchange rates answers DEPENDENCY_EXISTS with a confirm token, and
// ?force=true&confirm_token=... deletes it with its rates. Errors:
// NOT_FOUND, INVALID_STATE, DEPENDENCY_EXISTS, INVALID_CONFIRM_TOKEN.
func (s *Service) DeleteCurrency(ctx context.Context, in DeleteCurrencyInput) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		books, err := s.books(ctx, w.Tx, p.TenantID)
		if err != nil {
			return err
		}
		// Exclusive books lock: no posting in this currency slips in
		// between the dependency count and the delete.
		if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
			return domain.Internal(err)
		}
		row, err := s.loadCurrency(ctx, w.Tx, p.TenantID, in.CurrencyID, true)
		if err != nil {
			return err
		}
		if row.Code == books.BaseCurrency {
			return domain.Errorf(domain.CodeInvalidState, "%s is the base currency of the books and cannot be deleted.", row.Code)
		}
		entries, accounts, rates, err := db.AcctCurrencyUsage(ctx, w.Tx, p.TenantID, row.Code)
		if err != nil {
			return domain.Internal(err)
		}
		deps := nonZeroDeps(
			domain.Dependency{Type: "journal_entries", Count: entries, Label: "Journal entries"},
			domain.Dependency{Type: "accounts", Count: accounts, Label: "Accounts"},
			domain.Dependency{Type: "exchange_rates", Count: rates, Label: "Exchange rates"})
		resource := "currency:" + row.ID
		switch {
		case entries > 0 || accounts > 0:
			return s.core.DependencyError(ctx, p.TenantID, resource, deps, false)
		case rates > 0 && (!in.Force || in.ConfirmToken == ""):
			return s.core.DependencyError(ctx, p.TenantID, resource, deps, true)
		case rates > 0:
			if err := s.core.ConsumeConfirmToken(ctx, p.TenantID, resource, in.ConfirmToken); err != nil {
				return err
			}
		}
		if err := db.AcctCurrencyDelete(ctx, w.Tx, p.TenantID, row.ID, row.Code); err != nil {
			return domain.Internal(err)
		}
		before := currencyFromRow(row, books.BaseCurrency)
		out = Deleted{ID: row.ID, Deleted: true}
		return recordRefdata(w, p.TenantID, "currency", "currency.delete", "currency.deleted", row.ID,
			map[string]any{"currency": before, "exchange_rates_deleted": rates}, nil, before)
	})
	return out, err
}

// loadCurrency finds a currency by id (cur_...) or ISO code (any case).
// Errors: NOT_FOUND.
func (s *Service) loadCurrency(ctx context.Context, idb bun.IDB, tenantID, ref string, forUpdate bool) (*db.AcctCurrency, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case domain.ValidID("cur_", ref):
	case len(ref) == 3:
		ref = strings.ToUpper(ref)
	default:
		return nil, domain.NotFound("Currency")
	}
	row, err := db.AcctCurrencyGet(ctx, idb, tenantID, ref, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Currency")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func checkDecimalPlaces(v *domain.Validation, places int) {
	v.Check(places < 0 || places > 6, "decimal_places", "must be between 0 and 6")
}

// nonZeroDeps keeps the dependencies that have a count.
func nonZeroDeps(all ...domain.Dependency) []domain.Dependency {
	var out []domain.Dependency
	for _, d := range all {
		if d.Count > 0 {
			out = append(out, d)
		}
	}
	return out
}

// recordRefdata audits a change to reference data (before/after summary)
// and emits its event, in the write's transaction.
func recordRefdata(w *domain.Write, tenantID, resourceType, action, event, id string, before, after, payload any) error {
	if err := w.Audit(tenantID, action, resourceType, id, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, payload)
}
