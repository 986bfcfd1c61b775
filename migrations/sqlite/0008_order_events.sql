-- An order's history records typed events (src/orders/events.rs): what kind of change it was
-- (`shipped`, `paid`, …) and its data as JSON (`{"by": "owner@example.lt", "note": "DPD 123"}`),
-- written out in words only when the admin shows the history. Events recorded before keep their
-- sentence in `note`, under the kind `note`.
ALTER TABLE order_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'note';
ALTER TABLE order_events ADD COLUMN data TEXT NOT NULL DEFAULT '{}';
CREATE INDEX order_events_by_kind ON order_events (order_id, kind);
