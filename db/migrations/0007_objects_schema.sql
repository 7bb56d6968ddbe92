-- The dynamic data model's schema: the object types a tenant defines at run
-- time and their typed properties. Both are metadata rows; the objects
-- themselves (one table with a JSONB document plus typed index rows) come in
-- a later migration.

CREATE TABLE object_types (
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           text NOT NULL,                  -- ot_...
    name         text NOT NULL,                  -- ^[a-z][a-z0-9_]{0,62}$
    display_name text NOT NULL,
    description  text NOT NULL DEFAULT '',
    created_by   text NOT NULL DEFAULT '',       -- key_... or usr_...
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE object_properties (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,                -- prop_...
    object_type_id text NOT NULL,
    name           text NOT NULL,
    data_type      text NOT NULL CHECK (data_type IN ('string', 'text', 'integer', 'number', 'decimal',
        'boolean', 'date', 'datetime', 'time', 'email', 'phone', 'url', 'enum', 'multi_enum', 'currency',
        'percent', 'json', 'array', 'uuid', 'file', 'reference', 'geo_point')),
    is_indexed     boolean NOT NULL DEFAULT false,
    is_sortable    boolean NOT NULL DEFAULT false,
    is_unique      boolean NOT NULL DEFAULT false,
    is_required    boolean NOT NULL DEFAULT false,
    default_value  jsonb,                        -- NULL: no default
    enum_values    jsonb,                        -- array of strings for enum and multi_enum, else NULL
    description    text NOT NULL DEFAULT '',
    position       int NOT NULL,                 -- order of the type's properties
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, object_type_id, name),
    FOREIGN KEY (tenant_id, object_type_id) REFERENCES object_types (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX object_properties_position ON object_properties (tenant_id, object_type_id, position);
