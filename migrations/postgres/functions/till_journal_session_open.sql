-- A session opened: journaled with its opening cash and the float the last close left.
CREATE OR REPLACE FUNCTION till_journal_session_open() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append(NEW.register_id, NEW.opened_at, NEW.opening_device, NEW.opened_by, 'session_open',
        NEW.id, jsonb_build_object('id', NEW.id, 'number', NEW.number, 'opening_cash', NEW.opening_cash,
                                   'float_expected', NEW.float_expected));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_open() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_journal_open AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION till_journal_session_open();
