package objects

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Totals of lists and searches at scale (docs/objects_search.md, "Totals").
// Up to a cap the total is exact, counted over at most cap+1 rows of the
// live index (an index-only scan that stops early); beyond it, the page
// says total_is_estimate and total is an estimate, never below cap+1:
//   - a list (no filter): the type's live count, counted exactly within a
//     time budget and kept in Redis for a short while (so one request in
//     that while pays the count), else the planner's row estimate;
//   - a search: the share of the newest objects matching the filter times
//     the list's estimate (else the planner's), within [cap+1, the
//     list's estimate].
// A client asks for the exact count with total=exact (bounded by the
// statement timeout: 503 UNAVAILABLE when it runs out).

const (
	// defaultExactTotalCap is the largest total counted exactly by default:
	// counting 10,001 index rows costs a few milliseconds (measured at 1M
	// objects of one type), a full count of 1M about 250 ms.
	defaultExactTotalCap = 10000
	// liveCountBudget bounds the exact count behind a list's estimate; past
	// it, the planner's estimate stands in.
	liveCountBudget = 1500 * time.Millisecond
	// liveCountTTL is how long a type's live count is reused.
	liveCountTTL = 30 * time.Second
	// filterSample is how many of the newest objects a filtered estimate
	// tests (about 1 ms at 1M objects; a share of 25% comes within ±2
	// points).
	filterSample = 2000
)

// totalsConfig is a Service's totals setting (zero: the defaults).
type totalsConfig struct {
	exactCap atomic.Int64
}

// SetExactTotalCap sets the largest total that lists and searches count
// exactly (n <= 0: the default, 10,000); larger totals are estimates.
func (s *Service) SetExactTotalCap(n int) { s.totals.exactCap.Store(int64(n)) }

func (s *Service) exactTotalCap() int {
	if n := s.totals.exactCap.Load(); n > 0 {
		return int(n)
	}
	return defaultExactTotalCap
}

// parseTotalMode reads the total parameter: "" or "auto" (exact up to the
// cap, then an estimate) or "exact".
func parseTotalMode(mode string) (exact bool, err error) {
	switch mode {
	case "", "auto":
		return false, nil
	case "exact":
		return true, nil
	}
	return false, domain.Invalid("total", "must be auto or exact")
}

// pageTotal is the total of a type's live objects matching cond (none:
// the list), and whether it is an estimate.
func (s *Service) pageTotal(ctx context.Context, tenantID, typeID string, cond db.Condition, exact bool) (int, bool, error) {
	if exact {
		n, err := db.ObjectSearchCount(ctx, s.core.DB, tenantID, typeID, cond)
		if db.IsStatementTimeout(err) {
			return 0, false, domain.Errorf(domain.CodeUnavailable, "The exact total took too long to count; ask without total=exact for an estimate.")
		}
		if err != nil {
			return 0, false, domain.Internal(err)
		}
		return n, false, nil
	}
	limit := s.exactTotalCap()
	n, err := db.ObjectCountUpTo(ctx, s.core.DB, tenantID, typeID, cond, limit+1)
	if err != nil {
		return 0, false, domain.Internal(err)
	}
	if n <= limit {
		return n, false, nil
	}
	live, err := s.liveEstimate(ctx, tenantID, typeID)
	if err != nil {
		return 0, false, err
	}
	est := live
	if cond.SQL != "" {
		if est, err = s.filteredEstimate(ctx, tenantID, typeID, cond, live); err != nil {
			return 0, false, err
		}
		est = min(est, live) // a subset of the list
	}
	return max(est, limit+1), true, nil
}

// filteredEstimate estimates how many of a type's live objects match
// cond: the share of its newest filterSample objects that match, times
// the live count; when none of those matches (a filter rarer than the
// sample resolves, or one that only older objects meet), the planner's
// estimate.
func (s *Service) filteredEstimate(ctx context.Context, tenantID, typeID string, cond db.Condition, live int) (int, error) {
	read, matched, err := db.ObjectFilterSample(ctx, s.core.DB, tenantID, typeID, cond, filterSample)
	if err != nil {
		return 0, domain.Internal(err)
	}
	if matched > 0 && read > 0 {
		return int(float64(live) * float64(matched) / float64(read)), nil
	}
	n, err := db.ObjectCountEstimate(ctx, s.core.DB, tenantID, typeID, cond)
	if err != nil {
		return 0, domain.Internal(err)
	}
	return n, nil
}

// liveEstimate is a type's live count as of at most liveCountTTL ago:
// from Redis, else counted exactly within liveCountBudget, else the
// planner's estimate; what it finds is kept for liveCountTTL. Redis
// failures only cost the cache.
func (s *Service) liveEstimate(ctx context.Context, tenantID, typeID string) (int, error) {
	key := "objects:live-count:{" + tenantID + "}:" + typeID
	if s.core.Redis != nil {
		if v, err := s.core.Redis.Get(ctx, key).Int(); err == nil {
			return v, nil
		}
	}
	n, err := db.ObjectCountWithin(ctx, s.core.DB, tenantID, typeID, liveCountBudget)
	if db.IsStatementTimeout(err) {
		n, err = db.ObjectCountEstimate(ctx, s.core.DB, tenantID, typeID, db.Condition{})
	}
	if err != nil {
		return 0, domain.Internal(err)
	}
	if s.core.Redis != nil {
		_ = s.core.Redis.Set(ctx, key, strconv.Itoa(n), liveCountTTL).Err()
	}
	return n, nil
}
