-- A variant's sale, weight and photo, as SQLite's 0013_variant_sales.sql explains.
ALTER TABLE product_variants ADD COLUMN sale_price_minor BIGINT
    CHECK (sale_price_minor IS NULL OR sale_price_minor >= 0);
ALTER TABLE product_variants ADD COLUMN sale_from TEXT;
ALTER TABLE product_variants ADD COLUMN sale_until TEXT;
ALTER TABLE product_variants ADD COLUMN weight_grams BIGINT
    CHECK (weight_grams IS NULL OR weight_grams BETWEEN 0 AND 1000000);
ALTER TABLE product_variants ADD COLUMN image_id BIGINT
    REFERENCES product_images (id) ON DELETE SET NULL;

-- When a product's or category's page last changed: the sitemap's `lastmod` (see SQLite's 0013).
ALTER TABLE products ADD COLUMN updated_at TEXT;
UPDATE products SET updated_at = created_at;
ALTER TABLE categories ADD COLUMN updated_at TEXT;
