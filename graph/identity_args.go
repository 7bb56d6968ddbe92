package graph

import (
	"encoding/json"

	"github.com/platformhq/platform/domain"
)

// deref turns a domain answer given by pointer into the value gqlgen binds.
func deref[T any](v *T, err error) (T, error) {
	if err != nil || v == nil {
		var zero T
		return zero, err
	}
	return *v, nil
}

// rawJSON hands a stored JSON document to the JSON scalar as is.
func rawJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return map[string]any{}
	}
	return raw
}

// jsonIn sets a raw JSON member from the JSON scalar's value, as REST's body
// would carry it; the domain validates its shape.
func jsonIn(dst *json.RawMessage, field string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return domain.Invalid(field, "must be a JSON object")
	}
	*dst = raw
	return nil
}
