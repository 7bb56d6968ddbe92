package graph

import (
	"encoding/json"

	"github.com/platformhq/platform/domain/objects"
)

// jsonOrNull hands a stored JSON value to the JSON scalar; none (absent or
// null) is GraphQL null.
func jsonOrNull(raw json.RawMessage) any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// anySlice turns the GraphQL strings of enumValues into the []any the
// domain checks (REST decodes any JSON array there, and names wrong items).
func anySlice(in []string) []any {
	if in == nil {
		return nil
	}
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

func strOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// createPropertyInput is the REST input of POST .../properties from the
// GraphQL property input.
func createPropertyInput(typeRef string, in objects.PropertySpec) objects.CreatePropertyInput {
	return objects.CreatePropertyInput{ObjectTypeID: typeRef, Name: in.Name, DataType: in.DataType,
		IsIndexed: in.IsIndexed, IsSortable: in.IsSortable, IsUnique: in.IsUnique, IsRequired: in.IsRequired,
		DefaultValue: in.DefaultValue, EnumValues: in.EnumValues, Description: in.Description}
}
