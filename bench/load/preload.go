package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

// preloadChunk bounds one statement of the preload (memory stays small;
// progress shows).
const preloadChunk = 100_000

// preloadObjectsSQL inserts objects from+1..to the way the app writes a
// create: the document of the four properties (amount a JSON number
// keeping its scale, as ValidateValue normalizes decimals), version 1,
// the key as creator, one timestamp for created_at and updated_at. Stages
// cycle, so one object in five is "won". created_at runs a second apart
// from 2026-01-01, older than anything the scenarios create.
const preloadObjectsSQL = `
INSERT INTO objects (tenant_id, id, object_type_id, properties, version, created_by, updated_by, created_at, updated_at)
SELECT $1, 'obj_00000000' || ($4::bigint + g)::text, $2,
       jsonb_build_object('name', 'Deal ' || g,
                          'stage', ($5::text[])[1 + g % 5],
                          'amount', ((g % 100000)::numeric + 0.50),
                          'owner', 'owner-' || (g % 50)),
       1, $3, $3, ts, ts
FROM generate_series($6::bigint, $7::bigint) AS g,
     LATERAL (SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' AS ts) t`

// preloadIndexSQL writes the object_index rows indexRow builds for the
// indexed enum (v_text = the value), for the same objects.
const preloadIndexSQL = `
INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, v_text)
SELECT $1, $2, $3, 'obj_00000000' || ($4::bigint + g)::text, ($5::text[])[1 + g % 5]
FROM generate_series($6::bigint, $7::bigint) AS g`

// bulkThreshold: from this many new objects on, the preload runs as a
// bulk load (see bulkLoad).
const bulkThreshold = 100_000

// preloadCommand grows the preloaded objects to --objects.
func preloadCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("preload", flag.ContinueOnError)
	statePath := fs.String("state", "state.json", "state file")
	dbURL := fs.String("db", "", "benchmark database URL")
	target := fs.Int("objects", 10_000, "preloaded objects wanted in total")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := loadState(*statePath)
	if err != nil {
		return err
	}
	if st.Objects >= *target {
		return nil
	}
	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	start := time.Now()
	from := st.Objects + 1
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if *target-st.Objects < bulkThreshold {
			return preloadRange(ctx, tx, st, from, *target)
		}
		return bulkLoad(ctx, tx, func() error {
			for lo := from; lo <= *target; lo += preloadChunk {
				hi := min(lo+preloadChunk-1, *target)
				if err := preloadRange(ctx, tx, st, lo, hi); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "preload: %d objects (%.0f s)\n", hi, time.Since(start).Seconds())
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	st.LastPreloadFrom, st.Objects = from, *target
	if err := st.save(*statePath); err != nil {
		return err
	}
	// Fresh statistics and visibility map, as autovacuum would leave them
	// after a bulk load: the planner and index-only scans see the data.
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) objects, object_index"); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "preload: done, %d objects in %.0f s\n", st.Objects, time.Since(start).Seconds())
	return nil
}

// bulkLoad runs insert the way pg_restore loads a table, in the caller's
// transaction: the secondary indexes of objects and object_index are
// dropped and rebuilt afterwards from their own definitions (a sorted
// build is several times faster than a million single inserts, the GIN
// full-text index most of all), and foreign-key triggers are skipped
// (session_replication_role = replica; the rows reference the tenant, type
// and property that exist, by construction). Primary keys stay.
func bulkLoad(ctx context.Context, tx pgx.Tx, insert func() error) error {
	rows, err := tx.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes i
		WHERE schemaname = current_schema() AND tablename IN ('objects', 'object_index')
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
	if err != nil {
		return err
	}
	type index struct{ Name, Def string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		return err
	}
	if err := insert(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = origin"); err != nil {
		return err
	}
	for _, ix := range indexes {
		start := time.Now()
		if _, err := tx.Exec(ctx, ix.Def); err != nil {
			return fmt.Errorf("rebuild %s: %w", ix.Name, err)
		}
		fmt.Fprintf(os.Stderr, "preload: rebuilt %s (%.0f s)\n", ix.Name, time.Since(start).Seconds())
	}
	return nil
}

func preloadRange(ctx context.Context, tx pgx.Tx, st *State, from, to int) error {
	if _, err := tx.Exec(ctx, preloadObjectsSQL, st.TenantID, st.TypeID, st.KeyID,
		preloadIDBase, stages, from, to); err != nil {
		return fmt.Errorf("preload objects: %w", err)
	}
	if _, err := tx.Exec(ctx, preloadIndexSQL, st.TenantID, st.TypeID, st.Props["stage"],
		preloadIDBase, stages, from, to); err != nil {
		return fmt.Errorf("preload index rows: %w", err)
	}
	return nil
}
