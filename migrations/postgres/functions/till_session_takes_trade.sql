-- A session takes trade (a sale or refund, a cash movement, a void) only while it is open and
-- not forgotten: TL421 when it was closed, TL435 when it is forgotten (its number as DETAIL, its
-- business day as HINT). The one check the recording functions share, asked once they hold the
-- session's row and have answered a retry. Owner only: called by Till's functions.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_session_takes_trade(p_session sessions)
RETURNS void
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    IF p_session.status <> 'open' THEN
        RAISE EXCEPTION 'session % was closed', p_session.number USING ERRCODE = 'TL421', DETAIL = p_session.number;
    END IF;
    -- A session left open from an earlier business day (or past the limit) takes nothing more,
    -- whichever device still holds it (till_session_forgotten, the one rule).
    IF till_session_forgotten(p_session) THEN
        RAISE EXCEPTION 'session % is forgotten', p_session.number
            USING ERRCODE = 'TL435', DETAIL = p_session.number, HINT = p_session.business_day::text;
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_takes_trade(sessions) FROM PUBLIC;
