package graph

import "time"

// SetWSReauthInterval shortens the websocket credential re-check (tests).
// Call it before any server starts.
func SetWSReauthInterval(d time.Duration) { wsReauthInterval = d }
