-- Who acts on a session (p->>'session_id'): till_actor for its register (or, with
-- p_location_wide, its location), read before the caller takes any lock on the session, so a
-- call without a live login from a role bound there locks nothing. Owner only. SQLSTATEs:
-- TL405 no such session, and till_actor's.
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
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405', DETAIL = p->>'session_id';
    END IF;
    RETURN till_actor(p->>'login', p->>'device', v_register, p_location_wide);
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_actor(jsonb, boolean) FROM PUBLIC;
