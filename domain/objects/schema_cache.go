package objects

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// The schema cache keeps tenants' object types and their properties in the
// process for reads (get, list, search, aggregate, ...), which would
// otherwise spend one or two of their round trips on the schema (15–18% of
// the server's CPU in the get profile, bench/README.md). Writes never use
// it: they load the type under a lock inside their transaction. A schema
// change drops the tenant's entries here after commit and on the other
// instances through Redis; the TTL bounds what a lost message leaves stale.

// schemaCacheTTL bounds how long an entry may outlive a missed invalidation.
const schemaCacheTTL = 30 * time.Second

// schemaChannel carries the ids of tenants whose schema changed.
const schemaChannel = "objects:schema:invalidate"

type schemaCache struct {
	types *expirable.LRU[string, db.ObjectType] // "<tenant>|<id or name>"
	props *expirable.LRU[string, []Property]    // "<tenant>|<type id>"
	// gen counts invalidations: a reader stores what it loaded only when no
	// invalidation happened since it started, so a value read before a
	// change cannot be cached after it.
	gen atomic.Uint64
}

func newSchemaCache() *schemaCache {
	return &schemaCache{
		types: expirable.NewLRU[string, db.ObjectType](20_000, nil, schemaCacheTTL),
		props: expirable.NewLRU[string, []Property](20_000, nil, schemaCacheTTL),
	}
}

// cacheable reports whether a read may use the cache: outside a
// transaction and without a lock.
func (s *Service) cacheable(idb bun.IDB, lock bool) bool {
	return !lock && idb == bun.IDB(s.core.DB)
}

func (c *schemaCache) dropTenant(tenantID string) {
	c.gen.Add(1)
	prefix := tenantID + "|"
	for _, k := range c.types.Keys() {
		if strings.HasPrefix(k, prefix) {
			c.types.Remove(k)
		}
	}
	for _, k := range c.props.Keys() {
		if strings.HasPrefix(k, prefix) {
			c.props.Remove(k)
		}
	}
}

// cachedType answers objectType from the cache, loading on a miss.
func (s *Service) cachedType(tenantID, ref string, load func() (*db.ObjectType, error)) (*db.ObjectType, error) {
	key := tenantID + "|" + ref
	if row, ok := s.schema.types.Get(key); ok {
		return &row, nil
	}
	gen := s.schema.gen.Load()
	row, err := load()
	if err == nil && s.schema.gen.Load() == gen {
		s.schema.types.Add(key, *row)
	}
	return row, err
}

// cachedProperties answers properties from the cache, loading on a miss.
func (s *Service) cachedProperties(tenantID, typeID string, load func() ([]Property, error)) ([]Property, error) {
	key := tenantID + "|" + typeID
	if props, ok := s.schema.props.Get(key); ok {
		return slices.Clone(props), nil
	}
	gen := s.schema.gen.Load()
	props, err := load()
	if err == nil && s.schema.gen.Load() == gen {
		s.schema.props.Add(key, slices.Clone(props))
	}
	return props, err
}

// schemaWrite runs a schema change and then drops the tenant's cached
// schema here and on every instance.
func (s *Service) schemaWrite(ctx context.Context, tenantID string, fn func(w *domain.Write) error) error {
	err := s.core.Write(ctx, fn)
	s.schema.dropTenant(tenantID)
	s.core.Broadcast(ctx, schemaChannel, tenantID)
	return err
}

// Run applies schema invalidations from other instances until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	return s.core.ListenInvalidations(ctx, schemaChannel, s.schema.dropTenant)
}
