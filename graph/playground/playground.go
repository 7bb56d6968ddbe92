// Package playground serves the GraphiQL page of /graphql and its browser
// files from the binary: nothing is loaded from a CDN. The third-party files
// (GraphiQL, React) are fetched into assets/ by scripts/assets.sh
// (`make assets`) and embedded at build time; without them the page says so.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// Endpoint is the GraphQL endpoint the page talks to.
const Endpoint = "/graphql"

// AssetsPath is the URL prefix of the playground's files.
const AssetsPath = "/graphql/assets/"

// Required lists the files of assets/ the page loads, in load order.
var Required = []string{
	"graphiql.min.css",
	"react.production.min.js",
	"react-dom.production.min.js",
	"graphiql.min.js",
}

// ownScript is the page's init code, served beside the third-party files.
const ownScript = "playground.js"

//go:embed assets
var embedded embed.FS

//go:embed index.html
var indexHTML string

//go:embed playground.js
var playgroundJS []byte

var pageTemplate = template.Must(template.New("index.html").Parse(indexHTML))

// Handler serves the page and its files.
type Handler struct {
	page    []byte
	files   map[string]asset
	missing []string
}

type asset struct {
	body  []byte
	ctype string
	etag  string
}

// New returns a handler over the embedded files.
func New() *Handler {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return NewFS(sub)
}

// NewFS returns a handler serving the third-party files of fsys (tests use it
// to see the page without them).
func NewFS(fsys fs.FS) *Handler {
	h := &Handler{files: map[string]asset{ownScript: newAsset(ownScript, playgroundJS)}}
	for _, name := range Required {
		body, err := fs.ReadFile(fsys, name)
		if err != nil || len(body) == 0 {
			h.missing = append(h.missing, name)
			continue
		}
		h.files[name] = newAsset(name, body)
	}
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, map[string]any{"Endpoint": Endpoint, "Assets": AssetsPath, "Missing": h.missing})
	if err != nil {
		panic(err) // the template is embedded and its data fixed
	}
	h.page = buf.Bytes()
	return h
}

func newAsset(name string, body []byte) asset {
	sum := sha256.Sum256(body)
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// Missing lists the required files that are not built in (run make assets).
func (h *Handler) Missing() []string { return h.missing }

var saneHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// ServePage answers the GraphiQL page. Its content security policy allows
// scripts and styles from this server only (styles also inline: GraphiQL
// sets style attributes), and connections to this server (fetch and the
// subscription websocket).
func (h *Handler) ServePage(w http.ResponseWriter, r *http.Request) {
	connect := "'self'"
	if saneHost.MatchString(r.Host) { // older browsers do not match ws: with 'self'
		connect += " ws://" + r.Host + " wss://" + r.Host
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data:; font-src 'self' data:; connect-src "+connect+"; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.page))
}

// ServeAsset answers GET /graphql/assets/<name> for the page's files.
func (h *Handler) ServeAsset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, AssetsPath)
	a, ok := h.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	hd.Set("ETag", a.etag)
	// Not fingerprinted: cache briefly and revalidate with the ETag.
	hd.Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
