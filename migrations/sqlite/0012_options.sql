-- Options: up to three per product (Dydis / Size, Spalva / Colour), each with its values in the
-- merchant's order, one per line. A variant names one value of each in option1..option3: a
-- combination is one row, found by one index (Shopify's shape). A product without options has one
-- variant whose option columns are NULL.
CREATE TABLE product_options (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    choices    TEXT    NOT NULL CHECK (length(choices) BETWEEN 1 AND 2000),
    UNIQUE (product_id, position)
);
ALTER TABLE product_variants ADD COLUMN option1 TEXT;
ALTER TABLE product_variants ADD COLUMN option2 TEXT;
ALTER TABLE product_variants ADD COLUMN option3 TEXT;
CREATE UNIQUE INDEX product_variants_by_options
    ON product_variants (product_id, option1, COALESCE(option2, ''), COALESCE(option3, ''))
    WHERE option1 IS NOT NULL;

-- An order line freezes the values it was bought in (`M, Navy`), beside its name and SKU.
ALTER TABLE order_lines ADD COLUMN options TEXT NOT NULL DEFAULT '';
