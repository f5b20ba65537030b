-- Lifts a user's lockout, with a trace ('unlocked', by whom, on which device). From a
-- terminal, only by a manager's or admin's live login (whose PIN the database checked); with
-- no login, only the owner's role (IT at tillctl). SQLSTATEs: TL403 not a manager (or no
-- login from a role that is not the owner's), TL406 user not found, TL442 not logged in.
CREATE OR REPLACE FUNCTION till_unlock_user(p_token text, p_user text, p_device text)
RETURNS users
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v users%ROWTYPE;
    v_by text;
    v_now timestamptz;
BEGIN
    PERFORM till_text('device', p_device, 64, false, true);
    IF p_token IS NULL THEN
        IF NOT pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c
                                                       WHERE c.oid = 'users'::regclass), 'MEMBER') THEN
            RAISE EXCEPTION 'only a manager (with their PIN) may unlock a user from a terminal'
                USING ERRCODE = 'TL403', DETAIL = session_user, HINT = 'terminal';
        END IF;
        v_by := 'tillctl';
    ELSE
        v := till_login_user(p_token, p_device, 5);
        IF NOT till_approves(v.role) THEN
            RAISE EXCEPTION 'only a manager or admin may unlock a user; % is a %', v.name, v.role
                USING ERRCODE = 'TL403', DETAIL = v.name, HINT = v.role;
        END IF;
        v_by := v.name;
    END IF;
    SELECT * INTO v FROM users u WHERE u.name = p_user FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % not found', p_user USING ERRCODE = 'TL406', DETAIL = p_user;
    END IF;
    PERFORM till_settle_pins(v.id);
    v_now := clock_timestamp();
    INSERT INTO auth_events (id, user_id, kind, device, at, detail)
    VALUES (gen_random_uuid(), v.id, 'unlocked', p_device, v_now, 'by ' || v_by);
    UPDATE users u SET failed_pins = 0, lockouts = 0, locked_until = NULL WHERE u.id = v.id RETURNING * INTO v;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_unlock_user(text, text, text) FROM PUBLIC;
