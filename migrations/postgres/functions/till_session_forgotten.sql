-- A forgotten session: open longer than its location's limit, or from an earlier business day
-- than now's. The plpgsql copy of till-core's ForgottenRule::is_forgotten (tests/forgotten.rs
-- proves the two equal on both backends). A forgotten session takes no more shifts, sales or
-- cash movements; a manager force-closes it. The time is the database's. plpgsql, not sql, for
-- the reason till_business_day gives (issue 21): its plan is kept for the session.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_session_forgotten(p_session sessions)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN (SELECT p_session.status = 'open'
                   AND (clock_timestamp() - p_session.opened_at > make_interval(mins => l.session_limit_minutes)
                        OR p_session.business_day < till_business_day(clock_timestamp(), l.timezone, l.cutoff_minutes))
              FROM locations l WHERE l.id = p_session.location_id);
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_forgotten(sessions) FROM PUBLIC;
