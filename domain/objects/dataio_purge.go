package objects

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Export retention: a periodic River job deletes the chunks of exports
// completed more than ExportRetention ago (their row stays, so a download
// answers 410 GONE rather than 404) and, 30 days on, the rows themselves.

// ExportPurgeInterval is how often expired export files are deleted.
const ExportPurgeInterval = 15 * time.Minute

// exportPurgeBatch caps the exports purged per statement.
const exportPurgeBatch = 500

// ExportPurgeArgs is the periodic job that deletes expired export files.
type ExportPurgeArgs struct{}

// Kind names the job in River.
func (ExportPurgeArgs) Kind() string { return "object_export_purge" }

// ExportPurgeWorker runs ExportPurgeArgs.
type ExportPurgeWorker struct {
	river.WorkerDefaults[ExportPurgeArgs]
	Service *Service
}

// Work purges expired exports.
func (w *ExportPurgeWorker) Work(ctx context.Context, _ *river.Job[ExportPurgeArgs]) error {
	_, err := w.Service.PurgeExports(ctx)
	return err
}

// ExportPurgeJob is the periodic job to register with a River client that
// works jobs (next to an ExportPurgeWorker).
func ExportPurgeJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(ExportPurgeInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: a failed run is the next tick's work.
			return ExportPurgeArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

// PurgeExports deletes, across tenants, the files of exports expired by
// the service clock and the rows older than 30 days; it returns how many
// files it deleted.
func (s *Service) PurgeExports(ctx context.Context) (int, error) {
	now := s.core.Clock.Now()
	purged := 0
	for {
		n, err := db.ObjectExportPurgeExpired(ctx, s.core.DB, now, exportPurgeBatch)
		if err != nil {
			return purged, domain.Internal(err)
		}
		purged += n
		if n < exportPurgeBatch {
			break
		}
	}
	for {
		n, err := db.ObjectExportDeleteOld(ctx, s.core.DB, now.Add(-exportRowRetention), exportPurgeBatch)
		if err != nil {
			return purged, domain.Internal(err)
		}
		if n < exportPurgeBatch {
			return purged, nil
		}
	}
}
