-- What the merchant does after a payment, and product photos uploaded in the admin.
--
-- Shipping and refunding are recorded beside the payment state (orders.status), not as more
-- states of it: a paid order stays `paid` (Paysera did confirm the money) whether it has been
-- shipped or refunded since. Both only ever apply to paid orders.
ALTER TABLE orders ADD COLUMN shipped_at TEXT CHECK (shipped_at IS NULL OR status = 'paid');
-- Refunds are made in Paysera's own panel; the shop records that one was made, with a note in
-- the order's history.
ALTER TABLE orders ADD COLUMN refunded_at TEXT CHECK (refunded_at IS NULL OR status = 'paid');

-- The admin's order list filters and sorts by date; the dashboard sums sales by payment date.
CREATE INDEX orders_by_created_at ON orders (created_at);
CREATE INDEX orders_by_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;

-- Uploaded photos are resized twice: `path` is the large picture for the product page,
-- `thumb_path` the small one for listings (NULL for the demo drawings, which scale themselves).
ALTER TABLE product_images ADD COLUMN thumb_path TEXT CHECK (thumb_path IS NULL OR thumb_path GLOB '/*');
