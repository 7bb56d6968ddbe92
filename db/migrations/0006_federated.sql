-- Federated and passwordless sign-in: identities at OAuth / SAML providers,
-- WebAuthn passkeys, and each tenant's SAML service-provider key pair.

-- An identity links a user to its account at a provider (oauth:<name> or
-- saml:<name>); the provider's stable subject id is unique per tenant.
CREATE TABLE auth_identities (
    tenant_id        text NOT NULL,
    id               text NOT NULL,
    user_id          text NOT NULL,
    provider         text NOT NULL,
    subject          text NOT NULL,
    email            text,
    data             jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, provider, subject),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_identities_user ON auth_identities (tenant_id, user_id);

CREATE TABLE auth_passkeys (
    tenant_id        text NOT NULL,
    id               text NOT NULL,
    user_id          text NOT NULL,
    credential_id    bytea NOT NULL,
    public_key       bytea NOT NULL,
    attestation_type text NOT NULL DEFAULT '',
    aaguid           bytea,
    sign_count       bigint NOT NULL DEFAULT 0,
    transports       text[] NOT NULL DEFAULT '{}',
    flags            jsonb NOT NULL DEFAULT '{}'::jsonb, -- backup eligible/state, user verified
    friendly_name    text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, credential_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_passkeys_user ON auth_passkeys (tenant_id, user_id);

-- The SP signing key of a tenant's SAML provider: generated on first use,
-- the private key sealed under the server key.
CREATE TABLE auth_saml_keys (
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider   text NOT NULL,
    key_enc    bytea NOT NULL,
    cert_der   bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, provider)
);
