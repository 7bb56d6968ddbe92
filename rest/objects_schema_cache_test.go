package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// TestObjectsSchemaCacheAcrossInstances: two instances share the database
// and Redis; each caches the schema it reads. A schema change made through
// one is seen by the other's next reads within moments (the invalidation
// travels through Redis), not after the cache's 30-second TTL.
func TestObjectsSchemaCacheAcrossInstances(t *testing.T) {
	one := apptest.New(t)
	two := apptest.New(t)
	tn := otTenant(t, one)
	name := otName("cached")
	otCreate(t, one, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "title", "data_type": "string"}}})
	path := "/v1/objects/" + name
	for _, title := range []string{"b", "a", "c"} {
		res := otDo(t, one, tn.Key, "POST", path, map[string]any{"properties": map[string]any{"title": title}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	}
	// Instance two caches the type and its properties: title is not sortable.
	res := otDo(t, two, tn.Key, "GET", path+"/list?sort=title", nil)
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)

	// Instance one makes it sortable (and backfills its index rows).
	res = otDo(t, one, tn.Key, "PATCH", otPropsPath(name)+"/title", map[string]any{"is_sortable": true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusOK, otDo(t, one, tn.Key, "GET", path+"/list?sort=title", nil).Status,
		"the instance that made the change sees it at once")
	require.Eventually(t, func() bool {
		return otDo(t, two, tn.Key, "GET", path+"/list?sort=title", nil).Status == http.StatusOK
	}, 5*time.Second, 20*time.Millisecond, "the other instance drops its cached schema")
	var pg objPage
	otDo(t, two, tn.Key, "GET", path+"/list?sort=title&order=asc", nil).Decode(t, &pg)
	require.Len(t, pg.Results, 3)
	require.JSONEq(t, `"a"`, string(pg.Results[0].Properties["title"]))

	// A deleted property is gone on the other instance too.
	res = otDo(t, one, tn.Key, "DELETE", otPropsPath(name)+"/title", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Eventually(t, func() bool {
		return otDo(t, two, tn.Key, "GET", path+"/list?sort=title", nil).Status == http.StatusBadRequest
	}, 5*time.Second, 20*time.Millisecond)
}
