package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Recurring entries: schedules (acct_recurring) and the occurrences they ran
// (acct_recurring_runs, whose primary key makes an occurrence run at most
// once). Every query but the scheduler's due scan is scoped by tenant.

// AcctRecurringList returns a tenant's schedules by next run.
func AcctRecurringList(ctx context.Context, idb bun.IDB, tenantID string) ([]AcctRecurring, error) {
	rows := []AcctRecurring{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		OrderExpr("next_run, id").Limit(acctRefdataLimit).Scan(ctx)
	return rows, err
}

// AcctRecurringGet loads a schedule; forUpdate row-locks it (every
// execution locks it first, so occurrences of one schedule run one at a
// time).
func AcctRecurringGet(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*AcctRecurring, error) {
	row := new(AcctRecurring)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// AcctRecurringInsert creates a schedule.
func AcctRecurringInsert(ctx context.Context, idb bun.IDB, row *AcctRecurring) error {
	_, err := idb.NewInsert().Model(row).Exec(ctx)
	return err
}

// AcctRecurringUpdate writes the mutable columns of row.
func AcctRecurringUpdate(ctx context.Context, idb bun.IDB, row *AcctRecurring) error {
	_, err := idb.NewUpdate().Model(row).
		Column("name", "template", "frequency", "next_run", "end_date", "is_active", "last_run_at", "occurrences", "updated_at").
		WherePK().Exec(ctx)
	return err
}

// AcctRecurringDelete removes a schedule and its run rows; the documents
// the occurrences created stay.
func AcctRecurringDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*AcctRecurring)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// AcctRecurringKey names a schedule across tenants.
type AcctRecurringKey struct {
	TenantID string `bun:"tenant_id"`
	ID       string `bun:"id"`
}

// AcctRecurringDue lists, across all tenants, the active schedules with an
// occurrence due on or before today and not past their end date, oldest
// first (at most limit).
func AcctRecurringDue(ctx context.Context, idb bun.IDB, today time.Time, limit int) ([]AcctRecurringKey, error) {
	keys := []AcctRecurringKey{}
	err := idb.NewSelect().Model((*AcctRecurring)(nil)).Column("tenant_id", "id").
		Where("is_active AND next_run <= ?::date AND (end_date IS NULL OR next_run <= end_date)", today.Format("2006-01-02")).
		OrderExpr("next_run, tenant_id, id").Limit(int64(limit)).Scan(ctx, &keys)
	return keys, err
}

// AcctRecurringRunGet loads the run of a schedule on a date.
func AcctRecurringRunGet(ctx context.Context, idb bun.IDB, tenantID, recurringID string, date time.Time) (*AcctRecurringRun, error) {
	row := new(AcctRecurringRun)
	err := idb.NewSelect().Model(row).
		Where("tenant_id = ? AND recurring_id = ? AND run_date = ?::date", tenantID, recurringID, date.Format("2006-01-02")).
		Scan(ctx)
	return row, err
}

// AcctRecurringRunInsert records an occurrence; it reports false (and
// changes nothing) when the schedule has a run on that date already.
func AcctRecurringRunInsert(ctx context.Context, idb bun.IDB, row *AcctRecurringRun) (bool, error) {
	res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, recurring_id, run_date) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AcctRecurringRunDates returns the schedule's run dates on or before
// upTo, newest first (at most limit).
func AcctRecurringRunDates(ctx context.Context, idb bun.IDB, tenantID, recurringID string, upTo time.Time, limit int) ([]time.Time, error) {
	var rows []AcctRecurringRun
	err := idb.NewSelect().Model(&rows).Column("run_date").
		Where("tenant_id = ? AND recurring_id = ? AND run_date <= ?::date", tenantID, recurringID, upTo.Format("2006-01-02")).
		OrderExpr("run_date DESC").Limit(int64(limit)).Scan(ctx)
	out := make([]time.Time, len(rows))
	for i, r := range rows {
		out[i] = r.RunDate
	}
	return out, err
}

// AcctRecurringFailureRecorded reports whether the audit log holds a
// failure of the schedule's occurrence on runDate with this error code (the
// scheduler records each distinct failure once, not every tick).
func AcctRecurringFailureRecorded(ctx context.Context, idb bun.IDB, tenantID, recurringID, action, runDate, code string) (bool, error) {
	var found bool
	err := idb.NewRaw(`SELECT EXISTS (SELECT 1 FROM audit_logs WHERE tenant_id = ? AND resource_type = 'recurring'
		AND resource_id = ? AND action = ? AND changes->>'run_date' = ? AND changes->>'code' = ?)`,
		tenantID, recurringID, action, runDate, code).Scan(ctx, &found)
	return found, err
}
