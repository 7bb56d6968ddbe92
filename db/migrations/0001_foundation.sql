-- Foundation: tenants, API keys, the audit log and the event outbox.
-- Every tenant-owned table leads with tenant_id, keys on (tenant_id, id) and
-- cascades from tenants, so a tenant delete removes its data and the schema
-- can be distributed by tenant_id (Citus).

CREATE TABLE tenants (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    plan         text NOT NULL DEFAULT 'free',
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    suspended_at timestamptz
);

CREATE TABLE api_keys (
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           text NOT NULL,
    label        text NOT NULL DEFAULT '',
    prefix       text NOT NULL,
    secret_hash  bytea NOT NULL,
    scopes       text[] NOT NULL DEFAULT '{}',
    ip_allowlist text[] NOT NULL DEFAULT '{}',
    rate_limit   jsonb,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    rotated_to   text,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_secret_hash ON api_keys (secret_hash);

-- Append-only: the application has no UPDATE or DELETE path for these rows
-- (retention cleanup excepted).
CREATE TABLE audit_logs (
    tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            text NOT NULL,
    actor_type    text NOT NULL,
    actor_id      text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    changes       jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip            text NOT NULL DEFAULT '',
    request_id    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_logs_tenant_created ON audit_logs (tenant_id, created_at DESC);

-- Transactional outbox: a domain event is written with the change it
-- describes and published to Redis after commit (or by the relay job).
CREATE TABLE outbox_events (
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           text NOT NULL,
    topic        text NOT NULL,
    type         text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_events_unpublished ON outbox_events (created_at) WHERE published_at IS NULL;
