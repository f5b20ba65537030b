-- expand: the staff chain journals every user (issue 16). SQLite's journal is appended by the
-- store in Rust (SQLite has no sha256), so this marks the baseline as owed: the store makes the
-- database's identity, journals it and every user that exists, then deletes this row, in one
-- transaction (crates/till-sqlite
-- schema.rs), right after migrating. A crash between the two leaves the row, and the next
-- migration run pays it.
-- The database's identity: made once, by the store's baseline step below (a UUID made in Rust:
-- SQLite has no UUID function), never changed (a changed id no longer matches its journal entry,
-- which verify reports). Shown on the app's screens and by `tillctl doctor`, so a till pointed
-- at another database shows another id.
CREATE TABLE database_identity (
    only_row   INTEGER PRIMARY KEY CHECK (only_row = 1),
    id         BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    created_at TEXT NOT NULL
);

CREATE TABLE pending_staff_baseline (
    only_row integer PRIMARY KEY CHECK (only_row = 1)
);
INSERT INTO pending_staff_baseline (only_row) VALUES (1);

-- A receipt's and a Z's anchor (their QR codes) is their entry's position and hash: found by
-- the row they name.
CREATE INDEX journal_by_ref ON journal (ref_id);
