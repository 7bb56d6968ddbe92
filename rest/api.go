// Package rest is the REST surface: the route table for every /v1 endpoint,
// the generic handler adapter, the envelope and error mapping, middleware
// (request id, auth, rate limits, body limits, idempotency, CORS), the
// OpenAPI document and the docs UI. Handlers hold no business logic: each
// decodes, calls one domain method and encodes.
package rest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/domain/governance"
	"github.com/platformhq/platform/domain/identity"
	"github.com/platformhq/platform/domain/invoicing"
	"github.com/platformhq/platform/domain/objects"
	"github.com/platformhq/platform/domain/rbac"
	"github.com/platformhq/platform/domain/tenancy"
)

// Config wires the REST surface.
type Config struct {
	Core    *domain.Core
	Keys    *apikeys.Service
	Tenants *tenancy.Service
	// Identity signs end users in (/v1/auth/*, /v1/users, /v1/auth-config).
	Identity *identity.Service
	// Authenticate resolves a bearer (API key or end-user access token).
	Authenticate func(ctx context.Context, token, clientIP string) (*domain.Principal, error)
	// Accounting keeps the tenant's books.
	Accounting *accounting.Service
	// Invoicing runs invoices, payments, banking and recurring entries.
	Invoicing *invoicing.Service
	// Objects is the dynamic data model (object types, properties).
	Objects *objects.Service
	// Roles is RBAC: roles, assignments (/v1/roles).
	Roles *rbac.Service
	// Governance is the tenant's security settings and the audit log.
	Governance *governance.Service
	// GraphQL serves /graphql behind the same middleware (nil: 501).
	GraphQL http.Handler
	// MetricsToken, when set, guards /metrics (bearer token).
	MetricsToken string
	// AdminKey guards /v1/admin/*; empty disables the admin API.
	AdminKey string
	// Version and Region are reported by /health.
	Version string
	Region  string
	// PublicRateLimit is the per-IP allowance on public routes.
	// Defaults to 300 a minute and 10,000 an hour.
	PublicRateLimit domain.RateLimit
	// RequestTimeout bounds each request's context. Defaults to 30s.
	RequestTimeout time.Duration
	// TrustProxy takes the client IP from X-Forwarded-For.
	TrustProxy bool
	// Started is when the process started (for /health's uptime).
	Started time.Time
}

// API is the REST surface.
type API struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	routes  []Route
	cors    *corsPolicy
	limiter *kv.Limiter
}

// New builds the REST surface from cfg.
func New(cfg Config) *API {
	if cfg.PublicRateLimit.PerMinute == 0 {
		cfg.PublicRateLimit = domain.RateLimit{PerMinute: 300, PerHour: 10_000}
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.Started.IsZero() {
		cfg.Started = time.Now()
	}
	a := &API{cfg: cfg, log: cfg.Core.Log, metrics: newMetrics(cfg.Core.DB.DB)}
	a.cors = newCORSPolicy(cfg.Tenants)
	a.limiter = kv.NewLimiter(cfg.Core.Redis)
	a.routes = a.table()
	return a
}

// Routes returns the route table (for the OpenAPI document and tests).
func (a *API) Routes() []Route { return a.routes }

// Handler returns the HTTP handler serving every route.
func (a *API) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(a.withRequestMeta, a.observe, a.recoverPanics, securityHeaders, a.cors.middleware)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, domain.Errorf(domain.CodeNotFound, "No route matches %s %s.", r.Method, r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, domain.Errorf(domain.CodeMethodNotAllowed, "Method %s is not allowed on %s.", r.Method, r.URL.Path))
	})
	for _, route := range a.routes {
		h := a.withDeadline(route, a.serve(route))
		r.Method(route.Method, route.ChiPath(), h)
		if route.Method == http.MethodPatch && !a.hasRoute(http.MethodPut, route.Path) {
			r.Method(http.MethodPut, route.ChiPath(), h) // PUT is an alias of PATCH
		}
	}
	r.Handle("/metrics", a.metrics.handler(a.cfg.MetricsToken))
	return r
}

func (a *API) hasRoute(method, path string) bool {
	return slices.ContainsFunc(a.routes, func(r Route) bool { return r.Method == method && r.Path == path })
}

