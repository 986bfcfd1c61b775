-- Parcel lockers and pick-up points (`domain::pickup_points`). A shipping method with a carrier
-- delivers to one of that carrier's points, which the shopper picks at checkout; the shop keeps
-- each carrier's list, refreshed from the carrier's public feed, and an order freezes the point.

-- The last good list of each carrier, replaced whole in one transaction by a list that passed its
-- checks.
CREATE TABLE pickup_points (
    carrier     TEXT    NOT NULL CHECK (carrier IN ('omniva', 'dpd', 'venipak', 'lpexpress')),
    id          TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 40),
    country     TEXT    NOT NULL CHECK (length(country) = 2),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city        TEXT    NOT NULL CHECK (length(city) <= 100),
    address     TEXT    NOT NULL CHECK (length(address) <= 200),
    postcode    TEXT    NOT NULL CHECK (length(postcode) <= 20),
    -- Degrees; NULL where the carrier does not know.
    latitude    REAL,
    longitude   REAL,
    locker      INTEGER NOT NULL CHECK (locker IN (0, 1)),
    PRIMARY KEY (carrier, id)
);
CREATE INDEX pickup_points_by_country ON pickup_points (carrier, country, city, name);

-- Each carrier's list as the admin sees it: how many points, from where (`feed`, `file` loaded by
-- the merchant, or the bundled `sample`), when it was last good, the last refusal and why.
-- `next_at` is when the list is next due; an instance claims a refresh by moving it forward with a
-- conditional update, so several instances on one database download each list once.
CREATE TABLE pickup_feeds (
    carrier      TEXT    PRIMARY KEY CHECK (carrier IN ('omniva', 'dpd', 'venipak', 'lpexpress')),
    points       INTEGER NOT NULL DEFAULT 0,
    source       TEXT    NOT NULL DEFAULT '' CHECK (source IN ('', 'feed', 'file', 'sample')),
    refreshed_at TEXT,
    error        TEXT    NOT NULL DEFAULT '' CHECK (length(error) <= 500),
    error_at     TEXT,
    next_at      TEXT
);
INSERT INTO pickup_feeds (carrier) VALUES ('omniva'), ('dpd'), ('venipak'), ('lpexpress');

-- NULL: delivered to the shopper's address; a carrier: to one of its points.
ALTER TABLE shipping_methods ADD COLUMN carrier TEXT
    CHECK (carrier IS NULL OR carrier IN ('omniva', 'dpd', 'venipak', 'lpexpress'));

-- The demo's "Parcel locker" becomes Omniva's, where the merchant left it as it was.
UPDATE shipping_methods SET carrier = 'omniva', name = 'Omniva parcel locker'
 WHERE code = 'locker' AND name = 'Parcel locker';
UPDATE shipping_method_texts SET name = 'Omniva paštomatas'
 WHERE locale = 'lt' AND name = 'Paštomatas'
   AND method_id IN (SELECT id FROM shipping_methods WHERE code = 'locker' AND carrier = 'omniva');

-- The point an order goes to, frozen as it was when placed (the carrier's list may drop it
-- later), and the phone number the carrier texts the pick-up code to (+370…).
ALTER TABLE orders ADD COLUMN phone TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 16);
ALTER TABLE orders ADD COLUMN pickup_carrier TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN pickup_point_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN pickup_point TEXT NOT NULL DEFAULT '' CHECK (length(pickup_point) <= 500);
