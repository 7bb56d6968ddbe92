package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/platformhq/platform/domain"
)

// publicRoutes are the probes, pages and documents anyone may fetch.
func (a *API) publicRoutes() []Route {
	return []Route{
		{Section: "Public", Method: "GET", Path: "/docs", Summary: "API documentation UI", Auth: Public, Raw: a.docsUI()},
		{Section: "Public", Extra: true, Method: "GET", Path: "/docs/assets/*", Summary: "Docs UI assets", Auth: Public, NoRateLimit: true, Raw: a.docsAssets()},
		{Section: "Public", Method: "GET", Path: "/health", Summary: "Health check", Auth: Public, NoRateLimit: true, Op: Op0(a.health)},
		{Section: "Public", Method: "GET", Path: "/", Summary: "Landing page", Auth: Public, Raw: http.HandlerFunc(a.landing)},
		{Section: "Public", Method: "GET", Path: "/docs/openapi.json", Summary: "OpenAPI specification", Auth: Public, Raw: a.openAPIHandler()},
		{Section: "Public", Method: "GET", Path: "/ready", Summary: "Readiness probe", Auth: Public, NoRateLimit: true, Op: Op0(a.ready)},
		{Section: "Public", Method: "GET", Path: "/v1/tenant-config", Summary: "Get tenant config (public)", Auth: Public, Op: Op(a.cfg.Tenants.GetPublicConfig)},
		{Section: "Public", Method: "POST", Path: "/v1/tenants/lookup", Summary: "Lookup tenants by email", Auth: Public, Op: Op(a.cfg.Identity.LookupTenants)},
	}
}

// Health is the answer of GET /health.
type Health struct {
	Status    string    `json:"status"`
	Service   string    `json:"service"`
	Version   string    `json:"version"`
	Timestamp time.Time `json:"timestamp"`
	Region    string    `json:"region"`
	Uptime    string    `json:"uptime"`
	UptimeSec int64     `json:"uptime_seconds"`
}

// serviceName names this service in probes.
const serviceName = "platform"

func (a *API) health(ctx context.Context) (Health, error) {
	up := time.Since(a.cfg.Started)
	return Health{Status: "ok", Service: serviceName, Version: a.cfg.Version, Timestamp: time.Now().UTC(),
		Region: a.cfg.Region, Uptime: up.Truncate(time.Second).String(), UptimeSec: int64(up.Seconds())}, nil
}

// Readiness is the answer of GET /ready.
type Readiness struct {
	Status    string            `json:"status"`
	Service   string            `json:"service"`
	Timestamp time.Time         `json:"timestamp"`
	Checks    map[string]string `json:"checks"`
}

// ready checks that Postgres and Redis answer within two seconds.
func (a *API) ready(ctx context.Context) (Readiness, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "redis": "ok"}
	ok := true
	if err := a.cfg.Core.DB.PingContext(ctx); err != nil {
		checks["postgres"], ok = "unavailable", false
	}
	if err := a.cfg.Core.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], ok = "unavailable", false
	}
	if !ok {
		return Readiness{}, domain.Errorf(domain.CodeUnavailable, "A dependency is unavailable.").With("checks", checks)
	}
	return Readiness{Status: "ready", Service: serviceName, Timestamp: time.Now().UTC(), Checks: checks}, nil
}

const landingHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Platform API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
a{color:#0b57d0}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Platform API</h1>
<p>A multi-tenant backend: typed objects and search, associations, double-entry books, end-user auth,
files, events and AI, over REST and GraphQL.</p>
<ul>
<li><a href="/docs">REST API reference</a> (<a href="/docs/openapi.json">OpenAPI 3.1</a>)</li>
<li><a href="/graphql">GraphQL playground</a></li>
<li><a href="/health">Health</a> · <a href="/ready">Readiness</a></li>
</ul>
<p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code> or <code>X-API-Key</code>.</p>
</body></html>`

func (a *API) landing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	_, _ = w.Write([]byte(landingHTML))
}
