-- A location created, or any of its settings changed: journaled on the staff chain (event
-- `location`), in the change's transaction, whoever makes it (tillctl as the owner, or the owner
-- with psql). Prices with or without tax, cash rounding, limits and blind close decide what a
-- till charges and what a drawer must hold, so a change to them is evidence. `db_role` is the
-- database role that made the change. A change made with this trigger disabled leaves the row
-- unlike its last entry, which `journal verify` reports (till-sqlx's expected::location lists
-- the same facts).
CREATE OR REPLACE FUNCTION till_location_facts(l locations) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT
AS $fn$
    SELECT jsonb_build_object(
        'id', l.id, 'code', l.code, 'name', l.name, 'currency', l.currency, 'locale', l.locale,
        'timezone', l.timezone, 'cutoff_minutes', l.cutoff_minutes, 'prices_include_tax', l.prices_include_tax,
        'cash_rounding_minor', l.cash_rounding_minor, 'discount_limit_ppm', l.discount_limit_ppm,
        'address', l.address, 'tax_number', l.tax_number, 'cash_out_limit_minor', l.cash_out_limit_minor,
        'variance_limit_minor', l.variance_limit_minor, 'blind_close', l.blind_close,
        'session_limit_minutes', l.session_limit_minutes, 'login_idle_minutes', l.login_idle_minutes,
        'manager_pin_min_length', l.manager_pin_min_length,
        -- null while off: an entry from before the setting existed says the same.
        'card_reference_required', CASE WHEN l.card_reference_required THEN true END,
        'bills', NULLIF(l.bills, ''), 'coins', NULLIF(l.coins, ''))
$fn$;
REVOKE ALL ON FUNCTION till_location_facts(locations) FROM PUBLIC;

CREATE OR REPLACE FUNCTION till_journal_location() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append('00000000-0000-0000-0000-000000000000', clock_timestamp(), 'database', NULL,
        'location', NEW.id, till_location_facts(NEW) || jsonb_build_object('db_role', session_user));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_location() FROM PUBLIC;
CREATE OR REPLACE TRIGGER locations_journal_insert AFTER INSERT ON locations
    FOR EACH ROW EXECUTE FUNCTION till_journal_location();
CREATE OR REPLACE TRIGGER locations_journal_update AFTER UPDATE ON locations
    FOR EACH ROW WHEN (till_location_facts(OLD) IS DISTINCT FROM till_location_facts(NEW))
    EXECUTE FUNCTION till_journal_location();
