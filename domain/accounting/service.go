// Package accounting keeps a tenant's double-entry books: the chart of
// accounts, currencies and exchange rates, periods, tax codes, journal
// entries and their posting, and the ledger reports. Amounts are exact
// decimals (shopspring/decimal), rounded half-even to the currency's
// decimal places; float64 never touches money.
package accounting

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/text/currency"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Event topic of the books.
const Topic = "accounting"

// Service is the accounting context. Reads need the "read" scope, writes
// "write" (API keys); end users need accounting:read / accounting:write.
type Service struct {
	core *domain.Core
}

// NewService returns the accounting service.
func NewService(core *domain.Core) *Service { return &Service{core: core} }

// DateLayout is the layout of every date field (YYYY-MM-DD).
const DateLayout = "2006-01-02"

// Date is a calendar date, written and read as "YYYY-MM-DD".
type Date struct{ time.Time }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(DateLayout) + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD" (an RFC 3339 timestamp is cut to its date).
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// OpenAPISchema documents Date.
func (Date) OpenAPISchema() map[string]any { return map[string]any{"type": "string", "format": "date"} }

// ParseDate reads "YYYY-MM-DD" (or the date of an RFC 3339 timestamp) in UTC.
func ParseDate(s string) (time.Time, error) {
	if len(s) > 10 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			s = t.UTC().Format(DateLayout)
		}
	}
	t, err := time.Parse(DateLayout, s)
	if err == nil && t.Year() < 1 {
		return time.Time{}, fmt.Errorf("year %d is out of range", t.Year())
	}
	return t, err
}

// DateOf is the calendar date (UTC) of t.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// reader authorizes a read of the books: the read scope for keys,
// accounting:read for end users.
func reader(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeRead, "accounting:read")
}

// writer authorizes a change to the books: the write scope for keys,
// accounting:write for end users.
func writer(ctx context.Context) (*domain.Principal, error) {
	return domain.Authorize(ctx, domain.ScopeWrite, "accounting:write")
}

// books returns the tenant's ledger settings, creating them (and the base
// currency) on first use. The base currency is the tenant's setting
// base_currency (default USD).
func (s *Service) books(ctx context.Context, idb bun.IDB, tenantID string) (*db.AcctBooks, error) {
	b, err := db.AcctBooksGet(ctx, idb, tenantID)
	if err == nil {
		return b, nil
	}
	if !db.IsNoRows(err) {
		return nil, domain.Internal(err)
	}
	base := "USD"
	if t, err := db.TenantGetByID(ctx, idb, tenantID); err == nil {
		var st struct {
			BaseCurrency string `json:"base_currency"`
		}
		if json.Unmarshal(t.Settings, &st) == nil && st.BaseCurrency != "" {
			base = st.BaseCurrency
		}
	}
	if b, err = db.AcctBooksEnsure(ctx, idb, tenantID, base); err != nil {
		return nil, domain.Internal(err)
	}
	if err := s.ensureCurrency(ctx, idb, tenantID, b.BaseCurrency); err != nil {
		return nil, err
	}
	return b, nil
}

// ensureCurrency adds an ISO 4217 currency to the tenant's list if absent.
func (s *Service) ensureCurrency(ctx context.Context, idb bun.IDB, tenantID, code string) error {
	iso, ok := ISOCurrency(code)
	if !ok {
		return domain.Invalid("currency", "must be an ISO 4217 code")
	}
	now := s.core.Clock.Now()
	err := db.AcctCurrencyInsertIfAbsent(ctx, idb, &db.AcctCurrency{TenantID: tenantID, ID: domain.NewID("cur_"),
		Code: iso.Code, Name: iso.Code, Symbol: iso.Symbol, DecimalPlaces: iso.Places, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return domain.Internal(err)
	}
	return nil
}

// places returns the decimal places of a tenant's currency. Errors:
// VALIDATION_FAILED (unknown currency) on field.
func (s *Service) places(ctx context.Context, idb bun.IDB, tenantID, code, field string) (int32, error) {
	if _, ok := ISOCurrency(code); !ok {
		return 0, domain.Invalid(field, "must be an ISO 4217 currency code")
	}
	c, err := db.AcctCurrencyGetByCode(ctx, idb, tenantID, strings.ToUpper(code))
	if db.IsNoRows(err) {
		return 0, domain.Invalid(field, "unknown currency "+quote(code)+"; create it first")
	}
	if err != nil {
		return 0, domain.Internal(err)
	}
	return int32(c.DecimalPlaces), nil
}

// ISO is what ISO 4217 says of a currency.
type ISO struct {
	Code   string
	Symbol string
	Places int
}

// ISOCurrency looks a code up in ISO 4217 (golang.org/x/text/currency).
func ISOCurrency(code string) (ISO, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 {
		return ISO{}, false
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return ISO{}, false
	}
	scale, _ := currency.Standard.Rounding(u)
	return ISO{Code: u.String(), Symbol: fmt.Sprint(currency.NarrowSymbol(u)), Places: scale}, true
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}
