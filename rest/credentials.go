package rest

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// credential returns the token sent as "Authorization: Bearer" or X-API-Key.
func credential(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// authenticate resolves the caller per the route's auth mode and returns the
// request context carrying the principal.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request, route Route) (context.Context, error) {
	ctx := r.Context()
	token := credential(r)
	switch route.Auth {
	case Admin:
		return a.authenticateAdmin(ctx, token)
	case Public:
		if token != "" {
			if p, err := a.resolve(ctx, token); err == nil {
				ctx = domain.WithPrincipal(ctx, p)
			}
		}
		return ctx, nil
	}
	if token == "" {
		if route.Auth == Optional {
			return ctx, nil
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		return ctx, domain.Errorf(domain.CodeUnauthorized, "Send an API key as Authorization: Bearer <key> or X-API-Key.")
	}
	p, err := a.resolve(ctx, token)
	if err != nil {
		return ctx, err
	}
	return domain.WithPrincipal(ctx, p), nil
}

func (a *API) authenticateAdmin(ctx context.Context, token string) (context.Context, error) {
	if a.cfg.AdminKey == "" {
		return ctx, domain.Errorf(domain.CodeUnauthorized, "The platform admin API is disabled (PLATFORM_ADMIN_KEY is not set).")
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(a.cfg.AdminKey)) != 1 {
		return ctx, domain.Errorf(domain.CodeUnauthorized, "A valid platform admin key is required.")
	}
	return domain.WithPrincipal(ctx, &domain.Principal{Kind: domain.PrincipalAdmin}), nil
}

// resolve turns a token into a principal.
func (a *API) resolve(ctx context.Context, token string) (*domain.Principal, error) {
	if a.cfg.Authenticate != nil {
		return a.cfg.Authenticate(ctx, token, domain.RequestMetaFrom(ctx).IP)
	}
	return a.cfg.Keys.Authenticate(ctx, token, domain.RequestMetaFrom(ctx).IP)
}

// rateLimit counts the request against the caller's windows: per key for
// authenticated callers, per client IP for anonymous ones. It sets the
// X-RateLimit-* headers and refuses with 429 past the limit. When Redis
// cannot answer the request is let through (fail open) and logged: an
// outage of the limiter must not become an outage of the API.
func (a *API) rateLimit(w http.ResponseWriter, r *http.Request, route Route) error {
	p := domain.PrincipalFrom(r.Context())
	if p != nil && p.Kind == domain.PrincipalAdmin {
		return nil
	}
	var subject string
	var limit domain.RateLimit
	var counters []string
	now := a.cfg.Core.Clock.Now()
	switch {
	case p != nil && p.TenantID != "":
		subject, limit = kv.TenantKey(p.TenantID, "rl", p.ActorID()), p.RateLimit
		counters = []string{kv.MonthlyCounterKey(p.TenantID, "requests", now)}
	case route.NoRateLimit:
		return nil
	default:
		subject, limit = "rl:ip:"+domain.RequestMetaFrom(r.Context()).IP, a.cfg.PublicRateLimit
	}
	if limit.PerMinute == 0 {
		limit = domain.DefaultRateLimit
	}
	d, err := a.limiter.Allow(r.Context(), subject, now,
		[]kv.Window{{Limit: limit.PerMinute, Period: time.Minute}, {Limit: limit.PerHour, Period: time.Hour}}, counters...)
	if err != nil {
		a.log.Warn("rate limiter unavailable; request allowed", "request_id", requestIDFrom(r), "err", err)
		w.Header().Set("X-RateLimit-Status", "unavailable")
		return nil
	}
	setRateHeaders(w.Header(), d)
	if !d.Allowed {
		secs := int((d.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return domain.Errorf(domain.CodeRateLimited, "Rate limit exceeded; retry in %d seconds.", secs).With("retry_after", secs)
	}
	return nil
}

func setRateHeaders(h http.Header, d kv.Decision) {
	minute, hour := d.Windows[0], d.Windows[1]
	tight := minute
	if hour.Remaining < minute.Remaining {
		tight = hour
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(tight.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(tight.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(tight.Reset.Unix(), 10))
	h.Set("X-RateLimit-Limit-Minute", strconv.Itoa(minute.Limit))
	h.Set("X-RateLimit-Remaining-Minute", strconv.Itoa(minute.Remaining))
	h.Set("X-RateLimit-Limit-Hour", strconv.Itoa(hour.Limit))
	h.Set("X-RateLimit-Remaining-Hour", strconv.Itoa(hour.Remaining))
}
