package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
)

// verifyCommand reads the last preload's objects back through the API
// (first, middle, last) and runs the benchmark's search once: the set-based
// preload must look exactly like objects the app wrote.
func verifyCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	statePath := fs.String("state", "state.json", "state file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := loadState(*statePath)
	if err != nil {
		return err
	}
	c := newHTTPClient(1)
	first := max(st.LastPreloadFrom, 1)
	for _, n := range []int{first, (first + st.Objects) / 2, st.Objects} {
		if err := verifyObject(ctx, c, st, n); err != nil {
			return err
		}
	}
	var page searchPage
	if err := apiCall(ctx, c, "POST", st.URL+objectsPath(st)+"/search", st.Key, json.RawMessage(searchBody), &page); err != nil {
		return err
	}
	if err := page.validate(); err != nil {
		return err
	}
	if page.Total == nil || *page.Total < int64(st.Objects/len(stages)) {
		return fmt.Errorf("search total %v, want at least %d won deals", page.Total, st.Objects/len(stages))
	}
	fmt.Fprintf(os.Stderr, "verify: %d objects read back, search total %d\n", 3, *page.Total)
	return nil
}

func verifyObject(ctx context.Context, c *http.Client, st *State, n int) error {
	var obj struct {
		ID         string         `json:"id"`
		Version    int            `json:"version"`
		CreatedBy  string         `json:"created_by"`
		Properties map[string]any `json:"properties"`
	}
	if err := apiCall(ctx, c, "GET", st.URL+objectsPath(st)+"/"+preloadID(n), st.Key, nil, &obj); err != nil {
		return err
	}
	want := map[string]any{"name": fmt.Sprintf("Deal %d", n), "stage": stages[n%len(stages)],
		"owner": fmt.Sprintf("owner-%d", n%50), "amount": float64(n%100_000) + 0.5}
	for k, v := range want {
		if obj.Properties[k] != v {
			return fmt.Errorf("object %d: %s = %v, want %v (%+v)", n, k, obj.Properties[k], v, obj)
		}
	}
	if obj.ID != preloadID(n) || obj.Version != 1 || obj.CreatedBy != st.KeyID {
		return fmt.Errorf("object %d: %+v", n, obj)
	}
	return nil
}

// searchPage is the part of a search answer the benchmark checks.
type searchPage struct {
	Results []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"results"`
	Total *int64 `json:"total"`
}

// validate: a full page of won deals and a total.
func (p *searchPage) validate() error {
	if p.Total == nil {
		return errors.New("search answered no total")
	}
	if len(p.Results) != 20 {
		return fmt.Errorf("search answered %d results, want 20", len(p.Results))
	}
	for _, r := range p.Results {
		if r.Properties["stage"] != "won" {
			return fmt.Errorf("search answered %s with stage %v", r.ID, r.Properties["stage"])
		}
	}
	return nil
}

func checkSearch(body []byte) error {
	var p searchPage
	if err := decodeData(body, &p); err != nil {
		return err
	}
	return p.validate()
}
