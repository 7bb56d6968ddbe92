package rest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/rest"
)

// TestRBACEveryBearerRouteNamesAPermission: end users are default-deny, so
// every bearer route an end-user token may reach names the permission its
// roles must grant, in the contract's format. Exempt: the end user's own
// self-service and sign-in under /v1/auth/ (no RBAC permission by contract)
// and /graphql, whose fields name theirs (graph/rbac_test.go checks them).
func TestRBACEveryBearerRouteNamesAPermission(t *testing.T) {
	env := apptest.New(t)
	for _, r := range env.App.REST.Routes() {
		where := r.Method + " " + r.Path
		if r.Auth != rest.Bearer || strings.HasPrefix(r.Path, "/v1/auth/") || r.Section == "GraphQL" {
			continue
		}
		require.NotEmpty(t, r.Permission, "%s: a bearer route names the end-user permission it needs", where)
		// "{type}" stands for the object type the request names.
		concrete := strings.ReplaceAll(r.Permission, "{type}", "contacts")
		require.True(t, domain.ValidPermission(concrete), "%s: permission %q is not <resource>:<action> or <resource>:<type>:<action>", where, r.Permission)
	}
}
