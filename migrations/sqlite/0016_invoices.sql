-- Invoices and credit notes (`domain::invoices`). A paid order gets its invoice in the callback's
-- transaction; a refunded one its credit note in the refund's. Each document is frozen when issued
-- (seller, buyer, lines, rates, totals as JSON in `document`), so a later change of settings or
-- prices never alters it, and it is never changed or deleted (the triggers below).

-- The company a buyer names at checkout, for a VAT invoice made out to it. Empty: a consumer.
ALTER TABLE orders ADD COLUMN buyer_company      TEXT NOT NULL DEFAULT '' CHECK (length(buyer_company) <= 200);
ALTER TABLE orders ADD COLUMN buyer_company_code TEXT NOT NULL DEFAULT '' CHECK (length(buyer_company_code) <= 40);
ALTER TABLE orders ADD COLUMN buyer_vat_code     TEXT NOT NULL DEFAULT '' CHECK (length(buyer_vat_code) <= 20);
ALTER TABLE orders ADD COLUMN buyer_address      TEXT NOT NULL DEFAULT '' CHECK (length(buyer_address) <= 400);

-- Each way to ship has a VAT class, like a product: the shipping is charged at its rate.
ALTER TABLE shipping_methods ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard'
    CHECK (tax_class IN ('standard', 'reduced', 'super_reduced', 'zero'));

-- The series' prefixes (`TRG-000001`, credit notes `TRGK-000001`). Changing one starts a new
-- series at 1; the old one keeps its numbers.
ALTER TABLE shop_settings ADD COLUMN invoice_series TEXT NOT NULL DEFAULT 'TRG'
    CHECK (length(invoice_series) BETWEEN 1 AND 10 AND invoice_series NOT GLOB '*[^A-Z0-9]*');
ALTER TABLE shop_settings ADD COLUMN credit_note_series TEXT NOT NULL DEFAULT 'TRGK'
    CHECK (length(credit_note_series) BETWEEN 1 AND 10 AND credit_note_series NOT GLOB '*[^A-Z0-9]*');

-- The last number handed out in each series. Taken by an upsert inside the issuing transaction,
-- whose row lock makes the next issuer wait until it commits or rolls back: no gaps, no duplicates.
CREATE TABLE invoice_series (
    series      TEXT    PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number > 0)
);

CREATE TABLE invoices (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    series     TEXT    NOT NULL,
    number     INTEGER NOT NULL CHECK (number > 0),
    -- Never deleted, so neither is its order (no cascade).
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    -- A credit note names the invoice it corrects.
    corrects   INTEGER REFERENCES invoices (id)
               CHECK ((kind = 'credit_note') = (corrects IS NOT NULL)),
    -- UTC instant; `issue_date` the Vilnius day printed on it and reported in i.SAF.
    issued_at  TEXT    NOT NULL,
    issue_date TEXT    NOT NULL CHECK (issue_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    currency   TEXT    NOT NULL CHECK (length(currency) = 3),
    -- Signed: a credit note's are negative. The total is what Paysera was paid (or gave back).
    total_minor INTEGER NOT NULL,
    vat_minor   INTEGER NOT NULL,
    -- Sandbox orders' documents are kept apart from the tax office's (their own series, no i.SAF).
    sandbox    INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1)),
    document   TEXT    NOT NULL,
    UNIQUE (series, number),
    UNIQUE (order_id, kind)
);
CREATE INDEX invoices_by_date ON invoices (issue_date, id);

CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices BEGIN
    SELECT RAISE(ABORT, 'an issued invoice never changes');
END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices BEGIN
    SELECT RAISE(ABORT, 'invoices are never deleted');
END;
