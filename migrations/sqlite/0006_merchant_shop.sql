-- The merchant's shop: settings that were compiled in (the shop's name, the shipping methods) or
-- missing (who the seller is, the legal texts), and the e-mails orders send.

-- One row: the shop's identity and its payment switches. The seller's details are shown in the
-- footer and on the contact page, as EU consumer law expects of an online seller.
CREATE TABLE shop_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    shop_name     TEXT    NOT NULL CHECK (length(shop_name) BETWEEN 1 AND 80),
    legal_name    TEXT    NOT NULL DEFAULT '' CHECK (length(legal_name) <= 200),
    company_code  TEXT    NOT NULL DEFAULT '' CHECK (length(company_code) <= 40),
    vat_code      TEXT    NOT NULL DEFAULT '' CHECK (length(vat_code) <= 40),
    address       TEXT    NOT NULL DEFAULT '' CHECK (length(address) <= 400),
    contact_email TEXT    NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
    contact_phone TEXT    NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    -- Offer Paysera's SMS bank at checkout, and ask Paysera for test payments. The environment
    -- (TURGUS_PAYSERA_SMSBANK, TURGUS_PAYSERA_TEST) wins where it is set.
    smsbank       INTEGER NOT NULL DEFAULT 1 CHECK (smsbank IN (0, 1)),
    test_payments INTEGER NOT NULL DEFAULT 0 CHECK (test_payments IN (0, 1))
);
INSERT INTO shop_settings (id, shop_name) VALUES (1, 'Turgus');

-- Ways to ship, priced in the shop's currency. Checkout offers the active ones that serve the
-- shopper's country; an order keeps a frozen copy of the chosen one's name and price.
CREATE TABLE shipping_methods (
    id               INTEGER PRIMARY KEY,
    -- What the checkout form posts (`shipping=courier`).
    code             TEXT    NOT NULL UNIQUE
                             CHECK (length(code) BETWEEN 1 AND 40 AND code NOT GLOB '*[^a-z0-9-]*'),
    name             TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    description      TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    price_minor      INTEGER NOT NULL CHECK (price_minor >= 0),
    -- ISO 3166 alpha-2 codes, comma-separated: `LT,LV,EE`.
    countries        TEXT    NOT NULL CHECK (countries GLOB '[A-Z][A-Z]*' AND countries NOT GLOB '*[^A-Z,]*'),
    -- Free of charge when the goods come to at least this much (NULL: never free).
    free_above_minor INTEGER CHECK (free_above_minor IS NULL OR free_above_minor > 0),
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position         INTEGER NOT NULL DEFAULT 0
);

-- Until now the shop's three methods were compiled in: they become rows, so a running shop keeps
-- offering them (and the demo starts with them).
INSERT INTO shipping_methods (code, name, description, price_minor, countries, position) VALUES
    ('courier', 'Courier to your door', 'Delivered in 1–3 working days.', 390, 'LT,LV,EE,PL,FI,DE', 1),
    ('locker', 'Parcel locker', 'Collect it from a parcel locker near you.', 250, 'LT,LV,EE', 2),
    ('pickup', 'Pick up in Vilnius', 'From our workshop, on working days.', 0, 'LT', 3);

-- What the shopper chose, frozen like the lines: renaming a method later does not rewrite orders.
-- `shipping_method` keeps the code.
ALTER TABLE orders ADD COLUMN shipping_name TEXT NOT NULL DEFAULT '';
UPDATE orders SET shipping_name = CASE shipping_method
    WHEN 'courier' THEN 'Courier to your door'
    WHEN 'locker' THEN 'Parcel locker'
    WHEN 'pickup' THEN 'Pick up in Vilnius'
    ELSE shipping_method END;

-- Terms of sale, privacy policy, returns and withdrawal: Markdown as the merchant wrote it. Pages
-- render it to HTML and sanitise the result, so no raw HTML gets through.
CREATE TABLE legal_pages (
    slug        TEXT    PRIMARY KEY CHECK (slug IN ('terms', 'privacy', 'returns')),
    markdown    TEXT    NOT NULL CHECK (length(markdown) <= 100000),
    -- The demo's text, not the merchant's: the page says so until the merchant saves their own.
    placeholder INTEGER NOT NULL DEFAULT 0 CHECK (placeholder IN (0, 1)),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Who changed which setting, and how: audited like order actions.
CREATE TABLE settings_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    admin_email TEXT    NOT NULL,
    change      TEXT    NOT NULL
);

-- E-mails, as a transactional outbox: a row is written in the same transaction as the order change
-- that causes it, under a key unique to that event (`order-paid:42:shopper`), so a change that is
-- applied once sends once, however many duplicate callbacks arrive. A worker sends outside any
-- transaction; the lease (`locked_until`) keeps two workers from sending the same row.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    event_key       TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL
                            CHECK (kind IN ('order_confirmation', 'new_order', 'order_shipped',
                                            'order_cancelled', 'payment_review')),
    order_id        INTEGER REFERENCES orders (id),
    -- The sender as the shop was named when the e-mail was written (the subject and text name it
    -- so too), and its contact address, the sender when TURGUS_MAIL_FROM is not set.
    from_name       TEXT    NOT NULL DEFAULT '',
    from_addr       TEXT    NOT NULL DEFAULT '',
    to_addr         TEXT    NOT NULL,
    -- The recipient's name for the `To` header (the shopper's), empty for the merchant.
    to_name         TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    -- Stable across retries: a resend after a crash is recognisably the same message.
    message_id      TEXT    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    locked_until    TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT,
    -- In sandbox mode each e-mail is also written to the data folder: where.
    eml_file        TEXT,
    CHECK (sent_at IS NULL OR failed_at IS NULL)
);

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX email_outbox_by_order ON email_outbox (order_id);
