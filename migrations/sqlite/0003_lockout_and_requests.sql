-- PIN lockout, request ids (retries never apply twice) and bounded money (SQLite dialect of
-- migrations/postgres/0003_lockout_and_requests.sql).

ALTER TABLE users ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0);
ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);
ALTER TABLE users ADD COLUMN locked_until TEXT;

CREATE TABLE auth_events (
    id       BLOB PRIMARY KEY NOT NULL,
    user_id  BLOB NOT NULL REFERENCES users (id),
    kind     TEXT NOT NULL CHECK (kind IN ('pin_failed', 'locked', 'unlocked')),
    device   TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at       TEXT NOT NULL,
    detail   TEXT
) STRICT;
CREATE INDEX auth_events_by_time ON auth_events (at DESC);

ALTER TABLE sessions ADD COLUMN close_request_id BLOB;
CREATE UNIQUE INDEX sessions_close_request_unique ON sessions (close_request_id);
ALTER TABLE session_joins ADD COLUMN request_id BLOB;
CREATE UNIQUE INDEX session_joins_request_unique ON session_joins (request_id);
-- Repeat joins' request ids (see the PostgreSQL dialect for why there are no foreign keys).
CREATE TABLE shift_requests (
    request_id BLOB PRIMARY KEY NOT NULL,
    session_id BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    at         TEXT NOT NULL
) STRICT;

-- The language and region a location formats money and dates in (BCP 47: en-US, de-DE).
ALTER TABLE locations ADD COLUMN locale TEXT NOT NULL DEFAULT 'en-US'
    CHECK (length(locale) BETWEEN 2 AND 16 AND locale NOT GLOB '*[^A-Za-z0-9-]*');

-- SQLite cannot add a table CHECK to an existing table: triggers are the backstop for the bound
-- the core enforces (Money::MAX_CASH_MINOR).
CREATE TRIGGER sessions_cash_bounded_insert BEFORE INSERT ON sessions
WHEN NEW.opening_cash > 1000000000000 OR NEW.counted_cash > 1000000000000
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions_cash_bounded'); END;
CREATE TRIGGER sessions_cash_bounded_update BEFORE UPDATE ON sessions
WHEN NEW.opening_cash > 1000000000000 OR NEW.counted_cash > 1000000000000
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions_cash_bounded'); END;
