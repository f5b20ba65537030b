-- Creates the role (LOGIN, no other attribute) or, for a role this function created before,
-- updates its password; records it and grants it. Refuses any other existing role: adopting
-- one would reset its password and leave it whatever else it can do (memberships, attributes).
-- Owner-run code calls pg_catalog's functions by their full names: if some other role could
-- create objects in Till's schema, a same-named function there would otherwise run with the
-- owner's rights (and see the new password).
CREATE OR REPLACE FUNCTION till_create_terminal_role(p_role text, p_password text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_role pg_catalog.pg_roles%ROWTYPE;
BEGIN
    IF p_role !~ '^[a-z_][a-z0-9_]{0,62}$' OR p_role LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'role name % is not a plain lower-case name', p_role USING ERRCODE = 'TL410';
    END IF;
    SELECT * INTO v_role FROM pg_catalog.pg_roles WHERE rolname = p_role;
    IF NOT FOUND THEN
        IF p_password IS NULL THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN NOINHERIT', p_role);
        ELSE
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD %L', p_role, p_password);
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM terminal_roles WHERE role_name = p_role)
          OR v_role.rolsuper OR v_role.rolcreaterole OR v_role.rolcreatedb OR v_role.rolbypassrls
          OR v_role.rolreplication OR p_role = current_user
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.member = v_role.oid)
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = pg_catalog.current_schema()::regnamespace
                                                          AND c.relowner = v_role.oid) THEN
        RAISE EXCEPTION 'role % exists and is not a terminal role this database created', p_role
            USING ERRCODE = 'TL410',
                  HINT = 'choose a new name: tillctl creates the role';
    ELSIF p_password IS NOT NULL THEN
        EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', p_role, p_password);
    END IF;
    INSERT INTO terminal_roles (role_name) VALUES (p_role) ON CONFLICT (role_name) DO NOTHING;
    PERFORM till_grant_terminal(p_role);
END;
$fn$;
REVOKE ALL ON FUNCTION till_create_terminal_role(text, text) FROM PUBLIC;
