package playground_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/graph/playground"
)

func get(h http.HandlerFunc, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = "api.example.com:8080"
	h(rec, req)
	return rec
}

func TestMissingAssets(t *testing.T) {
	t.Parallel()
	h := playground.NewFS(fstest.MapFS{"README.txt": {Data: []byte("placeholder")}})
	require.Equal(t, playground.Required, h.Missing())

	rec := get(h.ServePage, "/graphql")
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "make assets")
	require.Contains(t, body, "graphiql.min.js")
	require.NotContains(t, body, "<script")

	// The page's own script is always there; the third-party files are not.
	require.Equal(t, http.StatusOK, get(h.ServeAsset, "/graphql/assets/playground.js").Code)
	require.Equal(t, http.StatusNotFound, get(h.ServeAsset, "/graphql/assets/graphiql.min.js").Code)
}

func TestWithAssets(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{}
	for _, name := range playground.Required {
		files[name] = &fstest.MapFile{Data: []byte("/* " + name + " */")}
	}
	h := playground.NewFS(files)
	require.Empty(t, h.Missing())

	rec := get(h.ServePage, "/graphql")
	body := rec.Body.String()
	require.NotContains(t, body, "make assets")
	for _, name := range append(playground.Required, "playground.js") {
		require.Contains(t, body, `"/graphql/assets/`+name+`"`)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "connect-src 'self' ws://api.example.com:8080 wss://api.example.com:8080;")

	rec = get(h.ServeAsset, "/graphql/assets/graphiql.min.css")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/css; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Equal(t, "/* graphiql.min.css */", rec.Body.String())
}

func TestHostIsNotTrustedIntoCSP(t *testing.T) {
	t.Parallel()
	h := playground.NewFS(fstest.MapFS{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	req.Host = "evil.example; script-src *"
	h.ServePage(rec, req)
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "connect-src 'self';")
}
