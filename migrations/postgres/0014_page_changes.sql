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
    id BIGSERIAL PRIMARY KEY
);

-- One row per statement, however many rows it changed (an import's thousands of variants).
CREATE FUNCTION note_page_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO page_changes DEFAULT VALUES;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_change_pages AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER product_variants_change_pages AFTER INSERT OR UPDATE OR DELETE ON product_variants
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER product_images_change_pages AFTER INSERT OR UPDATE OR DELETE ON product_images
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER product_options_change_pages AFTER INSERT OR UPDATE OR DELETE ON product_options
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER categories_change_pages AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER shop_settings_change_pages AFTER INSERT OR UPDATE OR DELETE ON shop_settings
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
CREATE TRIGGER legal_pages_change_pages AFTER INSERT OR UPDATE OR DELETE ON legal_pages
    FOR EACH STATEMENT EXECUTE FUNCTION note_page_change();
