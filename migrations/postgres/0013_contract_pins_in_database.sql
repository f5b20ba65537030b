-- contract: PINs are checked by the database, and a terminal's role can no longer read a PIN
-- hash or set a user's PIN state (issue 15). Tills built before this migration read the hash
-- and checked PINs themselves: they refuse this schema with `app_too_old`.
--
-- From here on every function lives in migrations/postgres/functions/<name>.sql, holding its
-- current text: `tillctl migrate` applies those files after the versioned migrations and
-- records their hashes in till_function_files; `--repair-functions` re-applies them; the
-- definitions check compares them. A change to a function is a diff of its file. Versioned
-- migrations keep tables, constraints, and the DROP of a function whose signature goes away.

-- The function files applied, by the hash of their text (see crates/till-postgres/src/schema.rs).
CREATE TABLE till_function_files (
    name       text PRIMARY KEY CHECK (name ~ '^till_[a-z0-9_]+\.sql$'),
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- pgcrypto (contrib, a trusted extension: the database owner may create it) for bcrypt, in a
-- schema of its own: its functions never mix with Till's (nor shadow a built-in such as
-- gen_random_uuid there), and Till's functions call them by their full names.
DO $do$
DECLARE
    v_schema text;
BEGIN
    SELECT n.nspname INTO v_schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pgcrypto';
    IF FOUND AND v_schema <> 'till_pgcrypto' THEN
        RAISE EXCEPTION 'pgcrypto is installed in schema %, Till needs it in schema till_pgcrypto', v_schema
            USING HINT = 'as the database owner: CREATE SCHEMA till_pgcrypto; ALTER EXTENSION pgcrypto SET SCHEMA till_pgcrypto; then tillctl migrate';
    END IF;
    CREATE SCHEMA IF NOT EXISTS till_pgcrypto;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA till_pgcrypto;
    EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
        RAISE EXCEPTION 'cannot create the pgcrypto extension: %', SQLERRM
            USING HINT = 'install PostgreSQL''s contrib package (postgresql-contrib) and grant the owner role CREATE on the database, then tillctl migrate';
    END;
END;
$do$;

-- bcrypt hashes made by pgcrypto's crypt() ($2a$); argon2id hashes of older Tills stay until
-- the user's PIN is set again (`tillctl user set-pin NAME`): the database cannot check them.
ALTER TABLE users DROP CONSTRAINT users_pin_hash_check;
ALTER TABLE users ADD CONSTRAINT users_pin_hash_check CHECK (pin_hash LIKE '$argon2id$%' OR pin_hash LIKE '$2a$%');

-- One PIN check. The check (till_pin_check) records it here and answers nothing about the
-- PIN; its outcome is given by till_pin_result, only in a later transaction, once this row is
-- committed: rolling back a guess can no longer undo its count. Terminals cannot read it.
CREATE TABLE pin_attempts (
    id        uuid PRIMARY KEY,
    user_id   uuid NOT NULL REFERENCES users (id),
    device    text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    role_name text NOT NULL,
    at        timestamptz NOT NULL,
    -- checked: the PIN was compared (matched says how); the rest were refused before that.
    outcome   text NOT NULL CHECK (outcome IN ('checked', 'locked', 'inactive', 'pin_reset_needed')),
    matched   boolean NOT NULL DEFAULT false,
    -- The transaction that made the check: its result is refused to that same transaction.
    xact      xid8 NOT NULL,
    -- Applied to the user's PIN state (count, lockout, events): by the next check of the user
    -- or by its result, whichever comes first.
    settled   boolean NOT NULL DEFAULT false,
    -- This miss was the one that locked the user (its result says user_locked).
    locked_user boolean NOT NULL DEFAULT false,
    -- The result was given (once).
    answered  boolean NOT NULL DEFAULT false,
    CONSTRAINT pin_attempts_matched_checked CHECK (NOT matched OR outcome = 'checked')
);
CREATE INDEX pin_attempts_unsettled ON pin_attempts (user_id, at) WHERE NOT settled;

-- Logins the database issued after a right PIN: a random token of 128 bits, stored only as
-- its sha256. Bound to the user and the device; ended by logout, deactivation and lockout.
CREATE TABLE logins (
    token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id     uuid NOT NULL REFERENCES users (id),
    device      text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    role_name   text NOT NULL,
    created_at  timestamptz NOT NULL,
    last_used   timestamptz NOT NULL,
    ended_at    timestamptz,
    ended_why   text CHECK (ended_why IN ('logout', 'deactivated', 'locked', 'pin_set')),
    CONSTRAINT logins_ended CHECK ((ended_at IS NULL) = (ended_why IS NULL))
);
CREATE INDEX logins_open_by_user ON logins (user_id) WHERE ended_at IS NULL;

-- The terminal functions that took a user's word (a user id, a PIN state, a time) go: the
-- shift's start and 0004's close with a caller's time, and the PIN state a terminal set itself.
DROP FUNCTION till_lock_user(uuid, text);
DROP FUNCTION till_set_pin_state(uuid, integer, integer, timestamptz, uuid[], text[], text[], text, timestamptz);
DROP FUNCTION till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz);

-- A terminal's role reads users column by column from now on (never pin_hash): take back
-- the whole-table grant; till_grant_terminal (a function file) grants the columns.
DO $do$
DECLARE
    v_role text;
BEGIN
    FOR v_role IN SELECT t.role_name FROM terminal_roles t JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON TABLE users, auth_events FROM %I', v_role);
    END LOOP;
END;
$do$;
