package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/graph"
)

func TestMain(m *testing.M) {
	graph.SetWSReauthInterval(100 * time.Millisecond)
	graph.SetLoaderWait(25 * time.Millisecond)
	os.Exit(m.Run())
}

// gqlError is one member of a GraphQL response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// gqlResult is a GraphQL response over HTTP.
type gqlResult struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// gqlPost sends body (query, variables, extensions ...) to POST /graphql.
func gqlPost(t *testing.T, env *apptest.Env, key string, body map[string]any) *gqlResult {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/graphql", Key: key, Body: body})
	out := &gqlResult{Status: res.Status, Header: res.Header, Body: res.Body}
	require.NoError(t, json.Unmarshal(res.Body, out), "%d %s", res.Status, res.Body)
	return out
}

// gql runs query with variables (vars may be nil) as the holder of key ("" =
// anonymous).
func gql(t *testing.T, env *apptest.Env, key, query string, vars map[string]any) *gqlResult {
	t.Helper()
	body := map[string]any{"query": query}
	if vars != nil {
		body["variables"] = vars
	}
	return gqlPost(t, env, key, body)
}

// decode requires success and unmarshals data into v.
func (r *gqlResult) decode(t *testing.T, v any) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Empty(t, r.Errors, string(r.Body))
	require.NoError(t, json.Unmarshal(r.Data, v), string(r.Body))
}

// requireCode requires exactly one error, with extensions.code code, and
// returns it.
func (r *gqlResult) requireCode(t *testing.T, code string) gqlError {
	t.Helper()
	require.Len(t, r.Errors, 1, string(r.Body))
	require.Equal(t, code, r.Errors[0].Extensions["code"], string(r.Body))
	return r.Errors[0]
}

// restKey creates a key through REST (POST /v1/keys) and returns its id and secret.
func restKey(t *testing.T, env *apptest.Env, key string, body map[string]any) (id, token string) {
	t.Helper()
	res := env.Do(t, apptest.Request{Method: http.MethodPost, Path: "/v1/keys", Key: key, Body: body})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var created struct {
		Key   struct{ ID string } `json:"key"`
		Token string              `json:"token"`
	}
	res.Decode(t, &created)
	return created.Key.ID, created.Token
}

// wsClient speaks graphql-transport-ws to /graphql.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// wsMsg is one protocol message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func dialWS(t *testing.T, env *apptest.Env, header http.Header) *wsClient {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, res, err := d.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/graphql", header)
	require.NoError(t, err)
	require.Equal(t, "graphql-transport-ws", res.Header.Get("Sec-WebSocket-Protocol"))
	t.Cleanup(func() { _ = conn.Close() })
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) send(msg any) {
	c.t.Helper()
	require.NoError(c.t, c.conn.WriteJSON(msg))
}

// next returns the next message other than ping (answered with pong), or
// the error that ended the connection.
func (c *wsClient) next() (wsMsg, error) {
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m wsMsg
		if err := c.conn.ReadJSON(&m); err != nil {
			return m, err
		}
		if m.Type == "ping" {
			if err := c.conn.WriteJSON(wsMsg{Type: "pong"}); err != nil {
				return m, err
			}
			continue
		}
		return m, nil
	}
}

// expect requires the next message to be of type typ.
func (c *wsClient) expect(typ string) wsMsg {
	c.t.Helper()
	m, err := c.next()
	require.NoError(c.t, err)
	require.Equal(c.t, typ, m.Type, string(m.Payload))
	return m
}

// init sends connection_init with payload and requires connection_ack.
func (c *wsClient) init(payload map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"type": "connection_init", "payload": payload})
	c.expect("connection_ack")
}

// requireClosed requires the server to close the connection with code.
func (c *wsClient) requireClosed(code int) {
	c.t.Helper()
	for {
		m, err := c.next()
		if err == nil {
			continue // pending messages before the close
		}
		var ce *websocket.CloseError
		require.ErrorAs(c.t, err, &ce, "got %v after %+v", err, m)
		require.Equal(c.t, code, ce.Code, ce.Text)
		return
	}
}

// waitSubscribers waits until the tenant's event channel has n subscribers in
// Redis (each API instance subscribes once while it has local listeners).
func waitSubscribers(t *testing.T, env *apptest.Env, tenantID string, n int64) {
	t.Helper()
	ch := domain.EventChannel(tenantID)
	require.Eventually(t, func() bool {
		got, err := env.App.RedisClient().PubSubNumSub(context.Background(), ch).Result()
		return err == nil && got[ch] == n
	}, 5*time.Second, 5*time.Millisecond, "subscribers of %s never reached %d", ch, n)
}
