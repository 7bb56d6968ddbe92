-- The base-currency amount each allocation cleared on its invoice's
-- receivable or payable, so later allocations clear exactly what live ones
-- left (a voided payment's allocation no longer counts).
ALTER TABLE acct_payment_allocations ADD COLUMN base_amount numeric NOT NULL DEFAULT 0;
