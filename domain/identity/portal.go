package identity

import "context"

// PortalTenant names the tenant of a portal call: body tenant_id, else the
// X-Tenant-ID header.
type PortalTenant struct {
	TenantID     string `json:"tenant_id"`
	TenantHeader string `json:"-" header:"X-Tenant-ID"`
}

func (p PortalTenant) id() string {
	if p.TenantID != "" {
		return p.TenantID
	}
	return p.TenantHeader
}

// LookupInput is the body of POST /v1/tenants/lookup and
// /v1/auth/portal-identify.
type LookupInput struct {
	Email string `json:"email"`
}

// TenantMatch is one tenant an email belongs to (tenants/lookup shape).
type TenantMatch struct {
	TenantID  string `json:"tenant_id"`
	BrandName string `json:"brand_name"`
}

// Identified is portal-identify's shape of the same answer.
type Identified struct {
	TenantID        *string       `json:"tenant_id"`
	MultipleTenants bool          `json:"multiple_tenants"`
	Tenants         []IdentifiedT `json:"tenants"`
}

// IdentifiedT is one tenant of portal-identify.
type IdentifiedT struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// LookupTenants finds the tenants an email belongs to (ids and names only;
// rate-limited per IP).
func (s *Service) LookupTenants(ctx context.Context, in LookupInput) ([]TenantMatch, error) {
	return nil, errNotYet
}

// PortalIdentify is LookupTenants in portal-identify's shape.
func (s *Service) PortalIdentify(ctx context.Context, in LookupInput) (Identified, error) {
	return Identified{}, errNotYet
}
