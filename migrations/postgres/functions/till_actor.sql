-- Who acts on a register: the user of a live login (till_login_user, within the location's
-- idle limit), on the device the login was made on, from a role that may act there: on this
-- register, or with p_location_wide (a manager's force-close or late count) at its location. A
-- terminal's role may act only where IT bound it; the owner's role (IT at tillctl) anywhere.
-- Owner only. SQLSTATEs: TL404 register, TL442 not logged in, TL444 not bound (with what IT
-- runs in the hint). p_writes false: the caller writes nothing (till_login_user).
-- Every call makes this check (issue 21), so it is one statement for the register, its idle
-- limit and the role's binding, and one for the login (till_login_user). No SET search_path of
-- its own: only Till's functions call it, and each pins its own, which this one runs under.
CREATE OR REPLACE FUNCTION till_actor(p_login text, p_device text, p_register uuid, p_location_wide boolean DEFAULT false,
                                      p_writes boolean DEFAULT true)
RETURNS users
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
    v_idle integer;
    v_binding text;
BEGIN
    -- (An assignment, not PERFORM: a simple expression, without an executor run.)
    p_device := till_text('device', p_device, 64, false, true);
    SELECT l.login_idle_minutes,
           CASE WHEN NOT EXISTS (SELECT 1 FROM terminal_roles t WHERE t.role_name = session_user) THEN 'owner'
                WHEN EXISTS (SELECT 1 FROM terminal_bindings b
                               LEFT JOIN registers br ON br.id = b.register_id
                              WHERE b.role_name = session_user
                                AND (b.location_id = r.location_id
                                     OR (NOT p_location_wide AND b.register_id = r.id)
                                     OR (p_location_wide AND br.location_id = r.location_id))) THEN 'here'
                WHEN EXISTS (SELECT 1 FROM terminal_bindings b WHERE b.role_name = session_user) THEN 'elsewhere'
                ELSE 'unbound' END
      INTO v_idle, v_binding
      FROM registers r JOIN locations l ON l.id = r.location_id
     WHERE r.id = p_register;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'register % not found', p_register USING ERRCODE = 'TL404', DETAIL = p_register::text;
    END IF;
    IF v_binding = 'unbound' THEN
        RAISE EXCEPTION 'the database role % is bound to no register yet', session_user
            USING ERRCODE = 'TL444',
                  HINT = pg_catalog.format('IT binds it: tillctl db create-terminal-role %s --register LOCATION/REGISTER (or --location LOCATION)', session_user);
    ELSIF v_binding = 'elsewhere' THEN
        RAISE EXCEPTION 'the database role % may not act on this register', session_user
            USING ERRCODE = 'TL444',
                  HINT = pg_catalog.format('this PC''s role is bound elsewhere: IT binds it with tillctl db create-terminal-role %s --register LOCATION/REGISTER', session_user);
    END IF;
    RETURN till_login_user(p_login, p_device, v_idle, p_writes);
END;
$fn$;
REVOKE ALL ON FUNCTION till_actor(text, text, uuid, boolean, boolean) FROM PUBLIC;
