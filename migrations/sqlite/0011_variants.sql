-- Variants: the unit the shop sells, stocks, reserves and reports. A product with no options
-- (every product until now) has exactly one variant, so stock, cart lines, reservations and order
-- lines always point at a variant: one stock model, no special case for simple products. Options
-- (size, colour) and their combinations come on top of this table.
CREATE TABLE product_variants (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    -- Unique in the shop, whatever its capitals: the merchant's (and the accountant's) name for it.
    sku         TEXT    NOT NULL COLLATE NOCASE UNIQUE
                        CHECK (length(sku) BETWEEN 1 AND 120 AND sku NOT GLOB '*[^A-Za-z0-9._-]*'),
    -- NULL: the product's price.
    price_minor INTEGER CHECK (price_minor IS NULL OR price_minor >= 0),
    -- Never below zero: reservations are conditional updates, and this CHECK is the last line of
    -- defence if one ever is not (it moved here from `products.stock`).
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_variants_by_product ON product_variants (product_id, position);

-- Every existing product becomes its one variant, under the product's own id (so a cart kept in a
-- session before the upgrade still names the same thing) and its web address as the SKU.
INSERT INTO product_variants (id, product_id, sku, stock)
    SELECT id, id, slug, stock FROM products;
ALTER TABLE products DROP COLUMN stock;

-- Order lines name the variant they sold and freeze its SKU, like its name and price.
ALTER TABLE order_lines ADD COLUMN variant_id INTEGER REFERENCES product_variants (id) ON DELETE SET NULL;
ALTER TABLE order_lines ADD COLUMN sku TEXT NOT NULL DEFAULT '';
UPDATE order_lines SET variant_id = product_id,
                       sku = COALESCE((SELECT v.sku FROM product_variants v WHERE v.id = order_lines.product_id), '')
    WHERE product_id IS NOT NULL;
