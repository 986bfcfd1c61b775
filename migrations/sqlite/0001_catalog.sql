-- The catalog: categories, products and their images, plus full-text search over products.
--
-- Money is stored as INTEGER minor units (cents) next to an ISO currency code, never as REAL:
-- floating point cannot represent 0.10 exactly, and a shop must add up to the cent.

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    -- Slugs appear in URLs (/c/{slug}); restricting them to lower-case ASCII, digits and dashes keeps
    -- every URL canonical and free of escaping surprises.
    slug        TEXT    NOT NULL UNIQUE
                        CHECK (length(slug) BETWEEN 1 AND 80 AND slug NOT GLOB '*[^a-z0-9-]*'),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    slug        TEXT    NOT NULL UNIQUE
                        CHECK (length(slug) BETWEEN 1 AND 120 AND slug NOT GLOB '*[^a-z0-9-]*'),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Plain text. Pages render it escaped, so whatever a merchant types stays inert.
    description TEXT    NOT NULL DEFAULT '',
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    -- The shop checks at start-up that every product is priced in the configured currency, so a
    -- cart never mixes currencies.
    currency    TEXT    NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    -- Stock never goes below zero, however many shoppers buy at once: reservations are conditional
    -- updates, and this CHECK is the last line of defence if one ever is not.
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    -- Inactive products stay in the database (orders refer to them) but are not for sale.
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    featured    INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX products_by_category ON products (category_id, active);

CREATE TABLE product_images (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    -- A site-relative URL such as /images/products/linen-apron.svg.
    path       TEXT    NOT NULL CHECK (path GLOB '/*'),
    -- Alt text is required: shoppers using screen readers buy things too.
    alt        TEXT    NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX product_images_by_product ON product_images (product_id, position);

-- Full-text search (FTS5) over product names and descriptions. An external-content table: the
-- text lives once, in `products`; the triggers below keep the index in step.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    name,
    description,
    content = 'products',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
END;

CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.id, old.name, old.description);
END;

CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.id, old.name, old.description);
    INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
END;

-- Facts about this installation, such as whether the demo catalog was ever loaded (so that a
-- merchant who deletes the demo products does not get them back on the next start).
CREATE TABLE shop_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
