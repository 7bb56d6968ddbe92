package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
	"github.com/platformhq/platform/graph/model"
)

func intOr(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// docIn turns the JSON scalar's value into the properties document REST
// decodes from a body: anything but an object is VALIDATION_FAILED.
func docIn(field string, data any) (map[string]any, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, domain.Invalid(field, "must be a JSON object")
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, domain.Invalid(field, "must be a JSON object")
	}
	return doc, nil
}

// rawIn is the JSON scalar's value as REST's raw body member (nil for none).
func rawIn(field string, data any) (json.RawMessage, error) {
	if data == nil {
		return nil, nil
	}
	var raw json.RawMessage
	return raw, jsonIn(&raw, field, data)
}

// objectConnection turns a domain page into a Relay connection: the page's
// cursor is the last edge's cursor and the endCursor.
func objectConnection(pg domain.Page[objects.Object]) model.ObjectConnection {
	out := model.ObjectConnection{Edges: make([]model.ObjectEdge, len(pg.Results)), TotalCount: pg.Total,
		TotalIsEstimate: pg.TotalIsEstimate, PageInfo: &model.ObjectPageInfo{HasNextPage: pg.NextCursor != nil, EndCursor: pg.NextCursor}}
	for i := range pg.Results {
		out.Edges[i].Node = &pg.Results[i]
	}
	if n := len(out.Edges); n > 0 {
		out.Edges[n-1].Cursor = pg.NextCursor
	}
	return out
}

func associationConnection(pg domain.Page[objects.Association]) model.AssociationConnection {
	out := model.AssociationConnection{Edges: make([]model.AssociationEdge, len(pg.Results)), TotalCount: pg.Total,
		PageInfo: &model.ObjectPageInfo{HasNextPage: pg.NextCursor != nil, EndCursor: pg.NextCursor}}
	for i := range pg.Results {
		out.Edges[i].Node = &pg.Results[i]
	}
	if n := len(out.Edges); n > 0 {
		out.Edges[n-1].Cursor = pg.NextCursor
	}
	return out
}

// objectEventTypes maps the objects topic's object events to the
// subscription's event types; the topic's other events are skipped.
var objectEventTypes = map[string]model.ObjectEventType{
	objects.EventObjectCreated:  model.ObjectEventTypeCreated,
	objects.EventObjectUpdated:  model.ObjectEventTypeUpdated,
	objects.EventObjectDeleted:  model.ObjectEventTypeDeleted,
	objects.EventObjectRestored: model.ObjectEventTypeRestored,
}

// objectEvent reads an object event: the object, or on delete
// {object, permanent}. ok is false for events of other kinds or types.
func objectEvent(ev domain.Event, typeID string) (model.ObjectEvent, bool, error) {
	t, known := objectEventTypes[ev.Type]
	if !known {
		return model.ObjectEvent{}, false, nil
	}
	out := model.ObjectEvent{ID: ev.ID, Type: t, At: ev.CreatedAt}
	// object.deleted carries the object with "permanent" beside its members.
	var payload struct {
		objects.Object
		Permanent bool `json:"permanent"`
	}
	if err := json.Unmarshal(ev.Payload, &payload); err != nil {
		return out, false, err
	}
	out.Object, out.Permanent = payload.Object, payload.Permanent
	return out, out.Object.ObjectTypeID == typeID, nil
}

// objectEvents relays the object events of one type until ctx ends or the
// stream closes; other events of the objects topic are dropped, and so are
// the objects outside an end user's select policies (f).
func objectEvents(ctx context.Context, log *slog.Logger, events <-chan domain.Event, f *objects.RowFilter) <-chan model.ObjectEvent {
	typeID := f.TypeID
	mine := make(chan domain.Event)
	go func() {
		defer close(mine)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				_, ok, err := objectEvent(ev, typeID)
				if (!ok && err == nil) || (ok && !f.Allows(ev.Payload)) {
					continue
				}
				select {
				case mine <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return relay(ctx, log, mine, func(ev domain.Event) (model.ObjectEvent, error) {
		out, _, err := objectEvent(ev, typeID)
		return out, err
	})
}

// propertyOf picks one member of an object's document (null when absent).
func propertyOf(doc json.RawMessage, name string) (any, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, domain.Internal(err)
	}
	return jsonOrNull(m[strings.TrimSpace(name)]), nil
}

// decodeInto reads the JSON scalar's value into a domain member as REST's
// body decoder would; a wrong shape is VALIDATION_FAILED on field.
func decodeInto(field string, data any, dst any) error {
	raw, err := json.Marshal(data)
	if err == nil {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		return domain.Invalid(field, "has the wrong shape")
	}
	return nil
}
