package bench

import (
	"context"
	"testing"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/identity"
)

// signedIn provisions a tenant and a signed-in end user; it returns the
// user's access token.
func signedIn(b *testing.B, env *apptest.Env) string {
	tn := env.NewTenant(b)
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalKey, TenantID: tn.ID, Scopes: []string{"*"}})
	s, err := env.App.Identity.Signup(ctx, identity.SignupInput{Email: "bench@example.com", Password: "bench password 1"})
	if err != nil {
		b.Fatal(err)
	}
	return s.Session.AccessToken
}

// BenchmarkAuthenticateAccessToken resolves an end user's JWT: signature
// check plus the session lookup every request makes (so revocation is
// immediate).
func BenchmarkAuthenticateAccessToken(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	token := signedIn(b, env)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.App.Identity.Authenticate(ctx, token, "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUserRead is GET /v1/auth/user with an access token: the whole
// request path for an end user.
func BenchmarkUserRead(b *testing.B) {
	// Lift the per-user allowance (300 a minute) out of the measurement.
	saved := identity.UserRateLimit
	identity.UserRateLimit = domain.RateLimit{PerMinute: 1_000_000, PerHour: 60_000_000}
	b.Cleanup(func() { identity.UserRateLimit = saved })
	env := apptest.New(b, apptest.Options{NoBackground: true})
	token := signedIn(b, env)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, env.App.Handler, "/v1/auth/user", token)
	}
}
