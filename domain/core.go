package domain

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
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
}

// Write runs fn in a transaction. After commit the outbox events are
// published to Redis (the relay job republishes any a crash left behind).
func (c *Core) Write(ctx context.Context, fn func(w *Write) error) error {
	w := &Write{ctx: ctx, core: c}
	err := db.InTx(ctx, c.DB, func(tx bun.Tx) error {
		w.Tx = tx
		return fn(w)
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

// Audit records who did what to which resource, in the write's transaction.
// changes is a small before/after summary (never secrets).
func (w *Write) Audit(tenantID, action, resourceType, resourceID string, changes any) error {
	p := PrincipalFrom(w.ctx)
	actorType, actorID := "system", "system"
	if p != nil {
		actorType, actorID = string(p.Kind), p.ActorID()
	}
	meta := RequestMetaFrom(w.ctx)
	raw, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	return db.AuditInsert(w.ctx, w.Tx, &db.AuditLog{
		TenantID: tenantID, ID: NewID(PrefixAudit), ActorType: actorType, ActorID: actorID,
		Action: action, ResourceType: resourceType, ResourceID: resourceID, Changes: raw,
		IP: meta.IP, RequestID: meta.RequestID, CreatedAt: w.core.Clock.Now(),
	})
}

// Emit writes an outbox event in the write's transaction.
func (w *Write) Emit(tenantID, topic, eventType string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	ev := Event{ID: NewID(PrefixEvent), TenantID: tenantID, Topic: topic, Type: eventType,
		Payload: raw, CreatedAt: w.core.Clock.Now()}
	if err := db.OutboxInsert(w.ctx, w.Tx, &db.OutboxEvent{TenantID: tenantID, ID: ev.ID,
		Topic: topic, Type: eventType, Payload: raw, CreatedAt: ev.CreatedAt}); err != nil {
		return err
	}
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
