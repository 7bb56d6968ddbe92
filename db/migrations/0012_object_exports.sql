-- Exports of a type's objects (POST /v1/data/export): one row per export,
-- written by a River job, and the file itself in chunks of bytea, so every
-- instance can serve the download without a shared disk. Chunks are
-- deleted 24 hours after completion; the row stays (the download then
-- answers 410) until the purge job drops it 30 days later.

CREATE TABLE object_exports (
    tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               text NOT NULL,                -- exp_...
    object_type_id   text NOT NULL,
    object_type_name text NOT NULL,                -- for the file name
    format           text NOT NULL CHECK (format IN ('json', 'csv', 'ndjson')),
    filters          jsonb,                        -- the search filter language, validated at start
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    -- The caller who started the export (kind, ids, role, roles, scopes,
    -- permissions): the job runs as that principal, so access rules that
    -- narrow reads apply to the file as they would to a list.
    principal        jsonb NOT NULL,
    created_by       text NOT NULL DEFAULT '',
    record_count     int NOT NULL DEFAULT 0,
    size_bytes       bigint NOT NULL DEFAULT 0,
    chunk_count      int NOT NULL DEFAULT 0,
    truncated        boolean NOT NULL DEFAULT false,
    error            text,                         -- client-safe message of a failed export
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz,
    expires_at       timestamptz,                  -- completed_at + 24 hours
    purged_at        timestamptz,                  -- chunks deleted
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, object_type_id) REFERENCES object_types (tenant_id, id) ON DELETE CASCADE
);
-- The purge job's scans: expired files still holding chunks, and old rows.
CREATE INDEX object_exports_expiring ON object_exports (expires_at) WHERE purged_at IS NULL;
CREATE INDEX object_exports_created ON object_exports (created_at);

CREATE TABLE object_export_chunks (
    tenant_id text NOT NULL,
    export_id text NOT NULL,
    seq       int NOT NULL,                        -- 0, 1, ... in file order
    data      bytea NOT NULL,
    PRIMARY KEY (tenant_id, export_id, seq),
    FOREIGN KEY (tenant_id, export_id) REFERENCES object_exports (tenant_id, id) ON DELETE CASCADE
);
