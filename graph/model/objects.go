package model

import (
	"time"

	"github.com/platformhq/platform/domain/objects"
)

// ObjectEvent is a payload of the objectChanged subscription.
type ObjectEvent struct {
	ID        string
	Type      ObjectEventType
	At        time.Time
	Object    objects.Object
	Permanent bool
}
