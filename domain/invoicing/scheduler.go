package invoicing

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// The recurring-entry scheduler: a River periodic job (run by the elected
// leader of the processes sharing the database, once at start and every
// minute) that creates every due occurrence of every tenant. Each
// occurrence is its own unit of work that locks its schedule row first and
// records the run under the (tenant, schedule, date) primary key, so an
// occurrence is created exactly once even when two processes run the job
// at the same time (River's leader election is a convenience, not the
// guarantee). Jobs live in Postgres, so a restart loses nothing: the next
// leader runs the job on start and catches up every missed date.

// RecurringSchedulerInterval is how often the scheduler looks for due
// occurrences.
const RecurringSchedulerInterval = time.Minute

const (
	// recurringDueBatch caps the schedules one run handles (the next run
	// takes the rest).
	recurringDueBatch = 1000
	// recurringMaxCatchUp caps the occurrences one schedule creates per
	// run (a daily schedule years behind catches up over a few runs).
	recurringMaxCatchUp = 1000
)

// RecurringSchedulerArgs is the periodic job that runs due occurrences.
type RecurringSchedulerArgs struct{}

// Kind names the job in River.
func (RecurringSchedulerArgs) Kind() string { return "recurring_entries" }

// RecurringSchedulerWorker runs RecurringSchedulerArgs.
type RecurringSchedulerWorker struct {
	river.WorkerDefaults[RecurringSchedulerArgs]
	Service *Service
}

// Work runs every occurrence due today (the service clock's date, UTC).
func (w *RecurringSchedulerWorker) Work(ctx context.Context, _ *river.Job[RecurringSchedulerArgs]) error {
	_, err := w.Service.RunDue(ctx, w.Service.core.Clock.Now())
	return err
}

// Timeout lets a long catch-up finish.
func (w *RecurringSchedulerWorker) Timeout(*river.Job[RecurringSchedulerArgs]) time.Duration {
	return 10 * time.Minute
}

// RecurringSchedulerJob is the periodic job to register with a River
// client that works jobs (next to a RecurringSchedulerWorker).
func RecurringSchedulerJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(RecurringSchedulerInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: a failed run is simply the next tick's work.
			return RecurringSchedulerArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

// RunDue creates, across all tenants, every occurrence due on or before
// today (its date) of active schedules not past their end date, oldest
// first, each in its own unit of work as the tenant's system principal,
// and returns how many it created. A schedule whose occurrence fails (an
// account deactivated, a closed period) is left as it is for the next run
// and the failure recorded once in the tenant's audit log
// (recurring.execute_failed) and event stream (recurring.failed). Only a
// failure to list the due schedules is returned.
func (s *Service) RunDue(ctx context.Context, today time.Time) (int, error) {
	day := dateOf(today).Time
	keys, err := db.AcctRecurringDue(ctx, s.core.DB, day, recurringDueBatch)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return created, err
		}
		created += s.catchUp(ctx, k, day)
	}
	return created, nil
}

// catchUp runs one schedule's due occurrences until none is due, one
// unit of work each; it stops at the first failure.
func (s *Service) catchUp(ctx context.Context, k db.AcctRecurringKey, day time.Time) int {
	p := &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: k.TenantID, Scopes: []string{domain.ScopeAll}}
	ctx = domain.WithPrincipal(ctx, p)
	created := 0
	for range recurringMaxCatchUp {
		var outcome occurrence
		var date time.Time
		err := s.core.Write(ctx, func(w *domain.Write) error {
			var err error
			_, outcome, date, err = s.occur(ctx, w, p, k.ID, &day)
			return err
		})
		if err != nil {
			s.recordFailure(ctx, p, k.ID, date, err)
			return created
		}
		switch outcome {
		case occurrenceNotDue:
			return created
		case occurrenceCreated:
			created++
		}
	}
	return created
}

// recordFailure logs a failed occurrence and records it, once per schedule,
// date and error code, in the audit log and the event stream. The check
// and the record run under the schedule's row lock, so two processes
// failing on the same occurrence record it once.
func (s *Service) recordFailure(ctx context.Context, p *domain.Principal, id string, date time.Time, cause error) {
	if ctx.Err() != nil {
		return // shutting down: the next run retries
	}
	de := domain.AsError(cause)
	runDate := date.Format(dateLayout)
	log := s.core.Log.With("tenant_id", p.TenantID, "recurring_id", id, "run_date", runDate, "code", de.Code, "err", cause)
	const action = "recurring.execute_failed"
	failure := map[string]any{"recurring_id": id, "run_date": runDate, "code": de.Code, "message": de.Message}
	if len(de.Fields) > 0 {
		failure["fields"] = de.Fields
	}
	recorded := false
	err := s.core.Write(ctx, func(w *domain.Write) error {
		if _, err := s.loadRecurring(ctx, w.Tx, p.TenantID, id, true); err != nil {
			return err
		}
		seen, err := db.AcctRecurringFailureRecorded(ctx, w.Tx, p.TenantID, id, action, runDate, de.Code)
		if err != nil || seen {
			return err
		}
		if err := w.Audit(p.TenantID, action, "recurring", id, failure); err != nil {
			return err
		}
		recorded = true
		return w.Emit(p.TenantID, accounting.Topic, "recurring.failed", failure)
	})
	switch {
	case err != nil && domain.ErrorCode(err) == domain.CodeNotFound:
		// deleted meanwhile
	case err != nil:
		log.Error("recurring occurrence failed; recording the failure failed too", "record_err", err)
	case recorded:
		log.Warn("recurring occurrence failed; the schedule is retried on the next run")
	default:
		log.Debug("recurring occurrence still failing")
	}
}
