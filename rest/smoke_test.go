package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

func TestSmoke(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)
	res := env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
}
