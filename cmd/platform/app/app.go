// Package app wires the platform together: configuration from the
// environment, Postgres, Redis, the job queue, the domain services and both
// surfaces (REST and GraphQL). cmd/platform and end-to-end tests use it.
package app

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
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
	"github.com/platformhq/platform/graph"
	"github.com/platformhq/platform/rest"
)

// Version is stamped at build time (-ldflags "-X .../app.Version=...").
var Version = "0.1.0-dev"

// DevSecret is used when PLATFORM_SECRET is unset outside production. It is
// public, so anything hashed under it (API keys) is only as safe as a laptop.
const DevSecret = "dev-insecure-secret-change-me"

// Config is everything the platform reads from the environment.
type Config struct {
	DatabaseURL string // DATABASE_URL
	RedisURL    string // REDIS_URL
	Addr        string // PLATFORM_ADDR, default 127.0.0.1:8080
	AdminKey    string // PLATFORM_ADMIN_KEY; empty disables /v1/admin
	// MetricsToken guards /metrics (PLATFORM_METRICS_TOKEN); empty leaves
	// it open for an internal network.
	MetricsToken string
	Secret       string // PLATFORM_SECRET; signs cursors, hashes key secrets
	Region       string // PLATFORM_REGION, default "local"
	Production   bool   // PLATFORM_ENV=production refuses the dev secret
	DBMaxConns   int    // DATABASE_MAX_CONNS, default 20
	TrustProxy   bool   // PLATFORM_TRUST_PROXY=true reads X-Forwarded-For

	// PublicURL is where links in end-user mail point (PLATFORM_PUBLIC_URL,
	// default http://<addr>).
	PublicURL string
	// Argon2 tunes password hashing (PLATFORM_ARGON2_MEMORY_KIB, _TIME,
	// _THREADS; zero: identity.DefaultArgon2).
	Argon2 identity.Argon2Params
	// JWTKeys signs end users' access tokens (PLATFORM_JWT_KEYS,
	// "kid:secret,kid:secret": the first signs, all verify). Empty derives
	// one key from Secret.
	JWTKeys []identity.JWTKey
	// SMTPURL delivers end-user mail (SMTP_URL, smtp://user:pass@host:port
	// ?from=addr); empty keeps it in the local outbox (`platform mail list`).
	SMTPURL string
	// AllowPrivateURLs lets outbound calls (CAPTCHA verification) reach
	// loopback and private addresses (PLATFORM_ALLOW_PRIVATE_URLS=true).
	AllowPrivateURLs bool

	// PublicRateLimit is the per-IP allowance on public routes (zero: the
	// REST default of 300 a minute, 10,000 an hour).
	PublicRateLimit domain.RateLimit

	Log   *slog.Logger
	Clock domain.Clock
}

// EnvHelp documents the environment for `platform --help`.
const EnvHelp = `Environment:
  DATABASE_URL          Postgres URL (default postgres://platform@127.0.0.1:55432/platform?sslmode=disable)
  REDIS_URL             Redis URL (default redis://127.0.0.1:56379/0)
  PLATFORM_ADDR         listen address for serve (default 127.0.0.1:8080)
  PLATFORM_ADMIN_KEY    bearer secret of the platform-admin API /v1/admin/*; unset disables it
  PLATFORM_METRICS_TOKEN  bearer token required on /metrics; unset leaves it open (internal network)
  PLATFORM_SECRET       server secret: hashes API keys, signs cursors and tokens; required in production
  PLATFORM_ENV          "production" refuses to start without PLATFORM_SECRET
  PLATFORM_REGION       reported by /health (default local)
  DATABASE_MAX_CONNS    Postgres pool size per process (default 20)
  PLATFORM_TRUST_PROXY  "true" takes the client IP from X-Forwarded-For
  PLATFORM_PUBLIC_URL   base URL of links in end-user mail (default http://PLATFORM_ADDR)
  PLATFORM_ARGON2_MEMORY_KIB, PLATFORM_ARGON2_TIME, PLATFORM_ARGON2_THREADS
                        argon2id cost of end-user passwords (default 65536, 3, 2)
  PLATFORM_JWT_KEYS     "kid:secret[,kid:secret]" HMAC keys of end-user access tokens; the first signs,
                        all verify (rotate by prepending a key). Default: one key derived from PLATFORM_SECRET
  SMTP_URL              smtp://user:pass@host:587?from=no-reply@example.com delivers end-user mail;
                        unset keeps it in the local outbox (platform mail list)
  PLATFORM_ALLOW_PRIVATE_URLS  "true" lets outbound calls reach loopback/private addresses`

