package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of the totals of lists and searches: exact up to the cap,
// beyond it an estimate flagged total_is_estimate (never below cap+1),
// and total=exact on request. The cap is made small for the test (the
// service's SetExactTotalCap; its own environment, so no other test sees
// it).

// totalPage is a page's totals.
type totalPage struct {
	Results    []objObject `json:"results"`
	Total      int         `json:"total"`
	IsEstimate *bool       `json:"total_is_estimate"`
}

// totalSetup is a tenant with a type of n objects, stage "won" on the
// first won of them and "lost" on the others, in an environment whose
// exact cap is exactCap.
func totalSetup(t *testing.T, exactCap, n, won int) (*apptest.Env, apptest.Tenant, string) {
	t.Helper()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	env.App.Objects.SetExactTotalCap(exactCap)
	tn := otTenant(t, env)
	name := otName("totals")
	otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "stage", "data_type": "string", "is_indexed": true},
	}})
	items := make([]any, n)
	for i := range items {
		stage := "lost"
		if i < won {
			stage = "won"
		}
		items[i] = map[string]any{"properties": map[string]any{"stage": stage}}
	}
	res := otDo(t, env, tn.Key, "POST", "/v1/objects/"+name+"/batch/create", map[string]any{"objects": items})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	return env, tn, "/v1/objects/" + name
}

func totalGet(t *testing.T, env *apptest.Env, key, method, path string, body any) totalPage {
	t.Helper()
	res := otDo(t, env, key, method, path, body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg totalPage
	res.Decode(t, &pg)
	return pg
}

func TestObjectsTotalExactUnderCap(t *testing.T) {
	t.Parallel()
	env, tn, path := totalSetup(t, 10, 8, 3)
	pg := totalGet(t, env, tn.Key, "GET", path+"/list?limit=2", nil)
	require.Equal(t, 8, pg.Total)
	require.Nil(t, pg.IsEstimate, "an exact total has no total_is_estimate member")
	pg = totalGet(t, env, tn.Key, "POST", path+"/search", map[string]any{"filters": []any{
		map[string]any{"property": "stage", "operator": "eq", "value": "won"}}})
	require.Equal(t, 3, pg.Total)
	require.Nil(t, pg.IsEstimate)
}

func TestObjectsTotalEstimateOverCap(t *testing.T) {
	t.Parallel()
	env, tn, path := totalSetup(t, 4, 12, 6)
	won := []any{map[string]any{"property": "stage", "operator": "eq", "value": "won"}}
	cases := []struct {
		name, method, path string
		body               any
		exact              int
	}{
		{"list", "GET", path + "/list?limit=3", nil, 12},
		{"list sorted", "GET", path + "/list?limit=3&sort=id", nil, 12},
		{"search", "POST", path + "/search", map[string]any{"filters": won, "limit": 3}, 6},
		{"search full text", "POST", path + "/search", map[string]any{"query": "won", "limit": 3}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pg := totalGet(t, env, tn.Key, c.method, c.path, c.body)
			require.Len(t, pg.Results, 3)
			require.NotNil(t, pg.IsEstimate, "%+v", pg)
			require.True(t, *pg.IsEstimate)
			// Never below cap+1, never above the type's objects.
			require.GreaterOrEqual(t, pg.Total, 5)
			require.LessOrEqual(t, pg.Total, 12)
		})
		t.Run(c.name+" exact", func(t *testing.T) {
			var pg totalPage
			if c.method == "GET" {
				pg = totalGet(t, env, tn.Key, "GET", c.path+"&total=exact", nil)
			} else {
				body := map[string]any{"total": "exact"}
				for k, v := range c.body.(map[string]any) {
					body[k] = v
				}
				pg = totalGet(t, env, tn.Key, "POST", c.path, body)
			}
			require.Equal(t, c.exact, pg.Total)
			require.Nil(t, pg.IsEstimate)
		})
	}
	// The list's estimate is the type's live count (kept for a while): at
	// this size, exact.
	pg := totalGet(t, env, tn.Key, "GET", path+"/list", nil)
	require.Equal(t, 12, pg.Total)

	res := otDo(t, env, tn.Key, "GET", path+"/list?total=roughly", nil)
	otRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "total")
	res = otDo(t, env, tn.Key, "POST", path+"/search", map[string]any{"total": "some"})
	otRequireError(t, res, http.StatusBadRequest, "VALIDATION_FAILED", "total")
}

// GraphQL's totalCount is the same total, with totalIsEstimate.
func TestObjectsTotalGraphQL(t *testing.T) {
	t.Parallel()
	env, tn, path := totalSetup(t, 4, 9, 2)
	typeName := path[len("/v1/objects/"):]
	type conn struct {
		Data struct {
			Objects struct {
				TotalCount      int  `json:"totalCount"`
				TotalIsEstimate bool `json:"totalIsEstimate"`
			} `json:"objects"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	query := func(args string, vars map[string]any) conn {
		t.Helper()
		res := otDo(t, env, tn.Key, "POST", "/graphql", map[string]any{"variables": vars,
			"query": fmt.Sprintf(`query($f: JSON) { objects(type: %q, filter: $f%s) { totalCount totalIsEstimate } }`, typeName, args)})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var c conn
		require.NoError(t, json.Unmarshal(res.Body, &c), "%s", res.Body)
		require.Empty(t, c.Errors, "%s", res.Body)
		return c
	}
	over := query("", nil)
	require.True(t, over.Data.Objects.TotalIsEstimate)
	require.GreaterOrEqual(t, over.Data.Objects.TotalCount, 5)
	require.LessOrEqual(t, over.Data.Objects.TotalCount, 9)
	exact := query(`, total: "exact"`, nil)
	require.False(t, exact.Data.Objects.TotalIsEstimate)
	require.Equal(t, 9, exact.Data.Objects.TotalCount)
	under := query("", map[string]any{"f": []any{map[string]any{"property": "stage", "operator": "eq", "value": "won"}}})
	require.False(t, under.Data.Objects.TotalIsEstimate)
	require.Equal(t, 2, under.Data.Objects.TotalCount)
}
