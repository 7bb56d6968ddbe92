package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/graph"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInternalErrors: a resolver that panics (here: a key service with no
// database) answers INTERNAL with a generic message; the cause is logged,
// never sent.
func TestInternalErrors(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	core := &domain.Core{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := graph.NewHandler(graph.Config{Core: core, Keys: apikeys.NewService(core)})
	caller := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := domain.WithPrincipal(r.Context(), &domain.Principal{Kind: domain.PrincipalKey, TenantID: "tn_x", Scopes: []string{"*"}})
		ctx = domain.WithRequestMeta(ctx, domain.RequestMeta{RequestID: "req_test"})
		h.ServeHTTP(w, r.WithContext(ctx))
	})

	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ apiKeys { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	caller.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)

	var res gqlResult
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	res.Body = rec.Body.Bytes()
	e := res.requireCode(t, domain.CodeInternal)
	require.Equal(t, "Internal error.", e.Message)
	require.Equal(t, "req_test", e.Extensions["request_id"])
	require.Equal(t, []any{"apiKeys"}, e.Path)
	require.NotContains(t, rec.Body.String(), "panic")
	require.NotContains(t, rec.Body.String(), "nil pointer")
	require.JSONEq(t, `null`, string(res.Data)) // apiKeys is non-null

	require.Contains(t, logs.String(), "graphql internal error")
	require.Contains(t, logs.String(), "nil pointer")
	require.Contains(t, logs.String(), "request_id=req_test")
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	big := `{"query":"{ viewer { scopes } }","variables":{"pad":"` + strings.Repeat("x", graph.MaxBodyBytes) + `"}}`
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/graphql", Key: tn.Key, Body: big})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, string(res.Body))
	var out gqlResult
	require.NoError(t, json.Unmarshal(res.Body, &out))
	out.Body = res.Body
	out.requireCode(t, domain.CodePayloadTooLarge)
}
