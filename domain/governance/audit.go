package governance

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Audit list page sizes (GET /v1/audit-logs).
const (
	DefaultAuditLimit = 50
	MaxAuditLimit     = 1000
)

// AuditListInput filters the audit log. from and to are RFC 3339 times
// (from inclusive, to exclusive).
type AuditListInput struct {
	Limit        int    `query:"limit"`
	Offset       int    `query:"offset"`
	Action       string `query:"action"`
	ResourceType string `query:"resource_type"`
	ResourceID   string `query:"resource_id"`
	ActorID      string `query:"actor_id"`
	From         string `query:"from"`
	To           string `query:"to"`
}

// AuditLog is one recorded write.
type AuditLog struct {
	ID           string          `json:"id"`
	ActorType    string          `json:"actor_type"`
	ActorID      string          `json:"actor_id"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Changes      json.RawMessage `json:"changes"`
	IP           string          `json:"ip"`
	RequestID    string          `json:"request_id"`
	CreatedAt    time.Time       `json:"created_at"`
}

// AuditPage is a page of the audit log, newest first.
type AuditPage struct {
	Logs  []AuditLog `json:"logs"`
	Total int        `json:"total"`
}

// ListAuditLogs pages the caller tenant's audit log, newest first.
// Errors: VALIDATION_FAILED, UNAUTHORIZED, INSUFFICIENT_SCOPE, FORBIDDEN.
func (s *Service) ListAuditLogs(ctx context.Context, in AuditListInput) (AuditPage, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAuth, "audit:read")
	if err != nil {
		return AuditPage{}, err
	}
	f, err := in.filter(p.TenantID)
	if err != nil {
		return AuditPage{}, err
	}
	rows, total, err := db.AuditList(ctx, s.core.DB, f)
	if err != nil {
		return AuditPage{}, domain.Internal(err)
	}
	out := AuditPage{Logs: make([]AuditLog, len(rows)), Total: total}
	for i := range rows {
		out.Logs[i] = auditFromRow(&rows[i])
	}
	return out, nil
}

// filter validates the input into a query filter. A limit above the
// maximum is clamped (contract: "Lists").
func (in AuditListInput) filter(tenantID string) (*db.AuditFilter, error) {
	var v domain.Validation
	f := &db.AuditFilter{TenantID: tenantID, Limit: in.Limit, Offset: in.Offset,
		Action: strings.TrimSpace(in.Action), ResourceType: strings.TrimSpace(in.ResourceType),
		ResourceID: strings.TrimSpace(in.ResourceID), ActorID: strings.TrimSpace(in.ActorID)}
	switch {
	case f.Limit < 0:
		v.Add("limit", "must be positive")
	case f.Limit == 0:
		f.Limit = DefaultAuditLimit
	case f.Limit > MaxAuditLimit:
		f.Limit = MaxAuditLimit
	}
	v.Check(f.Offset < 0, "offset", "must not be negative")
	f.From = parseTime(&v, "from", in.From)
	f.To = parseTime(&v, "to", in.To)
	v.Check(f.From != nil && f.To != nil && !f.To.After(*f.From), "to", "must be after from")
	return f, v.Err()
}

func parseTime(v *domain.Validation, field, raw string) *time.Time {
	if raw = strings.TrimSpace(raw); raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		v.Add(field, "must be an RFC 3339 time such as 2026-01-31T00:00:00Z")
		return nil
	}
	return &t
}

func auditFromRow(r *db.AuditLog) AuditLog {
	changes := r.Changes
	if len(changes) == 0 {
		changes = json.RawMessage(`{}`)
	}
	return AuditLog{ID: r.ID, ActorType: r.ActorType, ActorID: r.ActorID, Action: r.Action,
		ResourceType: r.ResourceType, ResourceID: r.ResourceID, Changes: changes, IP: r.IP,
		RequestID: r.RequestID, CreatedAt: r.CreatedAt}
}
