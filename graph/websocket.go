package graph

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/platformhq/platform/domain"
)

// Close codes of the graphql-transport-ws protocol.
const (
	wsCloseForbidden = 4403
	wsCloseInternal  = 4500
)

// wsReauthInterval is how often a websocket re-checks its credential, so that
// revoking, rotating or expiring a key (or suspending its tenant) also ends
// the subscriptions it opened.
var wsReauthInterval = 10 * time.Second

type headerTokenKey struct{}

func withHeaderToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, headerTokenKey{}, token)
}

// wsAuth authenticates websocket connections.
type wsAuth struct {
	authenticate func(ctx context.Context, token, ip string) (*domain.Principal, error)
	log          *slog.Logger
}

// init runs on connection_init. A credential sent in headers was resolved by
// the REST middleware already; otherwise the payload may carry one as
// Authorization ("Bearer <key>") or X-API-Key / apiKey. A bad credential
// closes the socket with 4403; none at all is anonymous, and resolvers
// answer UNAUTHORIZED as they do over HTTP.
func (a *wsAuth) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	token, _ := ctx.Value(headerTokenKey{}).(string)
	if domain.PrincipalFrom(ctx) == nil {
		token = payloadToken(payload)
		if token == "" {
			return ctx, nil, nil
		}
		p, err := a.authenticate(ctx, token, domain.RequestMetaFrom(ctx).IP)
		if err != nil {
			return refuse(ctx, err)
		}
		ctx = domain.WithPrincipal(ctx, p)
	}
	if p := domain.PrincipalFrom(ctx); token != "" && p.Kind == domain.PrincipalKey {
		ctx = a.watch(ctx, token)
	}
	return ctx, nil, nil
}

// payloadToken reads the credential of a connection_init payload.
func payloadToken(p transport.InitPayload) string {
	if t := bearer(p.Authorization()); t != "" {
		return t
	}
	for _, k := range []string{"X-API-Key", "x-api-key", "apiKey"} {
		if t := bearer(p.GetString(k)); t != "" {
			return t
		}
	}
	return ""
}

// refuse closes the connection: 4403 for a bad credential, 4500 when it could
// not be checked. The reason carries the error code and safe message.
func refuse(ctx context.Context, err error) (context.Context, *transport.InitPayload, error) {
	de := domain.AsError(err)
	code := wsCloseForbidden
	msg := de.Code + ": " + de.Message
	if de.Code == domain.CodeInternal || de.Code == domain.CodeUnavailable {
		code, msg = wsCloseInternal, domain.CodeInternal+": Internal error."
	}
	if len(msg) > 120 { // a close reason is at most 123 bytes
		msg = msg[:120]
	}
	ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, msg), code)
	return ctx, nil, errors.New(msg)
}

// watch re-authenticates token every wsReauthInterval and ends the
// connection (and with it every subscription) once the credential is no
// longer valid. A failure to check (database down) keeps the connection.
func (a *wsAuth) watch(ctx context.Context, token string) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	ip := domain.RequestMetaFrom(ctx).IP
	go func() {
		tick := time.NewTicker(wsReauthInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_, err := a.authenticate(ctx, token, ip)
				if err == nil || ctx.Err() != nil {
					continue
				}
				if code := domain.ErrorCode(err); code == domain.CodeInternal || code == domain.CodeUnavailable {
					a.log.Warn("websocket credential check failed; connection kept", "err", err)
					continue
				}
				cancel()
				return
			}
		}
	}()
	return ctx
}
