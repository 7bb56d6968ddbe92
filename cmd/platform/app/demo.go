package app

import (
	"context"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/domain/tenancy"
)

// DemoTenantName names the tenant `make run` creates or reuses.
const DemoTenantName = "Demo"

// Demo is the demo tenant with a freshly issued key.
type Demo struct {
	TenantID string
	APIKey   string
}

// EnsureDemo reuses the oldest tenant named Demo (or creates it) and issues a
// new "*" key for it: keys are stored hashed, so an old one cannot be shown.
func EnsureDemo(ctx context.Context, a *App) (Demo, error) {
	admin := domain.WithPrincipal(ctx, &domain.Principal{Kind: domain.PrincipalAdmin})
	id, err := db.TenantFindByName(ctx, a.Core.DB, DemoTenantName)
	if err != nil && !db.IsNoRows(err) {
		return Demo{}, err
	}
	if id == "" {
		p, err := a.Tenants.Create(admin, tenancy.CreateInput{Name: DemoTenantName, Plan: "enterprise"})
		if err != nil {
			return Demo{}, err
		}
		// Give the demo books a chart of accounts to post to.
		seedCtx := domain.WithPrincipal(ctx, &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: p.TenantID})
		if _, err := a.Books.SeedChart(seedCtx); err != nil {
			return Demo{}, err
		}
		return Demo{TenantID: p.TenantID, APIKey: p.APIKey}, nil
	}
	scoped := domain.WithPrincipal(ctx, &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: id})
	c, err := a.Keys.Create(scoped, apikeys.CreateInput{Label: "Demo key", Scopes: []string{domain.ScopeAll}})
	if err != nil {
		return Demo{}, err
	}
	return Demo{TenantID: id, APIKey: c.Token}, nil
}
