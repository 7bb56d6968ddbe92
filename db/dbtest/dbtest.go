// Package dbtest gives each test package its own migrated Postgres database
// and a Redis client, so packages run in parallel without sharing state.
//
// The first caller migrates a template database (named after a hash of the
// migrations, so a changed migration set builds a new one); every package
// then clones it with CREATE DATABASE ... TEMPLATE, which takes milliseconds.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
)

// DefaultDatabaseURL is used when DATABASE_URL is unset (scripts/services.sh).
const DefaultDatabaseURL = "postgres://platform@127.0.0.1:55432/platform?sslmode=disable"

// DefaultRedisURL is used when REDIS_URL is unset.
const DefaultRedisURL = "redis://127.0.0.1:56379/0"

var (
	once   sync.Once
	shared *bun.DB
	err0   error
)

// DB returns this test package's database, created and migrated on first
// use. Call it from tests or TestMain; it fails the test when Postgres is
// unreachable, because tests never run against a mock database.
func DB(t testing.TB) *bun.DB {
	t.Helper()
	once.Do(func() { shared, err0 = create(context.Background()) })
	if err0 != nil {
		t.Fatalf("dbtest: %v (run `make test`, which starts Postgres and Redis)", err0)
	}
	return shared
}

// URL returns the base database URL the tests use.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultDatabaseURL
}

// RedisURL returns the Redis URL the tests use.
func RedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return DefaultRedisURL
}

// Redis returns a client on the test Redis. Test data is isolated by tenant
// ids, which are unique, so packages share the Redis database.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("dbtest: REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("dbtest: redis: %v (run `make test`)", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// create clones the migrated template into a database of this process.
func create(ctx context.Context) (*bun.DB, error) {
	admin, err := db.Open(ctx, URL(), db.Options{MaxOpenConns: 2})
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	template, err := ensureTemplate(ctx, admin)
	if err != nil {
		return nil, err
	}
	// The creation time leads the name so that later runs can drop the
	// clones of runs long finished (see dropStaleClones).
	name := fmt.Sprintf("test_%d_%d_%d", time.Now().Unix(), os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		return nil, fmt.Errorf("clone template: %w", err)
	}
	cloneURL, err := withDatabase(URL(), name)
	if err != nil {
		return nil, err
	}
	os.Setenv("PLATFORM_TEST_DATABASE_URL", cloneURL)
	return db.Open(ctx, cloneURL, db.Options{MaxOpenConns: 10})
}

// PackageDatabaseURL is the URL of the database DB created (after DB ran).
func PackageDatabaseURL() string { return os.Getenv("PLATFORM_TEST_DATABASE_URL") }

func ensureTemplate(ctx context.Context, admin *bun.DB) (string, error) {
	ms, err := db.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		h.Write([]byte(m.Name + m.SQL))
	}
	name := "tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]

	// One builder at a time across all test processes.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := db.WaitAdvisoryLock(ctx, conn, 727274002); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(727274002)") //nolint:errcheck

	dropStaleClones(ctx, conn)

	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ? AND datistemplate)", name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	tmplURL, err := withDatabase(URL(), name)
	if err != nil {
		return "", err
	}
	tdb, err := db.Open(ctx, tmplURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx, tdb)
	tdb.Close()
	if err != nil {
		return "", err
	}
	// Marked as template only once complete, so a crash mid-build is retried.
	_, err = conn.ExecContext(ctx, "UPDATE pg_database SET datistemplate = true WHERE datname = ?", name)
	return name, err
}

// staleAfter is when a test database is surely no longer in use: no test
// run lasts this long.
const staleAfter = 6 * time.Hour

// dropStaleClones drops test databases created more than staleAfter ago, so
// a long-lived machine's disk stays flat. Failures are ignored: a clone in
// use or already gone is simply skipped.
func dropStaleClones(ctx context.Context, conn bun.Conn) {
	rows, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%' AND NOT datistemplate")
	if err != nil {
		return
	}
	var stale []string
	cutoff := time.Now().Add(-staleAfter).Unix()
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.Split(name, "_")
		if len(parts) != 4 {
			continue // an older naming scheme: leave it
		}
		if created, err := strconv.ParseInt(parts[1], 10, 64); err == nil && created < cutoff {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String(), nil
}
