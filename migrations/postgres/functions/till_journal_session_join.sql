CREATE OR REPLACE FUNCTION till_journal_session_join() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append(s.register_id, NEW.joined_at, NEW.device, NEW.user_id, 'session_join', NEW.session_id,
        jsonb_build_object('session_id', NEW.session_id, 'user_id', NEW.user_id))
       FROM sessions s WHERE s.id = NEW.session_id;
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_join() FROM PUBLIC;
CREATE OR REPLACE TRIGGER session_joins_journal AFTER INSERT ON session_joins
    FOR EACH ROW EXECUTE FUNCTION till_journal_session_join();
