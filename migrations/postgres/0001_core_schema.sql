-- Till core schema: locations, registers, users, register sessions and their numbering.
-- The invariants live here, not in application code:
--   * one open session per register          (partial unique index)
--   * one number per (location, day, seq)     (unique constraint + counter row)
--   * a session's location is its register's (composite foreign key)
--   * a closed session carries its closing    (check constraint)

CREATE TABLE locations (
    id             uuid PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{0,7}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    timezone       text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    cutoff_minutes integer NOT NULL DEFAULT 240 CHECK (cutoff_minutes BETWEEN 0 AND 1439),
    currency       text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE registers (
    id          uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id),
    code        text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9]{0,7}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT registers_code_per_location UNIQUE (location_id, code),
    CONSTRAINT registers_id_location UNIQUE (id, location_id)
);

CREATE TABLE users (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9._-]{0,31}$'),
    role       text NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash   text NOT NULL CHECK (pin_hash LIKE '$argon2id$%'),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The last sequence handed out per location and business day. Incremented in the same
-- transaction as the session insert, so a rollback gives the number back: no gaps.
CREATE TABLE day_counters (
    location_id  uuid NOT NULL REFERENCES locations (id),
    business_day date NOT NULL,
    last_seq     bigint NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (location_id, business_day)
);

CREATE TABLE sessions (
    id             uuid PRIMARY KEY,
    register_id    uuid NOT NULL,
    -- Snapshots taken when the session opens/closes, so that reading a session (the hot path of
    -- joining one) touches one row: codes and names as they were at the time.
    register_code  text NOT NULL,
    location_code  text NOT NULL,
    currency       text NOT NULL,
    location_id    uuid NOT NULL,
    business_day   date NOT NULL,
    day_seq        bigint NOT NULL CHECK (day_seq > 0),
    number         text NOT NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_by      uuid NOT NULL REFERENCES users (id),
    opened_by_name text NOT NULL,
    opened_at      timestamptz NOT NULL,
    opening_device text NOT NULL,
    opening_cash   bigint NOT NULL CHECK (opening_cash >= 0),
    notes          text,
    -- Net cash that sales, refunds and pay-ins/outs add to the drawer. Later features keep it
    -- up to date under the session's row lock; expected cash = opening_cash + cash_net.
    cash_net       bigint NOT NULL DEFAULT 0,
    closed_by      uuid REFERENCES users (id),
    closed_by_name text,
    closed_at      timestamptz,
    closing_device text,
    counted_cash   bigint CHECK (counted_cash >= 0),
    expected_cash  bigint,
    variance       bigint,
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
);

-- One open session per register, whoever asks and however concurrently.
CREATE UNIQUE INDEX sessions_one_open_per_register ON sessions (register_id) WHERE status = 'open';
CREATE INDEX sessions_by_register ON sessions (register_id, opened_at DESC);

-- Who joined an open session (first join per user and device).
CREATE TABLE session_joins (
    session_id uuid NOT NULL REFERENCES sessions (id),
    user_id    uuid NOT NULL REFERENCES users (id),
    device     text NOT NULL,
    joined_at  timestamptz NOT NULL,
    PRIMARY KEY (session_id, user_id, device)
);
