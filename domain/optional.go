package domain

import "encoding/json"

// Optional distinguishes an absent JSON member from an explicit null in
// PATCH bodies: Set is false when the member was absent; Value is nil when it
// was null.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON is only called for members present in the document.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}
