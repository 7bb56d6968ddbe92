package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/invoicing"
)

// The recurring-entry scheduler across processes: every App here is a
// separate platform process on the same Postgres and Redis (apptest.New on
// this package's database). Each schedule has an end date, so whichever
// process runs it, and with whatever clock, its occurrences are exactly
// the dates up to that end.

const dateLayout = "2006-01-02"

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// schedTenant is a tenant with a rent template, driven through the domain
// as a system principal.
type schedTenant struct {
	id         string
	ctx        context.Context
	cash, rent string
}

func newSchedTenant(t *testing.T, env *apptest.Env, name string) *schedTenant {
	t.Helper()
	tn := env.NewTenant(t, name)
	st := &schedTenant{id: tn.ID, ctx: domain.WithPrincipal(context.Background(),
		&domain.Principal{Kind: domain.PrincipalAdmin, TenantID: tn.ID, Scopes: []string{domain.ScopeAll}})}
	st.cash = st.account(t, env, "1000", "asset")
	st.rent = st.account(t, env, "6000", "expense")
	return st
}

func (st *schedTenant) account(t *testing.T, env *apptest.Env, code, typ string) string {
	t.Helper()
	a, err := env.App.Books.CreateAccount(st.ctx, accounting.CreateAccountInput{Code: code, Name: "Account " + code, Type: typ})
	require.NoError(t, err)
	return a.ID
}

// schedule creates an active journal-entry schedule.
func (st *schedTenant) schedule(t *testing.T, env *apptest.Env, freq, next, end string, debitAccount string) invoicing.Recurring {
	t.Helper()
	if debitAccount == "" {
		debitAccount = st.rent
	}
	tmpl := `{"description": "Rent", "lines": [{"account_id": "` + debitAccount + `", "debit": "100.00"},
		{"account_id": "` + st.cash + `", "credit": "100.00"}]}`
	n := accounting.Date{Time: day(next)}
	in := invoicing.CreateRecurringInput{Name: "Rent " + freq, Type: "journal_entry", Template: []byte(tmpl),
		Frequency: freq, NextRun: &n}
	if end != "" {
		e := accounting.Date{Time: day(end)}
		in.EndDate = &e
	}
	r, err := env.App.Billing.CreateRecurring(st.ctx, in)
	require.NoError(t, err)
	return r
}

func (st *schedTenant) get(t *testing.T, env *apptest.Env, id string) invoicing.Recurring {
	t.Helper()
	r, err := env.App.Billing.GetRecurring(st.ctx, invoicing.RecurringRef{RecurringID: id})
	require.NoError(t, err)
	return r
}

