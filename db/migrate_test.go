package db_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
)

// freshDatabase creates an empty database and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	admin := dbtest.DB(t)
	name := fmt.Sprintf("mig_%d", time.Now().UnixNano())
	_, err := admin.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	u, err := url.Parse(dbtest.PackageDatabaseURL())
	require.NoError(t, err)
	u.Path = "/" + name
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return u.String()
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := freshDatabase(t)
	var wg sync.WaitGroup
	applied := make([][]string, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 2})
			if err != nil {
				errs[i] = err
				return
			}
			defer conn.Close()
			applied[i], errs[i] = db.Migrate(ctx, conn)
		}()
	}
	wg.Wait()
	total := 0
	for i := range 3 {
		require.NoError(t, errs[i])
		total += len(applied[i])
	}
	ms, err := db.Migrations()
	require.NoError(t, err)
	require.Equal(t, len(ms), total, "each migration applied exactly once across processes")

	conn, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	defer conn.Close()
	again, err := db.Migrate(ctx, conn)
	require.NoError(t, err)
	require.Empty(t, again)
	var n int
	require.NoError(t, conn.NewRaw("SELECT count(*) FROM river_migration").Scan(ctx, &n))
	require.Positive(t, n, "River's migrations ran too")
}

// TestSchemaIsDistributableByTenant keeps the data rules: every table with a
// tenant_id leads its primary key with it, and every foreign key of such a
// table includes tenant_id (so Citus can co-locate by tenant).
func TestSchemaIsDistributableByTenant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := dbtest.DB(t)
	var tables []string
	require.NoError(t, conn.NewRaw(`SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`).Scan(ctx, &tables))
	require.NotEmpty(t, tables)
	for _, table := range tables {
		var first string
		err := conn.NewRaw(`SELECT a.attname FROM pg_index i
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
			WHERE i.indrelid = ?::regclass AND i.indisprimary`, table).Scan(ctx, &first)
		require.NoError(t, err, table)
		require.Equal(t, "tenant_id", first, "%s: primary key must lead with tenant_id", table)

		var fks []string
		require.NoError(t, conn.NewRaw(`SELECT conname FROM pg_constraint c
			WHERE c.conrelid = ?::regclass AND c.contype = 'f'
			AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k JOIN pg_attribute a
				ON a.attrelid = c.conrelid AND a.attnum = k WHERE a.attname = 'tenant_id')`, table).Scan(ctx, &fks))
		require.Empty(t, fks, "%s: foreign keys without tenant_id", table)
	}
}

func TestTenantDeleteCascades(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := dbtest.DB(t)
	id := fmt.Sprintf("tn_cascade%d", time.Now().UnixNano())
	now := time.Now()
	require.NoError(t, db.TenantInsert(ctx, conn, &db.Tenant{ID: id, Name: "x", Plan: "free", Status: "active", Settings: []byte("{}"), CreatedAt: now, UpdatedAt: now}))
	require.NoError(t, db.APIKeyInsert(ctx, conn, &db.APIKey{TenantID: id, ID: "key_1", Prefix: "sk_x", SecretHash: []byte(id), Scopes: []string{}, IPAllowlist: []string{}, CreatedAt: now, UpdatedAt: now}))
	require.NoError(t, db.AuditInsert(ctx, conn, []db.AuditLog{{TenantID: id, ID: "aud_1", ActorType: "system", ActorID: "system", Action: "a", ResourceType: "r", ResourceID: "1", Changes: []byte("{}"), CreatedAt: now}}))
	ok, err := db.TenantDelete(ctx, conn, id)
	require.NoError(t, err)
	require.True(t, ok)
	for _, table := range []string{"api_keys", "audit_logs", "outbox_events"} {
		var n int
		require.NoError(t, conn.NewRaw("SELECT count(*) FROM "+table+" WHERE tenant_id = ?", id).Scan(ctx, &n))
		require.Zero(t, n, table)
	}
}
