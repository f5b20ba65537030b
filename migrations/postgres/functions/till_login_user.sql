-- The user of a live login: the token's, not ended, made by this role on this device, used
-- within p_idle_minutes, by a user still active (tests/isolation/specs/start-vs-deactivate). Touches the login (its idle clock) at most
-- once a second. Owner only: Till's functions call it for whoever acts. p_writes false (0021): the
-- caller writes nothing (it answers a request it recorded before), so the same checks are made
-- without the user's share lock or the touch, which only order and mark a write: nothing is
-- written, and the call costs a read (one statement: nothing waits, so nothing is looked at again).
-- No SET search_path of its own: only Till's functions call it, and each pins its own.
-- SQLSTATEs: TL442 not logged in, TL408 user inactive.
CREATE OR REPLACE FUNCTION till_login_user(p_token text, p_device text, p_idle_minutes integer,
                                           p_writes boolean DEFAULT true)
RETURNS users
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
    v users%ROWTYPE;
    v_live record;
    v_token_hash text := encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex');
    v_now timestamptz := clock_timestamp();
BEGIN
    -- An older snapshot could still see a login that has ended since.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'Till''s functions run under READ COMMITTED only' USING ERRCODE = 'TL001';
    END IF;
    -- The login and its user in one statement. For a write the user's row is shared-locked
    -- until the write commits: a deactivation, lockout or new PIN (each an UPDATE of the row,
    -- which ends the login) is ordered before or after the write. A login that is not live
    -- matches no row, so nothing is locked for it.
    IF p_writes THEN
        SELECT u AS actor, l.last_used INTO v_live
          FROM logins l JOIN users u ON u.id = l.user_id
         WHERE l.token_hash = v_token_hash AND l.ended_at IS NULL AND l.role_name = session_user
           AND l.device = p_device
           AND l.last_used >= v_now - make_interval(mins => least(greatest(coalesce(p_idle_minutes, 1), 1), 1440))
           FOR SHARE OF u;
    ELSE
        SELECT u AS actor, l.last_used INTO v_live
          FROM logins l JOIN users u ON u.id = l.user_id
         WHERE l.token_hash = v_token_hash AND l.ended_at IS NULL AND l.role_name = session_user
           AND l.device = p_device
           AND l.last_used >= v_now - make_interval(mins => least(greatest(coalesce(p_idle_minutes, 1), 1), 1440));
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'not logged in (the login ended, expired, is another device''s or unknown): log in again'
            USING ERRCODE = 'TL442';
    END IF;
    v := v_live.actor;
    -- A write may have waited for the user's row: whatever ended the login meanwhile committed
    -- after this statement's snapshot. Look again, in a new one.
    IF p_writes THEN
        PERFORM 1 FROM logins l WHERE l.token_hash = v_token_hash AND l.ended_at IS NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'not logged in (the login ended while this waited): log in again' USING ERRCODE = 'TL442';
        END IF;
    END IF;
    IF NOT v.active THEN
        RAISE EXCEPTION 'user % is not active', v.name USING ERRCODE = 'TL408', DETAIL = v.name;
    END IF;
    IF p_writes AND v_live.last_used < v_now - interval '1 second' THEN
        UPDATE logins l SET last_used = v_now WHERE l.token_hash = v_token_hash;
    END IF;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_login_user(text, text, integer, boolean) FROM PUBLIC;
