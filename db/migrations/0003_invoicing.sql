-- Invoicing, payments, banking and recurring entries, on top of the ledger.
-- Documents post through journal entries (source_type/source_id name them).

CREATE TABLE acct_invoices (
    tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               text NOT NULL,
    number           text NOT NULL,
    type             text NOT NULL CHECK (type IN ('sales', 'purchase')),
    contact_name     text NOT NULL DEFAULT '',
    date             date NOT NULL,
    due_date         date NOT NULL,
    currency         text NOT NULL,
    exchange_rate    numeric NOT NULL DEFAULT 1 CHECK (exchange_rate > 0),
    status           text NOT NULL CHECK (status IN ('draft', 'approved', 'partially_paid', 'paid', 'void')),
    subtotal         numeric NOT NULL DEFAULT 0,
    tax_total        numeric NOT NULL DEFAULT 0,
    total            numeric NOT NULL DEFAULT 0,
    amount_paid      numeric NOT NULL DEFAULT 0,
    notes            text NOT NULL DEFAULT '',
    journal_entry_id text,
    void_entry_id    text,
    recurring_id     text,
    approved_at      timestamptz,
    voided_at        timestamptz,
    created_by       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
);
CREATE INDEX acct_invoices_status ON acct_invoices (tenant_id, type, status, due_date);

CREATE TABLE acct_invoice_lines (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    invoice_id  text NOT NULL,
    line_no     int NOT NULL,
    description text NOT NULL DEFAULT '',
    quantity    numeric NOT NULL CHECK (quantity > 0),
    unit_price  numeric NOT NULL CHECK (unit_price >= 0),
    account_id  text NOT NULL,
    tax_code_id text,
    net_amount  numeric NOT NULL,
    tax_amount  numeric NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES acct_invoices (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES acct_accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, tax_code_id) REFERENCES acct_tax_codes (tenant_id, id)
);
CREATE INDEX acct_invoice_lines_invoice ON acct_invoice_lines (tenant_id, invoice_id, line_no);

CREATE TABLE acct_bank_accounts (
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             text NOT NULL,
    name           text NOT NULL,
    account_number text NOT NULL DEFAULT '',
    bank_name      text NOT NULL DEFAULT '',
    currency       text NOT NULL,
    gl_account_id  text NOT NULL,
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, gl_account_id) REFERENCES acct_accounts (tenant_id, id)
);

CREATE TABLE acct_payments (
    tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               text NOT NULL,
    type             text NOT NULL CHECK (type IN ('receipt', 'payment')),
    contact_name     text NOT NULL DEFAULT '',
    date             date NOT NULL,
    amount           numeric NOT NULL CHECK (amount > 0),
    currency         text NOT NULL,
    exchange_rate    numeric NOT NULL DEFAULT 1 CHECK (exchange_rate > 0),
    method           text NOT NULL DEFAULT '',
    bank_account_id  text NOT NULL,
    reference        text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('posted', 'void')),
    journal_entry_id text,
    void_entry_id    text,
    voided_at        timestamptz,
    created_by       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, bank_account_id) REFERENCES acct_bank_accounts (tenant_id, id)
);
CREATE INDEX acct_payments_date ON acct_payments (tenant_id, type, date);

CREATE TABLE acct_payment_allocations (
    tenant_id  text NOT NULL,
    id         text NOT NULL,
    payment_id text NOT NULL,
    invoice_id text NOT NULL,
    amount     numeric NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES acct_payments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES acct_invoices (tenant_id, id)
);
CREATE INDEX acct_payment_allocations_invoice ON acct_payment_allocations (tenant_id, invoice_id);
CREATE INDEX acct_payment_allocations_payment ON acct_payment_allocations (tenant_id, payment_id);

-- Statement lines: amount is always positive; credit is money in, debit
-- money out (the bank's view). dedup_key makes re-imports idempotent.
CREATE TABLE acct_bank_transactions (
    tenant_id          text NOT NULL,
    id                 text NOT NULL,
    bank_account_id    text NOT NULL,
    date               date NOT NULL,
    description        text NOT NULL DEFAULT '',
    amount             numeric NOT NULL CHECK (amount > 0),
    type               text NOT NULL CHECK (type IN ('debit', 'credit')),
    reference          text NOT NULL DEFAULT '',
    dedup_key          text NOT NULL,
    status             text NOT NULL DEFAULT 'unmatched' CHECK (status IN ('unmatched', 'matched', 'reconciled')),
    matched_entry_id   text,
    matched_payment_id text,
    reconciled_at      timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, bank_account_id, dedup_key),
    FOREIGN KEY (tenant_id, bank_account_id) REFERENCES acct_bank_accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX acct_bank_transactions_account ON acct_bank_transactions (tenant_id, bank_account_id, date, id);

CREATE TABLE acct_recurring (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          text NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL CHECK (type IN ('journal_entry', 'invoice')),
    template    jsonb NOT NULL,
    frequency   text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'quarterly', 'yearly')),
    next_run    date NOT NULL,
    end_date    date,
    is_active   boolean NOT NULL DEFAULT true,
    last_run_at timestamptz,
    occurrences int NOT NULL DEFAULT 0,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX acct_recurring_due ON acct_recurring (next_run) WHERE is_active;

-- One row per executed occurrence: the primary key is what makes an
-- occurrence run at most once, whichever process or request runs it.
CREATE TABLE acct_recurring_runs (
    tenant_id     text NOT NULL,
    recurring_id  text NOT NULL,
    run_date      date NOT NULL,
    document_type text NOT NULL,
    document_id   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, recurring_id, run_date),
    FOREIGN KEY (tenant_id, recurring_id) REFERENCES acct_recurring (tenant_id, id) ON DELETE CASCADE
);

-- Invoice numbers (INV-000001, BILL-000001) are allocated per tenant and type
-- under the books row's lock.
ALTER TABLE acct_books ADD COLUMN next_sales_number bigint NOT NULL DEFAULT 1;
ALTER TABLE acct_books ADD COLUMN next_purchase_number bigint NOT NULL DEFAULT 1;
