package graph

import (
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/domain/governance"
	"github.com/platformhq/platform/domain/identity"
	"github.com/platformhq/platform/domain/invoicing"
	"github.com/platformhq/platform/domain/objects"
	"github.com/platformhq/platform/domain/rbac"
	"github.com/platformhq/platform/domain/tenancy"
)

// Resolver holds the domain services the resolvers call. Resolvers are thin:
// each calls one domain method, which authorizes the caller from ctx.
type Resolver struct {
	core    *domain.Core
	keys    *apikeys.Service
	tenants *tenancy.Service
	books   *accounting.Service
	billing *invoicing.Service
	auth    *identity.Service
	objects *objects.Service
	roles   *rbac.Service
	// governance: settings and the audit log.
	governance *governance.Service
}
