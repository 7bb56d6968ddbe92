-- Saved views of the dynamic data model: named filter, sort and column
-- presets of one object type. Depends only on object_types (0007), never on
-- the objects tables, so it applies whether or not they exist yet.

CREATE TABLE object_views (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,                -- view_...
    object_type_id text NOT NULL,
    name           text NOT NULL,                -- 1..100 characters, unique per type
    filters        jsonb NOT NULL DEFAULT '[]',  -- the search filter language
    sort           jsonb,                        -- {"property", "order"} or NULL
    columns        jsonb NOT NULL DEFAULT '[]',  -- property names and built-in fields
    is_default     boolean NOT NULL DEFAULT false,
    created_by     text NOT NULL DEFAULT '',     -- key_... or usr_...
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, object_type_id, name),
    FOREIGN KEY (tenant_id, object_type_id) REFERENCES object_types (tenant_id, id) ON DELETE CASCADE
);

-- At most one default view per type (the domain unsets the previous one in
-- the same transaction; this index is the backstop).
CREATE UNIQUE INDEX object_views_one_default ON object_views (tenant_id, object_type_id) WHERE is_default;
