package graph_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

const keyEvents = `subscription { apiKeyEvents { id type at key { id label scopes } } }`

type keyEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	At   string `json:"at"`
	Key  struct {
		ID     string   `json:"id"`
		Label  string   `json:"label"`
		Scopes []string `json:"scopes"`
	} `json:"key"`
}

// nextEvent requires the next message to be a "next" of subscription id
// without errors and returns its event.
func (c *wsClient) nextEvent(id string) keyEvent {
	c.t.Helper()
	m := c.expect("next")
	require.Equal(c.t, id, m.ID)
	var payload struct {
		Data   struct{ APIKeyEvents keyEvent } `json:"data"`
		Errors []gqlError                      `json:"errors"`
	}
	require.NoError(c.t, json.Unmarshal(m.Payload, &payload))
	require.Empty(c.t, payload.Errors, string(m.Payload))
	return payload.Data.APIKeyEvents
}

func TestAPIKeyEventsSubscription(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := env.NewTenant(t, "A")
	b := env.NewTenant(t, "B")

	ws := dialWS(t, env, nil)
	ws.init(map[string]any{"Authorization": "Bearer " + a.Key})
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": keyEvents}})
	waitSubscribers(t, env, a.ID, 1)

	// A key created through REST...
	id, _ := restKey(t, env, a.Key, map[string]any{"label": "from rest", "scopes": []string{"read"}})
	ev := ws.nextEvent("1")
	require.Equal(t, "CREATED", ev.Type)
	require.Equal(t, id, ev.Key.ID)
	require.Equal(t, "from rest", ev.Key.Label)
	require.Equal(t, []string{"read"}, ev.Key.Scopes)
	require.Regexp(t, `^evt_`, ev.ID)
	require.NotEmpty(t, ev.At)

	// ...another tenant's change is not delivered (it is published first, so
	// it would arrive first)...
	restKey(t, env, b.Key, map[string]any{"label": "tenant b", "scopes": []string{"read"}})

	// ...then updated and revoked through GraphQL.
	gql(t, env, a.Key, updateKey, map[string]any{"id": id, "input": map[string]any{"label": "renamed"}}).decode(t, &struct{}{})
	ev = ws.nextEvent("1")
	require.Equal(t, "UPDATED", ev.Type)
	require.Equal(t, "renamed", ev.Key.Label)

	gql(t, env, a.Key, revokeKey, map[string]any{"id": id}).decode(t, &struct{}{})
	ev = ws.nextEvent("1")
	require.Equal(t, "REVOKED", ev.Type)
	require.Equal(t, id, ev.Key.ID)

	// Completing the subscription ends its stream: the Redis subscription goes.
	ws.send(map[string]any{"id": "1", "type": "complete"})
	waitSubscribers(t, env, a.ID, 0)

	// The connection stays usable for another operation. (gqlgen also
	// confirms the completed subscription with a complete of its own.)
	ws.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `{ viewer { tenant { id } } }`}})
	seen := map[string]bool{}
	for !seen["next 2"] || !seen["complete 2"] {
		m, err := ws.next()
		require.NoError(t, err)
		key := m.Type + " " + m.ID
		require.Contains(t, []string{"complete 1", "next 2", "complete 2"}, key, string(m.Payload))
		if key == "next 2" {
			require.Contains(t, string(m.Payload), a.ID)
		}
		seen[key] = true
	}
}

func TestAPIKeyEventsSubscriptionRotate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	// A credential sent as a header (non-browser clients) works too.
	ws := dialWS(t, env, http.Header{"X-Api-Key": {tn.Key}})
	ws.init(nil)
	ws.send(map[string]any{"id": "s", "type": "subscribe", "payload": map[string]any{"query": keyEvents}})
	waitSubscribers(t, env, tn.ID, 1)

	k := gqlCreateKey(t, env, tn.Key, map[string]any{"label": "svc", "scopes": []string{"*"}})
	require.Equal(t, "CREATED", ws.nextEvent("s").Type)
	var got struct {
		RotateApiKey struct{ NewKey struct{ ID string } }
	}
	gql(t, env, tn.Key, rotateKey, map[string]any{"id": k.Key.ID}).decode(t, &got)
	ev := ws.nextEvent("s") // the new key is issued...
	require.Equal(t, "CREATED", ev.Type)
	require.Equal(t, got.RotateApiKey.NewKey.ID, ev.Key.ID)
	ev = ws.nextEvent("s") // ...as the rotation of the old one
	require.Equal(t, "ROTATED", ev.Type)
	require.Equal(t, got.RotateApiKey.NewKey.ID, ev.Key.ID)
}

func TestSubscriptionAuth(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)

	t.Run("bad key in connection_init is refused", func(t *testing.T) {
		for _, payload := range []map[string]any{
			{"Authorization": "Bearer sk_not_a_real_key"},
			{"authorization": "Bearer nonsense"},
			{"X-API-Key": "sk_not_a_real_key"},
			{"apiKey": "sk_not_a_real_key"},
		} {
			ws := dialWS(t, env, nil)
			ws.send(map[string]any{"type": "connection_init", "payload": payload})
			ws.requireClosed(4403)
		}
	})

	t.Run("the key may be sent as apiKey", func(t *testing.T) {
		ws := dialWS(t, env, nil)
		ws.init(map[string]any{"apiKey": tn.Key})
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `{ viewer { scopes } }`}})
		require.JSONEq(t, `{"data":{"viewer":{"scopes":["*"]}}}`, string(ws.expect("next").Payload))
	})

	t.Run("anonymous", func(t *testing.T) {
		ws := dialWS(t, env, nil)
		ws.init(nil)
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": keyEvents}})
		m, err := ws.next()
		require.NoError(t, err)
		require.Contains(t, []string{"next", "error"}, m.Type)
		require.Contains(t, string(m.Payload), domain.CodeUnauthorized)
	})

	t.Run("key without the * scope", func(t *testing.T) {
		_, readOnly := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"read"}})
		ws := dialWS(t, env, nil)
		ws.init(map[string]any{"Authorization": "Bearer " + readOnly})
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": keyEvents}})
		m, err := ws.next()
		require.NoError(t, err)
		require.Contains(t, string(m.Payload), domain.CodeInsufficientScope)
	})

	t.Run("revoking the key ends the connection", func(t *testing.T) {
		id, secret := restKey(t, env, tn.Key, map[string]any{"scopes": []string{"*"}})
		ws := dialWS(t, env, nil)
		ws.init(map[string]any{"Authorization": "Bearer " + secret})
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": keyEvents}})
		waitSubscribers(t, env, tn.ID, 1)
		res := env.Do(t, apptest.Request{Method: http.MethodDelete, Path: "/v1/keys/" + id, Key: tn.Key})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		ev := ws.nextEvent("1")
		require.Equal(t, "REVOKED", ev.Type)
		ws.requireClosed(1000)
		waitSubscribers(t, env, tn.ID, 0)
	})
}
