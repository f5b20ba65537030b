-- The manager who answers for an action: the one whose approval the request carries (spent on
-- it), else the acting user if a manager or admin themselves, else nobody (a row of NULLs: the
-- caller refuses with what it needed). Owner only.
CREATE OR REPLACE FUNCTION till_manager(p_action text, p jsonb, p_actor users)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_none users%ROWTYPE;
BEGIN
    IF p->>'approval' IS NOT NULL THEN
        RETURN till_use_approval(p_action, p);
    ELSIF till_approves(p_actor.role) THEN
        RETURN p_actor;
    END IF;
    RETURN v_none;
END;
$fn$;
REVOKE ALL ON FUNCTION till_manager(text, jsonb, users) FROM PUBLIC;
