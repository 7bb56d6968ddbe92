// Package identity signs a tenant's end users in: users, passwords, sessions
// and tokens, one-time tokens (verification, reset, magic link, OTP), MFA,
// the tenant's auth configuration and the hosted portal sign-in. REST
// (/v1/auth/*, /v1/users, /v1/auth-config) and GraphQL call the same methods.
package identity

import (
	"context"
	"time"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// Event types emitted on the "auth" topic.
const (
	Topic = "auth"
)

// Options tune the service; zero values take production defaults.
type Options struct {
	// Argon2 parameters for password hashing (defaults: 64 MiB, 3 passes,
	// 2 lanes). Tests use cheap ones.
	Argon2 Argon2Params
	// HashConcurrency bounds concurrent password hashes so a login flood
	// cannot exhaust memory (default 2 × GOMAXPROCS).
	HashConcurrency int
	// JWTKeys signs access tokens: the first key signs, every key verifies
	// (rotation: prepend a new key, drop the old one after the token TTL).
	// Default: one key "k1" derived from the server secret.
	JWTKeys []JWTKey
	// Issuer is the access tokens' iss claim (default "platform").
	Issuer string
	// PublicURL is where browser links (email verification) point
	// (default http://127.0.0.1:8080).
	PublicURL string
	// Sender delivers messages (default: the local outbox table).
	Sender Sender
	// SessionLifetime bounds a session's refresh (default 30 days; governance
	// may shorten it).
	SessionLifetime time.Duration
	// AllowPrivateURLs lets outbound calls (the CAPTCHA verify URL) reach
	// loopback and private addresses (tests run a local verifier).
	AllowPrivateURLs bool
	// Governance supplies the tenant-wide rules (nil: none).
	Governance Governance
}

// GovernanceRules are the tenant-wide rules identity applies at sign-in
// (zero values: no rule).
type GovernanceRules struct {
	// PasswordMinLength is a floor over auth-config's: the stricter wins.
	PasswordMinLength int
	// SessionDuration ends sessions that long after sign-in (when shorter
	// than the session lifetime).
	SessionDuration time.Duration
}

// Governance is what identity needs of the governance service; an interface
// so that identity does not depend on it (the app wires the two).
type Governance interface {
	IdentityRules(ctx context.Context, tenantID string) (GovernanceRules, error)
	// MFARequired reports whether a user with this role string (or one of
	// its RBAC roles) must sign in with a second factor.
	MFARequired(ctx context.Context, tenantID, userID, role string) (bool, error)
}

// Service is the end-user identity service.
type Service struct {
	core    *domain.Core
	opts    Options
	hasher  *hasher
	signer  *signer
	sealer  *sealer
	limiter *kv.Limiter
	touch   *sessionTouches
}

// NewService returns the identity service on core.
func NewService(core *domain.Core, opts Options) *Service {
	if opts.Issuer == "" {
		opts.Issuer = "platform"
	}
	if opts.PublicURL == "" {
		opts.PublicURL = "http://127.0.0.1:8080"
	}
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 30 * 24 * time.Hour
	}
	s := &Service{core: core, opts: opts, limiter: kv.NewLimiter(core.Redis)}
	s.hasher = newHasher(opts.Argon2, opts.HashConcurrency)
	s.signer = newSigner(core.Secret, opts.JWTKeys, opts.Issuer)
	s.sealer = newSealer(core.Secret)
	s.touch = newSessionTouches()
	if opts.Sender == nil {
		s.opts.Sender = OutboxSender{DB: core.DB, Clock: core.Clock}
	}
	return s
}

// Run flushes session activity times every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.FlushSessionActivity(context.WithoutCancel(ctx))
		case <-tick.C:
			if err := s.FlushSessionActivity(ctx); err != nil {
				s.core.Log.Warn("flush session activity", "err", err)
			}
		}
	}
}

func (s *Service) now() time.Time { return s.core.Clock.Now() }
