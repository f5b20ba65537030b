-- expand: the staff chain journals every user (issue 16). SQLite's journal is appended by the
-- store in Rust (SQLite has no sha256), so this marks the baseline as owed: the store journals
-- every user that exists, then deletes this row, in one transaction (crates/till-sqlite
-- schema.rs), right after migrating. A crash between the two leaves the row, and the next
-- migration run pays it.
CREATE TABLE pending_staff_baseline (
    only_row integer PRIMARY KEY CHECK (only_row = 1)
);
INSERT INTO pending_staff_baseline (only_row) VALUES (1);

-- A receipt's and a Z's anchor (their QR codes) is their entry's position and hash: found by
-- the row they name.
CREATE INDEX journal_by_ref ON journal (ref_id);
