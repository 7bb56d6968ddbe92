package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// State is what setup and preload learn and every later step needs; it
// lives in a JSON file between the steps of scripts/bench-load.sh.
type State struct {
	URL      string `json:"url"`
	TenantID string `json:"tenant_id"`
	// Key is the benchmark's API key (scopes read and write, rate limit
	// raised); KeyID is recorded as created_by on the objects it writes.
	Key    string `json:"key"`
	KeyID  string `json:"key_id"`
	Type   string `json:"type"`
	TypeID string `json:"type_id"`
	// Props maps property names to their prop_ ids.
	Props map[string]string `json:"props"`
	// Objects is how many preloaded objects exist (ids 1..Objects, see
	// preloadID).
	Objects int `json:"objects"`
	// LastPreloadFrom is the first object of the last preload: verify
	// reads that range back (earlier ones may have been updated since).
	LastPreloadFrom int `json:"last_preload_from"`
}

func loadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

func (s *State) save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// preloadIDBase makes preloaded ids fixed-width valid ULIDs (26 digits
// after "obj_", the first eight zeros) that pgbench can also build from a
// random integer: 'obj_00000000' || (preloadIDBase + n).
const preloadIDBase = 100_000_000_000_000_000

// preloadID is the id of the n-th preloaded object (1-based).
func preloadID(n int) string { return fmt.Sprintf("obj_00000000%d", preloadIDBase+n) }

// stages are the values of the indexed enum property, in preload order.
var stages = []string{"lead", "qualified", "proposal", "won", "lost"}
