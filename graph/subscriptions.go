package graph

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/graph/model"
)

// relay turns a stream of domain events into subscription payloads until ctx
// ends or the stream closes; then the returned channel closes. Events that
// convert cannot read are logged and skipped.
func relay[T any](ctx context.Context, log *slog.Logger, events <-chan domain.Event, convert func(domain.Event) (T, error)) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				v, err := convert(ev)
				if err != nil {
					log.Warn("graphql subscription: unreadable event skipped", "event_id", ev.ID, "type", ev.Type, "err", err)
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// apiKeyEvent reads an event of the apikeys topic: its payload is the key.
func apiKeyEvent(ev domain.Event) (model.APIKeyEvent, error) {
	out := model.APIKeyEvent{ID: ev.ID, Type: model.APIKeyEventTypes[ev.Type], At: ev.CreatedAt}
	if out.Type == "" {
		return out, domain.Errorf(domain.CodeInternal, "unknown API key event type %q", ev.Type)
	}
	return out, json.Unmarshal(ev.Payload, &out.Key)
}
