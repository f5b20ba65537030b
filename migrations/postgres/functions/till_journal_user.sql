-- A user created, or its name, role, active flag or PIN changed: journaled on the staff chain,
-- in the change's transaction, whoever makes it. `pin` is the sha256 of the PIN's hash (a
-- swapped PIN is seen; nothing that helps guess it is revealed), `db_role` the database role
-- that made the change (Till's functions run as the owner, and tillctl's user commands are
-- the owner's; a terminal changes no user). A promotion by hand is then in
-- the journal, and one made with this trigger disabled leaves the row unlike its last entry,
-- which `journal verify` reports.
CREATE OR REPLACE FUNCTION till_journal_user() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append('00000000-0000-0000-0000-000000000000', clock_timestamp(), 'database', NULL, 'user',
        NEW.id, jsonb_build_object('id', NEW.id, 'name', NEW.name, 'role', NEW.role, 'active', NEW.active,
                                   'pin', encode(sha256(convert_to(NEW.pin_hash, 'UTF8')), 'hex'),
                                   'db_role', session_user));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_user() FROM PUBLIC;
CREATE OR REPLACE TRIGGER users_journal_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION till_journal_user();
CREATE OR REPLACE TRIGGER users_journal_update AFTER UPDATE OF name, role, active, pin_hash ON users
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.role IS DISTINCT FROM NEW.role
                       OR OLD.active IS DISTINCT FROM NEW.active OR OLD.pin_hash IS DISTINCT FROM NEW.pin_hash)
    EXECUTE FUNCTION till_journal_user();
