package rest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	swaggerFiles "github.com/swaggo/files/v2"

	"github.com/platformhq/platform/domain"
)

// The docs UI is Swagger UI from github.com/swaggo/files/v2 (its embedded
// dist), served from /docs/assets/ with a page and an initializer of our
// own: no CDN, no inline script, works offline.

// docsCSP widens the API's "default-src 'none'" for the docs page: its own
// scripts and styles (Swagger UI sets inline styles), data: images from its
// stylesheet, and fetches of the document and of "try it out" requests.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Platform API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/docs/assets/index.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui" data-spec-url="/docs/openapi.json"></div>
<noscript><p>The interactive reference needs JavaScript. The OpenAPI document is at <a href="/docs/openapi.json">/docs/openapi.json</a>.</p></noscript>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/platform-docs.js"></script>
</body>
</html>
`

// docsInitJS starts Swagger UI on our document. validatorUrl is null so
// that the page never calls the public swagger.io validator.
const docsInitJS = `// Starts Swagger UI on the platform's OpenAPI document.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url") || "/docs/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    requestSnippetsEnabled: true,
    filter: true,
    docExpansion: "none",
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout"
  });
})();
`

// docsAssetFiles are the files of the Swagger UI dist the page uses.
var docsAssetFiles = []string{"swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png", "favicon-16x16.png"}

// docAsset is one file served under /docs/assets/.
type docAsset struct {
	body []byte
	etag string
}

func newDocAsset(body []byte) docAsset {
	sum := sha256.Sum256(body)
	return docAsset{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

// loadDocAssets reads the assets once, on first use.
var loadDocAssets = sync.OnceValue(func() map[string]docAsset {
	out := map[string]docAsset{"platform-docs.js": newDocAsset([]byte(docsInitJS))}
	if swaggerFiles.FS == nil {
		return out
	}
	for _, name := range docsAssetFiles {
		if body, err := fs.ReadFile(swaggerFiles.FS, name); err == nil {
			out[name] = newDocAsset(body)
		}
	}
	return out
})

// docsUI serves the interactive API reference page.
func (a *API) docsUI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(docsPage))
	})
}

// docsAssets serves the docs page's scripts, styles and icons
// (GET /docs/assets/*); other names are NOT_FOUND.
func (a *API) docsAssets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := chi.URLParam(r, "*")
		asset, ok := loadDocAssets()[name]
		if !ok {
			writeError(w, r, domain.Errorf(domain.CodeNotFound, "No docs asset %q.", name))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("ETag", asset.etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(asset.body))
	})
}

// openAPIHandler serves the OpenAPI document, built from the route table
// on first use (the table is complete by then) and kept.
func (a *API) openAPIHandler() http.Handler {
	var (
		once sync.Once
		doc  docAsset
		err  error
	)
	build := func() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err = enc.Encode(a.OpenAPI()); err == nil {
			doc = newDocAsset(buf.Bytes())
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(build)
		if err != nil {
			a.fail(w, r, domain.Internal(errors.Join(errors.New("build the OpenAPI document"), err)))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", doc.etag)
		http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(doc.body))
	})
}
