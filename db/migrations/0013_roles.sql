-- RBAC: tenant-defined roles carrying permission strings, optionally
-- inheriting a parent role's permissions, and their assignment to end users.
-- A user's effective permissions are the union over its roles and their
-- ancestors (db/rbac.go follows parent_role_id).

CREATE TABLE rbac_roles (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,                  -- role_...
    name           text NOT NULL,                  -- ^[a-z][a-z0-9_]{0,62}$
    description    text NOT NULL DEFAULT '',
    permissions    text[] NOT NULL DEFAULT '{}',   -- "<resource>:<action>", "<resource>:<type>:<action>", "*"
    parent_role_id text,                           -- NULL: no parent
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    CHECK (parent_role_id IS NULL OR parent_role_id <> id),
    -- Deleting a parent detaches its children (they keep their own
    -- permissions); the domain asks for confirmation first.
    FOREIGN KEY (tenant_id, parent_role_id) REFERENCES rbac_roles (tenant_id, id)
        ON DELETE SET NULL (parent_role_id)
);

CREATE TABLE rbac_user_roles (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     text NOT NULL,
    role_id     text NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by text NOT NULL DEFAULT '',          -- key_..., usr_... or admin
    PRIMARY KEY (tenant_id, user_id, role_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES rbac_roles (tenant_id, id) ON DELETE CASCADE
);
-- "Who holds this role" (delete's dependency count, invalidation).
CREATE INDEX rbac_user_roles_role ON rbac_user_roles (tenant_id, role_id);
