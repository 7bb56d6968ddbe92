package governance

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Retention job tuning.
const (
	// RetentionInterval is how often the purge runs.
	RetentionInterval = time.Hour
	// retentionBatch bounds one delete (and its transaction), so a large
	// backlog never holds long locks.
	retentionBatch = 1000
	// retentionTenantPage is how many tenants are read at a time.
	retentionTenantPage = 500
)

// RetentionArgs is the periodic job that deletes audit rows past their
// tenant's audit_retention_days.
type RetentionArgs struct{}

// Kind names the job in River.
func (RetentionArgs) Kind() string { return "audit_retention" }

// RetentionWorker runs RetentionArgs.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	Service *Service
}

// Work purges every tenant's expired audit rows.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, err := w.Service.PurgeExpiredAudit(ctx)
	return err
}

// Timeout lets a long backlog finish.
func (w *RetentionWorker) Timeout(*river.Job[RetentionArgs]) time.Duration { return 30 * time.Minute }

// RetentionJob is the periodic job to register with a River client that
// works jobs (next to a RetentionWorker).
func RetentionJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(RetentionInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: a failed run is the next tick's work.
			return RetentionArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

// PurgeExpiredAudit deletes, for every tenant with a retention, the audit
// rows created before now minus the retention, in batches, and returns how
// many it deleted. Each batch is a unit of work that records what it purged
// (action audit.purge), so the log itself shows its trimming.
func (s *Service) PurgeExpiredAudit(ctx context.Context) (int, error) {
	total, after := 0, ""
	for {
		tenants, err := db.GovernanceRetentions(ctx, s.core.DB, after, retentionTenantPage)
		if err != nil {
			return total, err
		}
		for _, t := range tenants {
			n, err := s.purgeTenant(ctx, t.TenantID, t.AuditRetentionDays)
			total += n
			if err != nil {
				return total, err
			}
		}
		if len(tenants) < retentionTenantPage {
			return total, nil
		}
		after = tenants[len(tenants)-1].TenantID
	}
}

// purgeTenant deletes one tenant's expired rows, batch by batch.
func (s *Service) purgeTenant(ctx context.Context, tenantID string, days int) (int, error) {
	cutoff := s.core.Clock.Now().AddDate(0, 0, -days)
	total := 0
	for {
		var n int
		err := s.core.Write(ctx, func(w *domain.Write) error {
			var err error
			if n, err = db.AuditPurgeBatch(ctx, w.Tx, tenantID, cutoff, retentionBatch); err != nil {
				return err
			}
			if n == 0 {
				w.SkipAudit("nothing purged")
				return nil
			}
			return w.Audit(tenantID, "audit.purge", "audit_log", tenantID,
				map[string]any{"deleted": n, "created_before": cutoff, "retention_days": days})
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < retentionBatch {
			return total, nil
		}
	}
}
