package domain

import (
	"context"
	"encoding/json"
	"time"

	"github.com/riverqueue/river"

	"github.com/platformhq/platform/db"
)

// OutboxRelayArgs is the periodic job that republishes events whose
// publication right after commit failed (Redis down, process crash).
type OutboxRelayArgs struct{}

// Kind names the job in River.
func (OutboxRelayArgs) Kind() string { return "outbox_relay" }

// OutboxRelayWorker runs OutboxRelayArgs.
type OutboxRelayWorker struct {
	river.WorkerDefaults[OutboxRelayArgs]
	Core *Core
}

// Work publishes up to 500 events older than five seconds that are still
// unpublished; subscribers de-duplicate by event id.
func (w *OutboxRelayWorker) Work(ctx context.Context, _ *river.Job[OutboxRelayArgs]) error {
	rows, err := db.OutboxListUnpublished(ctx, w.Core.DB, w.Core.Clock.Now().Add(-5*time.Second), 500)
	if err != nil {
		return err
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = Event{ID: r.ID, TenantID: r.TenantID, Topic: r.Topic, Type: r.Type,
			Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt}
	}
	return w.Core.publish(ctx, events)
}
