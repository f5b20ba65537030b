-- expand: the shift functions keep their signatures and results; new functions are added.
--
-- Store terminals connect with a least-privilege role that may read what the screens read and
-- execute Till's functions, and write no table directly. So every write a terminal makes is a
-- SECURITY DEFINER function owned by the schema's owner. Each one's search_path is pinned to
-- Till's schema, then pg_temp LAST: otherwise a caller's temporary table or function, looked up
-- first, could stand in for Till's inside a function that runs with the owner's rights.
--
-- Re-run by `tillctl migrate --repair-functions` (its name ends in "_functions"), so every
-- statement here is safe to run again.
-- SQLSTATEs (besides 0004's): TL410 the role given is not fit to be a terminal's.

-- Until the end of this migration's transaction: what `SET search_path FROM CURRENT` pins.
SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(pg_catalog.current_schema()) || ', pg_temp', true);

ALTER FUNCTION till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz)
    SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz)
    SECURITY DEFINER SET search_path FROM CURRENT;

-- PIN checks. till-core decides (PinPolicy: count, lock, reset); these two take the user's row
-- lock for the caller's transaction and record the decision, in that transaction:
--   BEGIN; SELECT * FROM till_lock_user(id, NULL); -- decide --; SELECT * FROM till_set_pin_state(...); COMMIT;
-- By id, or by name when the id is NULL.
CREATE OR REPLACE FUNCTION till_lock_user(p_user_id uuid, p_name text)
RETURNS SETOF users
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    SELECT * FROM users
     WHERE (p_user_id IS NOT NULL AND id = p_user_id) OR (p_user_id IS NULL AND name = p_name)
       FOR NO KEY UPDATE
$fn$;

-- The new PIN state and the events that explain it (failed PIN, lockout, unlock), in order.
CREATE OR REPLACE FUNCTION till_set_pin_state(
    p_user_id uuid, p_failed_pins integer, p_lockouts integer, p_locked_until timestamptz,
    p_event_ids uuid[], p_event_kinds text[], p_event_details text[], p_device text, p_at timestamptz)
RETURNS SETOF users
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    WITH events AS (
        INSERT INTO auth_events (id, user_id, kind, device, at, detail)
        SELECT e.id, p_user_id, e.kind, p_device, p_at, e.detail
          FROM unnest(p_event_ids, p_event_kinds, p_event_details) AS e(id, kind, detail)
    )
    UPDATE users SET failed_pins = p_failed_pins, lockouts = p_lockouts, locked_until = p_locked_until
     WHERE id = p_user_id
    RETURNING *
$fn$;

-- Grants a terminal role exactly what this schema's terminals need. Owner only; called for
-- every recorded terminal role at the end of this migration (so after every `tillctl migrate`
-- that re-runs it, and every repair) and by till_create_terminal_role.
CREATE OR REPLACE FUNCTION till_grant_terminal(p_role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I', pg_catalog.current_database(), p_role);
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', pg_catalog.current_schema(), p_role);
    -- What the screens and the start-up checks read. Nothing may be written directly.
    EXECUTE pg_catalog.format('GRANT SELECT ON TABLE locations, registers, users, sessions, session_joins, '
                   'auth_events, _sqlx_migrations TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
                   'till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz), '
                   'till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz), '
                   'till_lock_user(uuid, text), '
                   'till_set_pin_state(uuid, integer, integer, timestamptz, uuid[], text[], text[], text, timestamptz) '
                   'TO %I', p_role);
END;
$fn$;

-- Creates the role (LOGIN, no other attribute) or, for a role this function created before,
-- updates its password; records it and grants it. Refuses any other existing role: adopting
-- one would reset its password and leave it whatever else it can do (memberships, attributes).
-- Owner-run code calls pg_catalog's functions by their full names: if some other role could
-- create objects in Till's schema, a same-named function there would otherwise run with the
-- owner's rights (and see the new password).
CREATE OR REPLACE FUNCTION till_create_terminal_role(p_role text, p_password text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_role pg_catalog.pg_roles%ROWTYPE;
BEGIN
    IF p_role !~ '^[a-z_][a-z0-9_]{0,62}$' OR p_role LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'role name % is not a plain lower-case name', p_role USING ERRCODE = 'TL410';
    END IF;
    SELECT * INTO v_role FROM pg_catalog.pg_roles WHERE rolname = p_role;
    IF NOT FOUND THEN
        IF p_password IS NULL THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN NOINHERIT', p_role);
        ELSE
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD %L', p_role, p_password);
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM terminal_roles WHERE role_name = p_role)
          OR v_role.rolsuper OR v_role.rolcreaterole OR v_role.rolcreatedb OR v_role.rolbypassrls
          OR v_role.rolreplication OR p_role = current_user
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.member = v_role.oid)
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = pg_catalog.current_schema()::regnamespace
                                                          AND c.relowner = v_role.oid) THEN
        RAISE EXCEPTION 'role % exists and is not a terminal role this database created', p_role
            USING ERRCODE = 'TL410',
                  HINT = 'choose a new name: tillctl creates the role';
    ELSIF p_password IS NOT NULL THEN
        EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', p_role, p_password);
    END IF;
    INSERT INTO terminal_roles (role_name) VALUES (p_role) ON CONFLICT (role_name) DO NOTHING;
    PERFORM till_grant_terminal(p_role);
END;
$fn$;

-- Nobody but the owner (and the roles granted above) may call Till's functions: PostgreSQL
-- grants EXECUTE to PUBLIC by default.
REVOKE ALL ON FUNCTION
    till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz),
    till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz),
    till_lock_user(uuid, text),
    till_set_pin_state(uuid, integer, integer, timestamptz, uuid[], text[], text[], text, timestamptz),
    till_grant_terminal(text),
    till_create_terminal_role(text, text)
    FROM PUBLIC;

-- Roles dropped by hand since are skipped: their grants went with them.
SELECT till_grant_terminal(t.role_name) FROM terminal_roles t JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name;
