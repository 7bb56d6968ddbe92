package kv

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Hub fans Redis pub/sub messages out to in-process subscribers over a single
// Redis connection per process, subscribing to a channel while at least one
// local subscriber wants it. Every API instance runs one Hub, so a message
// published anywhere reaches every subscriber everywhere.
type Hub struct {
	rdb *redis.Client
	log *slog.Logger

	mu        sync.Mutex
	ps        *redis.PubSub
	subs      map[string]map[chan []byte]struct{}
	confirmed map[string]chan struct{}
}

// NewHub starts a hub on rdb; Close stops it.
func NewHub(rdb *redis.Client, log *slog.Logger) *Hub {
	h := &Hub{rdb: rdb, log: log, subs: map[string]map[chan []byte]struct{}{}, confirmed: map[string]chan struct{}{}}
	h.ps = rdb.Subscribe(context.Background())
	go h.loop(h.ps.ChannelWithSubscriptions(redis.WithChannelSize(1000)))
	return h
}

// Publish sends payload to channel on every instance.
func (h *Hub) Publish(ctx context.Context, channel string, payload []byte) error {
	return h.rdb.Publish(ctx, channel, payload).Err()
}

// Subscribe returns a channel of messages on channel and a cancel function
// that must be called to unsubscribe. It waits (briefly) until Redis has
// confirmed the subscription, so a message published after Subscribe returns
// is delivered. Slow consumers drop messages rather than block the hub.
func (h *Hub) Subscribe(ctx context.Context, channel string) (<-chan []byte, func(), error) {
	out := make(chan []byte, 64)
	h.mu.Lock()
	first := len(h.subs[channel]) == 0
	if first {
		h.subs[channel] = map[chan []byte]struct{}{}
		h.confirmed[channel] = make(chan struct{})
	}
	h.subs[channel][out] = struct{}{}
	ready := h.confirmed[channel]
	h.mu.Unlock()
	if first {
		if err := h.ps.Subscribe(ctx, channel); err != nil {
			h.remove(channel, out)
			return nil, nil, err
		}
	}
	select {
	case <-ready:
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
	}
	var once sync.Once
	return out, func() { once.Do(func() { h.remove(channel, out) }) }, nil
}

func (h *Hub) remove(channel string, out chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[channel][out]; !ok {
		return
	}
	delete(h.subs[channel], out)
	close(out)
	if len(h.subs[channel]) == 0 {
		delete(h.subs, channel)
		delete(h.confirmed, channel)
		_ = h.ps.Unsubscribe(context.Background(), channel)
	}
}

func (h *Hub) loop(msgs <-chan any) {
	for m := range msgs {
		switch m := m.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				h.mu.Lock()
				if c, ok := h.confirmed[m.Channel]; ok {
					select {
					case <-c:
					default:
						close(c)
					}
				}
				h.mu.Unlock()
			}
		case *redis.Message:
			h.mu.Lock()
			for out := range h.subs[m.Channel] {
				select {
				case out <- []byte(m.Payload):
				default:
					h.log.Warn("pubsub subscriber too slow; message dropped", "channel", m.Channel)
				}
			}
			h.mu.Unlock()
		}
	}
}

// Close stops the hub and closes every subscriber channel.
func (h *Hub) Close() error {
	err := h.ps.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch, set := range h.subs {
		for out := range set {
			close(out)
		}
		delete(h.subs, ch)
	}
	return err
}
