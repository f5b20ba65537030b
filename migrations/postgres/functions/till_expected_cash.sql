-- A drawer's expected cash: the opening float plus the session's cash net (sales' cash less
-- change, paid in, less paid out and drops). The plpgsql copy of till-core's
-- cash::expected_cash, used by the close and the force-close. sql, IMMUTABLE and without its
-- own search_path, so PostgreSQL inlines it into the caller's statement: it reads the columns
-- of the row the caller has locked, never a sum of its own. Owner only.
CREATE OR REPLACE FUNCTION till_expected_cash(p_opening_cash bigint, p_cash_net bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT p_opening_cash + p_cash_net
$fn$;
REVOKE ALL ON FUNCTION till_expected_cash(bigint, bigint) FROM PUBLIC;
