-- The shop speaks Lithuanian and English (locales/*.json). An order remembers the language it was
-- placed in: its e-mails are written in it, and Paysera's page was shown in it. Orders placed
-- before there was a choice were placed in English.
--
-- A code, not a CHECK'd list: adding a language is adding a file, and an order in a language the
-- shop no longer speaks is written to in the default one.
ALTER TABLE orders ADD COLUMN locale TEXT NOT NULL DEFAULT 'en' CHECK (length(locale) BETWEEN 2 AND 10);
