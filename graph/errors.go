package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/platformhq/platform/domain"
)

// presentError is the one place errors leave the GraphQL surface:
//   - a *domain.Error keeps its message, and extensions carry its code (the
//     same as REST's error.code), its fields and its details;
//   - errors raised by gqlgen itself (parse, validation, persisted queries,
//     complexity and depth limits) keep their message and code;
//   - anything else is INTERNAL with a generic message; the cause is logged.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var de *domain.Error
		switch {
		case errors.As(err, &de):
		case gqlErr.Err == nil:
			return gqlErr
		default:
			de = domain.Internal(gqlErr.Err)
		}
		out := &gqlerror.Error{Err: de, Message: de.Message, Path: gqlErr.Path, Locations: gqlErr.Locations,
			Extensions: map[string]any{}}
		if de.Code == domain.CodeInternal {
			id := domain.RequestMetaFrom(ctx).RequestID
			log.Error("graphql internal error", "request_id", id, "path", gqlErr.Path.String(), "err", de)
			out.Message = "Internal error."
			if id != "" {
				out.Extensions["request_id"] = id // to quote when reporting it
			}
		} else {
			for k, v := range de.Details {
				out.Extensions[k] = v
			}
			if len(de.Fields) > 0 {
				out.Extensions["fields"] = de.Fields
			}
		}
		out.Extensions["code"] = de.Code
		return out
	}
}

// recoverPanic turns a panic into INTERNAL; the presenter logs it with its
// stack. It answers a *gqlerror.Error with a safe message because some of
// gqlgen's paths (a websocket operation's last-resort recover) send the
// recovered error's message without presenting it.
func recoverPanic(_ context.Context, v any) error {
	cause := domain.Internal(fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
	return &gqlerror.Error{Err: cause, Message: "Internal error.", Extensions: map[string]any{"code": domain.CodeInternal}}
}
