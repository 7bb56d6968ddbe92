package accounting

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Period statuses: posting into a closed period is refused.
const (
	PeriodOpen   = "open"
	PeriodClosed = "closed"
)

// Period is a date range of the books that can be closed to postings.
type Period struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	StartDate Date       `json:"start_date"`
	EndDate   Date       `json:"end_date"`
	Status    string     `json:"status" doc:"open or closed."`
	ClosedAt  *time.Time `json:"closed_at"`
	ClosedBy  *string    `json:"closed_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func periodFromRow(r *db.AcctPeriod) Period {
	return Period{ID: r.ID, Name: r.Name, StartDate: DateOf(r.StartDate), EndDate: DateOf(r.EndDate), Status: r.Status,
		ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreatePeriodInput is the body of POST /v1/accounting/periods.
type CreatePeriodInput struct {
	Name      string `json:"name" required:"true"`
	StartDate *Date  `json:"start_date" required:"true"`
	EndDate   *Date  `json:"end_date" required:"true" doc:"Inclusive; on or after start_date."`
}

// PeriodRef names a period.
type PeriodRef struct {
	PeriodID string `path:"period_id" json:"-"`
}

// UpdatePeriodInput is the body of PATCH /v1/accounting/periods/:period_id.
// Dates change only while the period is open.
type UpdatePeriodInput struct {
	PeriodID  string  `path:"period_id" json:"-"`
	Name      *string `json:"name"`
	StartDate *Date   `json:"start_date"`
	EndDate   *Date   `json:"end_date"`
}

// DeletePeriodInput names the period to delete. A closed period or one with
// posted entries is never deleted, even with force.
type DeletePeriodInput struct {
	PeriodID     string `path:"period_id" json:"-"`
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// ListPeriods returns the tenant's periods by start date. Errors:
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListPeriods(ctx context.Context) ([]Period, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.AcctPeriodList(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Period, len(rows))
	for i := range rows {
		out[i] = periodFromRow(&rows[i])
	}
	return out, nil
}

// GetPeriod loads a period. Errors: NOT_FOUND.
func (s *Service) GetPeriod(ctx context.Context, in PeriodRef) (Period, error) {
	p, err := reader(ctx)
	if err != nil {
		return Period{}, err
	}
	row, err := s.loadPeriod(ctx, s.core.DB, p.TenantID, in.PeriodID, false)
	if err != nil {
		return Period{}, err
	}
	return periodFromRow(row), nil
}

// CreatePeriod adds an open period. Periods of a tenant never overlap.
// Errors: VALIDATION_FAILED, CONFLICT (overlap, naming period_id),
// UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreatePeriod(ctx context.Context, in CreatePeriodInput) (Period, error) {
	p, err := writer(ctx)
	if err != nil {
		return Period{}, err
	}
	var v domain.Validation
	name := strings.TrimSpace(in.Name)
	domain.CheckText(&v, "name", name, 200, true)
	checkRefDate(&v, "start_date", in.StartDate, true)
	checkRefDate(&v, "end_date", in.EndDate, true)
	if in.StartDate != nil && in.EndDate != nil {
		v.Check(in.EndDate.Before(in.StartDate.Time), "end_date", "must be on or after start_date")
	}
	if err := v.Err(); err != nil {
		return Period{}, err
	}
	var out Period
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// Exclusive books lock: overlap checks and inserts run one at a
		// time per tenant, and never beside a posting.
		if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
			return domain.Internal(err)
		}
		if err := s.checkNoOverlap(ctx, w.Tx, p.TenantID, in.StartDate.Time, in.EndDate.Time, ""); err != nil {
			return err
		}
		now := s.core.Clock.Now()
		row := &db.AcctPeriod{TenantID: p.TenantID, ID: domain.NewID("per_"), Name: name, StartDate: in.StartDate.Time,
			EndDate: in.EndDate.Time, Status: PeriodOpen, CreatedAt: now, UpdatedAt: now}
		if err := db.AcctPeriodInsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = periodFromRow(row)
		return recordRefdata(w, p.TenantID, "period", "period.create", "period.created", out.ID, nil, &out, out)
	})
	return out, err
}

// UpdatePeriod renames a period, or moves its dates while it is open (still
// without overlapping another). Errors: NOT_FOUND, VALIDATION_FAILED,
// INVALID_STATE (a closed period's dates), CONFLICT (overlap).
func (s *Service) UpdatePeriod(ctx context.Context, in UpdatePeriodInput) (Period, error) {
	p, err := writer(ctx)
	if err != nil {
		return Period{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		domain.CheckText(&v, "name", strings.TrimSpace(*in.Name), 200, true)
	}
	checkRefDate(&v, "start_date", in.StartDate, false)
	checkRefDate(&v, "end_date", in.EndDate, false)
	if err := v.Err(); err != nil {
		return Period{}, err
	}
	var out Period
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
			return domain.Internal(err)
		}
		row, err := s.loadPeriod(ctx, w.Tx, p.TenantID, in.PeriodID, true)
		if err != nil {
			return err
		}
		before := periodFromRow(row)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		start, end := row.StartDate, row.EndDate
		if in.StartDate != nil {
			start = in.StartDate.Time
		}
		if in.EndDate != nil {
			end = in.EndDate.Time
		}
		if !sameDay(start, row.StartDate) || !sameDay(end, row.EndDate) {
			if row.Status == PeriodClosed {
				return domain.Errorf(domain.CodeInvalidState, "The period %q is closed: reopen it to change its dates.", row.Name)
			}
			if end.Before(start) {
				return domain.Invalid("end_date", "must be on or after start_date")
			}
			if err := s.checkNoOverlap(ctx, w.Tx, p.TenantID, start, end, row.ID); err != nil {
				return err
			}
			row.StartDate, row.EndDate = start, end
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctPeriodUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = periodFromRow(row)
		return recordRefdata(w, p.TenantID, "period", "period.update", "period.updated", out.ID, &before, &out, out)
	})
	return out, err
}

// DeletePeriod removes an open period with no posted entries. A period
// holding posted (or reversed) entries is 409 DEPENDENCY_EXISTS and a closed
// one 409 INVALID_STATE, never with a confirm token. Errors: NOT_FOUND,
// DEPENDENCY_EXISTS, INVALID_STATE.
func (s *Service) DeletePeriod(ctx context.Context, in DeletePeriodInput) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// Exclusive: no posting into the period lands during the count.
		if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
			return domain.Internal(err)
		}
		row, err := s.loadPeriod(ctx, w.Tx, p.TenantID, in.PeriodID, true)
		if err != nil {
			return err
		}
		posted, err := db.AcctPostedEntryCount(ctx, w.Tx, p.TenantID, row.StartDate, row.EndDate)
		if err != nil {
			return domain.Internal(err)
		}
		if posted > 0 {
			return s.core.DependencyError(ctx, p.TenantID, "period:"+row.ID,
				[]domain.Dependency{{Type: "journal_entries", Count: posted, Label: "Posted journal entries"}}, false)
		}
		if row.Status == PeriodClosed {
			return domain.Errorf(domain.CodeInvalidState, "The period %q is closed: reopen it before deleting it.", row.Name)
		}
		if err := db.AcctPeriodDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := periodFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return recordRefdata(w, p.TenantID, "period", "period.delete", "period.deleted", row.ID, &before, nil, before)
	})
	return out, err
}

// ClosePeriod closes an open period to postings. It takes the books lock
// exclusively, so it waits for postings in flight (which hold it shared) and
// none starts until it commits. Errors: NOT_FOUND, INVALID_STATE (closed
// already).
func (s *Service) ClosePeriod(ctx context.Context, in PeriodRef) (Period, error) {
	return s.setPeriodStatus(ctx, in, PeriodClosed)
}

// ReopenPeriod opens a closed period again (audited as period.reopen).
// Errors: NOT_FOUND, INVALID_STATE (open already).
func (s *Service) ReopenPeriod(ctx context.Context, in PeriodRef) (Period, error) {
	return s.setPeriodStatus(ctx, in, PeriodOpen)
}

func (s *Service) setPeriodStatus(ctx context.Context, in PeriodRef, status string) (Period, error) {
	p, err := writer(ctx)
	if err != nil {
		return Period{}, err
	}
	var out Period
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, true); err != nil {
			return domain.Internal(err)
		}
		row, err := s.loadPeriod(ctx, w.Tx, p.TenantID, in.PeriodID, true)
		if err != nil {
			return err
		}
		if row.Status == status {
			return domain.Errorf(domain.CodeInvalidState, "The period %q is %s already.", row.Name, status)
		}
		before := periodFromRow(row)
		now := s.core.Clock.Now()
		action, event := "period.close", "period.closed"
		if status == PeriodClosed {
			actor := p.ActorID()
			row.ClosedAt, row.ClosedBy = &now, &actor
		} else {
			action, event = "period.reopen", "period.reopened"
			row.ClosedAt, row.ClosedBy = nil, nil
		}
		row.Status, row.UpdatedAt = status, now
		if err := db.AcctPeriodUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = periodFromRow(row)
		return recordRefdata(w, p.TenantID, "period", action, event, out.ID, &before, &out, out)
	})
	return out, err
}

// checkNoOverlap refuses [start, end] when it shares a day with another
// period of the tenant (409 CONFLICT naming it). Callers hold the books
// lock exclusively.
func (s *Service) checkNoOverlap(ctx context.Context, idb bun.IDB, tenantID string, start, end time.Time, exceptID string) error {
	other, err := db.AcctPeriodOverlapping(ctx, idb, tenantID, start, end, exceptID)
	if err != nil {
		return domain.Internal(err)
	}
	if other != nil {
		return domain.Errorf(domain.CodeConflict, "The period overlaps %q (%s to %s).", other.Name,
			other.StartDate.Format(DateLayout), other.EndDate.Format(DateLayout)).With("period_id", other.ID)
	}
	return nil
}

// loadPeriod finds a period of the tenant. Errors: NOT_FOUND.
func (s *Service) loadPeriod(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctPeriod, error) {
	if !domain.ValidID("per_", id) {
		return nil, domain.NotFound("Period")
	}
	row, err := db.AcctPeriodGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Period")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
