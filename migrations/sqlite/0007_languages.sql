-- The shop speaks Lithuanian and English (locales/*.json). An order remembers the language it was
-- placed in: its e-mails are written in it, and Paysera's page was shown in it. Orders placed
-- before there was a choice were placed in English.
--
-- A code, not a CHECK'd list: adding a language is adding a file, and an order in a language the
-- shop no longer speaks is written to in the default one.
ALTER TABLE orders ADD COLUMN locale TEXT NOT NULL DEFAULT 'en' CHECK (length(locale) BETWEEN 2 AND 10);

-- A shipping method's name and description in another language, where the merchant gave one:
-- checkout shows it to shoppers browsing in that language, and an order freezes the name the
-- shopper saw. Without one, `shipping_methods.name` and `description` stand for every language.
CREATE TABLE shipping_method_texts (
    method_id   INTEGER NOT NULL REFERENCES shipping_methods (id) ON DELETE CASCADE,
    locale      TEXT    NOT NULL CHECK (length(locale) BETWEEN 2 AND 10),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    description TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    PRIMARY KEY (method_id, locale)
);

-- The three methods every shop started with, in Lithuanian (a merchant who renamed one keeps
-- their own name: only the untouched ones get these).
INSERT INTO shipping_method_texts (method_id, locale, name, description)
SELECT id, 'lt', t.name, t.description
FROM shipping_methods
JOIN (SELECT 'courier' AS code, 'Courier to your door' AS was,
             'Kurjeris iki durų' AS name, 'Pristatome per 1–3 darbo dienas.' AS description
      UNION ALL SELECT 'locker', 'Parcel locker',
             'Paštomatas', 'Atsiimkite siuntą artimiausiame paštomate.'
      UNION ALL SELECT 'pickup', 'Pick up in Vilnius',
             'Atsiėmimas Vilniuje', 'Mūsų dirbtuvėse, darbo dienomis.') AS t
  ON t.code = shipping_methods.code AND t.was = shipping_methods.name;
