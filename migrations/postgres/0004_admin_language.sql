-- Each admin's own language, as SQLite's 0010_admin_language.sql explains.
ALTER TABLE admins ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'lt'));
