-- What a variant adds to its SKU, price and stock: a sale, its weight and its photo.
--
-- A sale is a price with an optional start and end, instants in UTC as every timestamp here
-- (`2026-11-26T22:00:00.000Z`: midnight in Vilnius, the shop's time zone, where the merchant's
-- dates are read). The end is exclusive: a sale "until 30 November" ends at the start of
-- 1 December. Which price is in force is decided at the moment asked (`catalog::price_in_force`),
-- by the same expression for the page, the cart and the order: a sale never raises a price.
ALTER TABLE product_variants ADD COLUMN sale_price_minor INTEGER
    CHECK (sale_price_minor IS NULL OR sale_price_minor >= 0);
ALTER TABLE product_variants ADD COLUMN sale_from TEXT;
ALTER TABLE product_variants ADD COLUMN sale_until TEXT;
-- Grams: what a carrier's price or a label needs later, exact without decimals.
ALTER TABLE product_variants ADD COLUMN weight_grams INTEGER
    CHECK (weight_grams IS NULL OR weight_grams BETWEEN 0 AND 1000000);
-- One of its product's photos (the Navy shirt's), shown when the variant is chosen; a removed
-- photo leaves the variant with its product's photos.
ALTER TABLE product_variants ADD COLUMN image_id INTEGER
    REFERENCES product_images (id) ON DELETE SET NULL;

-- When a product's page last changed (its text, prices, photos or variants), and a category's:
-- the sitemap's `lastmod`, and (with their counts) the version its cache is kept by. Set by the
-- application on every such write; a page that never changed since this migration has its
-- creation time.
ALTER TABLE products ADD COLUMN updated_at TEXT;
UPDATE products SET updated_at = created_at;
ALTER TABLE categories ADD COLUMN updated_at TEXT;
