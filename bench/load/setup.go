package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
)

// benchRateLimit is the raised allowance of the benchmark's key: well
// above what two cores can serve, so no request is refused with 429.
var benchRateLimit = map[string]int{"per_minute": 1_000_000, "per_hour": 60_000_000}

// setupCommand creates the deals type and the benchmark's key with the
// tenant's first key (scope *), from `platform tenant create --json`.
func setupCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:18080", "server base URL")
	creds := fs.String("credentials", "", `{"tenant_id","api_key"} of platform tenant create --json`)
	statePath := fs.String("state", "state.json", "state file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var tenant struct {
		TenantID string `json:"tenant_id"`
		APIKey   string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(*creds), &tenant); err != nil || tenant.APIKey == "" {
		return errors.New("--credentials must be the JSON of platform tenant create --json")
	}
	st := &State{URL: *url, TenantID: tenant.TenantID, Type: "deals", Props: map[string]string{}}
	c := newHTTPClient(1)
	if err := createDealsType(ctx, c, st, tenant.APIKey); err != nil {
		return err
	}
	if err := createBenchKey(ctx, c, st, tenant.APIKey); err != nil {
		return err
	}
	return st.save(*statePath)
}

func createDealsType(ctx context.Context, c *http.Client, st *State, adminKey string) error {
	body := map[string]any{"name": st.Type, "properties": []map[string]any{
		{"name": "name", "data_type": "string"},
		{"name": "stage", "data_type": "enum", "enum_values": stages, "is_indexed": true},
		{"name": "amount", "data_type": "decimal"},
		{"name": "owner", "data_type": "string"},
	}}
	var typ struct {
		ID         string `json:"id"`
		Properties []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := apiCall(ctx, c, "POST", st.URL+"/v1/object-types", adminKey, body, &typ); err != nil {
		return err
	}
	st.TypeID = typ.ID
	for _, p := range typ.Properties {
		st.Props[p.Name] = p.ID
	}
	if st.Props["stage"] == "" {
		return fmt.Errorf("the created type has no stage property: %+v", typ)
	}
	return nil
}

func createBenchKey(ctx context.Context, c *http.Client, st *State, adminKey string) error {
	body := map[string]any{"label": "bench-load", "scopes": []string{"read", "write"}, "rate_limit": benchRateLimit}
	var created struct {
		Key struct {
			ID string `json:"id"`
		} `json:"key"`
		Token string `json:"token"`
	}
	if err := apiCall(ctx, c, "POST", st.URL+"/v1/keys", adminKey, body, &created); err != nil {
		return err
	}
	if created.Token == "" {
		return errors.New("key create answered no token")
	}
	st.Key, st.KeyID = created.Token, created.Key.ID
	return nil
}
