-- The EU's One-Stop Shop (`domain::vat`). A seller's cross-border sales to consumers are charged
-- at the seller's country's rates until they pass 10,000 € net in a calendar year (the admin's
-- overview counts them); a seller registered for OSS charges the buyer's country's rates
-- instead and declares that VAT in the quarterly OSS return, not in the home VAT return.

-- Registered for OSS: a consumer's order (no VAT code) shipped to another country whose rates
-- the shop knows is charged at that country's rates.
ALTER TABLE shop_settings ADD COLUMN oss_registered BOOLEAN NOT NULL DEFAULT FALSE;
-- The order was charged at the buyer's country's rates under OSS: its invoice is declared in
-- the OSS return and left out of the month's i.SAF register.
ALTER TABLE orders ADD COLUMN oss_sale BOOLEAN NOT NULL DEFAULT FALSE;
