package accounting

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Tax code types: an inclusive rate is contained in the line amount, an
// exclusive one is added on top.
const (
	TaxInclusive = "inclusive"
	TaxExclusive = "exclusive"
)

// A tax rate is a percentage from 0 to 100 with at most 6 decimals.
const maxTaxRateDecimals = 6

var (
	hundred     = decimal.NewFromInt(100)
	taxCodeCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
)

// TaxCode is a sales or purchase tax rate journal lines may carry.
type TaxCode struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Rate      Amount    `json:"rate" doc:"Percentage (10 is 10%), exact."`
	Type      string    `json:"type" doc:"inclusive or exclusive."`
	Category  string    `json:"category"`
	AccountID *string   `json:"account_id"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func taxCodeFromRow(r *db.AcctTaxCode) TaxCode {
	return TaxCode{ID: r.ID, Code: r.Code, Name: r.Name, Rate: Amount{Decimal: r.Rate}, Type: r.Type,
		Category: r.Category, AccountID: r.AccountID, IsActive: r.IsActive, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateTaxCodeInput is the body of POST /v1/accounting/tax-codes.
type CreateTaxCodeInput struct {
	Code      string  `json:"code" required:"true"`
	Name      string  `json:"name" required:"true"`
	Rate      *Amount `json:"rate" required:"true" doc:"Percentage from 0 to 100 (10 is 10%)."`
	Type      string  `json:"type" doc:"inclusive or exclusive (default)."`
	Category  string  `json:"category"`
	AccountID *string `json:"account_id" doc:"Account the tax posts to (an account of the tenant)."`
	IsActive  *bool   `json:"is_active"`
}

// TaxCodeRef names a tax code by id or code.
type TaxCodeRef struct {
	TaxCodeID string `path:"tax_code_id" json:"-"`
}

// UpdateTaxCodeInput is the body of PATCH /v1/accounting/tax-codes/:tax_code_id.
// Absent members keep their value; account_id may be set to null.
type UpdateTaxCodeInput struct {
	TaxCodeID string                  `path:"tax_code_id" json:"-"`
	Name      *string                 `json:"name"`
	Rate      *Amount                 `json:"rate"`
	Type      *string                 `json:"type"`
	Category  *string                 `json:"category"`
	IsActive  *bool                   `json:"is_active"`
	AccountID domain.Optional[string] `json:"account_id"`
}

// DeleteTaxCodeInput names the tax code to delete. A tax code on journal
// lines is never deleted, even with force (deactivate it instead).
type DeleteTaxCodeInput struct {
	TaxCodeID    string `path:"tax_code_id" json:"-"`
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// ListTaxCodes returns the tenant's tax codes by code. Errors:
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListTaxCodes(ctx context.Context) ([]TaxCode, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.AcctTaxCodeList(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]TaxCode, len(rows))
	for i := range rows {
		out[i] = taxCodeFromRow(&rows[i])
	}
	return out, nil
}

// GetTaxCode loads a tax code by id or code. Errors: NOT_FOUND.
func (s *Service) GetTaxCode(ctx context.Context, in TaxCodeRef) (TaxCode, error) {
	p, err := reader(ctx)
	if err != nil {
		return TaxCode{}, err
	}
	row, err := s.loadTaxCode(ctx, s.core.DB, p.TenantID, in.TaxCodeID, false)
	if err != nil {
		return TaxCode{}, err
	}
	return taxCodeFromRow(row), nil
}

// CreateTaxCode adds a tax code. Errors: VALIDATION_FAILED, CONFLICT (code
// taken), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateTaxCode(ctx context.Context, in CreateTaxCodeInput) (TaxCode, error) {
	p, err := writer(ctx)
	if err != nil {
		return TaxCode{}, err
	}
	var v domain.Validation
	code := strings.TrimSpace(in.Code)
	switch {
	case code == "":
		v.Add("code", "is required")
	case !taxCodeCode.MatchString(code):
		v.Add("code", "must be 1 to 32 letters, digits, '.', '_' or '-'")
	}
	name := strings.TrimSpace(in.Name)
	domain.CheckText(&v, "name", name, 200, true)
	if in.Rate == nil {
		v.Add("rate", "is required")
	} else {
		checkTaxRate(&v, in.Rate.Decimal)
	}
	typ := strings.ToLower(strings.TrimSpace(in.Type))
	if typ == "" {
		typ = TaxExclusive
	}
	checkTaxType(&v, typ)
	category := strings.TrimSpace(in.Category)
	domain.CheckText(&v, "category", category, 100, false)
	if err := v.Err(); err != nil {
		return TaxCode{}, err
	}
	var out TaxCode
	err = s.core.Write(ctx, func(w *domain.Write) error {
		now := s.core.Clock.Now()
		row := &db.AcctTaxCode{TenantID: p.TenantID, ID: domain.NewID("tax_"), Code: code, Name: name,
			Rate: in.Rate.Decimal, Type: typ, Category: category, IsActive: true, CreatedAt: now, UpdatedAt: now}
		if in.IsActive != nil {
			row.IsActive = *in.IsActive
		}
		if in.AccountID != nil && strings.TrimSpace(*in.AccountID) != "" {
			id, err := s.taxAccount(ctx, w.Tx, p.TenantID, *in.AccountID)
			if err != nil {
				return err
			}
			row.AccountID = &id
		}
		if err := db.AcctTaxCodeInsert(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "A tax code with code %s exists already.", quote(code))
			}
			return domain.Internal(err)
		}
		out = taxCodeFromRow(row)
		return recordRefdata(w, p.TenantID, "tax_code", "tax_code.create", "tax_code.created", out.ID, nil, &out, out)
	})
	return out, err
}

// UpdateTaxCode changes a tax code's name, rate, type, category, account or
// active flag; its code never changes. Lines already recorded keep their
// amounts. Errors: NOT_FOUND, VALIDATION_FAILED.
func (s *Service) UpdateTaxCode(ctx context.Context, in UpdateTaxCodeInput) (TaxCode, error) {
	p, err := writer(ctx)
	if err != nil {
		return TaxCode{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		domain.CheckText(&v, "name", strings.TrimSpace(*in.Name), 200, true)
	}
	if in.Rate != nil {
		checkTaxRate(&v, in.Rate.Decimal)
	}
	if in.Type != nil {
		checkTaxType(&v, strings.ToLower(strings.TrimSpace(*in.Type)))
	}
	if in.Category != nil {
		domain.CheckText(&v, "category", strings.TrimSpace(*in.Category), 100, false)
	}
	if err := v.Err(); err != nil {
		return TaxCode{}, err
	}
	var out TaxCode
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadTaxCode(ctx, w.Tx, p.TenantID, in.TaxCodeID, true)
		if err != nil {
			return err
		}
		before := taxCodeFromRow(row)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		if in.Rate != nil {
			row.Rate = in.Rate.Decimal
		}
		if in.Type != nil {
			row.Type = strings.ToLower(strings.TrimSpace(*in.Type))
		}
		if in.Category != nil {
			row.Category = strings.TrimSpace(*in.Category)
		}
		if in.IsActive != nil {
			row.IsActive = *in.IsActive
		}
		if in.AccountID.Set {
			row.AccountID = nil
			if in.AccountID.Value != nil && strings.TrimSpace(*in.AccountID.Value) != "" {
				id, err := s.taxAccount(ctx, w.Tx, p.TenantID, *in.AccountID.Value)
				if err != nil {
					return err
				}
				row.AccountID = &id
			}
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctTaxCodeUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = taxCodeFromRow(row)
		return recordRefdata(w, p.TenantID, "tax_code", "tax_code.update", "tax_code.updated", out.ID, &before, &out, out)
	})
	return out, err
}

// DeleteTaxCode removes a tax code no journal line carries; one on journal
// lines is 409 DEPENDENCY_EXISTS without a confirm token (deactivate it
// instead). Errors: NOT_FOUND, DEPENDENCY_EXISTS.
func (s *Service) DeleteTaxCode(ctx context.Context, in DeleteTaxCodeInput) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadTaxCode(ctx, w.Tx, p.TenantID, in.TaxCodeID, true)
		if err != nil {
			return err
		}
		lines, invoiceLines, err := db.AcctTaxCodeUsage(ctx, w.Tx, p.TenantID, row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if deps := nonZero([]domain.Dependency{{Type: "journal_lines", Count: lines, Label: "Journal lines"},
			{Type: "invoice_lines", Count: invoiceLines, Label: "Invoice lines"}}); len(deps) > 0 {
			return s.core.DependencyError(ctx, p.TenantID, "tax_code:"+row.ID, deps, false)
		}
		if err := db.AcctTaxCodeDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			if db.IsForeignKeyViolation(err) {
				// A line referencing it committed after the count.
				return s.core.DependencyError(ctx, p.TenantID, "tax_code:"+row.ID,
					[]domain.Dependency{{Type: "journal_lines", Count: 1, Label: "Journal lines"}}, false)
			}
			return domain.Internal(err)
		}
		before := taxCodeFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return recordRefdata(w, p.TenantID, "tax_code", "tax_code.delete", "tax_code.deleted", row.ID, &before, nil, before)
	})
	return out, err
}

// loadTaxCode finds a tax code by id or code. Errors: NOT_FOUND.
func (s *Service) loadTaxCode(ctx context.Context, idb bun.IDB, tenantID, ref string, forUpdate bool) (*db.AcctTaxCode, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 64 {
		return nil, domain.NotFound("Tax code")
	}
	row, err := db.AcctTaxCodeGet(ctx, idb, tenantID, ref, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Tax code")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// taxAccount checks that id is an account of the tenant. Errors:
// VALIDATION_FAILED on account_id.
func (s *Service) taxAccount(ctx context.Context, idb bun.IDB, tenantID, id string) (string, error) {
	id = strings.TrimSpace(id)
	bad := domain.Invalid("account_id", "must be an account of this tenant")
	if len(id) > 64 {
		return "", bad
	}
	ok, err := db.AcctAccountExists(ctx, idb, tenantID, id)
	if err != nil {
		return "", domain.Internal(err)
	}
	if !ok {
		return "", bad
	}
	return id, nil
}

func checkTaxRate(v *domain.Validation, rate decimal.Decimal) {
	switch {
	case rate.IsNegative() || rate.GreaterThan(hundred):
		v.Add("rate", "must be a percentage between 0 and 100")
	case !rate.Equal(rate.Truncate(maxTaxRateDecimals)):
		v.Add("rate", "must have at most 6 decimal places")
	}
}

func checkTaxType(v *domain.Validation, typ string) {
	v.Check(typ != TaxInclusive && typ != TaxExclusive, "type", "must be inclusive or exclusive")
}
