-- Who acts on a session (p->>'session_id'), asked before anything about the session is told:
-- till_actor for the session's register (or, with p_location_wide, its location), read before
-- the caller takes any lock on the session, so a call without a live login from a role bound
-- there locks nothing. For a session that does not exist, who acts is still asked first: at
-- the register the caller names (a receipt, movement or void), else wherever the login may act
-- (till_login_user with the shortest idle limit any location sets, 0028), so a login that has
-- ended or expired learns nothing about which sessions exist (0027; the contract test
-- security::every_session_operation_asks_who_acts_before_the_session; SQLite's
-- till-sqlite session_actor asks in the same order). Owner only. SQLSTATEs: TL405 no such
-- session, and till_actor's.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_session_actor(p jsonb, p_location_wide boolean)
RETURNS users
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
    v_register uuid;
BEGIN
    SELECT s.register_id INTO v_register FROM sessions s WHERE s.id = (p->>'session_id')::uuid;
    IF FOUND THEN
        RETURN till_actor(p->>'login', p->>'device', v_register, p_location_wide);
    END IF;
    -- Nothing is written on this path: the login is checked without its touch or lock.
    IF p->>'register_id' IS NOT NULL THEN
        PERFORM till_actor(p->>'login', p->>'device', (p->>'register_id')::uuid, p_location_wide, false);
    ELSE
        -- The shortest idle limit any location sets: a login expired where it was made must not
        -- be told that a session does not exist (it is told not_logged_in for one that does); with no
        -- location at all, the longest a location may set, as SQLite does.
        PERFORM till_login_user(p->>'login', p->>'device', coalesce((SELECT min(l.login_idle_minutes) FROM locations l), 1440), false);
    END IF;
    RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405', DETAIL = p->>'session_id';
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_actor(jsonb, boolean) FROM PUBLIC;
