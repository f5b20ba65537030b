-- Binds a terminal role to the registers (and whole locations) it may act on, replacing its
-- earlier bindings. Owner only (tillctl db create-terminal-role --register/--location).
-- SQLSTATE TL410: not a terminal role this database created, or nothing to bind to.
CREATE OR REPLACE FUNCTION till_bind_terminal(p_role text, p_registers uuid[], p_locations uuid[])
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM terminal_roles t WHERE t.role_name = p_role) THEN
        RAISE EXCEPTION 'role % is not a terminal role this database created', p_role
            USING ERRCODE = 'TL410', HINT = 'create it first: tillctl db create-terminal-role';
    END IF;
    IF coalesce(cardinality(p_registers), 0) + coalesce(cardinality(p_locations), 0) = 0 THEN
        RAISE EXCEPTION 'a terminal role is bound to at least one register or location' USING ERRCODE = 'TL410';
    END IF;
    DELETE FROM terminal_bindings b WHERE b.role_name = p_role;
    INSERT INTO terminal_bindings (role_name, register_id)
    SELECT DISTINCT p_role, r FROM unnest(coalesce(p_registers, '{}')) r;
    INSERT INTO terminal_bindings (role_name, location_id)
    SELECT DISTINCT p_role, l FROM unnest(coalesce(p_locations, '{}')) l;
END;
$fn$;
REVOKE ALL ON FUNCTION till_bind_terminal(text, uuid[], uuid[]) FROM PUBLIC;
