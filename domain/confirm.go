package domain

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/platformhq/platform/db/kv"
)

// ConfirmTokenTTL is how long a destructive delete may be confirmed.
const ConfirmTokenTTL = 5 * time.Minute

// Dependency names records that block a delete.
type Dependency struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
	Label string `json:"label"`
}

// DependencyError answers 409 DEPENDENCY_EXISTS. With a confirm token the
// caller may retry with ?force=true&confirm_token=... to cascade; without
// one (records the books depend on) the delete is never possible.
func (c *Core) DependencyError(ctx context.Context, tenantID, resource string, deps []Dependency, confirmable bool) error {
	e := (&Error{Code: CodeDependencyExists, Message: "Cannot delete: dependent records exist"}).With("dependencies", deps)
	if !confirmable {
		return e
	}
	token, err := c.issueConfirmToken(ctx, tenantID, resource)
	if err != nil {
		return Wrap(err, CodeUnavailable, "Cannot issue a confirm token right now; retry.")
	}
	return e.With("confirm_token", token)
}

func (c *Core) issueConfirmToken(ctx context.Context, tenantID, resource string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := c.Redis.Set(ctx, kv.TenantKey(tenantID, "confirm", token), resource, ConfirmTokenTTL).Err()
	return token, err
}

// ConsumeConfirmToken checks and burns a confirm token for resource. A
// reused, expired or foreign token is 400 INVALID_CONFIRM_TOKEN.
func (c *Core) ConsumeConfirmToken(ctx context.Context, tenantID, resource, token string) error {
	bad := Errorf(CodeInvalidConfirmToken, "The confirm token is invalid, expired or already used.")
	if token == "" || len(token) > 64 {
		return bad
	}
	got, err := c.Redis.GetDel(ctx, kv.TenantKey(tenantID, "confirm", token)).Result()
	if errors.Is(err, redis.Nil) || (err == nil && got != resource) {
		return bad
	}
	if err != nil {
		return Wrap(err, CodeUnavailable, "Cannot check the confirm token right now; retry.")
	}
	return nil
}
