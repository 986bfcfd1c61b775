-- Typed order events, as SQLite's 0008_order_events.sql explains.
ALTER TABLE order_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'note';
ALTER TABLE order_events ADD COLUMN data TEXT NOT NULL DEFAULT '{}';
CREATE INDEX order_events_by_kind ON order_events (order_id, kind);
