package domain

import (
	"context"
	"time"
)

// Process-local caches (API keys, role grants, governance settings) are
// dropped on the instance that committed a change at once, and on every
// other instance through a Redis channel; their TTL bounds what a lost
// message can leave stale.

// Broadcast tells the other instances listening on channel to drop what
// msg names. It runs after the change committed, so no instance can cache
// the old state again; a failure is logged, not returned.
func (c *Core) Broadcast(ctx context.Context, channel, msg string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := c.Hub.Publish(ctx, channel, []byte(msg)); err != nil {
		c.Log.Warn("cache invalidation not broadcast; other instances expire it within the TTL",
			"channel", channel, "err", err)
	}
}

// ListenInvalidations calls apply with every message on channel until ctx
// ends.
func (c *Core) ListenInvalidations(ctx context.Context, channel string, apply func(msg string)) error {
	msgs, cancel, err := c.Hub.Subscribe(ctx, channel)
	if err != nil {
		return err
	}
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			apply(string(m))
		}
	}
}
