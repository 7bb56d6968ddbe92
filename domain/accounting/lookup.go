package accounting

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// rateOn returns how many units of `to` one unit of `from` buys on date: the
// latest rate effective on or before date, read directly or inverted from
// the opposite pair. Errors: VALIDATION_FAILED on field when no rate exists.
func (s *Service) rateOn(ctx context.Context, idb bun.IDB, tenantID, from, to string, date time.Time, field string) (decimal.Decimal, error) {
	if from == to {
		return decimal.NewFromInt(1), nil
	}
	r, err := db.AcctRateOn(ctx, idb, tenantID, from, to, date)
	if err != nil {
		return decimal.Zero, domain.Internal(err)
	}
	if r != nil {
		return r.Rate, nil
	}
	inv, err := db.AcctRateOn(ctx, idb, tenantID, to, from, date)
	if err != nil {
		return decimal.Zero, domain.Internal(err)
	}
	if inv != nil {
		return decimal.NewFromInt(1).DivRound(inv.Rate, 16), nil
	}
	return decimal.Zero, domain.Invalid(field, "no exchange rate from "+from+" to "+to+" effective on "+date.Format(DateLayout))
}

// checkPeriodOpen refuses a date inside a closed period (409 PERIOD_CLOSED).
// Callers hold the books lock (shared) so no period closes meanwhile.
func (s *Service) checkPeriodOpen(ctx context.Context, idb bun.IDB, tenantID string, date time.Time) error {
	p, err := db.AcctPeriodClosedOn(ctx, idb, tenantID, date)
	if err != nil {
		return domain.Internal(err)
	}
	if p != nil {
		return domain.Errorf(domain.CodePeriodClosed, "The period %q (%s to %s) is closed.", p.Name,
			p.StartDate.Format(DateLayout), p.EndDate.Format(DateLayout)).With("period_id", p.ID)
	}
	return nil
}
