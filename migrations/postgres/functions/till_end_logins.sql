-- A user deactivated, or given another PIN, is logged out everywhere at once.
CREATE OR REPLACE FUNCTION till_end_logins() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    UPDATE logins l SET ended_at = clock_timestamp(), ended_why = CASE WHEN NEW.active THEN 'pin_set' ELSE 'deactivated' END
     WHERE l.user_id = NEW.id AND l.ended_at IS NULL;
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_end_logins() FROM PUBLIC;
CREATE OR REPLACE TRIGGER users_end_logins AFTER UPDATE OF active, pin_hash ON users
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active OR OLD.pin_hash IS DISTINCT FROM NEW.pin_hash)
    EXECUTE FUNCTION till_end_logins();