// occurrences returns, per schedule, the dates of the journal entries the
// tenant's schedules created, failing on a date created twice.
func (st *schedTenant) occurrences(t *testing.T, env *apptest.Env) map[string][]string {
	t.Helper()
	var rows []struct {
		SourceID string    `bun:"source_id"`
		Date     time.Time `bun:"date"`
	}
	err := env.App.Core.DB.NewRaw(`SELECT source_id, date FROM acct_journal_entries
		WHERE tenant_id = ? AND source_type = 'recurring' ORDER BY source_id, date`, st.id).Scan(context.Background(), &rows)
	require.NoError(t, err)
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rows {
		d := r.Date.Format(dateLayout)
		require.False(t, seen[r.SourceID+d], "schedule %s ran %s twice", r.SourceID, d)
		seen[r.SourceID+d] = true
		out[r.SourceID] = append(out[r.SourceID], d)
	}
	var runs int
	require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FROM acct_recurring_runs WHERE tenant_id = ?`, st.id).
		Scan(context.Background(), &runs))
	require.Equal(t, len(rows), runs, "one run row per occurrence")
	return out
}

// count is how many journal entries a schedule created (for polling: it
// never fails the test from the polling goroutine).
func count(env *apptest.Env, tenantID, recurringID string) int {
	var n int
	err := env.App.Core.DB.NewRaw(`SELECT count(*) FROM acct_journal_entries
		WHERE tenant_id = ? AND source_type = 'recurring' AND source_id = ?`, tenantID, recurringID).
		Scan(context.Background(), &n)
	if err != nil {
		return -1
	}
	return n
}

func TestSchedulerTwoProcessesRunDue(t *testing.T) {
	a := apptest.New(t, apptest.Options{NoBackground: true})
	b := apptest.New(t, apptest.Options{NoBackground: true})
	t1 := newSchedTenant(t, a, "Scheduler one")
	t2 := newSchedTenant(t, b, "Scheduler two")
	today := day("2025-03-10")

	daily := t1.schedule(t, a, "daily", "2025-03-01", "2025-03-05", "")
	monthly := t1.schedule(t, a, "monthly", "2024-10-31", "2025-02-28", "")
	weekly := t2.schedule(t, b, "weekly", "2025-02-03", "2025-03-31", "")
	future := t2.schedule(t, b, "daily", "2090-01-01", "2090-01-31", "")
	paused := t2.schedule(t, b, "daily", "2025-03-01", "2025-03-05", "")
	_, err := b.App.Billing.UpdateRecurring(t2.ctx, invoicing.UpdateRecurringInput{RecurringID: paused.ID, IsActive: ptr(false)})
	require.NoError(t, err)
	// A schedule whose account is deactivated fails, and is left for later.
	doomed := t2.account(t, b, "6100", "expense")
	failing := t2.schedule(t, b, "daily", "2025-03-01", "2025-03-05", doomed)
	_, err = b.App.Books.UpdateAccount(t2.ctx, accounting.UpdateAccountInput{AccountID: doomed, IsActive: ptr(false)})
	require.NoError(t, err)

	// A schedule whose frequency change lands on a date that ran already:
	// the scheduler skips that date (it ran once) and goes on.
	collide := t1.schedule(t, a, "daily", "2025-01-10", "2025-01-17", "")
	_, err = a.App.Billing.ExecuteRecurring(t1.ctx, invoicing.RecurringRef{RecurringID: collide.ID})
	require.NoError(t, err)
	weeklyRun, monday := "weekly", accounting.Date{Time: day("2025-01-03")}
	_, err = a.App.Billing.UpdateRecurring(t1.ctx, invoicing.UpdateRecurringInput{RecurringID: collide.ID,
		Frequency: &weeklyRun, NextRun: &monday})
	require.NoError(t, err)

	// Four schedulers, two per process, all at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	start := make(chan struct{})
	for i := range 4 {
		env := a
		if i%2 == 1 {
			env = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n, err := env.App.Billing.RunDue(context.Background(), today)
			if err != nil {
				t.Errorf("RunDue: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()

	want1 := map[string][]string{
		daily.ID:   {"2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05"},
		monthly.ID: {"2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28"},
		collide.ID: {"2025-01-03", "2025-01-10", "2025-01-17"},
	}
	want2 := map[string][]string{
		weekly.ID: {"2025-02-03", "2025-02-10", "2025-02-17", "2025-02-24", "2025-03-03", "2025-03-10"},
	}
	require.Equal(t, want1, t1.occurrences(t, a))
	require.Equal(t, want2, t2.occurrences(t, b))
	require.Equal(t, 18, total, "the processes' counts add up to the occurrences created")
	got := t1.get(t, a, collide.ID)
	require.Equal(t, 3, got.Occurrences)
	require.Equal(t, "2025-01-24", got.NextRun.Format(dateLayout))
	var skips int
	require.NoError(t, a.App.Core.DB.NewRaw(`SELECT count(*) FROM audit_logs WHERE tenant_id = ?
		AND action = 'recurring.skip' AND resource_id = ?`, t1.id, collide.ID).Scan(context.Background(), &skips))
	require.Equal(t, 1, skips)

	got = t1.get(t, a, daily.ID)
	require.Equal(t, "2025-03-06", got.NextRun.Format(dateLayout))
	require.Equal(t, 5, got.Occurrences)
	require.NotNil(t, got.LastRunAt)
	require.Equal(t, "2025-03-31", t1.get(t, a, monthly.ID).NextRun.Format(dateLayout))
	got = t2.get(t, b, weekly.ID)
	require.Equal(t, "2025-03-17", got.NextRun.Format(dateLayout), "not due before today")
	require.Equal(t, 6, got.Occurrences)
	require.Zero(t, t2.get(t, b, future.ID).Occurrences)
	require.Zero(t, t2.get(t, b, paused.ID).Occurrences)
	got = t2.get(t, b, failing.ID)
	require.Zero(t, got.Occurrences)
	require.Equal(t, "2025-03-01", got.NextRun.Format(dateLayout))
	require.True(t, got.IsActive)

	// Nothing is left to do; the failure is recorded once, not per run.
	n, err := a.App.Billing.RunDue(context.Background(), today)
	require.NoError(t, err)
	require.Zero(t, n)
	var failures int
	require.NoError(t, a.App.Core.DB.NewRaw(`SELECT count(*) FROM audit_logs WHERE tenant_id = ?
		AND action = 'recurring.execute_failed' AND resource_id = ?`, t2.id, failing.ID).Scan(context.Background(), &failures))
	require.Equal(t, 1, failures)

	// Once the account is active again the schedule catches up.
	_, err = b.App.Books.UpdateAccount(t2.ctx, accounting.UpdateAccountInput{AccountID: doomed, IsActive: ptr(true)})
	require.NoError(t, err)
	n, err = b.App.Billing.RunDue(context.Background(), today)
	require.NoError(t, err)
	require.Equal(t, 5, n)
	require.Len(t, t2.occurrences(t, b)[failing.ID], 5)
}

func TestSchedulerTwoProcessesRiver(t *testing.T) {
	// Both processes run the job queue; River elects one to enqueue the
	// periodic job, either may work it, and the run rows keep it once.
	a := apptest.New(t)
	b := apptest.New(t)
	tn := newSchedTenant(t, a, "River scheduler")
	today := time.Now().UTC()
	from, to := today.AddDate(0, 0, -20), today.AddDate(0, 0, -16)
	r := tn.schedule(t, a, "daily", from.Format(dateLayout), to.Format(dateLayout), "")

	// Nudge: RunDue from both processes too, racing the River job.
	_, err := a.App.Billing.RunDue(context.Background(), today.AddDate(0, 0, -19))
	require.NoError(t, err)
	_, err = b.App.Billing.RunDue(context.Background(), today.AddDate(0, 0, -19))
	require.NoError(t, err)

	want := make([]string, 0, 5)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		want = append(want, d.Format(dateLayout))
	}
	require.Eventually(t, func() bool {
		return count(b, tn.id, r.ID) == 5
	}, 30*time.Second, 100*time.Millisecond, "the scheduler catches up")
	require.Equal(t, map[string][]string{r.ID: want}, tn.occurrences(t, a))
	require.Equal(t, 5, tn.get(t, b, r.ID).Occurrences)
}

func TestSchedulerSurvivesRestart(t *testing.T) {
	today := time.Now().UTC()
	var tn *schedTenant
	var first, second invoicing.Recurring

	t.Run("a first process runs what is due", func(t *testing.T) {
		env := apptest.New(t)
		tn = newSchedTenant(t, env, "Restarted scheduler")
		first = tn.schedule(t, env, "daily", today.AddDate(0, 0, -10).Format(dateLayout), today.AddDate(0, 0, -8).Format(dateLayout), "")
		require.Eventually(t, func() bool {
			return count(env, tn.id, first.ID) == 3
		}, 30*time.Second, 100*time.Millisecond)
	}) // the process stops here

	t.Run("schedules become due while no process runs", func(t *testing.T) {
		env := apptest.New(t, apptest.Options{NoBackground: true})
		second = tn.schedule(t, env, "weekly", today.AddDate(0, 0, -28).Format(dateLayout), today.AddDate(0, 0, -7).Format(dateLayout), "")
		require.Empty(t, tn.occurrences(t, env)[second.ID])
	})

	t.Run("a freshly started process catches up", func(t *testing.T) {
		env := apptest.New(t)
		require.Eventually(t, func() bool {
			return count(env, tn.id, second.ID) == 4
		}, 30*time.Second, 100*time.Millisecond, "the job runs on start")
		occ := tn.occurrences(t, env)
		require.Len(t, occ[first.ID], 3, "nothing ran twice")
		require.Equal(t, []string{
			today.AddDate(0, 0, -28).Format(dateLayout), today.AddDate(0, 0, -21).Format(dateLayout),
			today.AddDate(0, 0, -14).Format(dateLayout), today.AddDate(0, 0, -7).Format(dateLayout),
		}, occ[second.ID])
		got := tn.get(t, env, second.ID)
		require.Equal(t, 4, got.Occurrences)
		require.Equal(t, today.Format(dateLayout), got.NextRun.Format(dateLayout))
	})
}

func ptr[T any](v T) *T { return &v }
