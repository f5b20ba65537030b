-- Whether the calling role may act at a location, on one register (p_register) or, for what a
-- manager does across the location (force-close, late count), on any of its registers
-- (p_register NULL). A terminal's role may act only where IT bound it; the owner's role (IT at
-- tillctl) anywhere. Owner only. SQLSTATE TL444, with what IT runs in the hint.
CREATE OR REPLACE FUNCTION till_may_act(p_location uuid, p_register uuid)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM terminal_roles t WHERE t.role_name = session_user) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM terminal_bindings b WHERE b.role_name = session_user) THEN
        RAISE EXCEPTION 'the database role % is bound to no register yet', session_user
            USING ERRCODE = 'TL444',
                  HINT = pg_catalog.format('IT binds it: tillctl db create-terminal-role %s --register LOCATION/REGISTER (or --location LOCATION)', session_user);
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM terminal_bindings b
          LEFT JOIN registers r ON r.id = b.register_id
         WHERE b.role_name = session_user
           AND (b.location_id = p_location
                OR (p_register IS NOT NULL AND b.register_id = p_register)
                OR (p_register IS NULL AND r.location_id = p_location))) THEN
        RAISE EXCEPTION 'the database role % may not act on this register', session_user
            USING ERRCODE = 'TL444',
                  HINT = pg_catalog.format('this PC''s role is bound elsewhere: IT binds it with tillctl db create-terminal-role %s --register LOCATION/REGISTER', session_user);
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_may_act(uuid, uuid) FROM PUBLIC;
