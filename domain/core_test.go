package domain_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

type noopArgs struct{ N int }

func (noopArgs) Kind() string { return "test_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

type bundle struct {
	core   *domain.Core
	tenant string
}

func setup(t *testing.T) bundle {
	t.Helper()
	bdb := dbtest.DB(t)
	rdb := dbtest.Redis(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	jobs, err := river.NewClient(riverdatabasesql.New(bdb.DB), &river.Config{Workers: workers})
	require.NoError(t, err)
	hub := kv.NewHub(rdb, log)
	t.Cleanup(func() { hub.Close() })
	core := &domain.Core{DB: bdb, Redis: rdb, Hub: hub, Jobs: jobs, Clock: domain.SystemClock{}, Secret: []byte("s"), Log: log}
	tenant := domain.NewID(domain.PrefixTenant)
	require.NoError(t, db.TenantInsert(context.Background(), bdb, &db.Tenant{ID: tenant, Name: "t", Plan: "free",
		Status: "active", Settings: []byte(`{}`), CreatedAt: time.Now(), UpdatedAt: time.Now()}))
	return bundle{core: core, tenant: tenant}
}

func countJobs(t *testing.T, core *domain.Core, n int) int {
	var c int
	require.NoError(t, core.DB.NewRaw("SELECT count(*) FROM river_job WHERE kind = 'test_noop' AND (args->>'N')::int = ?", n).Scan(context.Background(), &c))
	return c
}

func TestWriteCommitsChangeAuditEventAndJobTogether(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalKey, TenantID: b.tenant, KeyID: "key_x"})
	ctx = domain.WithRequestMeta(ctx, domain.RequestMeta{RequestID: "req_abc", IP: "10.1.2.3"})

	events, err := b.core.Subscribe(ctx, b.tenant, "things")
	require.NoError(t, err)

	err = b.core.Write(ctx, func(w *domain.Write) error {
		require.NoError(t, w.Audit(b.tenant, "thing.create", "thing", "thing_1", map[string]string{"after": "x"}))
		require.NoError(t, w.Emit(b.tenant, "things", "thing.created", map[string]string{"id": "thing_1"}))
		return w.Enqueue(noopArgs{N: 1}, nil)
	})
	require.NoError(t, err)

	rows, err := db.AuditListByTenant(ctx, b.core.DB, b.tenant, 10)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "key_x", rows[0].ActorID)
	require.Equal(t, "req_abc", rows[0].RequestID)
	require.Equal(t, "10.1.2.3", rows[0].IP)
	require.Equal(t, 1, countJobs(t, b.core, 1))

	select {
	case ev := <-events:
		require.Equal(t, "thing.created", ev.Type)
		require.JSONEq(t, `{"id":"thing_1"}`, string(ev.Payload))
	case <-time.After(3 * time.Second):
		t.Fatal("event not fanned out")
	}
	pending, err := db.OutboxListUnpublished(ctx, b.core.DB, time.Now().Add(time.Hour), 10)
	require.NoError(t, err)
	for _, p := range pending {
		require.NotEqual(t, b.tenant, p.TenantID, "published events are marked")
	}
}

func TestWriteRollsBackEverythingOnError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := b.core.Write(ctx, func(w *domain.Write) error {
		require.NoError(t, w.Audit(b.tenant, "thing.create", "thing", "thing_2", nil))
		require.NoError(t, w.Emit(b.tenant, "things", "thing.created", nil))
		require.NoError(t, w.Enqueue(noopArgs{N: 2}, nil))
		return boom
	})
	require.ErrorIs(t, err, boom)
	rows, err := db.AuditListByTenant(ctx, b.core.DB, b.tenant, 10)
	require.NoError(t, err)
	require.Empty(t, rows)
	require.Equal(t, 0, countJobs(t, b.core, 2))
	var n int
	require.NoError(t, b.core.DB.NewRaw("SELECT count(*) FROM outbox_events WHERE tenant_id = ?", b.tenant).Scan(ctx, &n))
	require.Zero(t, n)
}

func TestOutboxRelayRepublishesStrandedEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	// An event committed but never published (the process died after commit).
	old := time.Now().Add(-time.Minute)
	require.NoError(t, db.OutboxInsert(ctx, b.core.DB, []db.OutboxEvent{{TenantID: b.tenant, ID: domain.NewID(domain.PrefixEvent),
		Topic: "things", Type: "thing.updated", Payload: []byte(`{"n":1}`), CreatedAt: old}}))
	events, err := b.core.Subscribe(ctx, b.tenant)
	require.NoError(t, err)
	w := &domain.OutboxRelayWorker{Core: b.core}
	require.NoError(t, w.Work(ctx, &river.Job[domain.OutboxRelayArgs]{}))
	select {
	case ev := <-events:
		require.Equal(t, "thing.updated", ev.Type)
	case <-time.After(3 * time.Second):
		t.Fatal("relay did not publish")
	}
	var n int
	require.NoError(t, b.core.DB.NewRaw("SELECT count(*) FROM outbox_events WHERE tenant_id = ? AND published_at IS NULL", b.tenant).Scan(ctx, &n))
	require.Zero(t, n)
}

// TestWriteRequiresAuditOrReason: a unit of work that changed data must
// audit it or say why not; read-only units of work need neither.
func TestWriteRequiresAuditOrReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.core.StrictAudit = true
	rename := func(name string) func(w *domain.Write) error {
		return func(w *domain.Write) error {
			_, err := w.Tx.NewRaw("UPDATE tenants SET name = ? WHERE id = ?", name, b.tenant).Exec(ctx)
			return err
		}
	}
	name := func() string {
		var n string
		require.NoError(t, b.core.DB.NewRaw("SELECT name FROM tenants WHERE id = ?", b.tenant).Scan(ctx, &n))
		return n
	}

	err := b.core.Write(ctx, rename("unaudited"))
	require.ErrorIs(t, err, domain.ErrUnaudited)
	require.Contains(t, err.Error(), "TestWriteRequiresAuditOrReason", "the error names the unit of work's function")
	require.Equal(t, "t", name(), "the unaudited change was rolled back")

	require.NoError(t, b.core.Write(ctx, func(w *domain.Write) error {
		var n int
		return w.Tx.NewRaw("SELECT count(*) FROM tenants WHERE id = ?", b.tenant).Scan(ctx, &n)
	}), "a read-only unit of work needs no audit row")

	require.NoError(t, b.core.Write(ctx, func(w *domain.Write) error {
		w.SkipAudit("test bookkeeping")
		return rename("skipped")(w)
	}))
	require.Equal(t, "skipped", name())

	require.NoError(t, b.core.Write(ctx, func(w *domain.Write) error {
		if err := rename("audited")(w); err != nil {
			return err
		}
		return w.AuditAs("user", "usr_x", b.tenant, "tenant.rename", "tenant", b.tenant, map[string]string{"name": "audited"})
	}))
	rows, err := db.AuditListByTenant(ctx, b.core.DB, b.tenant, 10)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "user", rows[0].ActorType)
	require.Equal(t, "usr_x", rows[0].ActorID)

	// Outside tests the unaudited write commits (and is logged).
	b.core.StrictAudit = false
	require.NoError(t, b.core.Write(ctx, rename("lenient")))
	require.Equal(t, "lenient", name())
}
