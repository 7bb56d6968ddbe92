package model

import (
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/platformhq/platform/domain"
)

// MarshalTime writes t as an RFC 3339 string in UTC.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads an RFC 3339 string; anything else is VALIDATION_FAILED.
func UnmarshalTime(v any) (time.Time, error) {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, domain.Errorf(domain.CodeValidationFailed,
		"Time values must be RFC 3339 strings such as 2024-05-01T12:00:00Z.")
}

// MarshalJSON writes any JSON-encodable value as is.
func MarshalJSON(v any) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		raw, err := json.Marshal(v)
		if err != nil {
			raw = []byte("null")
		}
		_, _ = w.Write(raw)
	})
}

// UnmarshalJSON accepts any value: GraphQL input values are already JSON.
func UnmarshalJSON(v any) (any, error) { return v, nil }
