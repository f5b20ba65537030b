-- expand: the store's tax number (VAT ID, Steuernummer, UID, EIN), printed on receipts beside its
-- address, as EU law requires of a receipt. Set with `tillctl location add|set --tax-number`.
-- Every change of a location's settings is journaled on the staff chain by
-- functions/till_journal_location.sql's trigger.
ALTER TABLE locations ADD COLUMN tax_number text NOT NULL DEFAULT '' CHECK (length(tax_number) <= 40);

-- The baseline: every location that exists today, journaled as it is now (till_location_facts'
-- payload as of this migration; the function file holds the current text), so none is exempt.
SELECT till_journal_append('00000000-0000-0000-0000-000000000000', clock_timestamp(), 'database', NULL, 'location',
    l.id, jsonb_build_object(
        'id', l.id, 'code', l.code, 'name', l.name, 'currency', l.currency, 'locale', l.locale,
        'timezone', l.timezone, 'cutoff_minutes', l.cutoff_minutes, 'prices_include_tax', l.prices_include_tax,
        'cash_rounding_minor', l.cash_rounding_minor, 'discount_limit_ppm', l.discount_limit_ppm,
        'address', l.address, 'tax_number', l.tax_number, 'cash_out_limit_minor', l.cash_out_limit_minor,
        'variance_limit_minor', l.variance_limit_minor, 'blind_close', l.blind_close,
        'session_limit_minutes', l.session_limit_minutes, 'login_idle_minutes', l.login_idle_minutes,
        'manager_pin_min_length', l.manager_pin_min_length, 'db_role', session_user, 'baseline', true))
  FROM locations l ORDER BY l.created_at, l.id;
