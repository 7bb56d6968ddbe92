package graph

// Helpers turning optional GraphQL arguments into the domain's input
// members, which hold them the way REST's query parameters arrive.

// value returns *p, or the zero value for an absent argument.
func value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// boolParam writes an optional Boolean as the domain's string filter
// ("true", "false", or "" for absent).
func boolParam(p *bool) string {
	switch {
	case p == nil:
		return ""
	case *p:
		return "true"
	default:
		return "false"
	}
}
