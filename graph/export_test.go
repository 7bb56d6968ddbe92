package graph

import "time"

// SetWSReauthInterval shortens the websocket credential re-check (tests).
// Call it before any server starts.
func SetWSReauthInterval(d time.Duration) { wsReauthInterval = d }

// SetLoaderWait sets how long dataloaders collect keys (tests that count SQL
// statements widen it so a loaded machine does not split a batch).
func SetLoaderWait(d time.Duration) { accountLoaderWait = d }
