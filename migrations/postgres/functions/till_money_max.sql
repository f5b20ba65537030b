-- The largest amount of money Till takes, in minor units (10^12): the plpgsql copy of
-- till-core's Money::MAX_CASH_MINOR, and the only place the database spells it beside the
-- CHECK constraints of the versioned migrations. sql, IMMUTABLE and without its own
-- search_path, so PostgreSQL inlines it into every caller as a constant (a sale's figures
-- check pays nothing for it). Owner only.
CREATE OR REPLACE FUNCTION till_money_max()
RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT 1000000000000::bigint
$fn$;
REVOKE ALL ON FUNCTION till_money_max() FROM PUBLIC;