// serve runs one route: credentials, rate limit, body, idempotency, then the
// operation, and encodes the envelope.
func (a *API) serve(route Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := a.authenticate(w, r, route)
		if err != nil {
			// Failed credentials count against the client IP's public budget,
			// so guessing keys is throttled like any anonymous traffic.
			if limited := a.rateLimit(w, r, route); limited != nil {
				err = limited
			}
			a.fail(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		a.cors.allowForTenant(w, r)
		if err := a.rateLimit(w, r, route); err != nil {
			a.fail(w, r, err)
			return
		}
		if route.Raw != nil {
			route.Raw.ServeHTTP(w, r)
			return
		}
		if route.Op == nil {
			a.fail(w, r, domain.Errorf(domain.CodeNotImplemented, "%s %s is not implemented yet.", route.Method, route.Path))
			return
		}
		body, err := readBody(w, r, route)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		idem, handled := a.beginIdempotent(w, r, body)
		if handled {
			return
		}
		if idem != nil {
			defer idem.finish()
			w = idem
		}
		out, err := route.Op.call(r.Context(), r, body)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if writeSpecial(w, r, out) {
			return
		}
		status := route.status()
		if sc, ok := out.(StatusCoder); ok {
			status = sc.HTTPStatus()
		}
		writeData(w, r, status, out)
	})
}

// Redirector is an answer that may send the browser elsewhere (OAuth and
// SAML sign-in): a non-empty RedirectLocation answers 302 instead of JSON.
type Redirector interface{ RedirectLocation() string }

// Document is an answer that is not JSON (SAML metadata XML).
type Document interface {
	Document() (contentType string, body []byte)
}

// Stream is an answer that is a file too large to hold in memory (an
// export): written with its own content type, as an attachment, by WriteTo
// piece by piece. Size is its length in bytes (-1 when unknown), sent as
// Content-Length so that a client can tell a cut-off download.
type Stream interface {
	ContentType() string
	Filename() string
	Size() int64
	WriteTo(ctx context.Context, w io.Writer) error
}

// StatusCoder is a JSON answer whose success status depends on its content
// (an export's status: 202 while running, 200 once failed); it overrides
// the route's Status.
type StatusCoder interface{ HTTPStatus() int }

// writeSpecial writes redirects, documents and streams; it reports whether
// it did.
func writeSpecial(w http.ResponseWriter, r *http.Request, out any) bool {
	switch v := out.(type) {
	case Redirector:
		loc := v.RedirectLocation()
		if loc == "" {
			return false
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, loc, http.StatusFound)
		return true
	case Document:
		ct, body := v.Document()
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return true
	case Stream:
		writeStream(w, r, v)
		return true
	}
	return false
}

// writeStream sends a stream as an attachment. A failure after the status
// line cannot be reported in the body: the connection is cut, so the
// client sees a short download (Content-Length) rather than a complete-
// looking one.
func writeStream(w http.ResponseWriter, r *http.Request, s Stream) {
	h := w.Header()
	h.Set("Content-Type", s.ContentType())
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": s.Filename()}))
	h.Set("Cache-Control", "no-store")
	if n := s.Size(); n >= 0 {
		h.Set("Content-Length", strconv.FormatInt(n, 10))
	}
	w.WriteHeader(http.StatusOK)
	if err := s.WriteTo(r.Context(), w); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// fail logs unexpected errors with their cause and writes the envelope.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if de := domain.AsError(err); de.Code == domain.CodeInternal {
		a.log.Error("internal error", "request_id", requestIDFrom(r), "err", err)
	}
	writeError(w, r, err)
}

// readBody enforces the route's body limit and content types and returns the
// whole body (idempotency hashes it; decoding reads it).
func readBody(w http.ResponseWriter, r *http.Request, route Route) ([]byte, error) {
	if r.ContentLength > route.bodyLimit() {
		return nil, tooLarge(route)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, route.bodyLimit()))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(route)
		}
		return nil, domain.Errorf(domain.CodeBadRequest, "Could not read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	ct := r.Header.Get("Content-Type")
	media, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(route.accepts(), media) {
		return nil, domain.Errorf(domain.CodeBadRequest, "Content-Type must be %s.", route.accepts()[0]).
			With("accepted_content_types", route.accepts())
	}
	return body, nil
}

func tooLarge(route Route) error {
	return domain.Errorf(domain.CodePayloadTooLarge, "The request body exceeds %d bytes.", route.bodyLimit()).
		With("max_bytes", route.bodyLimit())
}
