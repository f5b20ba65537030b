-- IT sets a user's PIN again (a forgotten one, or one an older Till hashed): the checks made
-- before it are settled first (counted and traced against the old PIN, never against the new
-- one), then the count and any lockout are cleared, with a trace; the trigger users_end_logins
-- ends the user's logins. Owner only (a terminal's role may neither call it nor write users).
-- SQLSTATE TL406 user not found.
CREATE OR REPLACE FUNCTION till_set_pin(p_user text, p_pin text, p_device text)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v users%ROWTYPE;
BEGIN
    SELECT * INTO v FROM users u WHERE u.name = p_user FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % not found', p_user USING ERRCODE = 'TL406', DETAIL = p_user;
    END IF;
    PERFORM till_settle_pins(v.id);
    INSERT INTO auth_events (id, user_id, kind, device, at, detail)
    VALUES (gen_random_uuid(), v.id, 'unlocked', p_device, clock_timestamp(), 'PIN set by tillctl');
    UPDATE users u SET pin_hash = till_pin_hash(p_pin), failed_pins = 0, lockouts = 0, locked_until = NULL
     WHERE u.id = v.id
    RETURNING * INTO v;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_set_pin(text, text, text) FROM PUBLIC;
