-- PIN lockout, request ids (retries never apply twice) and bounded money.

-- Wrong PINs in a row, lockouts in a row (each lasts longer), and until when the user is locked.
-- Kept in the database so that neither a restart nor another device resets the count.
ALTER TABLE users
    ADD COLUMN failed_pins  integer NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
    ADD COLUMN lockouts     integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
    ADD COLUMN locked_until timestamptz;

-- Failed PINs, lockouts and unlocks, with the device and the time.
CREATE TABLE auth_events (
    id       uuid PRIMARY KEY,
    user_id  uuid NOT NULL REFERENCES users (id),
    kind     text NOT NULL CHECK (kind IN ('pin_failed', 'locked', 'unlocked')),
    device   text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at       timestamptz NOT NULL,
    detail   text
);
CREATE INDEX auth_events_by_time ON auth_events (at DESC);

-- The caller's request id of the close, so a retried close answers the same closed session.
ALTER TABLE sessions ADD COLUMN close_request_id uuid;
ALTER TABLE sessions ADD CONSTRAINT sessions_close_request_unique UNIQUE (close_request_id);
-- The request id of the start that recorded a join (a creator's request id is the session id).
ALTER TABLE session_joins ADD COLUMN request_id uuid;
ALTER TABLE session_joins ADD CONSTRAINT session_joins_request_unique UNIQUE (request_id);
-- Start requests that wrote nothing else: a repeat join of a user and device already joined.
-- Recorded so that a retry of one, after the session closed, still answers that join instead of
-- opening a new session. Only till_start_shift writes it, with ids it has just read. No foreign
-- keys on purpose: this is the join path's only write, and a foreign key check would take a
-- KEY SHARE lock on the one user row every device of that user shares (a multixact per join).
CREATE TABLE shift_requests (
    request_id uuid PRIMARY KEY,
    session_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    at         timestamptz NOT NULL
);

-- The language and region a location formats money and dates in (BCP 47: en-US, de-DE).
ALTER TABLE locations ADD COLUMN locale text NOT NULL DEFAULT 'en-US'
    CHECK (locale ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');

-- The database's backstop for the bound the core enforces (Money::MAX_CASH_MINOR): sums of
-- millions of amounts can never overflow bigint.
ALTER TABLE sessions ADD CONSTRAINT sessions_cash_bounded CHECK (
    opening_cash <= 1000000000000 AND (counted_cash IS NULL OR counted_cash <= 1000000000000));
