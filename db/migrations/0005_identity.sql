-- End-user identity: each tenant's users, their sessions and refresh tokens,
-- MFA factors and recovery codes, the tenant's auth configuration and the
-- local message outbox. One-time tokens (verification, reset, magic link,
-- OTP, MFA tickets) live in Redis with a TTL, not here.

CREATE TABLE auth_users (
    tenant_id         text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                text NOT NULL,
    email             text,            -- stored lower-cased
    phone             text,            -- E.164
    password_hash     text,            -- argon2id PHC string; NULL: passwordless
    role              text NOT NULL DEFAULT 'authenticated',
    is_anonymous      boolean NOT NULL DEFAULT false,
    email_verified_at timestamptz,
    phone_verified_at timestamptz,
    user_metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    app_metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
    banned            boolean NOT NULL DEFAULT false,
    ban_reason        text NOT NULL DEFAULT '',
    banned_at         timestamptz,
    last_sign_in_at   timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX auth_users_email ON auth_users (tenant_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX auth_users_phone ON auth_users (tenant_id, phone) WHERE phone IS NOT NULL;
-- portal-identify / tenants lookup find an email across tenants.
CREATE INDEX auth_users_email_any ON auth_users (email) WHERE email IS NOT NULL;
CREATE INDEX auth_users_created ON auth_users (tenant_id, created_at, id);

-- A session is one sign-in; its refresh tokens form the rotation family.
CREATE TABLE auth_sessions (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,
    user_id        text NOT NULL,
    method         text NOT NULL DEFAULT 'password', -- password, magic_link, otp, anonymous, mfa, ...
    aal            text NOT NULL DEFAULT 'aal1',     -- aal2 after an MFA factor
    ip             text NOT NULL DEFAULT '',
    user_agent     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_active_at timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoke_reason  text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_sessions_user ON auth_sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored as HMACs. A used token keeps its successor
-- (encrypted) for the short reuse grace of parallel tabs.
CREATE TABLE auth_refresh_tokens (
    tenant_id     text NOT NULL,
    token_hash    bytea NOT NULL,
    session_id    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    used_at       timestamptz,
    successor_enc bytea,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, session_id) REFERENCES auth_sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_refresh_tokens_session ON auth_refresh_tokens (tenant_id, session_id);

CREATE TABLE auth_mfa_factors (
    tenant_id      text NOT NULL,
    id             text NOT NULL,
    user_id        text NOT NULL,
    type           text NOT NULL DEFAULT 'totp',
    friendly_name  text NOT NULL DEFAULT '',
    secret_enc     bytea NOT NULL,          -- AES-GCM under the server key
    last_used_step bigint NOT NULL DEFAULT 0, -- TOTP replay guard
    verified_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_mfa_factors_user ON auth_mfa_factors (tenant_id, user_id);

CREATE TABLE auth_recovery_codes (
    tenant_id  text NOT NULL,
    user_id    text NOT NULL,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);

-- Per-tenant auth settings; secrets are a separate AES-GCM sealed JSON
-- object so that no query can return them by accident.
CREATE TABLE auth_configs (
    tenant_id   text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    config      jsonb NOT NULL DEFAULT '{}'::jsonb,
    secrets_enc bytea,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Messages to end users (verification, reset, magic link, OTP). Without
-- SMTP configured this table is the delivery: `platform mail list` prints it.
CREATE TABLE auth_messages (
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         text NOT NULL,
    channel    text NOT NULL,   -- email | sms
    recipient  text NOT NULL,
    kind       text NOT NULL,   -- verification, recovery, magic_link, otp, email_change
    subject    text NOT NULL DEFAULT '',
    body       text NOT NULL,
    link       text NOT NULL DEFAULT '',
    code       text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT 'stored', -- stored | sent | failed
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX auth_messages_recipient ON auth_messages (tenant_id, recipient, created_at DESC);
