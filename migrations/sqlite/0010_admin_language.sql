-- Each admin works in a language of their own (Lithuanian or English), chosen at account creation
-- (`turgus admin create --lang lt`, the setup link's form) and on the profile page. The admin's
-- pages, messages and CSV export follow it; the shopper's pages do not. Admins made before this
-- worked in the English-only admin, so they keep English until they choose.
ALTER TABLE admins ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'lt'));