// ConfigFromEnv reads Config from the environment.
func ConfigFromEnv() (Config, error) {
	c := Config{
		DatabaseURL:  envOr("DATABASE_URL", "postgres://platform@127.0.0.1:55432/platform?sslmode=disable"),
		RedisURL:     envOr("REDIS_URL", "redis://127.0.0.1:56379/0"),
		Addr:         envOr("PLATFORM_ADDR", "127.0.0.1:8080"),
		AdminKey:     os.Getenv("PLATFORM_ADMIN_KEY"),
		MetricsToken: os.Getenv("PLATFORM_METRICS_TOKEN"),
		Secret:       os.Getenv("PLATFORM_SECRET"),
		Region:       envOr("PLATFORM_REGION", "local"),
		Production:   os.Getenv("PLATFORM_ENV") == "production",
		TrustProxy:   os.Getenv("PLATFORM_TRUST_PROXY") == "true",
	}
	c.PublicURL = envOr("PLATFORM_PUBLIC_URL", "http://"+c.Addr)
	c.SMTPURL = os.Getenv("SMTP_URL")
	keys, err := parseJWTKeys(os.Getenv("PLATFORM_JWT_KEYS"))
	if err != nil {
		return c, err
	}
	c.JWTKeys = keys
	c.AllowPrivateURLs = os.Getenv("PLATFORM_ALLOW_PRIVATE_URLS") == "true"
	for name, dst := range map[string]*uint32{"PLATFORM_ARGON2_MEMORY_KIB": &c.Argon2.MemoryKiB, "PLATFORM_ARGON2_TIME": &c.Argon2.Time} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || n == 0 {
				return c, fmt.Errorf("%s must be a positive integer", name)
			}
			*dst = uint32(n)
		}
	}
	if v := os.Getenv("PLATFORM_ARGON2_THREADS"); v != "" {
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil || n == 0 {
			return c, errors.New("PLATFORM_ARGON2_THREADS must be 1..255")
		}
		c.Argon2.Threads = uint8(n)
	}
	n, err := strconv.Atoi(envOr("DATABASE_MAX_CONNS", "20"))
	if err != nil || n < 1 {
		return c, errors.New("DATABASE_MAX_CONNS must be a positive integer")
	}
	c.DBMaxConns = n
	if c.Secret == "" {
		if c.Production {
			return c, errors.New("PLATFORM_SECRET is required when PLATFORM_ENV=production")
		}
		c.Secret = DevSecret
	}
	return c, nil
}

// parseJWTKeys reads "kid:secret,kid:secret"; secrets need 32+ bytes.
func parseJWTKeys(raw string) ([]identity.JWTKey, error) {
	var keys []identity.JWTKey
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		kid, secret, ok := strings.Cut(part, ":")
		if !ok || kid == "" || len(secret) < 32 {
			return nil, errors.New("PLATFORM_JWT_KEYS must be kid:secret pairs with secrets of at least 32 characters")
		}
		keys = append(keys, identity.JWTKey{ID: kid, Secret: []byte(secret)})
	}
	return keys, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// App is a wired platform process.
type App struct {
	Cfg     Config
	Core    *domain.Core
	Keys    *apikeys.Service
	Tenants *tenancy.Service
	Books   *accounting.Service
	Billing *invoicing.Service
	// Objects is the dynamic data model.
	Objects *objects.Service
	// Identity signs the tenants' end users in.
	Identity *identity.Service
	// Roles is RBAC: end users' roles and permissions.
	Roles *rbac.Service
	// Governance enforces tenant-wide security settings; lists the audit log.
	Governance *governance.Service
	REST       *rest.API
	Handler    http.Handler

	workers *river.Workers
}

