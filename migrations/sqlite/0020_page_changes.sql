-- What the page cache (`page_cache`) is kept by: a row for every change to something a catalog,
-- legal or contact page shows (products, their variants, stock and sales, photos and options,
-- categories, the shop's settings and its legal pages), written by the triggers below whoever makes
-- it: the admin, a checkout taking stock, an order giving it back, the command-line import, or
-- another instance on the same database.
--
-- Each instance reads `COUNT(*)` and `MAX(id)` once a second (and after each request that may have
-- written) and empties its cache when either moved. Both together: a transaction that took its id
-- earlier but commits later adds to the count without moving the maximum. The maintenance task
-- keeps the table short by deleting its rows and writing one new one in the same transaction (the
-- maximum moves, so every instance empties its cache once).
CREATE TABLE page_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT
);
CREATE TRIGGER products_insert_changes_pages AFTER INSERT ON products
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER products_update_changes_pages AFTER UPDATE ON products
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER products_delete_changes_pages AFTER DELETE ON products
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_variants_insert_changes_pages AFTER INSERT ON product_variants
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_variants_update_changes_pages AFTER UPDATE ON product_variants
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_variants_delete_changes_pages AFTER DELETE ON product_variants
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_images_insert_changes_pages AFTER INSERT ON product_images
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_images_update_changes_pages AFTER UPDATE ON product_images
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_images_delete_changes_pages AFTER DELETE ON product_images
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_options_insert_changes_pages AFTER INSERT ON product_options
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_options_update_changes_pages AFTER UPDATE ON product_options
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER product_options_delete_changes_pages AFTER DELETE ON product_options
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER categories_insert_changes_pages AFTER INSERT ON categories
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER categories_update_changes_pages AFTER UPDATE ON categories
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER categories_delete_changes_pages AFTER DELETE ON categories
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER shop_settings_insert_changes_pages AFTER INSERT ON shop_settings
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER shop_settings_update_changes_pages AFTER UPDATE ON shop_settings
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER shop_settings_delete_changes_pages AFTER DELETE ON shop_settings
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER legal_pages_insert_changes_pages AFTER INSERT ON legal_pages
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER legal_pages_update_changes_pages AFTER UPDATE ON legal_pages
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
CREATE TRIGGER legal_pages_delete_changes_pages AFTER DELETE ON legal_pages
    BEGIN INSERT INTO page_changes (id) VALUES (NULL); END;
