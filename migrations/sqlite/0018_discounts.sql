-- Discount codes (`domain::discounts`). A code takes a percentage or a fixed amount off the goods
-- it applies to, or makes the chosen shipping free; an order carries at most one, frozen with the
-- share of the discount each line got, so its VAT per rate is computed from what was charged.

CREATE TABLE discount_codes (
    id          INTEGER PRIMARY KEY,
    -- Stored in capitals: shoppers type codes in any case.
    code        TEXT    NOT NULL UNIQUE
                        CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Z0-9-]*'),
    kind        TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed', 'free_shipping')),
    -- A percentage in hundredths of a percent (10 % is 1000), or a fixed amount in minor units;
    -- 0 for free shipping.
    value       INTEGER NOT NULL CHECK (value >= 0 AND (kind <> 'percent' OR value BETWEEN 1 AND 10000)),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    -- The goods (in scope or not, before the discount) must come to at least this.
    min_goods_minor INTEGER NOT NULL DEFAULT 0 CHECK (min_goods_minor >= 0),
    -- Vilnius days, both included; NULL: no bound.
    valid_from  TEXT    CHECK (valid_from IS NULL OR valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    valid_until TEXT    CHECK (valid_until IS NULL OR valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- NULL: unlimited. `uses` counts orders holding a use (unpaid ones too); the conditional
    -- update that takes one is what keeps it within the limit, this CHECK the last defence.
    max_uses    INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
    uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    max_uses_per_email INTEGER CHECK (max_uses_per_email IS NULL OR max_uses_per_email BETWEEN 1 AND 100),
    -- What it applies to: every product, those of some categories, or some products.
    scope       TEXT    NOT NULL DEFAULT 'all' CHECK (scope IN ('all', 'categories', 'products')),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- A code that was used is archived instead of deleted: orders name it.
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    note        TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at  TEXT    NOT NULL
);

-- The categories or products a code is limited to (by its `scope`).
CREATE TABLE discount_scope (
    code_id     INTEGER NOT NULL REFERENCES discount_codes (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories (id) ON DELETE CASCADE,
    product_id  INTEGER REFERENCES products (id) ON DELETE CASCADE,
    CHECK ((category_id IS NULL) <> (product_id IS NULL))
);
CREATE INDEX discount_scope_by_code ON discount_scope (code_id);

-- One row per order holding a use of a code, taken in the placing transaction and deleted when the
-- unpaid order is cancelled or expires. `slot` numbers a shopper's uses of the code from 1 up to
-- its limit per e-mail: the unique index refuses a second order racing for the same slot.
CREATE TABLE discount_uses (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
    code_id     INTEGER NOT NULL REFERENCES discount_codes (id),
    email       TEXT    NOT NULL,
    slot        INTEGER NOT NULL CHECK (slot >= 1),
    UNIQUE (code_id, email, slot)
);

-- Who changed which code, and how; kept by the code's name when an unused code is deleted.
CREATE TABLE discount_events (
    id          INTEGER PRIMARY KEY,
    code_id     INTEGER REFERENCES discount_codes (id) ON DELETE SET NULL,
    code        TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    admin_email TEXT    NOT NULL,
    change      TEXT    NOT NULL
);

-- The order's code and what it took off: `subtotal_minor` is the goods as charged (after the
-- discount) and `shipping_minor` the shipping as charged, so the total stays their sum.
ALTER TABLE orders ADD COLUMN discount_code TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0);
ALTER TABLE orders ADD COLUMN shipping_discount_minor INTEGER NOT NULL DEFAULT 0 CHECK (shipping_discount_minor >= 0);
-- Each line's share of the goods discount; the line is charged `line_total_minor - discount_minor`.
ALTER TABLE order_lines ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0
    CHECK (discount_minor >= 0 AND discount_minor <= line_total_minor);
CREATE INDEX orders_by_discount_code ON orders (discount_code) WHERE discount_code <> '';
