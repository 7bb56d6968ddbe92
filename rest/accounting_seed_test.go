package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

func TestAccountingSeedChartIsIdempotent(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	var first, second []struct{ Code, Type string }
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/accounts/seed", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res.Decode(t, &first)
	require.GreaterOrEqual(t, len(first), 20)
	types := map[string]bool{}
	for _, a := range first {
		types[a.Type] = true
	}
	require.Len(t, types, 5, "the standard chart covers every account type")
	env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/accounts/seed", Key: tn.Key}).Decode(t, &second)
	require.Equal(t, first, second, "seeding twice adds nothing")
}

func TestAccountingBaseCurrencyIsSetAtTenantCreation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/admin/tenants", Key: apptest.AdminKey,
		Body: map[string]any{"name": "Euro GmbH", "base_currency": "eur"}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var created struct {
		APIKey string `json:"api_key"`
		Tenant struct {
			Settings struct {
				BaseCurrency string `json:"base_currency"`
			}
		}
	}
	res.Decode(t, &created)
	require.Equal(t, "EUR", created.Tenant.Settings.BaseCurrency)
	key := created.APIKey

	var accounts []struct{ ID, Code string }
	env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/accounts/seed", Key: key}).Decode(t, &accounts)
	byCode := map[string]string{}
	for _, a := range accounts {
		byCode[a.Code] = a.ID
	}
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/accounting/journal-entries", Key: key, Body: map[string]any{
		"date": "2026-02-01", "post": true, "lines": []any{
			map[string]any{"account_id": byCode["1010"], "debit": "10.005"},
			map[string]any{"account_id": byCode["4000"], "credit": "10.005"}}}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var entry struct {
		Currency string
		Lines    []struct{ Debit, Credit any }
	}
	res.Decode(t, &entry)
	require.Equal(t, "EUR", entry.Currency, "entries default to the base currency")
	require.Contains(t, string(res.Body), `"debit":10.00,`, "half-even rounding to the currency's places")

	bad := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/admin/tenants", Key: apptest.AdminKey,
		Body: map[string]any{"name": "x", "base_currency": "XYZ"}})
	require.Equal(t, http.StatusBadRequest, bad.Status)
	require.Contains(t, bad.Error.Fields, "base_currency")
}
