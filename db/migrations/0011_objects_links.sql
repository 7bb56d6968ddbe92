-- Links between objects: typed associations (with a small JSON meta) and
-- comments. Both hang off objects with ON DELETE CASCADE, so a permanent
-- delete of an object (or of its type, or tenant) removes its associations
-- and comments; a soft delete keeps them, and reads join the live objects
-- to hide them until a restore. Independent of 0010 (search): it only needs
-- objects (0008).

CREATE TABLE object_associations (
    tenant_id        text NOT NULL,
    id               text NOT NULL,                -- assoc_...
    association_type text NOT NULL,
    from_type_id     text NOT NULL,
    from_id          text NOT NULL,
    to_type_id       text NOT NULL,
    to_id            text NOT NULL,
    meta             jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by       text NOT NULL DEFAULT '',     -- key_... or usr_...
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- One association of a type between two objects: PUT upserts on it.
    UNIQUE (tenant_id, from_id, association_type, to_id),
    FOREIGN KEY (tenant_id, from_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, to_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE
);
-- Keyset pages (created_at, id) of an object's outgoing and incoming
-- associations, with and without an association_type filter.
CREATE INDEX object_associations_out ON object_associations (tenant_id, from_id, created_at, id);
CREATE INDEX object_associations_out_type ON object_associations (tenant_id, from_id, association_type, created_at, id);
CREATE INDEX object_associations_in ON object_associations (tenant_id, to_id, created_at, id);
CREATE INDEX object_associations_in_type ON object_associations (tenant_id, to_id, association_type, created_at, id);

CREATE TABLE object_comments (
    tenant_id  text NOT NULL,
    id         text NOT NULL,                      -- cmt_...
    object_id  text NOT NULL,
    author_id  text NOT NULL,                      -- key_... or usr_...
    body       text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE
);
-- Keyset pages of an object's comments by (created_at, id), either order.
CREATE INDEX object_comments_object ON object_comments (tenant_id, object_id, created_at, id);
