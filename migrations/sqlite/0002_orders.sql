-- Orders and payments.
--
-- An order is a small state machine (see src/orders/mod.rs):
--   pending_payment → paid        (an authentic Paysera callback: status 1, not a test, right amount and currency)
--   pending_payment → cancelled   (the shopper cancelled at Paysera)
--   pending_payment → expired     (unpaid for longer than TURGUS_ORDER_TTL_MINUTES)
--   cancelled/expired → paid      (a late payment: stock is re-reserved, or the order is flagged for review)
-- Nothing leaves `paid` automatically.

-- Order numbers are sent to Paysera as `orderid`, and callbacks name orders by them, so a number
-- must never be reused, not even after orders are deleted. AUTOINCREMENT guarantees that in SQLite:
-- it remembers the highest number ever handed out.
CREATE TABLE order_numbers (
    number     INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Nor after a reset: a new database starts counting at the seconds elapsed since 2024-01-01, so it
-- begins above every number an earlier database of this shop handed out (unless that one averaged
-- more than an order per second). Paysera keeps old callbacks; they must never match a new order.
INSERT INTO sqlite_sequence (name, seq)
VALUES ('order_numbers', CAST(strftime('%s', 'now') AS INTEGER) - 1704067200);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE REFERENCES order_numbers (number),
    -- The shopper's link to the order's status page. Unguessable, so that order numbers (which
    -- are sequential) reveal nothing.
    public_token    TEXT    NOT NULL UNIQUE CHECK (length(public_token) >= 32),
    status          TEXT    NOT NULL DEFAULT 'pending_payment'
                            CHECK (status IN ('pending_payment', 'paid', 'cancelled', 'expired')),
    -- Set when a payment did not match (amount, currency, test payment, late payment without
    -- stock): a person must look at it.
    needs_review    INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    subtotal_minor  INTEGER NOT NULL CHECK (subtotal_minor >= 0),
    shipping_minor  INTEGER NOT NULL CHECK (shipping_minor >= 0),
    -- The total is what Paysera must confirm to the cent; it is derived, never typed.
    total_minor     INTEGER NOT NULL CHECK (total_minor = subtotal_minor + shipping_minor),
    email           TEXT    NOT NULL,
    first_name      TEXT    NOT NULL,
    last_name       TEXT    NOT NULL,
    street          TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    postcode        TEXT    NOT NULL,
    country         TEXT    NOT NULL CHECK (length(country) = 2),
    shipping_method TEXT    NOT NULL,
    -- The Paysera method key the shopper picked (e.g. `smsbank`); NULL: chosen at Paysera.
    payment_method  TEXT,
    -- A double click or a resubmitted form carries the same key and gets the same order.
    checkout_key    TEXT    UNIQUE,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    paid_at         TEXT
);

CREATE INDEX orders_by_status ON orders (status, created_at);

-- Lines are frozen copies: later price or name changes do not rewrite what was bought.
CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       INTEGER REFERENCES products (id) ON DELETE SET NULL,
    name             TEXT    NOT NULL,
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    line_total_minor INTEGER NOT NULL CHECK (line_total_minor = unit_price_minor * quantity)
);

CREATE INDEX order_lines_by_order ON order_lines (order_id);

-- Every state change, with why: the order's history.
CREATE TABLE order_events (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    note        TEXT    NOT NULL
);

-- Every callback received, raw, with the verdict it got. Append-only: the payment log is evidence,
-- so the triggers below refuse to change or delete it.
CREATE TABLE payment_callbacks (
    id             INTEGER PRIMARY KEY,
    received_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- The query string or form body exactly as received.
    raw            TEXT    NOT NULL,
    authentic      INTEGER NOT NULL CHECK (authentic IN (0, 1)),
    verified_by    TEXT,
    -- What Paysera said, decoded (NULL for inauthentic callbacks: never decoded).
    order_number   TEXT,
    order_id       INTEGER REFERENCES orders (id),
    paysera_status TEXT,
    test           INTEGER,
    amount_minor   INTEGER,
    currency       TEXT,
    params_json    TEXT,
    verdict        TEXT    NOT NULL,
    detail         TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX payment_callbacks_by_order ON payment_callbacks (order_id, id);

CREATE TRIGGER payment_callbacks_no_update BEFORE UPDATE ON payment_callbacks BEGIN
    SELECT RAISE(ABORT, 'payment_callbacks is append-only');
END;

CREATE TRIGGER payment_callbacks_no_delete BEFORE DELETE ON payment_callbacks BEGIN
    SELECT RAISE(ABORT, 'payment_callbacks is append-only');
END;
