-- A catalog brought in from WooCommerce's product CSV (`domain::catalog::woocommerce`).
--
-- How a later import finds a product again: `sku:` its SKU in the file (a variable product's own
-- SKU), else `id:` its WooCommerce ID. NULL for products made here, which an import finds by web
-- address or variant SKU instead.
ALTER TABLE products ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX products_by_import_key ON products (import_key) WHERE import_key IS NOT NULL;
-- Where an imported photo came from (its URL or file name): importing the file again does not
-- fetch it again nor add it twice.
ALTER TABLE product_images ADD COLUMN source TEXT;
