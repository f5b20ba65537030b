-- Who acts on a register: the user of a live login (till_login_user, within the location's
-- idle limit), on the device the login was made on, from a role that may act there
-- (till_may_act): on this register, or with p_location_wide (a manager's force-close or late
-- count) at its location. Owner only. SQLSTATEs: TL404 register, TL442 not logged in, TL444
-- not bound. p_writes false: the caller writes nothing (till_login_user).
CREATE OR REPLACE FUNCTION till_actor(p_login text, p_device text, p_register uuid, p_location_wide boolean DEFAULT false,
                                      p_writes boolean DEFAULT true)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_location uuid;
    v_idle integer;
BEGIN
    PERFORM till_text('device', p_device, 64, false, true);
    SELECT r.location_id, l.login_idle_minutes INTO v_location, v_idle
      FROM registers r JOIN locations l ON l.id = r.location_id
     WHERE r.id = p_register;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'register % not found', p_register USING ERRCODE = 'TL404', DETAIL = p_register::text;
    END IF;
    PERFORM till_may_act(v_location, CASE WHEN p_location_wide THEN NULL ELSE p_register END);
    RETURN till_login_user(p_login, p_device, v_idle, p_writes);
END;
$fn$;
REVOKE ALL ON FUNCTION till_actor(text, text, uuid, boolean, boolean) FROM PUBLIC;
