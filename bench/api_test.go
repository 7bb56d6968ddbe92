// Package bench holds the platform's speed and memory benchmarks. They run
// the real stack (Postgres, Redis, the full middleware chain) in-process:
//
//	make bench
//
// Figures are compared as ratios within one run on one machine (see
// docs/benchmarks.md), never as absolute timings in tests.
package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/apikeys"
)

// serve runs one request through the handler without a network hop.
func serve(b *testing.B, h http.Handler, path, key string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
	}
}

// unlimitedKey issues a key whose rate limit never interferes.
func unlimitedKey(b *testing.B, env *apptest.Env, tenantID string) string {
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: tenantID})
	c, err := env.App.Keys.Create(ctx, apikeys.CreateInput{Scopes: []string{"*"},
		RateLimit: &domain.RateLimit{PerMinute: 1_000_000, PerHour: 60_000_000}})
	if err != nil {
		b.Fatal(err)
	}
	return c.Token
}

// BenchmarkHealth is the floor: middleware, envelope, no credential, no Redis.
func BenchmarkHealth(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	b.ReportAllocs()
	for b.Loop() {
		serve(b, env.App.Handler, "/health", "")
	}
}

// BenchmarkAuthenticatedRead is an authenticated list: cached key, Redis rate
// limit script, one Postgres query, envelope.
func BenchmarkAuthenticatedRead(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tn := env.NewTenant(b)
	key := unlimitedKey(b, env, tn.ID)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, env.App.Handler, "/v1/keys", key)
	}
}

// BenchmarkAuthenticateCached resolves a key from the principal cache.
func BenchmarkAuthenticateCached(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tn := env.NewTenant(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.App.Keys.Authenticate(ctx, tn.Key, "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateUncached resolves a key that is never cached (each
// iteration presents a different, unknown secret): the database lookup.
func BenchmarkAuthenticateUncached(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, _ = env.App.Keys.Authenticate(ctx, "sk_unknown"+string(rune('a'+i%26))+string(rune('a'+i/26%26)), "127.0.0.1")
	}
}
