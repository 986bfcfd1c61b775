-- The people who run the shop from /admin.
CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    -- One account per address, whatever its capitalisation.
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- An Argon2id PHC string (parameters and salt included), never the password.
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
