-- A moment's business day at a location: its local date, less the cut-off (the minutes after
-- midnight that still count as the day before). The plpgsql copy of till-core's business_day;
-- tests/business_day.rs proves the two equal, around cut-offs and clock changes. plpgsql, not
-- sql (issue 21): a sql function with its own search_path is never inlined, and PostgreSQL 15
-- parses and plans its body again in every transaction that calls it (a sale's hot path).
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_business_day(p_at timestamptz, p_timezone text, p_cutoff_minutes integer)
RETURNS date
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN ((p_at AT TIME ZONE p_timezone) - make_interval(mins => p_cutoff_minutes))::date;
END;
$fn$;
REVOKE ALL ON FUNCTION till_business_day(timestamptz, text, integer) FROM PUBLIC;
