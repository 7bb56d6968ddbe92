package rest_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/rest"
)

// nonDataSections hold no tenant data: their bearer routes may take any
// credential of the tenant (GET /v1/usage) without naming a scope.
var nonDataSections = []string{"Public", "Tenants", "Admin", "GraphQL"}

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// TestRouteCoverage checks the route table against the API reference and
// reports how much of it this build implements.
func TestRouteCoverage(t *testing.T) {
	env := apptest.New(t)
	routes := env.App.REST.Routes()

	seen := map[string]bool{}
	var reference []rest.Route
	for _, r := range routes {
		where := r.Method + " " + r.Path
		require.False(t, seen[where], "duplicate route %s", where)
		seen[where] = true
		require.NotEmpty(t, r.Section, where)
		require.NotEmpty(t, r.Summary, where)
		require.Contains(t, httpMethods, r.Method, where)
		require.True(t, strings.HasPrefix(r.Path, "/"), where)
		require.Contains(t, []rest.AuthMode{rest.Public, rest.Bearer, rest.Optional, rest.Admin}, r.Auth, where)
		if r.Extra {
			continue
		}
		reference = append(reference, r)
		if r.Auth == rest.Bearer && !slices.Contains(nonDataSections, r.Section) {
			endUser := strings.HasPrefix(r.Path, "/v1/auth/")
			require.True(t, r.Scope != "" || endUser, "%s: a data route needs a scope", where)
		}
	}
	require.Len(t, reference, referenceCount, "reference entries (Extra: false)")

	implemented := 0
	planned := map[string]int{}
	for _, r := range reference {
		if r.Implemented() {
			implemented++
		} else {
			planned[r.Section]++
		}
	}
	sections := make([]string, 0, len(planned))
	for s := range planned {
		sections = append(sections, s)
	}
	sort.Strings(sections)
	var b strings.Builder
	fmt.Fprintf(&b, "implemented %d/%d\n", implemented, len(reference))
	if len(sections) > 0 {
		fmt.Fprintf(&b, "unimplemented by section (%d sections):\n", len(sections))
		for _, s := range sections {
			fmt.Fprintf(&b, "  %-20s %d\n", s, planned[s])
		}
	}
	fmt.Print(b.String())

	tn := env.NewTenant(t)

	t.Run("an unimplemented entry answers 501", func(t *testing.T) {
		route, ok := plannedGET(routes)
		if !ok {
			t.Skip("every reference GET without path parameters is implemented")
		}
		res := env.Do(t, apptest.Request{Path: route.Path, Key: tn.Key})
		require.Equal(t, http.StatusNotImplemented, res.Status, string(res.Body))
		require.False(t, res.Success)
		require.Equal(t, "NOT_IMPLEMENTED", res.Error.Code)
		require.NotEmpty(t, res.Error.Message)
		require.NotEmpty(t, res.RequestID)
	})

	t.Run("PUT is routed like PATCH", func(t *testing.T) {
		body := map[string]any{"label": "renamed"}
		put := env.Do(t, apptest.Request{Method: "PUT", Path: "/v1/keys/key_unknown", Key: tn.Key, Body: body})
		require.Equal(t, http.StatusNotFound, put.Status, string(put.Body))
		require.Equal(t, "NOT_FOUND", put.Error.Code)
		patch := env.Do(t, apptest.Request{Method: "PATCH", Path: "/v1/keys/key_unknown", Key: tn.Key, Body: body})
		require.Equal(t, put.Status, patch.Status)
		require.Equal(t, put.Error.Code, patch.Error.Code)
	})
}

// plannedGET picks an unimplemented bearer GET without path parameters,
// preferring GET /v1/webhooks.
func plannedGET(routes []rest.Route) (rest.Route, bool) {
	var found []rest.Route
	for _, r := range routes {
		if !r.Extra && !r.Implemented() && r.Method == "GET" && r.Auth == rest.Bearer && len(r.PathParams()) == 0 {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return rest.Route{}, false
	}
	for _, r := range found {
		if r.Path == "/v1/webhooks" {
			return r, true
		}
	}
	return found[0], true
}
