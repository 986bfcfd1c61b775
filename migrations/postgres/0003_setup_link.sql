-- The admin setup link with an expiry, as SQLite's 0009_setup_link.sql explains.
CREATE TABLE admin_setup_link (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    token      TEXT   NOT NULL,
    expires_at TEXT   NOT NULL
);
DELETE FROM shop_meta WHERE key = 'admin_setup_token';
