package graph

import "time"

// auditTime writes an optional time bound as the domain input takes it.
func auditTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
