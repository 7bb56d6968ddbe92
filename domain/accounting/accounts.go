package accounting

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Account types.
const (
	TypeAsset     = "asset"
	TypeLiability = "liability"
	TypeEquity    = "equity"
	TypeIncome    = "income"
	TypeExpense   = "expense"
)

// accountTypes lists the types; "revenue" is accepted as an alias of income.
var accountTypes = []string{TypeAsset, TypeLiability, TypeEquity, TypeIncome, TypeExpense}

// subTypes maps each sub-type to the account types it may qualify.
var subTypes = map[string][]string{
	"bank": {TypeAsset}, "cash": {TypeAsset}, "current_asset": {TypeAsset}, "accounts_receivable": {TypeAsset},
	"fixed_asset": {TypeAsset}, "inventory": {TypeAsset}, "prepayment": {TypeAsset}, "non_current_asset": {TypeAsset},
	"accounts_payable": {TypeLiability}, "current_liability": {TypeLiability}, "long_term_liability": {TypeLiability},
	"credit_card": {TypeLiability}, "tax": {TypeLiability, TypeAsset},
	"owners_equity": {TypeEquity}, "share_capital": {TypeEquity}, "retained_earnings": {TypeEquity}, "drawings": {TypeEquity},
	"sales": {TypeIncome}, "other_income": {TypeIncome},
	"cost_of_sales": {TypeExpense}, "operating_expense": {TypeExpense}, "depreciation": {TypeExpense},
	"interest_expense": {TypeExpense}, "payroll": {TypeExpense}, "other_expense": {TypeExpense},
	"fx_gain_loss": {TypeIncome, TypeExpense},
}

// DebitNormal reports whether an account type's balance is naturally a debit.
func DebitNormal(accountType string) bool {
	return accountType == TypeAsset || accountType == TypeExpense
}

var accountCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Account is a ledger account.
type Account struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	SubType     string    `json:"sub_type"`
	ParentID    *string   `json:"parent_id"`
	Description string    `json:"description"`
	Currency    *string   `json:"currency"`
	IsActive    bool      `json:"is_active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func accountFromRow(r *db.AcctAccount) Account {
	return Account{ID: r.ID, Code: r.Code, Name: r.Name, Type: r.Type, SubType: r.SubType, ParentID: r.ParentID,
		Description: r.Description, Currency: r.Currency, IsActive: r.IsActive, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ListAccountsInput filters the chart of accounts.
type ListAccountsInput struct {
	Type   string `query:"type"`
	Active string `query:"active"`
}

// CreateAccountInput is the body of POST /v1/accounting/accounts.
type CreateAccountInput struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	SubType     string  `json:"sub_type"`
	ParentID    *string `json:"parent_id"`
	Description string  `json:"description"`
	Currency    *string `json:"currency"`
}

// AccountRef names an account by id or code.
type AccountRef struct {
	AccountID string `path:"account_id" json:"-"`
}

// UpdateAccountInput is the body of PATCH /v1/accounting/accounts/:account_id.
type UpdateAccountInput struct {
	AccountID   string                  `path:"account_id" json:"-"`
	Code        *string                 `json:"code"`
	Name        *string                 `json:"name"`
	SubType     *string                 `json:"sub_type"`
	ParentID    domain.Optional[string] `json:"parent_id"`
	Description *string                 `json:"description"`
	IsActive    *bool                   `json:"is_active"`
}

// Deleted answers a delete.
type Deleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// ListAccounts returns the chart of accounts by code (filters: type, active).
// Errors: VALIDATION_FAILED, UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListAccounts(ctx context.Context, in ListAccountsInput) ([]Account, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	params := &db.AcctAccountListParams{Limit: 1000}
	if in.Type != "" {
		t, ok := normalizeType(in.Type)
		if !ok {
			return nil, domain.Invalid("type", "must be one of asset, liability, equity, income, expense")
		}
		params.Type = t
	}
	switch in.Active {
	case "":
	case "true", "false":
		v := in.Active == "true"
		params.Active = &v
	default:
		return nil, domain.Invalid("active", "must be true or false")
	}
	rows, err := db.AcctAccountList(ctx, s.core.DB, p.TenantID, params)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Account, len(rows))
	for i := range rows {
		out[i] = accountFromRow(&rows[i])
	}
	return out, nil
}

// GetAccount loads an account by id or code. Errors: NOT_FOUND.
func (s *Service) GetAccount(ctx context.Context, in AccountRef) (Account, error) {
	p, err := reader(ctx)
	if err != nil {
		return Account{}, err
	}
	row, err := s.account(ctx, s.core.DB, p.TenantID, in.AccountID)
	if err != nil {
		return Account{}, err
	}
	return accountFromRow(row), nil
}

// CreateAccount adds an account to the chart. Errors: VALIDATION_FAILED,
// CONFLICT (code taken), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateAccount(ctx context.Context, in CreateAccountInput) (Account, error) {
	p, err := writer(ctx)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.insertAccount(ctx, w, p.TenantID, in)
		if err != nil {
			return err
		}
		out = accountFromRow(row)
		return s.recordAccount(w, p.TenantID, "account.create", "account.created", nil, &out)
	})
	return out, err
}

func (s *Service) insertAccount(ctx context.Context, w *domain.Write, tenantID string, in CreateAccountInput) (*db.AcctAccount, error) {
	var v domain.Validation
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	v.Check(in.Code == "", "code", "is required")
	v.Check(in.Code != "" && !accountCode.MatchString(in.Code), "code", "must be 1 to 32 letters, digits, '.', '_' or '-'")
	domain.CheckText(&v, "name", in.Name, 200, true)
	domain.CheckText(&v, "description", in.Description, 2000, false)
	typ, ok := normalizeType(in.Type)
	v.Check(!ok, "type", "must be one of asset, liability, equity, income (or revenue), expense")
	if in.SubType != "" {
		checkSubType(&v, in.SubType, typ)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.books(ctx, w.Tx, tenantID); err != nil {
		return nil, err
	}
	row := &db.AcctAccount{TenantID: tenantID, ID: domain.NewID("acc_"), Code: in.Code, Name: in.Name, Type: typ,
		SubType: in.SubType, Description: in.Description, IsActive: true,
		CreatedAt: s.core.Clock.Now(), UpdatedAt: s.core.Clock.Now()}
	if in.ParentID != nil && *in.ParentID != "" {
		parent, err := s.account(ctx, w.Tx, tenantID, *in.ParentID)
		if err != nil {
			return nil, domain.Invalid("parent_id", "must be an account of this tenant")
		}
		if parent.Type != typ {
			return nil, domain.Invalid("parent_id", "must be an account of the same type ("+typ+")")
		}
		row.ParentID = &parent.ID
	}
	if in.Currency != nil && *in.Currency != "" {
		code := strings.ToUpper(*in.Currency)
		if _, err := s.places(ctx, w.Tx, tenantID, code, "currency"); err != nil {
			return nil, err
		}
		row.Currency = &code
	}
	if err := db.AcctAccountInsert(ctx, w.Tx, row); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, domain.Errorf(domain.CodeConflict, "An account with code %q exists already.", in.Code)
		}
		return nil, domain.Internal(err)
	}
	return row, nil
}

// UpdateAccount renames, re-codes, re-parents, re-classifies (sub-type) or
// (de)activates an account; its type never changes. Errors: NOT_FOUND,
// VALIDATION_FAILED, CONFLICT.
func (s *Service) UpdateAccount(ctx context.Context, in UpdateAccountInput) (Account, error) {
	p, err := writer(ctx)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.account(ctx, w.Tx, p.TenantID, in.AccountID)
		if err != nil {
			return err
		}
		before := accountFromRow(row)
		if err := s.applyAccountUpdate(ctx, w.Tx, row, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctAccountUpdate(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "An account with code %q exists already.", row.Code)
			}
			return domain.Internal(err)
		}
		out = accountFromRow(row)
		return s.recordAccount(w, p.TenantID, "account.update", "account.updated", &before, &out)
	})
	return out, err
}

func (s *Service) applyAccountUpdate(ctx context.Context, idb bun.IDB, row *db.AcctAccount, in UpdateAccountInput) error {
	var v domain.Validation
	if in.Code != nil {
		code := strings.TrimSpace(*in.Code)
		v.Check(!accountCode.MatchString(code), "code", "must be 1 to 32 letters, digits, '.', '_' or '-'")
		row.Code = code
	}
	if in.Name != nil {
		row.Name = strings.TrimSpace(*in.Name)
		domain.CheckText(&v, "name", row.Name, 200, true)
	}
	if in.Description != nil {
		row.Description = *in.Description
		domain.CheckText(&v, "description", row.Description, 2000, false)
	}
	if in.SubType != nil {
		row.SubType = *in.SubType
		if row.SubType != "" {
			checkSubType(&v, row.SubType, row.Type)
		}
	}
	if in.IsActive != nil {
		row.IsActive = *in.IsActive
	}
	if err := v.Err(); err != nil {
		return err
	}
	if !in.ParentID.Set {
		return nil
	}
	if in.ParentID.Value == nil || *in.ParentID.Value == "" {
		row.ParentID = nil
		return nil
	}
	parent, err := s.account(ctx, idb, row.TenantID, *in.ParentID.Value)
	if err != nil {
		return domain.Invalid("parent_id", "must be an account of this tenant")
	}
	if parent.Type != row.Type {
		return domain.Invalid("parent_id", "must be an account of the same type ("+row.Type+")")
	}
	cycle, err := db.AcctAccountIsAncestor(ctx, idb, row.TenantID, parent.ID, row.ID)
	if err != nil {
		return domain.Internal(err)
	}
	if cycle {
		return domain.Invalid("parent_id", "would make the account its own ancestor")
	}
	row.ParentID = &parent.ID
	return nil
}

// DeleteAccount removes an account nothing refers to. Accounts with journal
// lines are never deleted (deactivate them instead), nor accounts with
// children or tax codes: 409 DEPENDENCY_EXISTS without a confirm token.
// Errors: NOT_FOUND, DEPENDENCY_EXISTS.
func (s *Service) DeleteAccount(ctx context.Context, in AccountRef) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.account(ctx, w.Tx, p.TenantID, in.AccountID)
		if err != nil {
			return err
		}
		d, err := db.AcctAccountDependents(ctx, w.Tx, p.TenantID, row.ID)
		if err != nil {
			return domain.Internal(err)
		}
		deps := nonZero([]domain.Dependency{{Type: "journal_lines", Count: d.JournalLines, Label: "Journal lines"},
			{Type: "accounts", Count: d.Children, Label: "Child accounts"}, {Type: "tax_codes", Count: d.TaxCodes, Label: "Tax codes"},
			{Type: "invoice_lines", Count: d.InvoiceLines, Label: "Invoice lines"},
			{Type: "bank_accounts", Count: d.BankAccounts, Label: "Bank accounts"}})
		if len(deps) > 0 {
			return s.core.DependencyError(ctx, p.TenantID, "account:"+row.ID, deps, false)
		}
		if err := db.AcctAccountDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := accountFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return s.recordAccount(w, p.TenantID, "account.delete", "account.deleted", &before, nil)
	})
	return out, err
}

func (s *Service) recordAccount(w *domain.Write, tenantID, action, event string, before, after *Account) error {
	id := ""
	payload := after
	if after != nil {
		id = after.ID
	} else if before != nil {
		id, payload = before.ID, before
	}
	if err := w.Audit(tenantID, action, "account", id, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, payload)
}

// account loads an account by id or code. Errors: NOT_FOUND.
func (s *Service) account(ctx context.Context, idb bun.IDB, tenantID, idOrCode string) (*db.AcctAccount, error) {
	if !accountCode.MatchString(idOrCode) { // every id and code matches it
		return nil, domain.NotFound("Account")
	}
	row, err := db.AcctAccountGet(ctx, idb, tenantID, idOrCode)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Account")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func normalizeType(t string) (string, bool) {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "revenue" {
		t = TypeIncome
	}
	return t, slices.Contains(accountTypes, t)
}

func checkSubType(v *domain.Validation, subType, typ string) {
	allowed, ok := subTypes[subType]
	if !ok {
		names := make([]string, 0, len(subTypes))
		for n := range subTypes {
			names = append(names, n)
		}
		slices.Sort(names)
		v.Add("sub_type", "must be one of "+strings.Join(names, ", "))
		return
	}
	if typ != "" && !slices.Contains(allowed, typ) {
		v.Add("sub_type", subType+" does not apply to "+typ+" accounts")
	}
}

// nonZero keeps the dependencies that exist.
func nonZero(deps []domain.Dependency) []domain.Dependency {
	var out []domain.Dependency
	for _, d := range deps {
		if d.Count > 0 {
			out = append(out, d)
		}
	}
	return out
}
