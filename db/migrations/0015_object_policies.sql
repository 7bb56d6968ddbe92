-- Row-level policies of the dynamic data model: per object type and action,
-- a condition in the objects filter language that narrows which rows an end
-- user's select, insert, update and delete may touch (docs/access.md,
-- "Row-level policies"). API keys bypass them.

CREATE TABLE object_policies (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,                 -- pol_...
    object_type_id text NOT NULL,
    name           text NOT NULL,                 -- 1..100 characters, unique per type
    action         text NOT NULL CHECK (action IN ('select', 'insert', 'update', 'delete')),
    role           text,                          -- NULL: every end user
    condition_json jsonb NOT NULL DEFAULT '{}',   -- {} is always true
    enabled        boolean NOT NULL DEFAULT true,
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, object_type_id, name),
    FOREIGN KEY (tenant_id, object_type_id) REFERENCES object_types (tenant_id, id) ON DELETE CASCADE
);

-- Every end-user object request reads the enabled policies of one type and
-- action.
CREATE INDEX object_policies_lookup ON object_policies (tenant_id, object_type_id, action) WHERE enabled;
