// Package apptest starts a whole platform (REST + GraphQL over real Postgres
// and Redis) inside a test, and offers small helpers to drive it over HTTP.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/platformhq/platform/cmd/platform/app"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/identity"
	"github.com/platformhq/platform/domain/tenancy"
)

// AdminKey is the platform admin key of test servers.
const AdminKey = "test-admin-key"

// Env is one running platform.
type Env struct {
	App    *app.App
	Server *httptest.Server
	URL    string
}

// Options tune New.
type Options struct {
	// Clock replaces the wall clock.
	Clock domain.Clock
	// RedisURL overrides the Redis URL (to test a Redis outage).
	RedisURL string
	// NoBackground skips the job queue and cache listener.
	NoBackground bool
	// PublicRateLimit overrides the per-IP limit of public routes.
	PublicRateLimit domain.RateLimit
	// MetricsToken guards /metrics.
	MetricsToken string
	// TrustProxy takes the client IP from X-Forwarded-For (tests of IP
	// allowlists send it per request).
	TrustProxy bool
}

// New starts a platform on this package's test database. It stops with the test.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dbtest.DB(t) // creates and migrates the package database
	cfg := app.Config{
		DatabaseURL: dbtest.PackageDatabaseURL(), RedisURL: dbtest.RedisURL(), AdminKey: AdminKey,
		Secret: "test-secret", Region: "test", DBMaxConns: 10, Clock: o.Clock,
		// Cheap password hashing and a local CAPTCHA verifier in tests.
		Argon2: identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}, AllowPrivateURLs: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if os.Getenv("PLATFORM_TEST_LOG") != "" {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	// Every test package shares Redis and the client IP 127.0.0.1, so the
	// per-IP public limit is lifted unless a test sets its own.
	cfg.PublicRateLimit = domain.RateLimit{PerMinute: 1_000_000, PerHour: 60_000_000}
	if o.PublicRateLimit.PerMinute > 0 {
		cfg.PublicRateLimit = o.PublicRateLimit
	}
	cfg.MetricsToken = o.MetricsToken
	cfg.TrustProxy = o.TrustProxy
	if o.RedisURL != "" {
		cfg.RedisURL = o.RedisURL
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	// Every unit of work the suite runs must leave an audit row (or say
	// why not): an unaudited write fails the request instead of logging.
	a.Core.StrictAudit = true
	srv := httptest.NewServer(a.Handler)
	env := &Env{App: a, Server: srv, URL: srv.URL}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if o.NoBackground {
		close(done)
	} else {
		go func() { _ = a.Run(ctx); close(done) }()
	}
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		a.Close()
	})
	return env
}

// Tenant is a provisioned test tenant.
type Tenant struct {
	ID  string
	Key string // scope "*"
}

// NewTenant provisions a tenant through the domain and returns its key.
func (e *Env) NewTenant(t testing.TB, name ...string) Tenant {
	t.Helper()
	n := "Test tenant"
	if len(name) > 0 {
		n = name[0]
	}
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalAdmin})
	p, err := e.App.Tenants.Create(ctx, tenancy.CreateInput{Name: n})
	if err != nil {
		t.Fatalf("apptest: create tenant: %v", err)
	}
	return Tenant{ID: p.TenantID, Key: p.APIKey}
}

// Response is an answer as a client sees it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Envelope members, when the body is the JSON envelope.
	Success   bool            `json:"success"`
	Data      json.RawMessage `json:"data"`
	Error     ErrorBody       `json:"error"`
	RequestID string          `json:"request_id"`
}

// ErrorBody is the error member of the envelope.
type ErrorBody struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  map[string][]string `json:"fields"`
	Extra   map[string]any      `json:"-"`
}

// Request describes one call.
type Request struct {
	Method string
	Path   string
	Key    string // sent as Authorization: Bearer
	Body   any    // JSON-encoded unless a string or []byte
	Header map[string]string
}

// Do sends req and decodes the envelope.
func (e *Env) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("apptest: encode body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequest(method, e.URL+req.Path, body)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Key != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Key)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Do(hr)
	if err != nil {
		t.Fatalf("apptest: %s %s: %v", method, req.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, out)
		var generic struct {
			Error map[string]any `json:"error"`
		}
		if json.Unmarshal(raw, &generic) == nil {
			out.Error.Extra = generic.Error
		}
	}
	return out
}

// Decode unmarshals the envelope's data into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("apptest: decode data %s: %v", r.Data, err)
	}
}

// Messages returns the end-user messages (verification, reset, magic link,
// OTP) the platform stored for recipient in tenantID, newest first: tests
// drive the mail flows through them.
func (e *Env) Messages(t testing.TB, tenantID, recipient string) []db.AuthMessage {
	t.Helper()
	rows, err := db.AuthMessageList(context.Background(), e.App.Core.DB, tenantID, recipient, 100)
	if err != nil {
		t.Fatalf("apptest: messages: %v", err)
	}
	return rows
}

// LastMessage returns the newest message for recipient (failing the test
// when there is none).
func (e *Env) LastMessage(t testing.TB, tenantID, recipient string) db.AuthMessage {
	t.Helper()
	rows := e.Messages(t, tenantID, recipient)
	if len(rows) == 0 {
		t.Fatalf("apptest: no message for %s", recipient)
	}
	return rows[0]
}
