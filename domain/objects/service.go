// Package objects is the dynamic data model: object types and their typed
// properties, defined by each tenant at run time (this file and types.go,
// properties.go), and the value rules of the 22 data types (datatypes.go)
// that objects, defaults and imports share.
//
// Reads need the "read" scope, schema changes the "schema" scope. Every
// query names the tenant; another tenant's type or property is 404.
package objects

import (
	"context"
	"regexp"
	"slices"

	"github.com/platformhq/platform/domain"
)

// Topic is the event topic of schema changes.
const Topic = "schema"

// ID prefixes of this package's resources.
const (
	PrefixType     = "ot_"
	PrefixProperty = "prop_"
)

// Caps (contract "Limits" and "Lists": bare lists hold at most 1,000 items,
// so a tenant's types are capped there too).
const (
	MaxTypes          = 1000
	MaxProperties     = 500
	MaxEnumValues     = 500
	maxEnumValueChars = 200
	maxDisplayName    = 200
	maxDescription    = 2000
)

// namePattern is the rule of type and property names.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// reservedNames are the built-in fields of every object.
var reservedNames = []string{"id", "created_at", "updated_at", "created_by", "version", "is_deleted"}

// Service manages object types and properties.
type Service struct {
	core   *domain.Core
	schema *schemaCache
	// totals configures the totals of lists and searches (objects_total.go).
	totals totalsConfig
}

// NewService returns the objects service.
func NewService(core *domain.Core) *Service { return &Service{core: core, schema: newSchemaCache()} }

// Deleted answers a delete.
type Deleted struct {
	Deleted bool `json:"deleted"`
}

func reader(ctx context.Context) (*domain.Principal, error) {
	return domain.RequireScope(ctx, domain.ScopeRead)
}

func schemaWriter(ctx context.Context) (*domain.Principal, error) {
	return domain.RequireScope(ctx, domain.ScopeSchema)
}

// checkName applies the name rules of types and properties. A name that is
// a well-formed id of idPrefix is refused, so ":object_type_id" and
// ":property_id" (which accept an id or a name) are never ambiguous.
func checkName(v *domain.Validation, field, name, idPrefix string, reserved bool) {
	switch {
	case name == "":
		v.Add(field, "is required")
	case !namePattern.MatchString(name):
		v.Add(field, "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)")
	case domain.ValidID(idPrefix, name):
		v.Add(field, "must not look like an id ("+idPrefix+"...)")
	case reserved && slices.Contains(reservedNames, name):
		v.Add(field, "is reserved (id, created_at, updated_at, created_by, version and is_deleted are built-in fields)")
	}
}
