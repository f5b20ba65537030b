-- Whether a user's role approves (a manager or an admin): the plpgsql copy of till-core's
-- Role::is_manager, and the only place the database spells it. sql, IMMUTABLE and without its
-- own search_path, so PostgreSQL inlines it into every caller (a sql function with a SET
-- clause never is): it names only a built-in operator on its argument, resolved with the
-- caller's search_path (every Till function pins its own), and runs with the caller's rights.
-- Owner only.
CREATE OR REPLACE FUNCTION till_approves(p_role text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT p_role IN ('manager', 'admin')
$fn$;
REVOKE ALL ON FUNCTION till_approves(text) FROM PUBLIC;
