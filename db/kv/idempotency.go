package kv

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// IdempotencyTTL is how long a stored answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// pendingTTL bounds how long an in-flight claim blocks retries if the
// process dies before answering.
const pendingTTL = 2 * time.Minute

// StoredResponse is a recorded answer to an idempotent request.
type StoredResponse struct {
	BodyHash string            `json:"body_hash"`
	Pending  bool              `json:"pending,omitempty"`
	Status   int               `json:"status,omitempty"`
	Header   map[string]string `json:"header,omitempty"`
	Body     []byte            `json:"body,omitempty"`
}

// IdempotencyClaim either claims key for a new request (returns nil, nil) or
// returns the stored record of an earlier request with that key.
func IdempotencyClaim(ctx context.Context, rdb *redis.Client, key, bodyHash string) (*StoredResponse, error) {
	claim, _ := json.Marshal(StoredResponse{BodyHash: bodyHash, Pending: true})
	ok, err := rdb.SetNX(ctx, key, claim, pendingTTL).Result()
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, nil
	}
	raw, err := rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return IdempotencyClaim(ctx, rdb, key, bodyHash) // expired between calls
	}
	if err != nil {
		return nil, err
	}
	var rec StoredResponse
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// IdempotencyStore records the final answer for key.
func IdempotencyStore(ctx context.Context, rdb *redis.Client, key string, rec StoredResponse) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return rdb.Set(ctx, key, raw, IdempotencyTTL).Err()
}

// IdempotencyRelease drops an in-flight claim (the request failed in a way
// that should not be replayed, such as a server error).
func IdempotencyRelease(ctx context.Context, rdb *redis.Client, key string) error {
	return rdb.Del(ctx, key).Err()
}
