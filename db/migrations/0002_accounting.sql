-- Double-entry books. Amounts are exact numerics (never floating point).
-- Posted lines also roll up into acct_daily_balances in the same
-- transaction, so reports read one row per account and day instead of
-- scanning every line.

CREATE TABLE acct_books (
    tenant_id        text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    base_currency    text NOT NULL DEFAULT 'USD',
    fiscal_year_start int NOT NULL DEFAULT 1 CHECK (fiscal_year_start BETWEEN 1 AND 12),
    first_posted_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE acct_currencies (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,
    code           text NOT NULL,
    name           text NOT NULL,
    symbol         text NOT NULL DEFAULT '',
    decimal_places int NOT NULL CHECK (decimal_places BETWEEN 0 AND 6),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code)
);

CREATE TABLE acct_exchange_rates (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,
    from_currency  text NOT NULL,
    to_currency    text NOT NULL,
    rate           numeric NOT NULL CHECK (rate > 0),
    effective_date date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, from_currency, to_currency, effective_date)
);

CREATE TABLE acct_accounts (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          text NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    sub_type    text NOT NULL DEFAULT '',
    parent_id   text,
    description text NOT NULL DEFAULT '',
    currency    text,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES acct_accounts (tenant_id, id)
);

CREATE TABLE acct_periods (
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         text NOT NULL,
    name       text NOT NULL,
    start_date date NOT NULL,
    end_date   date NOT NULL CHECK (end_date >= start_date),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at  timestamptz,
    closed_by  text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX acct_periods_dates ON acct_periods (tenant_id, start_date, end_date);

CREATE TABLE acct_tax_codes (
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         text NOT NULL,
    code       text NOT NULL,
    name       text NOT NULL,
    rate       numeric NOT NULL CHECK (rate >= 0 AND rate <= 100),
    type       text NOT NULL CHECK (type IN ('inclusive', 'exclusive')),
    category   text NOT NULL DEFAULT '',
    account_id text,
    is_active  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, account_id) REFERENCES acct_accounts (tenant_id, id)
);

CREATE TABLE acct_journal_entries (
    tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            text NOT NULL,
    date          date NOT NULL,
    description   text NOT NULL DEFAULT '',
    reference     text NOT NULL DEFAULT '',
    currency      text NOT NULL,
    exchange_rate numeric NOT NULL DEFAULT 1 CHECK (exchange_rate > 0),
    status        text NOT NULL CHECK (status IN ('draft', 'posted', 'reversed')),
    reversal_of   text,
    reversed_by   text,
    source_type   text NOT NULL DEFAULT '',
    source_id     text NOT NULL DEFAULT '',
    posted_at     timestamptz,
    posted_by     text,
    created_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX acct_journal_entries_date ON acct_journal_entries (tenant_id, date, id);
CREATE INDEX acct_journal_entries_status ON acct_journal_entries (tenant_id, status, date);

-- debit/credit are in the entry's currency; base_debit/base_credit in the
-- tenant's base currency. date and posted are copies of the entry's, so the
-- general ledger reads an account's postings from one index.
CREATE TABLE acct_journal_lines (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    entry_id    text NOT NULL,
    line_no     int NOT NULL,
    account_id  text NOT NULL,
    description text NOT NULL DEFAULT '',
    debit       numeric NOT NULL DEFAULT 0 CHECK (debit >= 0),
    credit      numeric NOT NULL DEFAULT 0 CHECK (credit >= 0),
    base_debit  numeric NOT NULL DEFAULT 0 CHECK (base_debit >= 0),
    base_credit numeric NOT NULL DEFAULT 0 CHECK (base_credit >= 0),
    tax_code_id text,
    date        date NOT NULL,
    posted      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES acct_journal_entries (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES acct_accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, tax_code_id) REFERENCES acct_tax_codes (tenant_id, id)
);
CREATE INDEX acct_journal_lines_entry ON acct_journal_lines (tenant_id, entry_id, line_no);
CREATE INDEX acct_journal_lines_account ON acct_journal_lines (tenant_id, account_id, date, entry_id) WHERE posted;
CREATE INDEX acct_journal_lines_tax ON acct_journal_lines (tenant_id, tax_code_id) WHERE tax_code_id IS NOT NULL;

-- Per account and day, the sum of posted base amounts. Maintained in the
-- posting transaction with an upsert (rows locked in account, date order).
CREATE TABLE acct_daily_balances (
    tenant_id  text NOT NULL,
    account_id text NOT NULL,
    date       date NOT NULL,
    debit      numeric NOT NULL DEFAULT 0,
    credit     numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, account_id, date),
    FOREIGN KEY (tenant_id, account_id) REFERENCES acct_accounts (tenant_id, id) ON DELETE CASCADE
);
