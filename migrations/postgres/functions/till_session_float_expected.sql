-- The float carried over: a new session expects what the register's last close left in the
-- drawer (by any start path); the opening difference is opening_cash - float_expected.
CREATE OR REPLACE FUNCTION till_session_float_expected() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    SELECT s.float_left INTO NEW.float_expected FROM sessions s
     WHERE s.register_id = NEW.register_id AND s.status = 'closed' ORDER BY s.closed_at DESC LIMIT 1;
    RETURN NEW;
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_float_expected() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_float_expected BEFORE INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION till_session_float_expected();