// New connects to Postgres and Redis and builds every service. It does not
// migrate (see Migrate) nor start background work (see Run).
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = domain.SystemClock{}
	}
	bdb, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	rdb, err := kv.Open(ctx, cfg.RedisURL)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	secret := sha256.Sum256([]byte("platform:" + cfg.Secret))
	core := &domain.Core{DB: bdb, Redis: rdb, Hub: kv.NewHub(rdb, cfg.Log), Clock: cfg.Clock,
		Secret: secret[:], Log: cfg.Log}
	a := &App{Cfg: cfg, Core: core, workers: river.NewWorkers()}
	river.AddWorker(a.workers, &domain.OutboxRelayWorker{Core: core})
	jobs, err := newRiver(bdb, a.workers, false)
	if err != nil {
		a.Close()
		return nil, err
	}
	core.Jobs = jobs

	a.Keys = apikeys.NewService(core)
	a.Tenants = tenancy.NewService(core, a.Keys)
	a.Books = accounting.NewService(core)
	a.Billing = invoicing.NewService(core, a.Books)
	a.Objects = objects.NewService(core)
	a.Roles = rbac.NewService(core)
	// Recurring entries run on the periodic job registered in newRiver.
	river.AddWorker(a.workers, &invoicing.RecurringSchedulerWorker{Service: a.Billing})
	// Object exports, and the periodic purge of expired export files.
	river.AddWorker(a.workers, &objects.ExportWorker{Service: a.Objects})
	river.AddWorker(a.workers, &objects.ExportPurgeWorker{Service: a.Objects})
	// Governance: read on every request; its retention job purges audit rows.
	a.Governance = governance.NewService(core)
	river.AddWorker(a.workers, &governance.RetentionWorker{Service: a.Governance})
	sender, err := identity.NewSender(core, cfg.SMTPURL)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Identity = identity.NewService(core, identity.Options{Argon2: cfg.Argon2, PublicURL: cfg.PublicURL, JWTKeys: cfg.JWTKeys,
		Sender: sender, AllowPrivateURLs: cfg.AllowPrivateURLs, Governance: a.Governance})
	gql := graph.NewHandler(graph.Config{Core: core, Keys: a.Keys, Tenants: a.Tenants, Accounting: a.Books, Invoicing: a.Billing,
		Identity: a.Identity, Objects: a.Objects, Roles: a.Roles, Governance: a.Governance, Authenticate: a.Authenticate})
	a.REST = rest.New(rest.Config{Core: core, Keys: a.Keys, Tenants: a.Tenants, Identity: a.Identity, Authenticate: a.Authenticate, GraphQL: gql,
		Accounting: a.Books, Invoicing: a.Billing, Objects: a.Objects, Roles: a.Roles, Governance: a.Governance, AdminKey: cfg.AdminKey, MetricsToken: cfg.MetricsToken, Version: Version, Region: cfg.Region, TrustProxy: cfg.TrustProxy,
		PublicRateLimit: cfg.PublicRateLimit})
	a.Handler = a.REST.Handler()
	return a, nil
}

// Authenticate resolves a bearer credential: an end user's access token
// (a JWT) or an API key. Both surfaces use it.
func (a *App) Authenticate(ctx context.Context, token, clientIP string) (*domain.Principal, error) {
	if identity.LooksLikeAccessToken(token) {
		p, err := a.Identity.Authenticate(ctx, token, clientIP)
		if err != nil {
			return nil, err
		}
		// An end user may do what its RBAC roles grant (cached briefly).
		if err := a.Roles.LoadGrant(ctx, p); err != nil {
			return nil, err
		}
		// Governance last: it may withhold the permissions just loaded.
		return a.Governance.Admit(ctx, p, clientIP)
	}
	p, err := a.Keys.Authenticate(ctx, token, clientIP)
	if err != nil {
		return nil, err
	}
	// The tenant's IP allowlist applies to every key, on top of the key's own.
	return a.Governance.Admit(ctx, p, clientIP)
}

// newRiver builds a River client on the shared *sql.DB; with work=false it
// only inserts jobs (CLI commands), with work=true it also runs them.
func newRiver(bdb *bun.DB, workers *river.Workers, work bool) (*river.Client[*sql.Tx], error) {
	cfg := &river.Config{Workers: workers, Logger: slog.New(slog.DiscardHandler)}
	if work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
		cfg.FetchPollInterval = 200 * time.Millisecond
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Second), func() (river.JobArgs, *river.InsertOpts) {
				return domain.OutboxRelayArgs{}, nil
			}, nil),
			invoicing.RecurringSchedulerJob(),
			objects.ExportPurgeJob(),
			governance.RetentionJob(),
		}
	}
	return river.NewClient(riverdatabasesql.New(bdb.DB), cfg)
}

// Migrate applies pending migrations (River's included).
func (a *App) Migrate(ctx context.Context) ([]string, error) { return db.Migrate(ctx, a.Core.DB) }

// Run starts background work (the job queue and the key-cache listener) and
// blocks until ctx ends, then stops it gracefully.
func (a *App) Run(ctx context.Context) error {
	worker, err := newRiver(a.Core.DB, a.workers, true)
	if err != nil {
		return err
	}
	if err := worker.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Keys.Run(ctx, 30*time.Second) }()
	go func() { _ = a.Identity.Run(ctx, 30*time.Second) }()
	go func() { _ = a.Roles.Run(ctx) }()
	go func() { _ = a.Governance.Run(ctx) }()
	go func() { _ = a.Objects.Run(ctx) }()
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = worker.Stop(stopCtx)
	return <-done
}

// Close releases connections.
func (a *App) Close() {
	if a.Core.Hub != nil {
		_ = a.Core.Hub.Close()
	}
	_ = a.Core.Redis.Close()
	_ = a.Core.DB.Close()
}

// RedisClient exposes the Redis client (tests, readiness).
func (a *App) RedisClient() *redis.Client { return a.Core.Redis }
