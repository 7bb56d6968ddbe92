package domain

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
)

// Core is the machinery every domain service shares: the database, Redis,
// the pub/sub hub, the job queue, the clock and the server secret.
type Core struct {
	DB     *bun.DB
	Redis  *redis.Client
	Hub    *kv.Hub
	Jobs   *river.Client[*sql.Tx]
	Clock  Clock
	Secret []byte
	Log    *slog.Logger
	// StrictAudit makes a unit of work that changed data without an audit
	// row (and without SkipAudit) fail instead of logging a warning. Tests
	// set it, so the suite proves every write is audited.
	StrictAudit bool
}

// Event is a committed domain change, fanned out to subscribers (GraphQL
// subscriptions, realtime, webhooks) of its tenant.
type Event struct {
	ID        string          `json:"id"`
	TenantID  string          `json:"tenant_id"`
	Topic     string          `json:"topic"` // e.g. "api_keys"
	Type      string          `json:"type"`  // e.g. "api_key.created"
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// EventChannel is the pub/sub channel carrying a tenant's events.
func EventChannel(tenantID string) string { return "events:{" + tenantID + "}" }

// Write is one unit of work: the change, its audit rows, its outbox events
// and its background jobs commit together or not at all.
type Write struct {
	Tx     bun.Tx
	ctx    context.Context
	core   *Core
	events []Event
	// audits and outbox are written in one multi-row insert each when fn
	// returns: a batch of 100 objects costs 2 statements, not 200.
	audits []db.AuditLog
	outbox []db.OutboxEvent
	// audited and skipReason record whether the unit of work accounted for
	// its changes (see checkAudited).
	audited    bool
	skipReason string
}

// Write runs fn in a transaction. After commit the outbox events are
// published to Redis (the relay job republishes any a crash left behind).
// A unit of work that changed data must call Audit or SkipAudit.
func (c *Core) Write(ctx context.Context, fn func(w *Write) error) error {
	w := &Write{ctx: ctx, core: c}
	err := db.InTx(ctx, c.DB, func(tx bun.Tx) error {
		w.Tx = tx
		if err := fn(w); err != nil {
			return err
		}
		if err := w.flush(); err != nil {
			return err
		}
		return w.checkAudited()
	})
	if err != nil {
		return err
	}
	pubCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := c.publish(pubCtx, w.events); err != nil {
		c.Log.Warn("event publish failed; the relay will retry", "err", err)
	}
	return nil
}

// ErrUnaudited is returned (StrictAudit) by a unit of work that changed data
// without an audit row or a SkipAudit reason.
var ErrUnaudited = errors.New("unit of work changed data without an audit row (call Write.Audit or Write.SkipAudit)")

// SkipAudit declares that the unit of work's changes need no audit row of
// their own (bookkeeping such as lockout counters, delivery marks, or a
// change already audited elsewhere); reason documents why.
func (w *Write) SkipAudit(reason string) { w.skipReason = reason }

// checkAudited runs before commit: a unit of work with neither an audit row
// nor a skip reason must not have changed anything. Postgres assigns a
// transaction id at the first write, so an unassigned one proves a read-only
// unit of work (one round trip, only on this rare path).
func (w *Write) checkAudited() error {
	if w.audited || w.skipReason != "" {
		return nil
	}
	var wrote bool
	if err := w.Tx.NewRaw("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").Scan(w.ctx, &wrote); err != nil {
		return err
	}
	if !wrote {
		return nil
	}
	if w.core.StrictAudit {
		return Internal(fmt.Errorf("%w: in %s", ErrUnaudited, w.caller()))
	}
	w.core.Log.Warn("unit of work changed data without an audit row", "caller", w.caller())
	return nil
}

// caller names the function that opened the unit of work, for the warning.
func (w *Write) caller() string {
	for skip := 2; skip < 16; skip++ {
		pc, _, _, ok := runtime.Caller(skip)
		if !ok {
			break
		}
		if fn := runtime.FuncForPC(pc); fn != nil && !strings.Contains(fn.Name(), "platform/db.") &&
			!strings.Contains(fn.Name(), "uptrace/bun") && !strings.Contains(fn.Name(), "domain.(*Core).Write") {
			return fn.Name()
		}
	}
	return "unknown"
}

// Audit records who did what to which resource, in the write's transaction.
// changes is a small before/after summary (never secrets).
func (w *Write) Audit(tenantID, action, resourceType, resourceID string, changes any) error {
	p := PrincipalFrom(w.ctx)
	actorType, actorID := "system", "system"
	if p != nil {
		actorType, actorID = string(p.Kind), p.ActorID()
	}
	return w.AuditAs(actorType, actorID, tenantID, action, resourceType, resourceID, changes)
}

// AuditAs records an audit row whose actor is not the request's principal:
// an end user signing in, refreshing or signing out acts through the
// tenant's publishable key, but the act is the user's.
func (w *Write) AuditAs(actorType, actorID, tenantID, action, resourceType, resourceID string, changes any) error {
	meta := RequestMetaFrom(w.ctx)
	raw, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	w.audits = append(w.audits, db.AuditLog{
		TenantID: tenantID, ID: NewID(PrefixAudit), ActorType: actorType, ActorID: actorID,
		Action: action, ResourceType: resourceType, ResourceID: resourceID, Changes: raw,
		IP: meta.IP, RequestID: meta.RequestID, CreatedAt: w.core.Clock.Now(),
	})
	w.audited = true
	return nil
}

// flush writes the buffered audit rows and outbox events, still inside the
// transaction, so they commit exactly with the change.
func (w *Write) flush() error {
	if err := db.AuditInsert(w.ctx, w.Tx, w.audits); err != nil {
		return err
	}
	return db.OutboxInsert(w.ctx, w.Tx, w.outbox)
}

// Emit writes an outbox event in the write's transaction.
func (w *Write) Emit(tenantID, topic, eventType string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	ev := Event{ID: NewID(PrefixEvent), TenantID: tenantID, Topic: topic, Type: eventType,
		Payload: raw, CreatedAt: w.core.Clock.Now()}
	w.outbox = append(w.outbox, db.OutboxEvent{TenantID: tenantID, ID: ev.ID,
		Topic: topic, Type: eventType, Payload: raw, CreatedAt: ev.CreatedAt})
	w.events = append(w.events, ev)
	return nil
}

// Enqueue inserts a River job in the write's transaction, so the job exists
// exactly when the change does.
func (w *Write) Enqueue(args river.JobArgs, opts *river.InsertOpts) error {
	_, err := w.core.Jobs.InsertTx(w.ctx, w.Tx.Tx, args, opts)
	return err
}

// publish sends events to their tenants' channels and marks the ones sent
// as published in one statement. It returns the first failure; whatever was
// not sent stays unpublished for the relay.
func (c *Core) publish(ctx context.Context, events []Event) error {
	var tenants, ids []string
	var first error
	for _, ev := range events {
		raw, err := json.Marshal(ev)
		if err == nil {
			err = c.Hub.Publish(ctx, EventChannel(ev.TenantID), raw)
		}
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		tenants, ids = append(tenants, ev.TenantID), append(ids, ev.ID)
	}
	if err := db.OutboxMarkPublished(ctx, c.DB, tenants, ids, c.Clock.Now()); err != nil && first == nil {
		first = err
	}
	return first
}

// Subscribe streams the tenant's events whose topic is in topics (all when
// empty) until ctx ends.
func (c *Core) Subscribe(ctx context.Context, tenantID string, topics ...string) (<-chan Event, error) {
	msgs, cancel, err := c.Hub.Subscribe(ctx, EventChannel(tenantID))
	if err != nil {
		return nil, Wrap(err, CodeUnavailable, "Event stream unavailable.")
	}
	out := make(chan Event, 16)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case raw, ok := <-msgs:
				if !ok {
					return
				}
				var ev Event
				if json.Unmarshal(raw, &ev) != nil || (len(topics) > 0 && !contains(topics, ev.Topic)) {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
