package accounting

import (
	"context"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// standardChart is a small business's chart of accounts.
var standardChart = []CreateAccountInput{
	{Code: "1000", Name: "Cash", Type: TypeAsset, SubType: "cash"},
	{Code: "1010", Name: "Bank", Type: TypeAsset, SubType: "bank"},
	{Code: "1100", Name: "Accounts Receivable", Type: TypeAsset, SubType: "accounts_receivable"},
	{Code: "1200", Name: "Inventory", Type: TypeAsset, SubType: "inventory"},
	{Code: "1300", Name: "Prepayments", Type: TypeAsset, SubType: "prepayment"},
	{Code: "1400", Name: "Sales Tax Receivable", Type: TypeAsset, SubType: "tax"},
	{Code: "1500", Name: "Equipment", Type: TypeAsset, SubType: "fixed_asset"},
	{Code: "1510", Name: "Accumulated Depreciation", Type: TypeAsset, SubType: "fixed_asset"},
	{Code: "2000", Name: "Accounts Payable", Type: TypeLiability, SubType: "accounts_payable"},
	{Code: "2100", Name: "Sales Tax Payable", Type: TypeLiability, SubType: "tax"},
	{Code: "2200", Name: "Accrued Liabilities", Type: TypeLiability, SubType: "current_liability"},
	{Code: "2300", Name: "Credit Card", Type: TypeLiability, SubType: "credit_card"},
	{Code: "2500", Name: "Loans", Type: TypeLiability, SubType: "long_term_liability"},
	{Code: "3000", Name: "Owner's Equity", Type: TypeEquity, SubType: "owners_equity"},
	{Code: "3100", Name: "Retained Earnings", Type: TypeEquity, SubType: "retained_earnings"},
	{Code: "3200", Name: "Drawings", Type: TypeEquity, SubType: "drawings"},
	{Code: "4000", Name: "Sales", Type: TypeIncome, SubType: "sales"},
	{Code: "4900", Name: "Other Income", Type: TypeIncome, SubType: "other_income"},
	{Code: "4950", Name: "Foreign Exchange Gain/Loss", Type: TypeIncome, SubType: "fx_gain_loss"},
	{Code: "5000", Name: "Cost of Sales", Type: TypeExpense, SubType: "cost_of_sales"},
	{Code: "6000", Name: "Rent", Type: TypeExpense, SubType: "operating_expense"},
	{Code: "6100", Name: "Utilities", Type: TypeExpense, SubType: "operating_expense"},
	{Code: "6200", Name: "Salaries", Type: TypeExpense, SubType: "payroll"},
	{Code: "6300", Name: "Office Supplies", Type: TypeExpense, SubType: "operating_expense"},
	{Code: "6400", Name: "Depreciation", Type: TypeExpense, SubType: "depreciation"},
	{Code: "6500", Name: "Interest Expense", Type: TypeExpense, SubType: "interest_expense"},
	{Code: "6900", Name: "Bank Fees", Type: TypeExpense, SubType: "other_expense"},
}

// SeedChart adds the standard chart of accounts to the tenant's books,
// skipping codes that exist already, and answers the whole chart. Safe to
// call twice. Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) SeedChart(ctx context.Context) ([]Account, error) {
	p, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		existing, err := db.AcctAccountList(ctx, w.Tx, p.TenantID, &db.AcctAccountListParams{Limit: 10_000})
		if err != nil {
			return domain.Internal(err)
		}
		have := map[string]bool{}
		for _, a := range existing {
			have[a.Code] = true
		}
		added := 0
		for _, in := range standardChart {
			if have[in.Code] {
				continue
			}
			if _, err := s.insertAccount(ctx, w, p.TenantID, in); err != nil {
				return err
			}
			added++
		}
		if added == 0 {
			return nil
		}
		return w.Audit(p.TenantID, "accounts.seed", "account", "", map[string]int{"added": added})
	})
	if err != nil {
		return nil, err
	}
	return s.ListAccounts(ctx, ListAccountsInput{})
}
