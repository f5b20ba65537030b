-- PIN failures, lockouts and unlocks belong to no register: they go to the staff chain (the
-- nil UUID), in the transaction that records them.
CREATE OR REPLACE FUNCTION till_journal_auth_event() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append('00000000-0000-0000-0000-000000000000', NEW.at, NEW.device, NEW.user_id, NEW.kind,
        NEW.id, jsonb_build_object('id', NEW.id, 'user_id', NEW.user_id, 'kind', NEW.kind, 'detail', NEW.detail));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_auth_event() FROM PUBLIC;
CREATE OR REPLACE TRIGGER auth_events_journal AFTER INSERT ON auth_events
    FOR EACH ROW EXECUTE FUNCTION till_journal_auth_event();
