-- Objects of the dynamic data model: one table with a JSONB document per
-- object, the previous states of every update, and the multitenant pivot
-- tables (architecture.md, "Dynamic objects"): typed index rows for the
-- properties flagged is_indexed, is_sortable or is_unique, and one row per
-- unique value, both maintained in the object's own transaction.
-- Every table leads with tenant_id; objects cascade from tenants and from
-- their type, everything else cascades from its object (and index rows from
-- their property, so deleting a property drops them while its values stay
-- in the documents, untyped).

CREATE TABLE objects (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,                -- obj_...
    object_type_id text NOT NULL,
    properties     jsonb NOT NULL DEFAULT '{}'::jsonb,
    version        int NOT NULL DEFAULT 1,
    created_by     text NOT NULL DEFAULT '',     -- key_... or usr_...
    updated_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz,                  -- set: in the trash
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, object_type_id) REFERENCES object_types (tenant_id, id) ON DELETE CASCADE
);
-- Keyset pages of live objects by each built-in sort, and the live count
-- (an index-only scan of objects_live).
CREATE INDEX objects_live ON objects (tenant_id, object_type_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX objects_live_updated ON objects (tenant_id, object_type_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX objects_live_id ON objects (tenant_id, object_type_id, id) WHERE deleted_at IS NULL;
-- The trash, newest deletion first.
CREATE INDEX objects_trash ON objects (tenant_id, object_type_id, deleted_at, id) WHERE deleted_at IS NOT NULL;

-- Previous states: updating version N to N+1 stores state N here.
CREATE TABLE object_versions (
    tenant_id  text NOT NULL,
    object_id  text NOT NULL,
    version    int NOT NULL,
    properties jsonb NOT NULL,
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, object_id, version),
    FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE
);

-- Typed index rows: exactly one of v_text, v_num, v_time is set, by the
-- property's data type. Rows of soft-deleted objects stay (queries join the
-- live objects), so a restore has nothing to rebuild.
CREATE TABLE object_index (
    tenant_id      text NOT NULL,
    object_type_id text NOT NULL,
    property_id    text NOT NULL,
    object_id      text NOT NULL,
    v_text         text,
    v_num          numeric,
    v_time         timestamptz,
    PRIMARY KEY (tenant_id, property_id, object_id),
    FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, property_id) REFERENCES object_properties (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX object_index_text ON object_index (tenant_id, property_id, v_text, object_id);
CREATE INDEX object_index_num ON object_index (tenant_id, property_id, v_num, object_id);
CREATE INDEX object_index_time ON object_index (tenant_id, property_id, v_time, object_id);
CREATE INDEX object_index_object ON object_index (tenant_id, object_id);

-- One row per value of an is_unique property: the primary key is what
-- admits exactly one of several concurrent inserts of the same value.
-- Soft-deleted objects keep their values (a restore cannot conflict).
CREATE TABLE object_unique (
    tenant_id   text NOT NULL,
    property_id text NOT NULL,
    value_key   text NOT NULL,                   -- canonical value, or a hash of a long one
    object_id   text NOT NULL,
    PRIMARY KEY (tenant_id, property_id, value_key),
    FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, property_id) REFERENCES object_properties (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX object_unique_object ON object_unique (tenant_id, object_id);
