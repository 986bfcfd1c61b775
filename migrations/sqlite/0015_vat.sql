-- VAT as data: rates per country and tax class, each from a day on, so a rate change on a future
-- date needs no release (`domain::vat`). Amounts are VAT-inclusive consumer prices; an order line
-- freezes the class and rate it was sold at.
--
-- Rates in basis points (21 % = 2100). `valid_from` is a day in Europe/Vilnius; the rate in force
-- on a day is the one with the latest `valid_from` not after it.
CREATE TABLE vat_rates (
    country    TEXT    NOT NULL CHECK (length(country) = 2 AND country NOT GLOB '*[^A-Z]*'),
    tax_class  TEXT    NOT NULL CHECK (tax_class IN ('standard', 'reduced', 'super_reduced', 'zero')),
    rate_bp    INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    valid_from TEXT    NOT NULL CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    PRIMARY KEY (country, tax_class, valid_from)
);
-- Lithuania: 21 / 12 / 5 / 0 from 2026-01-01, when Law XV-287 (amending PVM įstatymas art. 19)
-- abolished the 9 % rate and moved its goods to 12 % or 21 %; source: VMI, vmi.lt "PVM tarifai".
-- Latvia: 21 / 12 / 5 / 0 (PVN likums art. 41 and 42; VID, vid.gov.lv "PVN likmes").
-- Estonia: 24 % from 2025-07-01 (käibemaksuseadus § 15 as amended in 2024), 13 % accommodation
-- from 2025-01-01, 9 % books, medicines and press; source: EMTA, emta.ee "Käibemaksumäärad".
INSERT INTO vat_rates (country, tax_class, rate_bp, valid_from) VALUES
    ('LT', 'standard', 2100, '2026-01-01'), ('LT', 'reduced', 1200, '2026-01-01'),
    ('LT', 'super_reduced', 500, '2026-01-01'), ('LT', 'zero', 0, '2026-01-01'),
    ('LV', 'standard', 2100, '2026-01-01'), ('LV', 'reduced', 1200, '2026-01-01'),
    ('LV', 'super_reduced', 500, '2026-01-01'), ('LV', 'zero', 0, '2026-01-01'),
    ('EE', 'standard', 2400, '2025-07-01'), ('EE', 'reduced', 1300, '2025-07-01'),
    ('EE', 'super_reduced', 900, '2025-07-01'), ('EE', 'zero', 0, '2025-07-01');

-- Each product (and so its variants) has a tax class; standard unless the merchant says otherwise.
ALTER TABLE products ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard'
    CHECK (tax_class IN ('standard', 'reduced', 'super_reduced', 'zero'));
-- The seller's country: whose rates apply to its sales (until OSS registration says otherwise).
ALTER TABLE shop_settings ADD COLUMN seller_country TEXT NOT NULL DEFAULT 'LT'
    CHECK (length(seller_country) = 2 AND seller_country NOT GLOB '*[^A-Z]*');
-- Whether the seller is registered for VAT. A non-payer's orders carry no VAT at all.
ALTER TABLE shop_settings ADD COLUMN vat_payer INTEGER NOT NULL DEFAULT 1 CHECK (vat_payer IN (0, 1));
-- What a line and the shipping were sold at. NULL on orders placed before VAT was kept.
ALTER TABLE order_lines ADD COLUMN tax_class TEXT;
ALTER TABLE order_lines ADD COLUMN vat_rate_bp INTEGER CHECK (vat_rate_bp IS NULL OR vat_rate_bp BETWEEN 0 AND 10000);
ALTER TABLE orders ADD COLUMN shipping_vat_rate_bp INTEGER
    CHECK (shipping_vat_rate_bp IS NULL OR shipping_vat_rate_bp BETWEEN 0 AND 10000);
