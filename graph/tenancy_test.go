package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

const viewerQuery = `{ viewer { tenant { id name config } scopes } }`

type viewerData struct {
	Viewer struct {
		Tenant struct {
			ID     string         `json:"id"`
			Name   string         `json:"name"`
			Config map[string]any `json:"config"`
		} `json:"tenant"`
		Scopes []string `json:"scopes"`
	} `json:"viewer"`
}

func TestViewer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t, "Acme")

	t.Run("key holder", func(t *testing.T) {
		var got viewerData
		gql(t, env, tn.Key, viewerQuery, nil).decode(t, &got)
		require.Equal(t, tn.ID, got.Viewer.Tenant.ID)
		require.Equal(t, "Acme", got.Viewer.Tenant.Name)
		require.Equal(t, tn.ID, got.Viewer.Tenant.Config["tenant_id"])
		require.Equal(t, []string{"*"}, got.Viewer.Scopes)
	})

	t.Run("publishable key", func(t *testing.T) {
		_, pub := restKey(t, env, tn.Key, map[string]any{"label": "web", "scopes": []string{}})
		var got viewerData
		gql(t, env, pub, viewerQuery, nil).decode(t, &got)
		require.Equal(t, tn.ID, got.Viewer.Tenant.ID)
		require.Equal(t, []string{}, got.Viewer.Scopes)
	})

	t.Run("anonymous", func(t *testing.T) {
		res := gql(t, env, "", viewerQuery, nil)
		require.Equal(t, 200, res.Status)
		e := res.requireCode(t, domain.CodeUnauthorized)
		require.Equal(t, []any{"viewer"}, e.Path)
		require.JSONEq(t, `null`, string(res.Data))
	})

	t.Run("bad key is refused by the middleware", func(t *testing.T) {
		res := env.Do(t, apptest.Request{Method: "POST", Path: "/graphql", Key: "sk_nope", Body: map[string]any{"query": viewerQuery}})
		require.Equal(t, 401, res.Status)
		require.Equal(t, domain.CodeUnauthorized, res.Error.Code)
	})
}
