-- A catalog brought in from WooCommerce's product CSV, as SQLite's 0014_catalog_import.sql explains.
ALTER TABLE products ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX products_by_import_key ON products (import_key) WHERE import_key IS NOT NULL;
ALTER TABLE product_images ADD COLUMN source TEXT;
