package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the advisory lock that serializes migrators, so two
// processes starting at once apply each file exactly once.
const migrationLockID = 727274001

// Migration is one embedded SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must start with a number and '_'", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies River's migrations and then every embedded migration not yet
// recorded in schema_migrations, each in its own transaction, under a
// session advisory lock. It returns the names it applied.
func Migrate(ctx context.Context, bdb *bun.DB) ([]string, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := bdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := WaitAdvisoryLock(ctx, conn, migrationLockID); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockID) //nolint:errcheck

	if err := migrateRiver(ctx, conn); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	var applied []int
	if err := conn.NewSelect().Table("schema_migrations").Column("version").Scan(ctx, &applied); err != nil {
		return nil, err
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	var names []string
	for _, m := range migrations {
		if done[m.Version] {
			continue
		}
		err := conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return names, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		names = append(names, m.Name)
	}
	return names, nil
}

// migrateRiver brings River's own tables (jobs, leaders, queues) up to date
// on the connection that holds the migration lock, one version per
// transaction (some of River's versions must commit before the next runs).
func migrateRiver(ctx context.Context, conn bun.Conn) error {
	migrator, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if err != nil {
		return err
	}
	for {
		var applied int
		err := conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			res, err := migrator.MigrateTx(ctx, tx.Tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err != nil {
				return err
			}
			applied = len(res.Versions)
			return nil
		})
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		if applied == 0 {
			return nil
		}
	}
}

// WaitAdvisoryLock takes a session advisory lock on conn. It polls pg_try_advisory_lock rather than blocking in
// pg_advisory_lock: a blocked statement holds a snapshot, and River's
// migrations build indexes CONCURRENTLY, which wait for every snapshot, so
// a blocking waiter would deadlock with the migrator it waits for.
func WaitAdvisoryLock(ctx context.Context, conn bun.Conn, id int64) error {
	for {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", id).Scan(&ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
