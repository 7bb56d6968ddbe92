// Package db holds the storage machinery: Postgres through bun (connection,
// embedded migrations, transactions, noun-then-verb queries) and Redis through
// go-redis (package db/kv). It knows nothing of business rules.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Options tune the Postgres pool.
type Options struct {
	// MaxOpenConns caps the pool. Postgres allows 100 connections by default
	// and several processes share them. Defaults to 20.
	MaxOpenConns int
	// StatementTimeout bounds every statement server-side. Defaults to 15s.
	StatementTimeout time.Duration
}

// Open connects to Postgres at databaseURL and returns a bun DB over the pgx
// stdlib driver (River's database/sql driver shares the same *sql.DB).
func Open(ctx context.Context, databaseURL string, opts Options) (*bun.DB, error) {
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 20
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 15 * time.Second
	}
	cfg, err := pgconnConfig(databaseURL, opts)
	if err != nil {
		return nil, err
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(opts.MaxOpenConns)
	sqldb.SetMaxIdleConns(opts.MaxOpenConns / 2)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	bdb := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bdb.PingContext(pingCtx); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return bdb, nil
}

func pgconnConfig(databaseURL string, opts Options) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	cfg.RuntimeParams["timezone"] = "UTC"
	// bun writes every value into the statement text, so nearly every
	// statement is new to the connection: pgx's default (cache_statement)
	// would prepare each one in a round trip of its own before running it,
	// and fill the server's prepared statements with texts never reused.
	// exec sends parse, bind and execute in one round trip (bench/README.md:
	// up to 45% less time for a single-row read on one connection). River,
	// which passes arguments, runs the same way. An explicit
	// default_query_exec_mode in the URL wins.
	if !strings.Contains(databaseURL, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	return cfg, nil
}

// IsUniqueViolation reports whether err is a Postgres unique-constraint error.
func IsUniqueViolation(err error) bool { return pgCode(err) == "23505" }

// IsForeignKeyViolation reports whether err is a Postgres foreign-key error.
func IsForeignKeyViolation(err error) bool { return pgCode(err) == "23503" }

// IsInvalidText reports whether Postgres refused a value as text: a NUL byte
// (22P05, 22021) or an invalid byte sequence.
func IsInvalidText(err error) bool {
	switch pgCode(err) {
	case "22P05", "22021":
		return true
	}
	return false
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// IsNoRows reports whether err means "no such row".
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// InTx runs fn in a transaction on db, committing when fn returns nil.
func InTx(ctx context.Context, db *bun.DB, fn func(tx bun.Tx) error) error {
	return db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		return fn(tx)
	})
}

// getByRef loads a tenant's row of a model with id and name columns by id,
// or by name when byName; lock takes a row lock (FOR UPDATE).
func getByRef[T any](ctx context.Context, idb bun.IDB, tenantID, ref string, byName, lock bool) (*T, error) {
	row := new(T)
	col := "id"
	if byName {
		col = "name"
	}
	q := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Where("? = ?", bun.Ident(col), ref)
	if lock {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}
