package domain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/platformhq/platform/domain"
)

func TestPermissionCovers(t *testing.T) {
	cases := []struct {
		granted, required string
		want              bool
	}{
		{"*", "accounting:read", true},
		{"*", "objects:contacts:read", true},
		{"accounting:read", "accounting:read", true},
		{"accounting:read", "accounting:write", false},
		{"accounting:*", "accounting:write", true},
		{"*:read", "accounting:read", true},
		{"*:read", "accounting:write", false},
		{"*:*", "objects:contacts:write", true},
		{"objects:contacts:read", "objects:contacts:read", true},
		{"objects:contacts:read", "objects:deals:read", false},
		{"objects:*:write", "objects:deals:write", true},
		{"objects:*:write", "objects:deals:read", false},
		{"objects:*:*", "objects:deals:read", true},
		// A two-part grant covers every type of its resource.
		{"objects:read", "objects:contacts:read", true},
		{"objects:read", "objects:contacts:write", false},
		{"objects:read", "objects:*:read", true},
		// A typed grant does not cover the "all types" requirement.
		{"objects:contacts:read", "objects:*:read", false},
		{"objects:contacts:read", "objects:read", false},
		{"files:read", "files", false},
		{"files", "files:read", false},
		{"", "files:read", false},
		{"a:b:c:d", "a:b:c:d", false},
	}
	for _, c := range cases {
		if got := domain.PermissionCovers(c.granted, c.required); got != c.want {
			t.Errorf("PermissionCovers(%q, %q) = %v, want %v", c.granted, c.required, got, c.want)
		}
	}
}

func TestValidPermission(t *testing.T) {
	valid := []string{"*", "accounting:read", "objects:contacts:read", "objects:*:write", "*:read", "files:*", "scheduled_jobs:read"}
	invalid := []string{"", "accounting", "a:b:c:d", "Accounting:read", "accounting:", ":read", "acc ounting:read", "objects::read", "obj*:read"}
	for _, s := range valid {
		if !domain.ValidPermission(s) {
			t.Errorf("ValidPermission(%q) = false, want true", s)
		}
	}
	for _, s := range invalid {
		if domain.ValidPermission(s) {
			t.Errorf("ValidPermission(%q) = true, want false", s)
		}
	}
}

func TestAuthorize(t *testing.T) {
	user := &domain.Principal{Kind: domain.PrincipalUser, TenantID: "tn_1", UserID: "usr_1",
		Permissions: []string{"accounting:read"}}
	key := &domain.Principal{Kind: domain.PrincipalKey, TenantID: "tn_1", KeyID: "key_1", Scopes: []string{"read"}}
	admin := &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: "tn_1"}
	cases := []struct {
		name              string
		p                 *domain.Principal
		scope, permission string
		wantCode          string
	}{
		{"user granted", user, "read", "accounting:read", ""},
		{"user not granted", user, "read", "accounting:write", domain.CodeForbidden},
		{"user without roles", &domain.Principal{Kind: domain.PrincipalUser, TenantID: "tn_1"}, "read", "accounting:read", domain.CodeForbidden},
		{"key with scope", key, "read", "accounting:write", ""},
		{"key without scope", key, "write", "accounting:read", domain.CodeInsufficientScope},
		{"admin", admin, "*", "anything:at_all", ""},
		{"nobody", nil, "read", "accounting:read", domain.CodeUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			if c.p != nil {
				ctx = domain.WithPrincipal(ctx, c.p)
			}
			got, err := domain.Authorize(ctx, c.scope, c.permission)
			if c.wantCode == "" {
				if err != nil || got != c.p {
					t.Fatalf("Authorize = %v, %v; want the principal", got, err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != c.wantCode {
				t.Fatalf("Authorize error = %v, want code %s", err, c.wantCode)
			}
			if c.wantCode == domain.CodeForbidden && de.Details["required_permission"] != c.permission {
				t.Fatalf("details = %v, want required_permission %s", de.Details, c.permission)
			}
		})
	}
}

func TestRequireScopeStillDeniesUsers(t *testing.T) {
	user := &domain.Principal{Kind: domain.PrincipalUser, TenantID: "tn_1", Permissions: []string{"*"}}
	_, err := domain.RequireScope(domain.WithPrincipal(context.Background(), user), "read")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInsufficientScope {
		t.Fatalf("RequireScope(user) = %v, want INSUFFICIENT_SCOPE", err)
	}
}
