// Package model holds the GraphQL types that have no domain counterpart (the
// viewer, events) and the custom scalars. Everything else in the schema is
// bound to domain types in gqlgen.yml.
package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/platformhq/platform/domain/apikeys"
)

// Viewer is the authenticated caller (Query.viewer). Its tenant is resolved
// on demand.
type Viewer struct {
	TenantID string
	Scopes   []string
}

// Tenant is the caller's tenant as its own callers see it.
type Tenant struct {
	ID     string
	Name   string
	Config any // the JSON scalar
}

// APIKeyEventType is the GraphQL enum of API key changes.
type APIKeyEventType string

// API key event types, one per domain event type.
const (
	APIKeyEventCreated APIKeyEventType = "CREATED"
	APIKeyEventUpdated APIKeyEventType = "UPDATED"
	APIKeyEventRevoked APIKeyEventType = "REVOKED"
	APIKeyEventRotated APIKeyEventType = "ROTATED"
)

// APIKeyEventTypes maps domain event types (apikeys.Event*) to the enum.
var APIKeyEventTypes = map[string]APIKeyEventType{
	apikeys.EventCreated: APIKeyEventCreated,
	apikeys.EventUpdated: APIKeyEventUpdated,
	apikeys.EventRevoked: APIKeyEventRevoked,
	apikeys.EventRotated: APIKeyEventRotated,
}

// MarshalGQL writes the enum value.
func (e APIKeyEventType) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(e))) }

// UnmarshalGQL reads an enum value.
func (e *APIKeyEventType) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch t := APIKeyEventType(s); t {
	case APIKeyEventCreated, APIKeyEventUpdated, APIKeyEventRevoked, APIKeyEventRotated:
		*e = t
		return nil
	}
	return fmt.Errorf("%v is not a valid ApiKeyEventType", v)
}

// APIKeyEvent is one change to a tenant's API keys (Subscription.apiKeyEvents).
type APIKeyEvent struct {
	ID   string
	Type APIKeyEventType
	Key  apikeys.Key
	At   time.Time
}
