-- Going live: what strangers can make the shop keep is bounded, and payments that need a person's
-- eyes are told apart.

-- Refused callbacks are evidence of an attack or a misconfiguration, not of a payment. They were
-- stored whole and forever, so anyone could fill the disk with them. Now only their first 2 KiB are
-- kept in `raw`, with the byte length and SHA-256 of the whole as received, and they may be deleted
-- once older than the retention setting. Authentic callbacks stay whole and can never be deleted.
ALTER TABLE payment_callbacks ADD COLUMN raw_bytes INTEGER CHECK (raw_bytes IS NULL OR raw_bytes >= 0);
ALTER TABLE payment_callbacks ADD COLUMN raw_sha256 TEXT CHECK (raw_sha256 IS NULL OR length(raw_sha256) = 64);
-- Paysera's id of the payment: a second authentic payment for a paid order has another one, and
-- the order is flagged as paid twice so the merchant can refund it.
ALTER TABLE payment_callbacks ADD COLUMN request_id TEXT;

-- Fill request_id for callbacks stored before it existed. The log is append-only, so its guard
-- steps aside for this one backfill and comes straight back.
DROP TRIGGER payment_callbacks_no_update;
UPDATE payment_callbacks SET request_id = json_extract(params_json, '$.requestid')
WHERE authentic = 1 AND params_json IS NOT NULL;
CREATE TRIGGER payment_callbacks_no_update BEFORE UPDATE ON payment_callbacks BEGIN
    SELECT RAISE(ABORT, 'payment_callbacks is append-only');
END;

DROP TRIGGER payment_callbacks_no_delete;
CREATE TRIGGER payment_callbacks_no_delete BEFORE DELETE ON payment_callbacks
WHEN old.authentic = 1 BEGIN
    SELECT RAISE(ABORT, 'authentic payment callbacks are kept forever');
END;

CREATE INDEX payment_callbacks_refused_by_age ON payment_callbacks (received_at) WHERE authentic = 0;

-- Orders placed against the built-in sandbox were never paid with real money: the admin marks them.
ALTER TABLE orders ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1));
-- Who placed an unpaid order, to limit how much stock one visitor can hold: a random key kept in
-- the shopper's session, and the client's address (behind trusted proxies, the forwarded one).
ALTER TABLE orders ADD COLUMN shopper_key TEXT;
ALTER TABLE orders ADD COLUMN client_ip TEXT;
CREATE INDEX orders_unpaid_by_shopper ON orders (shopper_key) WHERE status = 'pending_payment';
CREATE INDEX orders_unpaid_by_client ON orders (client_ip) WHERE status = 'pending_payment';

-- A product may be limited to so many units per order (a launch, a scarce item). NULL: no limit
-- beyond the stock.
ALTER TABLE products ADD COLUMN max_per_order INTEGER CHECK (max_per_order IS NULL OR max_per_order > 0);

-- Bumped when an admin's password changes: sessions logged in under an older epoch end.
ALTER TABLE admins ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
