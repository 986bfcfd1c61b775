-- The admin setup link (src/admin/ssr.rs) gets a table of its own, with an expiry. It used to be a
-- row in shop_meta that lived until the next start, even after an owner existed: whoever read it in
-- a log could give the owner's account a new password. Now a link is valid for 24 hours, only while
-- the shop has no admin, and only once; creating an admin any other way deletes it. At most one
-- link exists (the CHECK on `id`), so every instance prints the same one.
CREATE TABLE admin_setup_link (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    token      TEXT   NOT NULL,
    expires_at TEXT   NOT NULL
);
DELETE FROM shop_meta WHERE key = 'admin_setup_token';
