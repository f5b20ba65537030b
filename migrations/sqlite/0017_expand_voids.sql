-- expand: voids (SQLite dialect of migrations/postgres/0017_expand_voids.sql, which says why the
-- lines are rows). Recorded by till-sqlite in one BEGIN IMMEDIATE transaction with the session's
-- totals and the journal entry.

ALTER TABLE sessions ADD COLUMN void_count INTEGER NOT NULL DEFAULT 0 CHECK (void_count >= 0);
ALTER TABLE sessions ADD COLUMN void_total INTEGER NOT NULL DEFAULT 0
    CHECK (void_total >= 0) CHECK (void_count > 0 OR void_total = 0);

CREATE TABLE voids (
    id           BLOB PRIMARY KEY NOT NULL,
    session_id   BLOB NOT NULL REFERENCES sessions (id),
    register_id  BLOB NOT NULL,
    location_id  BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('line_removed', 'quantity_lowered', 'sale_cleared')),
    amount       INTEGER NOT NULL CHECK (amount BETWEEN 0 AND 1000000000000),
    user_id      BLOB NOT NULL REFERENCES users (id),
    user_name    TEXT NOT NULL,
    device       TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    CONSTRAINT voids_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT voids_id_location UNIQUE (id, location_id)
) STRICT;
CREATE INDEX voids_by_session ON voids (session_id, at);

CREATE TABLE void_lines (
    void_id     BLOB NOT NULL,
    line_no     INTEGER NOT NULL CHECK (line_no BETWEEN 0 AND 499),
    location_id BLOB NOT NULL,
    product_id  BLOB NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price  INTEGER NOT NULL CHECK (unit_price BETWEEN 0 AND 1000000000000),
    amount      INTEGER NOT NULL,
    PRIMARY KEY (void_id, line_no),
    CONSTRAINT void_lines_void_location FOREIGN KEY (void_id, location_id) REFERENCES voids (id, location_id),
    CONSTRAINT void_lines_product_location FOREIGN KEY (product_id, location_id) REFERENCES products (id, location_id),
    CONSTRAINT void_lines_amount CHECK (amount = unit_price * quantity)
) STRICT;
