package graph_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/graph/playground"
)

func TestPlayground(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// Browsers send no key; these requests do, only so that they count against
	// the tenant's rate limit instead of the per-IP one every test package shares.
	key := env.NewTenant(t).Key

	res := env.Do(t, apptest.Request{Path: "/graphql", Key: key, Header: map[string]string{
		"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}})
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	page := string(res.Body)
	require.NotRegexp(t, `https?://`, page, "no CDN or other absolute URL")
	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self';")
	require.Contains(t, csp, "default-src 'none'")
	require.NotContains(t, page, "<script>", "no inline script")

	if missing := playground.New().Missing(); len(missing) > 0 {
		// Built without `make assets`: the page says what to do.
		require.Contains(t, page, "make assets")
		t.Skipf("playground assets not built in (%v); run make assets", missing)
	}
	srcs := regexp.MustCompile(`(?:src|href)="(/graphql/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	var paths []string
	for _, m := range srcs {
		paths = append(paths, m[1])
	}
	require.ElementsMatch(t, []string{
		"/graphql/assets/graphiql.min.css", "/graphql/assets/react.production.min.js",
		"/graphql/assets/react-dom.production.min.js", "/graphql/assets/graphiql.min.js",
		"/graphql/assets/playground.js",
	}, paths)
	for _, p := range paths {
		res := env.Do(t, apptest.Request{Path: p, Key: key})
		require.Equal(t, http.StatusOK, res.Status, p)
		require.NotEmpty(t, res.Body, p)
		require.NotEmpty(t, res.Header.Get("ETag"), p)
		if strings.HasSuffix(p, ".js") {
			require.Contains(t, res.Header.Get("Content-Type"), "javascript", p)
		} else {
			require.Contains(t, res.Header.Get("Content-Type"), "text/css", p)
		}
	}

	t.Run("assets revalidate", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Path: "/graphql/assets/playground.js", Key: key})
		again := env.Do(t, apptest.Request{Path: "/graphql/assets/playground.js", Key: key,
			Header: map[string]string{"If-None-Match": res.Header.Get("ETag")}})
		require.Equal(t, http.StatusNotModified, again.Status)
	})
	t.Run("unknown asset", func(t *testing.T) {
		for _, p := range []string{"/graphql/assets/README.txt", "/graphql/assets/", "/graphql/assets/../handler.go"} {
			require.Equal(t, http.StatusNotFound, env.Do(t, apptest.Request{Path: p, Key: key}).Status, p)
		}
	})
	t.Run("GET without text/html is GraphQL", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Path: "/graphql?query=%7B__typename%7D", Key: key})
		require.Equal(t, http.StatusOK, res.Status)
		require.JSONEq(t, `{"data":{"__typename":"Query"}}`, string(res.Body))
	})
}
