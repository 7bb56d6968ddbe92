-- Governance: tenant-wide security settings, and an append-only audit log.

-- One row per tenant that changed a setting; a tenant without a row has the
-- defaults (no restriction). Typed columns so that a bad value cannot be
-- stored by any path, not only the API's validation.
CREATE TABLE governance_settings (
    tenant_id             text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    ip_allowlist          text[] NOT NULL DEFAULT '{}',
    session_duration_secs integer NOT NULL DEFAULT 0 CHECK (session_duration_secs >= 0),
    password_min_length   integer NOT NULL DEFAULT 0
        CHECK (password_min_length = 0 OR password_min_length BETWEEN 8 AND 128),
    mfa_required_roles    text[] NOT NULL DEFAULT '{}',
    audit_retention_days  integer NOT NULL DEFAULT 0 CHECK (audit_retention_days >= 0),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            text NOT NULL DEFAULT ''
);

-- The audit log is append-only in the database itself, not only by the
-- absence of an application path: UPDATE is always refused; DELETE only
-- (a) by the retention job, which sets `SET LOCAL platform.audit_purge = 'on'`
-- in its transaction, or (b) as the cascade of deleting the tenant (the
-- tenant row is already gone when the cascade reaches audit_logs).
CREATE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_logs is append-only: UPDATE is not allowed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_setting('platform.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: DELETE is reserved to the retention job'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_append_only
    BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();

CREATE FUNCTION audit_logs_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: TRUNCATE is not allowed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_no_truncate
    BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_no_truncate();

-- The audit list filters (GET /v1/audit-logs): by action, by resource type,
-- by actor, each newest first. The (tenant_id, created_at) index of 0001
-- serves the unfiltered list, date ranges and the retention purge.
CREATE INDEX audit_logs_tenant_action ON audit_logs (tenant_id, action, created_at DESC);
CREATE INDEX audit_logs_tenant_resource_type ON audit_logs (tenant_id, resource_type, created_at DESC);
CREATE INDEX audit_logs_tenant_actor ON audit_logs (tenant_id, actor_id, created_at DESC);
