-- Till core schema (SQLite dialect of migrations/postgres/0001_core_schema.sql).
-- The invariants live here, not in application code:
--   * one open session per register          (partial unique index)
--   * one number per (location, day, seq)     (unique constraint + counter row)
--   * a session's location is its register's (composite foreign key)
--   * a closed session carries its closing    (check constraint)
-- Ids are 16-byte UUID blobs, instants RFC 3339 UTC text, days YYYY-MM-DD text, money integers.

CREATE TABLE locations (
    id             BLOB PRIMARY KEY NOT NULL,
    code           TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 8 AND code NOT GLOB '*[^A-Z0-9]*'),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    timezone       TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    cutoff_minutes INTEGER NOT NULL DEFAULT 240 CHECK (cutoff_minutes BETWEEN 0 AND 1439),
    currency       TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE registers (
    id          BLOB PRIMARY KEY NOT NULL,
    location_id BLOB NOT NULL REFERENCES locations (id),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 8 AND code NOT GLOB '*[^A-Z0-9]*'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT registers_code_per_location UNIQUE (location_id, code),
    CONSTRAINT registers_id_location UNIQUE (id, location_id)
) STRICT;

CREATE TABLE users (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32 AND name NOT GLOB '*[^a-z0-9._-]*'),
    role       TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash   TEXT NOT NULL CHECK (pin_hash LIKE '$argon2id$%'),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- The last sequence handed out per location and business day, incremented in the same
-- transaction as the session insert: a rollback gives the number back, so there are no gaps.
CREATE TABLE day_counters (
    location_id  BLOB NOT NULL REFERENCES locations (id),
    business_day TEXT NOT NULL,
    last_seq     INTEGER NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (location_id, business_day)
) STRICT;

CREATE TABLE sessions (
    id             BLOB PRIMARY KEY NOT NULL,
    register_id    BLOB NOT NULL,
    -- Snapshots taken when the session opens/closes, so that reading a session (the hot path of
    -- joining one) touches one row: codes and names as they were at the time.
    register_code  TEXT NOT NULL,
    location_code  TEXT NOT NULL,
    currency       TEXT NOT NULL,
    location_id    BLOB NOT NULL,
    business_day   TEXT NOT NULL,
    day_seq        INTEGER NOT NULL CHECK (day_seq > 0),
    number         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_by      BLOB NOT NULL REFERENCES users (id),
    opened_by_name TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    opening_device TEXT NOT NULL,
    opening_cash   INTEGER NOT NULL CHECK (opening_cash >= 0),
    notes          TEXT,
    -- Net cash that sales, refunds and pay-ins/outs add to the drawer; later features keep it
    -- up to date in the writer transaction. Expected cash = opening_cash + cash_net.
    cash_net       INTEGER NOT NULL DEFAULT 0,
    closed_by      BLOB REFERENCES users (id),
    closed_by_name TEXT,
    closed_at      TEXT,
    closing_device TEXT,
    counted_cash   INTEGER CHECK (counted_cash >= 0),
    expected_cash  INTEGER,
    variance       INTEGER,
    CONSTRAINT sessions_register_location FOREIGN KEY (register_id, location_id)
        REFERENCES registers (id, location_id),
    CONSTRAINT sessions_number_unique UNIQUE (number),
    CONSTRAINT sessions_day_seq_unique UNIQUE (location_id, business_day, day_seq),
    CONSTRAINT sessions_closing_consistent CHECK (
        (status = 'open' AND closed_by IS NULL AND closed_by_name IS NULL AND closed_at IS NULL AND counted_cash IS NULL
            AND expected_cash IS NULL AND variance IS NULL)
        OR (status = 'closed' AND closed_by IS NOT NULL AND closed_by_name IS NOT NULL AND closed_at IS NOT NULL
            AND counted_cash IS NOT NULL AND expected_cash IS NOT NULL
            AND variance = counted_cash - expected_cash))
) STRICT;

-- One open session per register, whoever asks and however concurrently.
CREATE UNIQUE INDEX sessions_one_open_per_register ON sessions (register_id) WHERE status = 'open';
CREATE INDEX sessions_by_register ON sessions (register_id, opened_at DESC);

CREATE TABLE session_joins (
    session_id BLOB NOT NULL REFERENCES sessions (id),
    user_id    BLOB NOT NULL REFERENCES users (id),
    device     TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id, device)
) STRICT;
